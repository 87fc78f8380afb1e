/**
 * The diffstat `git format-patch` puts below `---`:
 *
 *    mm/gup.c                 | 12 +++++++-----
 *    .../linux/page_ref.h     |  4 ++--
 *    arch/x86/mm/gup.c        | 496 ++++++++++++++++
 *    fs/foo.bin               | Bin 0 -> 1234 bytes
 *    3 files changed, 19 insertions(+), 6 deletions(-)
 */
import type { Diffstat, DiffstatEntry } from './model';
import type { Lines, View } from './view';

const SUMMARY = /^\s*(\d+) files? changed(?:, (\d+) insertions?\(\+\))?(?:, (\d+) deletions?\(-\))?\s*$/;
// What follows the `|` of an entry (the path is what comes before the last `|`:
// the count part holds none). One regex over the whole line backtracked cubically.
const ENTRY_COUNT = /^(?:(\d+)(?:\s+[+-]*)?|Bin(?: \d+ -> \d+ bytes)?)$/;

/** Parse `N files changed, X insertions(+), Y deletions(-)`. */
export function parseSummary(line: string): { files: number; insertions: number; deletions: number } | undefined {
  if (line.length > 200) return undefined;
  const m = SUMMARY.exec(line);
  if (!m) return undefined;
  return { files: +m[1], insertions: m[2] ? +m[2] : 0, deletions: m[3] ? +m[3] : 0 };
}

export function parseEntry(line: string): DiffstatEntry | undefined {
  if (line.length > 1000) return undefined;
  const bar = line.lastIndexOf('|');
  if (bar < 0) return undefined;
  const left = line.slice(0, bar);
  const right = line.slice(bar + 1);
  // `path<blanks>|<blanks>count`: blanks on both sides of the bar, no line break in the path
  if (!/\s$/.test(left) || !/^\s/.test(right)) return undefined;
  const path = left.trim();
  if (!path || /[\n\r\u2028\u2029]/.test(path)) return undefined;
  const m = ENTRY_COUNT.exec(right.trim());
  if (!m) return undefined;
  return { path, changes: m[1] !== undefined ? +m[1] : 0 };
}

/**
 * Find the first diffstat in lines [from, to) of a view: a summary line with
 * the entry lines right above it. Quoted lines (`> `) are not considered.
 */
export function findDiffstat(view: View, lines: Lines, from: number, to: number): Diffstat | undefined {
  for (let i = from; i < to; i++) {
    const c = lines.c0(i);
    if (c !== 32 && c !== 9 && (c < 48 || c > 57)) continue;
    const sum = parseSummary(lines.line(i));
    if (!sum) continue;
    const entries: DiffstatEntry[] = [];
    let k = i - 1;
    for (; k >= from && i - k <= sum.files + 2; k--) {
      const e = parseEntry(lines.line(k));
      if (!e) break;
      entries.unshift(e);
    }
    const first = entries.length ? k + 1 : i;
    return {
      entries,
      files: sum.files,
      insertions: sum.insertions,
      deletions: sum.deletions,
      span: view.span(lines.starts[first], lines.ends[i]),
    };
  }
  return undefined;
}

/** Does a diffstat path (possibly abbreviated `.../foo.h`) name this file path? */
export function diffstatPathMatches(statPath: string, path: string): boolean {
  const p = statPath.trim();
  if (p === path) return true;
  // renames: "old => new" or "dir/{old => new}/x"
  if (p.includes(' => ')) {
    // `a/{b => c}/d`: the last `}`, the last ` => ` before it, the last `{` before that
    // (the greedy groups of /^(.*)\{(.*) => (.*)\}(.*)$/, found without backtracking)
    const close = p.lastIndexOf('}');
    const arrow = close >= 4 ? p.lastIndexOf(' => ', close - 4) : -1;
    const open = arrow > 0 ? p.lastIndexOf('{', arrow - 1) : -1;
    const newer = open >= 0 ? `${p.slice(0, open)}${p.slice(arrow + 4, close)}${p.slice(close + 1)}`.replace(/\/\//g, '/') : p.split(' => ')[1];
    return diffstatPathMatches(newer, path);
  }
  if (p.startsWith('...')) return path.endsWith(p.slice(3));
  return false;
}
