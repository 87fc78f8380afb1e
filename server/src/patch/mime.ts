/**
 * Offset-preserving MIME decoders: quoted-printable, base64, charsets,
 * format=flowed (RFC 3676), mboxrd `>From ` un-escaping, and RFC 2047
 * encoded-words in headers.
 *
 * Why hand-written: every decoded character must keep a map back to the exact
 * characters of the original document (a `=3D` that became `=`, a soft line
 * break `=\n` that joined two physical lines, a base64 quartet), so that a
 * finding on a decoded diff line lands on the right characters of the mail the
 * reviewer has open. Mail libraries decode to plain strings and lose that map.
 * Charset tables are not re-implemented: single- and multi-byte legacy
 * charsets go through Node's TextDecoder; only UTF-8 is decoded here, because
 * its byte-to-character alignment is needed for the map.
 */
import { TextDecoder } from 'node:util';
import { SegBuilder, View, type VSeg } from './view';

/** Bytes decoded from an original range, with segs in byte space. */
export interface Bytes {
  bytes: Uint8Array;
  len: number;
  segs: VSeg[];
}

class ByteSink {
  buf: Uint8Array;
  len = 0;
  readonly b = new SegBuilder();

  constructor(cap: number) {
    this.buf = new Uint8Array(Math.max(16, cap));
  }

  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const nb = new Uint8Array(Math.max(this.buf.length * 2, this.len + n + 16));
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }

  /** Append one byte decoded from original [o, o+oLen). */
  byte(v: number, o: number, oLen: number): void {
    this.grow(1);
    this.b.push(this.len, 1, o, oLen);
    this.buf[this.len++] = v;
  }

  /** Append the UTF-8 encoding of char code c (which may be a whole surrogate pair) from original [o, o+oLen). */
  utf8(cp: number, o: number, oLen: number): void {
    const start = this.len;
    this.grow(4);
    if (cp < 0x80) this.buf[this.len++] = cp;
    else if (cp < 0x800) {
      this.buf[this.len++] = 0xc0 | (cp >> 6);
      this.buf[this.len++] = 0x80 | (cp & 63);
    } else if (cp < 0x10000) {
      this.buf[this.len++] = 0xe0 | (cp >> 12);
      this.buf[this.len++] = 0x80 | ((cp >> 6) & 63);
      this.buf[this.len++] = 0x80 | (cp & 63);
    } else {
      this.buf[this.len++] = 0xf0 | (cp >> 18);
      this.buf[this.len++] = 0x80 | ((cp >> 12) & 63);
      this.buf[this.len++] = 0x80 | ((cp >> 6) & 63);
      this.buf[this.len++] = 0x80 | (cp & 63);
    }
    this.b.push(start, this.len - start, o, oLen);
  }

  done(): Bytes {
    return { bytes: this.buf, len: this.len, segs: this.b.segs };
  }
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Append original character(s) at doc[i] as bytes; returns how many UTF-16 units were consumed. */
function literal(sink: ByteSink, doc: string, i: number): number {
  const c = doc.charCodeAt(i);
  if (c < 0x100) {
    sink.byte(c, i, 1);
    return 1;
  }
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < doc.length) {
    const c2 = doc.charCodeAt(i + 1);
    if (c2 >= 0xdc00 && c2 <= 0xdfff) {
      sink.utf8(0x10000 + ((c - 0xd800) << 10) + (c2 - 0xdc00), i, 2);
      return 2;
    }
  }
  sink.utf8(c, i, 1);
  return 1;
}

/**
 * Quoted-printable (RFC 2045 6.7): `=XX` is one byte mapped to its three
 * original characters; a soft line break (`=` + optional blanks + CRLF/LF) maps
 * to nothing, joining two physical lines; everything else is literal.
 */
export function decodeQuotedPrintable(doc: string, start: number, end: number): Bytes {
  const sink = new ByteSink(end - start);
  let i = start;
  while (i < end) {
    const c = doc.charCodeAt(i);
    if (c === 61 /* = */) {
      if (i + 2 < end) {
        const h = hexVal(doc.charCodeAt(i + 1));
        const l = hexVal(doc.charCodeAt(i + 2));
        if (h >= 0 && l >= 0) {
          sink.byte((h << 4) | l, i, 3);
          i += 3;
          continue;
        }
      }
      // soft line break: '=' [blanks] ('\r'? '\n' | end)
      let j = i + 1;
      while (j < end && (doc.charCodeAt(j) === 32 || doc.charCodeAt(j) === 9)) j++;
      if (j >= end) {
        i = end;
        continue;
      }
      if (doc.charCodeAt(j) === 13 && j + 1 < end && doc.charCodeAt(j + 1) === 10) {
        i = j + 2;
        continue;
      }
      if (doc.charCodeAt(j) === 10) {
        i = j + 1;
        continue;
      }
      sink.byte(61, i, 1); // a stray '=' stays literal
      i++;
      continue;
    }
    i += literal(sink, doc, i);
  }
  return sink.done();
}

const B64 = (() => {
  const t = new Int8Array(128).fill(-1);
  const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < a.length; i++) t[a.charCodeAt(i)] = i;
  t['-'.charCodeAt(0)] = 62; // base64url, seen in the wild
  t['_'.charCodeAt(0)] = 63;
  return t;
})();

/**
 * Base64: each quartet of alphabet characters gives up to three bytes, mapped
 * to the quartet's original characters. Whitespace, line breaks and junk are
 * skipped; decoding stops at padding.
 */
export function decodeBase64(doc: string, start: number, end: number): Bytes {
  const sink = new ByteSink(Math.ceil(((end - start) * 3) / 4));
  let acc = 0;
  let n = 0;
  let qStart = start;
  for (let i = start; i < end; i++) {
    const c = doc.charCodeAt(i);
    if (c === 61 /* = */) break;
    const v = c < 128 ? B64[c] : -1;
    if (v < 0) continue;
    if (n === 0) qStart = i;
    acc = (acc << 6) | v;
    n++;
    if (n === 4) {
      const oLen = i + 1 - qStart;
      pushBytes(sink, [(acc >> 16) & 255, (acc >> 8) & 255, acc & 255], qStart, oLen);
      acc = 0;
      n = 0;
    }
  }
  if (n >= 2) {
    // trailing partial quartet (padding elided or present)
    let qEnd = qStart;
    for (let k = qStart, seen = 0; k < end && seen < n; k++) {
      const c = doc.charCodeAt(k);
      if (c < 128 && B64[c] >= 0) {
        seen++;
        qEnd = k + 1;
      }
    }
    const a = acc << (6 * (4 - n));
    const out = n === 2 ? [(a >> 16) & 255] : [(a >> 16) & 255, (a >> 8) & 255];
    pushBytes(sink, out, qStart, qEnd - qStart);
  }
  return sink.done();
}

function pushBytes(sink: ByteSink, bytes: number[], o: number, oLen: number): void {
  // One seg for the group: bytes are proportionally spread over the quartet.
  const start = sink.len;
  for (const v of bytes) {
    if (sink.len >= sink.buf.length) {
      const nb = new Uint8Array(sink.buf.length * 2 + 16);
      nb.set(sink.buf.subarray(0, sink.len));
      sink.buf = nb;
    }
    sink.buf[sink.len++] = v;
  }
  sink.b.push(start, sink.len - start, o, oLen);
}

/** The original text [start, end) as bytes (for 7bit/8bit parts that still need a charset). */
export function literalBytes(doc: string, start: number, end: number): Bytes {
  const sink = new ByteSink(end - start);
  for (let i = start; i < end; ) i += literal(sink, doc, i);
  return sink.done();
}

/** Normalise a MIME charset label; undefined when it is not usable. */
export function normaliseCharset(label: string | undefined): string {
  const l = (label ?? '').trim().replace(/^"|"$/g, '').toLowerCase();
  if (l === '' || l === 'utf8' || l === 'utf-8' || l === 'unicode-1-1-utf-8') return 'utf-8';
  if (l === 'us-ascii' || l === 'ascii' || l === 'ansi_x3.4-1968') return 'us-ascii';
  return l;
}

/** Map byte index -> original offsets, walking segs sequentially. */
class ByteOrigin {
  private k = 0;
  constructor(private readonly segs: VSeg[]) {}

  /** [start, end) of the original characters of byte b. Must be called with non-decreasing b. */
  of(b: number): [number, number] {
    const segs = this.segs;
    while (this.k + 1 < segs.length && segs[this.k].d + segs[this.k].dLen <= b) this.k++;
    const s = segs[this.k];
    if (!s) return [0, 0];
    if (b < s.d) return [s.o, s.o];
    const rel = b - s.d;
    if (rel >= s.dLen) return [s.o + s.oLen, s.o + s.oLen];
    if (s.dLen === s.oLen) return [s.o + rel, s.o + rel + 1];
    const a = s.o + Math.floor((rel * s.oLen) / s.dLen);
    const e = s.o + Math.ceil(((rel + 1) * s.oLen) / s.dLen);
    return [a, Math.max(a, e)];
  }
}

/** UTF-8 decoding with a per-character map; invalid bytes become U+FFFD one by one. */
function decodeUtf8(src: Bytes): View {
  const { bytes, len } = src;
  const out: string[] = [];
  let chunk: number[] = [];
  const b = new SegBuilder();
  const origin = new ByteOrigin(src.segs);
  let d = 0;
  let i = 0;
  const flush = () => {
    if (chunk.length) {
      out.push(String.fromCharCode.apply(null, chunk));
      chunk = [];
    }
  };
  while (i < len) {
    const c = bytes[i];
    let cp = 0xfffd;
    let n = 1;
    if (c < 0x80) cp = c;
    else if (c >= 0xc2 && c < 0xe0 && i + 1 < len && (bytes[i + 1] & 0xc0) === 0x80) {
      cp = ((c & 31) << 6) | (bytes[i + 1] & 63);
      n = 2;
    } else if (c >= 0xe0 && c < 0xf0 && i + 2 < len && (bytes[i + 1] & 0xc0) === 0x80 && (bytes[i + 2] & 0xc0) === 0x80) {
      const v = ((c & 15) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63);
      if (v >= 0x800 && (v < 0xd800 || v > 0xdfff)) {
        cp = v;
        n = 3;
      }
    } else if (
      c >= 0xf0 &&
      c < 0xf5 &&
      i + 3 < len &&
      (bytes[i + 1] & 0xc0) === 0x80 &&
      (bytes[i + 2] & 0xc0) === 0x80 &&
      (bytes[i + 3] & 0xc0) === 0x80
    ) {
      const v = ((c & 7) << 18) | ((bytes[i + 1] & 63) << 12) | ((bytes[i + 2] & 63) << 6) | (bytes[i + 3] & 63);
      if (v >= 0x10000 && v <= 0x10ffff) {
        cp = v;
        n = 4;
      }
    }
    const [o] = origin.of(i);
    const [, oe] = origin.of(i + n - 1);
    if (cp >= 0x10000) {
      const v = cp - 0x10000;
      chunk.push(0xd800 + (v >> 10), 0xdc00 + (v & 1023));
      b.push(d, 2, o, Math.max(0, oe - o));
      d += 2;
    } else {
      chunk.push(cp);
      b.push(d, 1, o, Math.max(0, oe - o));
      d += 1;
    }
    if (chunk.length >= 8192) flush();
    i += n;
  }
  flush();
  return new View(out.join(''), b.segs);
}

/**
 * Bytes -> text in the given charset, keeping the map. UTF-8 is decoded here;
 * everything else goes through TextDecoder. A single-byte charset maps byte i
 * to character i; for multi-byte legacy charsets the map is kept per line.
 */
export function decodeCharset(src: Bytes, charset: string): View {
  const cs = normaliseCharset(charset);
  if (cs === 'utf-8') return decodeUtf8(src);
  let td: TextDecoder;
  try {
    // WHATWG maps us-ascii to windows-1252, which is what mail in the wild means by it
    td = new TextDecoder(cs === 'us-ascii' ? 'windows-1252' : cs);
  } catch {
    return decodeUtf8(src);
  }
  const bytes = src.bytes.subarray(0, src.len);
  const whole = fixCp1252(td, td.decode(bytes));
  if (whole.length === src.len) {
    // one UTF-16 unit per byte: the byte segs are the character segs
    return new View(whole, src.segs.map((s) => ({ ...s })));
  }
  // variable-width charset: decode line by line, proportional map per line
  const parts: string[] = [];
  const b = new SegBuilder();
  const origin = new ByteOrigin(src.segs);
  let d = 0;
  let s = 0;
  while (s < src.len) {
    let e = bytes.indexOf(10, s);
    e = e === -1 ? src.len : e + 1;
    const txt = fixCp1252(td, td.decode(bytes.subarray(s, e)));
    const [o] = origin.of(s);
    const [, oe] = origin.of(e - 1);
    parts.push(txt);
    b.push(d, txt.length, o, Math.max(0, oe - o));
    d += txt.length;
    s = e;
  }
  return new View(parts.join(''), b.segs);
}

// windows-1252 bytes 0x80-0x9F (the WHATWG decoder for windows-1252, iso-8859-1,
// latin1 and us-ascii). Node 20's TextDecoder decodes them as C1 controls, like
// latin1; put the real characters back (one for one, so the map is unchanged).
const CP1252_C1 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function fixCp1252(td: TextDecoder, s: string): string {
  if (td.encoding !== 'windows-1252' || !/[\u0080-\u009f]/.test(s)) return s;
  return s.replace(/[\u0080-\u009f]/g, (c) => String.fromCharCode(CP1252_C1[c.charCodeAt(0) - 0x80]));
}

/** Decode a body range of the original document with a transfer encoding and charset. */
export function decodeBody(doc: string, start: number, end: number, cte: string, charset: string | undefined): View {
  const enc = cte.trim().toLowerCase();
  if (enc === 'quoted-printable') return decodeCharset(decodeQuotedPrintable(doc, start, end), charset ?? 'us-ascii');
  if (enc === 'base64') return decodeCharset(decodeBase64(doc, start, end), charset ?? 'us-ascii');
  // 7bit / 8bit / binary: the document string is already text
  return View.identity(doc, start, end);
}

/**
 * format=flowed (RFC 3676): a line ending in a space is soft-broken and joins
 * the next one (with DelSp=yes the space goes too); one leading space of a
 * space-stuffed line is removed. The signature separator `-- ` is never flowed.
 */
export function decodeFlowed(v: View, delSp: boolean): View {
  const t = v.text;
  const pieces: Array<[number, number]> = [];
  let s = 0;
  const n = t.length;
  while (s < n) {
    let nl = t.indexOf('\n', s);
    const hasNl = nl !== -1;
    if (!hasNl) nl = n;
    let e = nl;
    if (e > s && t.charCodeAt(e - 1) === 13) e--;
    let cs = s;
    const isSig = e - s === 3 && t.startsWith('-- ', s);
    if (!isSig && t.charCodeAt(cs) === 32 && cs < e) cs++; // un-stuff
    const flowed = !isSig && e > cs && t.charCodeAt(e - 1) === 32 && hasNl;
    if (flowed) pieces.push([cs, delSp ? e - 1 : e]);
    else pieces.push([cs, hasNl ? nl + 1 : e]);
    s = hasNl ? nl + 1 : n;
  }
  return v.compose(mergePieces(pieces));
}

/** mboxrd: a body line `>From ` (any number of '>') had one '>' added; remove it. */
export function unescapeFromLines(v: View): View {
  const t = v.text;
  if (t.indexOf('>From ') === -1) return v;
  const pieces: Array<[number, number]> = [];
  const re = /^>+From /gm;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t))) {
    pieces.push([last, m.index]);
    last = m.index + 1;
    re.lastIndex = m.index + m[0].length;
  }
  pieces.push([last, t.length]);
  return v.compose(mergePieces(pieces));
}

function mergePieces(p: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [a, b] of p) {
    if (b <= a) continue;
    const last = out[out.length - 1];
    if (last && last[1] === a) last[1] = b;
    else out.push([a, b]);
  }
  return out;
}

/** Decode RFC 2047 encoded-words (`=?UTF-8?q?J=C3=A9r=C3=B4me?=`) in a header value. */
export function decodeEncodedWords(value: string): string {
  if (value.indexOf('=?') === -1) return value;
  // whitespace between two adjacent encoded-words is not displayed
  const re = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=(?:[ \t]+(?==\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=))?/g;
  return value.replace(re, (whole, cs: string, enc: string, data: string) => {
    try {
      const star = cs.indexOf('*'); // RFC 2231 language suffix `charset*lang`
      const charset = normaliseCharset(star >= 0 ? cs.slice(0, star) : cs);
      let bytes: number[];
      if (enc === 'b' || enc === 'B') {
        const b = decodeBase64(data, 0, data.length);
        bytes = Array.from(b.bytes.subarray(0, b.len));
      } else {
        bytes = [];
        for (let i = 0; i < data.length; i++) {
          const c = data.charCodeAt(i);
          if (c === 95 /* _ */) bytes.push(32);
          else if (c === 61 && i + 2 < data.length && hexVal(data.charCodeAt(i + 1)) >= 0 && hexVal(data.charCodeAt(i + 2)) >= 0) {
            bytes.push((hexVal(data.charCodeAt(i + 1)) << 4) | hexVal(data.charCodeAt(i + 2)));
            i += 2;
          } else bytes.push(c & 255);
        }
      }
      if (charset === 'utf-8') return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
      const td = new TextDecoder(charset === 'us-ascii' ? 'windows-1252' : charset);
      return fixCp1252(td, td.decode(Uint8Array.from(bytes)));
    } catch {
      return whole;
    }
  });
}
