'use strict';
/*
 * The lore part of the real-data cache: public mailing-list messages that
 * carry a real fix (a patch mail, a stable-review mail or an akpm hotfix
 * mail, each with its diff), kept as `.cache/lore/<id>.eml`.
 *
 * <id> is the message's id in the public mail-archive index the cases were
 * found in (bench/data/realfix.json `lore.cases[].id`); the Message-ID in the
 * same entry names the message on lore.kernel.org. The repository keeps only
 * these identities and a SHA-1 of each cached text, never the text.
 *
 * A cached message is the text the index returned, from the header the case
 * records as `startsAt` (its first occurrence; mostly the message's own
 * Subject: or From:, a later header or `body` where the part before it was
 * not read) to the end: transport headers before it (Received:, DKIM, ARC)
 * and, where an entry says so (`headersDropped`), anti-spam headers are left
 * out. The body and the diff
 * are verbatim. `sha1` is the SHA-1 of the cached text: a copy that differs
 * is still run, and the bench says so.
 */
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const sha1 = (text) => crypto.createHash('sha1').update(text).digest('hex');

/** The header block of a mail (up to the first empty line). */
function headerBlock(text) {
  const i = text.indexOf('\n\n');
  return i < 0 ? text : text.slice(0, i);
}

/** Content-Transfer-Encoding of the mail's own header block, lower case, or ''. */
function transferEncoding(text) {
  const m = /^Content-Transfer-Encoding:[ \t]*([^\s;]+)/im.exec(headerBlock(text));
  return m ? m[1].toLowerCase() : '';
}

/**
 * Quoted-printable (RFC 2045 6.7) decoding of a body: soft line breaks
 * (`=` at the end of a line) are joined, `=XX` becomes the byte XX, and the
 * bytes are read as UTF-8. Malformed `=` sequences are kept as they are.
 */
function decodeQuotedPrintable(body) {
  const joined = body.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    const ch = joined[i];
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The mail with its body decoded the way a mail client shows it (only
 * quoted-printable needs work here; 7bit/8bit bodies are returned as they
 * are). Used for the reversed run: reversing works on diff lines, and a
 * quoted-printable body has soft breaks and `=3D` inside them. The forward
 * run gets the message as cached (the engine decodes MIME itself).
 */
function decodedForDiff(text) {
  if (transferEncoding(text) !== 'quoted-printable') return text;
  const i = text.indexOf('\n\n');
  if (i < 0) return text;
  return text.slice(0, i + 2) + decodeQuotedPrintable(text.slice(i + 2));
}

/** Read one cached lore case: { text, sha1, changed } or { missing: true }. */
function readLoreCase(dir, c) {
  const file = path.join(dir, `${c.id}.eml`);
  if (!fs.existsSync(file)) return { missing: true, file };
  const text = fs.readFileSync(file, 'utf8');
  const h = sha1(text);
  return { text, file, sha1: h, changed: c.sha1 ? h !== c.sha1 : false };
}

module.exports = { sha1, transferEncoding, decodeQuotedPrintable, decodedForDiff, readLoreCase };
