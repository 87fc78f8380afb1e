/**
 * Every quick fix the engine offers on the rule corpus and the examples is
 * applied as an editor would apply it, and the result is checked like a
 * reviewer would check a patch they edited:
 *  - it is still a valid patch: every hunk header's counts are the body's,
 *    and no input problem appears (a hunk moved by the fix is only a hint);
 *  - the fixed function parses (tree-sitter-c, every configuration) and every
 *    call of a catalogued API in it takes an argument count the catalog
 *    knows (`local_irq_restore()` without its flags would not compile);
 *  - the finding is gone, and no finding appears that was not there before.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, type Analysis } from 'mm-review-server/engine/index';
import { parseHunkHeader } from 'mm-review-server/patch/diff';
import { catalog } from 'mm-review-server/catalog/index';
import type { Finding } from 'mm-review-server/engine/findings';
import { repoRoot } from '../c/fixtures';
import { applyEdits } from '../util/edits';

const ROOT = repoRoot();
const FILES = [
  ...fs.readdirSync(path.join(ROOT, 'test', 'corpus')).filter((f) => /\.(patch|mbox|eml)$/.test(f)).map((f) => path.join('test', 'corpus', f)),
  ...fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => /\.(patch|mbox|eml)$/.test(f)).map((f) => path.join('examples', f)),
].sort();

const key = (f: Finding) => `${f.rule}|${f.file ?? ''}|${f.function ?? ''}`;

/** Problems of the fixed document, or [] when the fix is proven. */
function check(before: Analysis, finding: Finding, after: Analysis): string[] {
  const out: string[] = [];
  // a valid patch: header counts = body counts, no new input problem
  for (const m of after.doc.messages)
    for (const f of m.files)
      for (const h of f.hunks) {
        const hdr = parseHunkHeader(after.doc.text.slice(h.headerSpan.start, h.headerSpan.end).split(/\r?\n/)[0]);
        const old = h.lines.filter((l) => l.kind !== 'add').length;
        const neu = h.lines.filter((l) => l.kind !== 'del').length;
        if (!hdr || hdr.oldCount !== old || hdr.newCount !== neu) out.push(`hunk header ${JSON.stringify(after.doc.text.slice(h.headerSpan.start, h.headerSpan.end))} but the body has ${old}/${neu} lines`);
      }
  const inputBefore = new Set(before.findings.filter((f) => f.category === 'input').map((f) => f.rule));
  for (const f of after.findings) if (f.category === 'input' && f.severity !== 'hint' && !inputBefore.has(f.rule)) out.push(`new input finding ${f.rule}: ${f.message}`);
  // the fixed function parses, and its catalogued calls have a known arity
  const fns = after.functions.filter((g) => g.name === finding.function && g.path === finding.file);
  if (!fns.length) out.push(`the fixed function ${finding.function}() is gone`);
  for (const g of fns)
    for (const v of g.post?.variants ?? []) if (v.errorLines.length) out.push(`${g.name}() (${v.label}) does not parse at image line(s) ${v.errorLines.map((l) => l + 1).join(', ')}`);
  for (const u of after.units) {
    if (u.side !== 'post' || !fns.includes(u.fn)) continue;
    for (const n of u.cfg.nodes)
      for (const op of n.ops) {
        if (op.kind !== 'call') continue;
        const arity = catalog.api(op.name)?.arity;
        if (arity && !arity.includes(op.args.length)) out.push(`${op.name}() called with ${op.args.length} argument(s); it takes ${arity.join(' or ')}`);
      }
  }
  // the finding is gone; nothing new
  const had = new Set(before.findings.filter((f) => f.category !== 'input').map(key));
  for (const f of after.findings) {
    if (f.category === 'input') continue;
    if (key(f) === key(finding)) out.push(`still reported: ${f.message}`);
    else if (!had.has(key(f))) out.push(`new finding ${f.rule}: ${f.message}`);
  }
  return out;
}

describe('every quick fix on the corpus and the examples, applied', () => {
  let applied = 0;
  const rules = new Set<string>();
  for (const file of FILES) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const before = analyze(text, file);
    for (const f of before.findings) {
      for (const fx of f.fixes ?? []) {
        test(`${file}: ${f.rule} "${fx.title}"`, () => {
          const fixed = applyEdits(text, fx.edits);
          assert.notEqual(fixed, text);
          const after = analyze(fixed, file);
          assert.deepEqual(check(before, f, after), []);
          applied++;
          rules.add(f.rule);
        });
      }
    }
  }
  test('fixes were applied for every rule that offers one on these files', () => {
    assert.ok(applied >= 20, `${applied} fixes applied`);
    for (const r of ['ref-balance/leak', 'ref-kind/mismatched-release', 'spec-ref/pgmap-leak', 'barrier/store-load-order', 'barrier/unordered-announce', 'barrier/plain-publish', 'bracket/unbalanced', 'bracket/flags-mismatch', 'bracket/mixed-irq-style']) {
      assert.ok(rules.has(r), `no fix of ${r} was applied`);
    }
  });
});
