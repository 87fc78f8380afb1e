/** Helpers for the rule tests: C code wrapped into patches and run through the real engine. */
import assert from 'node:assert/strict';
import { applyEdits } from '../util/edits';
import { analyze, type AnalyzeOptions } from 'mm-review-server/engine/index';
import type { Finding } from 'mm-review-server/engine/findings';

/** A patch that adds `code` as a new file. */
export function addPatch(code: string, path = 'mm/test.c'): string {
  const lines = code.replace(/^\n/, '').replace(/\n$/, '').split('\n');
  return [
    `diff --git a/${path} b/${path}`,
    'new file mode 100644',
    'index 0000000..1111111',
    '--- /dev/null',
    `+++ b/${path}`,
    `@@ -0,0 +1,${lines.length} @@`,
    ...lines.map((l) => '+' + l),
    '',
  ].join('\n');
}

/** A patch that changes `before` into `after` (one hunk: common head and tail as context). */
export function changePatch(before: string, after: string, path = 'mm/test.c'): string {
  const a = before.replace(/^\n/, '').replace(/\n$/, '').split('\n');
  const b = after.replace(/^\n/, '').replace(/\n$/, '').split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const body = [
    ...a.slice(0, head).map((l) => ' ' + l),
    ...a.slice(head, a.length - tail).map((l) => '-' + l),
    ...b.slice(head, b.length - tail).map((l) => '+' + l),
    ...a.slice(a.length - tail).map((l) => ' ' + l),
  ];
  return [
    `diff --git a/${path} b/${path}`,
    'index 1111111..2222222 100644',
    `--- a/${path}`,
    `+++ b/${path}`,
    `@@ -1,${a.length} +1,${b.length} @@`,
    ...body,
    '',
  ].join('\n');
}

/**
 * A one-hunk patch of `path` that replaces the lines `from` by `to` (C text, without the diff's column)
 * between the context lines `before` and `after` (diff-body lines, each with its leading ' ', '-' or '+').
 */
export function replacePatch(path: string, hunkHeader: string, before: string[], from: string[], to: string[], after: string[]): string {
  return [`diff --git a/${path} b/${path}`, `--- a/${path}`, `+++ b/${path}`, hunkHeader, ...before, ...from.map((l) => `-${l}`), ...to.map((l) => `+${l}`), ...after, ''].join('\n');
}

/** replacePatch() of one `if` test at `indent`: `if (from)` becomes `if (to)`. */
export function ifTestPatch(path: string, hunkHeader: string, before: string[], from: string, to: string, after: string[], indent = '\t'): string {
  return replacePatch(path, hunkHeader, before, [`${indent}if (${from})`], [`${indent}if (${to})`], after);
}

export function findings(patch: string, opts: AnalyzeOptions = {}): Finding[] {
  // the rules' own text, whole (the engine's ~200-character message split is tested in test/engine/message.test.ts)
  return analyze(patch, 'test.patch', { fullMessages: true, ...opts }).findings.filter((f) => f.category !== 'input');
}

export function rulesOf(fs: Finding[]): string[] {
  return fs.map((f) => f.rule);
}

/** The findings of one rule; asserts how many. */
export function expectRule(fs: Finding[], rule: string, count: number): Finding[] {
  const hits = fs.filter((f) => f.rule === rule);
  assert.equal(hits.length, count, `expected ${count} × ${rule}, got: ${fs.map((f) => `${f.rule} (line ${f.range.start.line + 1}): ${f.message}`).join('\n') || 'nothing'}`);
  return hits;
}

export function expectClean(fs: Finding[], categories?: string[]): void {
  const left = fs.filter((f) => !categories || categories.includes(f.category));
  assert.deepEqual(left.map((f) => `${f.rule}: ${f.message}`), []);
}

/** 1-based line in the patch text of the first line containing `needle`. */
export function lineOf(patch: string, needle: string, nth = 0): number {
  const ls = patch.split('\n');
  let k = 0;
  for (let i = 0; i < ls.length; i++) if (ls[i].includes(needle) && k++ === nth) return i + 1;
  throw new Error('not in patch: ' + needle);
}

/** Apply a finding's first quick fix to the patch text. */
export function applyFix(patch: string, f: Finding): string {
  assert.ok(f.fixes?.length, 'no quick fix');
  return applyEdits(patch, f.fixes[0].edits);
}

/** A warning or error of `rule` in patch `p`, on the line of `needle` when given (the failure lists what was found). */
export function expectFlagged(p: string, rule: string, needle?: string): void {
  const serious = findings(p).filter((f) => f.severity === 'error' || f.severity === 'warning');
  const hits = serious.filter((f) => f.rule === rule);
  const at = needle === undefined ? undefined : lineOf(p, needle);
  assert.ok(
    hits.some((f) => at === undefined || f.range.start.line + 1 === at),
    `expected ${rule}${needle ? ` at \`${needle}\`` : ''}, got: ${JSON.stringify(serious.map((f) => `${f.rule}: ${f.message}`))}`,
  );
}
