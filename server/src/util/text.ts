/**
 * Linear-time string helpers for the few jobs a regex did in quadratic time
 * on hostile input (a 10 MB line of `/*` or of tabs). Each keeps the exact
 * result of the regex it replaces, noted beside it; test/hostile/redos.test.ts
 * checks every regex left in server/src with recheck.
 */

/**
 * Replace each one-line block comment with `by`: what
 * `s.replace(/\/\*.*?\*\//g, by)` does (`.` stops at line ends, so a comment
 * that spans lines is left alone), without rescanning for every `/*`.
 */
export function blankBlockComments(s: string, by = ' '): string {
  let a = s.indexOf('/*');
  if (a < 0) return s;
  let out = '';
  let last = 0;
  let close = -2; // next `*/` at or after a + 2 (-1: none)
  let eol = -2; // next line terminator at or after a + 2 (-1: none)
  while (a >= 0) {
    if (close !== -1 && close < a + 2) close = s.indexOf('*/', a + 2);
    if (close === -1) break;
    if (eol !== -1 && eol < a + 2) eol = nextLineTerminator(s, a + 2);
    if (eol !== -1 && eol < close) {
      a = s.indexOf('/*', a + 1);
      continue;
    }
    out += s.slice(last, a) + by;
    last = close + 2;
    a = s.indexOf('/*', last);
  }
  return out + s.slice(last);
}

/** `s.replace(/\/\/.*$/, '')`: cut a `//` comment that runs to the end of the text (on its last line). */
export function cutLineComment(s: string): string {
  const from = lastLineTerminator(s) + 1;
  const i = s.indexOf('//', from);
  return i < 0 ? s : s.slice(0, i);
}

/** `s.replace(/[ \t]+$/, '')`. */
export function trimEndSpaceTab(s: string): string {
  let e = s.length;
  while (e > 0 && (s.charCodeAt(e - 1) === 32 || s.charCodeAt(e - 1) === 9)) e--;
  return e === s.length ? s : s.slice(0, e);
}

/** `s.replace(/\(.*$/, '')` for one-line text: what comes before the first `(`. */
export function beforeParen(s: string): string {
  const i = s.indexOf('(');
  return i < 0 ? s : s.slice(0, i);
}

/** Does `s` contain a line terminator (what `.` does not match: \n, \r, U+2028, U+2029)? */
export function hasLineTerminator(s: string): boolean {
  return nextLineTerminator(s, 0) !== -1;
}

function nextLineTerminator(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return i;
  }
  return -1;
}

function lastLineTerminator(s: string): number {
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return i;
  }
  return -1;
}

/**
 * The lengths of the common prefix and suffix of two texts (not overlapping): where an edit changed
 * `before` into `after`. Whole 4 KiB blocks are compared first (a string compare), then characters.
 */
export function commonEnds(before: string, after: string): { prefix: number; suffix: number } {
  const max = Math.min(before.length, after.length);
  const B = 4096;
  let p = 0;
  while (p + B <= max && before.startsWith(after.slice(p, p + B), p)) p += B;
  while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
  let s = 0;
  while (s + B <= max - p && before.endsWith(after.slice(after.length - s - B, after.length - s), before.length - s)) s += B;
  while (s < max - p && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
  return { prefix: p, suffix: s };
}
