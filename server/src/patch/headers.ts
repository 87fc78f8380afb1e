/**
 * RFC 822 header blocks: parsing, unfolding, RFC 2047 decoding, and the few
 * structured values the parser needs (From display name, Content-Type).
 */
import type { Span } from './model';
import { decodeEncodedWords } from './mime';
import { hasLineTerminator } from '../util/text';
import type { Lines } from './view';

export interface Header {
  /** Lower-case name. */
  name: string;
  /** Unfolded raw value (not RFC 2047-decoded). */
  value: string;
  /** Span in the text the lines belong to. */
  span: Span;
}

// The name and the blanks after the colon; the value is the rest of the line
// (the former `[ \t]*(.*)$` backtracked quadratically on a line break in the value).
const HEADER_LINE = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,75}):[ \t]*/;

/** `Name: value` on one line; returns [name, value] or undefined. */
export function headerLine(line: string): [string, string] | undefined {
  if (line.length > 4000) return undefined;
  const m = HEADER_LINE.exec(line);
  if (!m) return undefined;
  const value = line.slice(m[0].length);
  return hasLineTerminator(value) ? undefined : [m[1], value];
}

export interface HeaderBlock {
  headers: Header[];
  /** Line index just after the block (the blank separator line, or the first non-header line). */
  end: number;
}

/**
 * Parse a header block starting at line `from`: `Name: value` lines with
 * folded continuation lines (leading space/tab), up to a blank line or the
 * first line that is neither. `base` converts line offsets to document
 * offsets (lines of an identity view).
 */
export function parseHeaderBlock(lines: Lines, from: number, to: number, base = 0): HeaderBlock {
  const headers: Header[] = [];
  let i = from;
  for (; i < to; i++) {
    const len = lines.len(i);
    if (len === 0 || lines.blank(i)) break;
    const c = lines.c0(i);
    if ((c === 32 || c === 9) && headers.length > 0) {
      const h = headers[headers.length - 1];
      if (h.value.length < 65536) h.value += ' ' + lines.line(i).trim();
      h.span.end = base + lines.ends[i];
      continue;
    }
    const hl = headerLine(lines.line(i));
    if (!hl) break;
    headers.push({ name: hl[0].toLowerCase(), value: hl[1].trim(), span: { start: base + lines.starts[i], end: base + lines.ends[i] } });
  }
  return { headers, end: i };
}

export function getHeader(headers: Header[], name: string): string | undefined {
  for (const h of headers) if (h.name === name) return h.value;
  return undefined;
}

/** Display name of a From value, else the address. RFC 2047-decoded. */
export function displayName(from: string): string | undefined {
  const v = decodeEncodedWords(from).trim();
  if (!v) return undefined;
  // `Name <addr>`: the `<` after the last `>` but one (what `/^(.*?)\s*<([^>]*)>\s*$/` found, in linear time)
  if (v.endsWith('>')) {
    const lt = v.indexOf('<', v.lastIndexOf('>', v.length - 2) + 1);
    const before = lt >= 0 ? v.slice(0, lt).trimEnd() : '';
    if (lt >= 0 && lt < v.length - 1 && !hasLineTerminator(before)) {
      const name = unquote(before);
      return name || v.slice(lt + 1, -1).trim() || undefined;
    }
  }
  const m = /^([^\s()@]+@[^\s()]+)\s*\((.*)\)\s*$/.exec(v);
  if (m) return unquote(m[2]) || m[1];
  return unquote(v);
}

function unquote(s: string): string {
  let t = s.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) t = t.slice(1, -1).replace(/\\(.)/g, '$1');
  return t.trim();
}

/** `<id@host> (raw)` -> `id@host`. */
export function cleanMessageId(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const m = /<([^<>\s]+)>/.exec(v);
  if (m) return m[1];
  const t = v.replace(/\(raw\)/, '').trim();
  return t || undefined;
}

export interface ContentType {
  type: string;
  subtype: string;
  params: Record<string, string>;
}

export function parseContentType(v: string | undefined): ContentType | undefined {
  if (!v) return undefined;
  const m = /^\s*([A-Za-z0-9!#$&^_.+-]+)\s*\/\s*([A-Za-z0-9!#$&^_.+-]+)\s*/.exec(v);
  const rest = m ? v.slice(m[0].length) : '';
  if (!m || hasLineTerminator(rest)) return undefined;
  const params: Record<string, string> = {};
  const re = /;\s*([A-Za-z0-9!#$&^_.+*-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^;\s]*)/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(rest))) {
    const key = p[1].toLowerCase();
    if (!(key in params)) params[key] = p[3] !== undefined ? p[3].replace(/\\(.)/g, '$1') : p[2];
  }
  return { type: m[1].toLowerCase(), subtype: m[2].toLowerCase(), params };
}

/** filename from Content-Disposition or the Content-Type name parameter. */
export function partFilename(headers: Header[], ct: ContentType | undefined): string | undefined {
  const cd = getHeader(headers, 'content-disposition');
  if (cd) {
    const m = /filename\*?\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(cd);
    if (m) return decodeEncodedWords(m[1] ?? m[2]);
  }
  return ct?.params['name'] ? decodeEncodedWords(ct.params['name']) : undefined;
}
