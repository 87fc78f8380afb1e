/** Shared helpers for the patch-parser tests. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import type { FilePatch, Hunk, ParsedDocument, Span } from 'mm-review-server/patch/model';
import { mapColumn, mapColumnEnd } from 'mm-review-server/patch/model';

/** The repository root (the directory holding the extension's package.json). */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 10; i++) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj) && JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'mm-patch-review') return dir;
    dir = path.dirname(dir);
  }
  throw new Error('repository root not found from ' + __dirname);
}

export function fixture(rel: string): string {
  return fs.readFileSync(path.join(repoRoot(), 'test', 'patch', 'fixtures', rel), 'utf8');
}

export function seed(n: number): string {
  const dir = path.join(repoRoot(), 'test', 'patch', 'fixtures', 'seeds');
  const name = fs.readdirSync(dir).find((f) => f.startsWith(String(n).padStart(3, '0') + '_'));
  if (!name) throw new Error('no seed ' + n);
  return fs.readFileSync(path.join(dir, name), 'utf8');
}

export function example(name: string): string {
  return fs.readFileSync(path.join(repoRoot(), 'examples', name), 'utf8');
}

/** 1-based line number of an offset. */
export function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Text of 1-based line n (without EOL). */
export function lineText(text: string, n: number): string {
  return text.split('\n')[n - 1].replace(/\r$/, '');
}

export function adds(f: FilePatch): number {
  return f.hunks.reduce((a, h) => a + h.lines.filter((l) => l.kind === 'add').length, 0);
}

export function dels(f: FilePatch): number {
  return f.hunks.reduce((a, h) => a + h.lines.filter((l) => l.kind === 'del').length, 0);
}

export function preImage(h: Hunk): string[] {
  return h.lines.filter((l) => l.kind !== 'add').map((l) => l.text);
}

export function postImage(h: Hunk): string[] {
  return h.lines.filter((l) => l.kind !== 'del').map((l) => l.text);
}

/** Old/new line counts found in a hunk's body. */
export function bodyCounts(h: Hunk): [number, number] {
  let o = 0;
  let n = 0;
  for (const l of h.lines) {
    if (l.kind !== 'add') o++;
    if (l.kind !== 'del') n++;
  }
  return [o, n];
}

function checkSpan(s: Span, len: number, what: string): void {
  assert.ok(Number.isInteger(s.start) && Number.isInteger(s.end), `${what}: integer offsets`);
  assert.ok(s.start >= 0 && s.start <= s.end && s.end <= len, `${what}: span ${s.start}..${s.end} outside 0..${len}`);
}

/**
 * Structural invariants of a parse: every span lies in the document with
 * start <= end, every seg of every hunk line maps inside the document, and
 * mapping any column of a line stays inside it.
 */
export function checkInvariants(doc: ParsedDocument): void {
  const len = doc.text.length;
  for (const d of doc.diagnostics) checkSpan(d.span, len, `diagnostic ${d.code}`);
  doc.messages.forEach((m, mi) => {
    assert.equal(m.index, mi);
    checkSpan(m.span, len, 'message');
    if (m.headerSpan) checkSpan(m.headerSpan, len, 'message header');
    if (m.embedded) checkSpan(m.embedded.span, len, 'embedded');
    if (m.diffstat) checkSpan(m.diffstat.span, len, 'diffstat');
    assert.ok(m.quotedDiffsSkipped >= 0);
    for (const f of m.files) {
      checkSpan(f.headerSpan, len, 'file header');
      for (const r of f.repairs ?? []) checkSpan(r.span, len, 'file repair');
      for (const h of f.hunks) {
        checkSpan(h.headerSpan, len, 'hunk header');
        for (const r of h.repairs) checkSpan(r.span, len, `repair ${r.kind}`);
        for (const l of h.lines) {
          checkSpan(l.span, len, 'hunk line');
          let lastCol = -1;
          for (const s of l.src.segs) {
            assert.ok(s.col > lastCol - 1 && s.len >= 0 && s.offLen >= 0, 'seg shape');
            assert.ok(s.off >= 0 && s.off + s.offLen <= len, `seg ${s.off}+${s.offLen} outside ${len}`);
            assert.ok(s.col + s.len <= l.text.length, 'seg beyond line text');
            lastCol = s.col + s.len;
          }
          if (l.src.segs.length) {
            for (const col of [0, l.text.length >> 1, Math.max(0, l.text.length - 1), l.text.length]) {
              const a = mapColumn(l.src, col)!;
              const b = mapColumnEnd(l.src, col)!;
              assert.ok(a >= 0 && a <= len && b >= 0 && b <= len, 'mapped column outside the document');
            }
          }
        }
      }
    }
  });
}
