/** The reviewer's config (.mm-review.json): severities, dismissals by a stable fingerprint (engine/config.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from 'mm-review-server/engine/index';
import { addDismissal, fingerprint, parseConfig } from 'mm-review-server/engine/config';
import { repoRoot } from '../c/fixtures';
import { applyEdits } from '../util/edits';

const SERIES = fs.readFileSync(path.join(repoRoot(), 'examples', 'gup-stable-pin-series.mbox'), 'utf8');

describe('reviewer config', () => {
  test('every finding has a fingerprint of rule, file, function and its normalised line', () => {
    const a = analyze(SERIES, 'series.mbox');
    const leak = a.findings.find((f) => f.rule === 'ref-balance/leak')!;
    assert.equal(leak.lineText, 'return -EFAULT;');
    assert.equal(leak.fingerprint, fingerprint('ref-balance/leak', 'mm/gup.c', 'pin_user_pages_stable', '\t\treturn   -EFAULT;'));
    for (const f of a.findings) assert.match(f.fingerprint ?? '', /^[0-9a-f]{20}$/);
  });

  test('the fingerprint survives edits elsewhere: a quick fix in 1/3 moves the finding of 3/3, its fingerprint stays', () => {
    const a = analyze(SERIES, 'series.mbox');
    const barrier = a.findings.find((f) => f.rule === 'barrier/store-load-order')!;
    const leak = a.findings.find((f) => f.rule === 'ref-balance/leak')!;
    const b = analyze(applyEdits(SERIES, leak.fixes![0].edits), 'series.mbox');
    const moved = b.findings.find((f) => f.rule === 'barrier/store-load-order')!;
    assert.equal(moved.range.start.line, barrier.range.start.line + 2);
    assert.equal(moved.fingerprint, barrier.fingerprint);
  });

  test('a dismissal hides exactly its finding; severities apply per rule and category', () => {
    const a = analyze(SERIES, 'series.mbox');
    const leak = a.findings.find((f) => f.rule === 'ref-balance/leak')!;
    const text = addDismissal(undefined, { fingerprint: leak.fingerprint!, rule: leak.rule, file: leak.file, function: leak.function, line: leak.lineText, reason: 'the caller unpins' });
    const cfg = parseConfig(JSON.stringify({ ...JSON.parse(text), severity: { 'atomic-sleep': 'off', 'spec-ref/no-revalidation': 'information' } }));
    assert.deepEqual(cfg.problems, []);
    const b = analyze(SERIES, 'series.mbox', { dismissed: cfg.dismissed, severityOverrides: cfg.config.severity });
    const rules = b.findings.filter((f) => f.category !== 'input').map((f) => `${f.rule} ${f.severity}`);
    assert.deepEqual(rules, ['spec-ref/no-revalidation info', 'barrier/store-load-order warning']);
  });

  test('a hand-written dismissal (rule, file, function, line) matches like a fingerprint', () => {
    const cfg = parseConfig(JSON.stringify({ dismissed: [{ rule: 'ref-balance/leak', file: 'mm/gup.c', function: 'pin_user_pages_stable', line: 'return -EFAULT;' }] }));
    const b = analyze(SERIES, 'series.mbox', { dismissed: cfg.dismissed });
    assert.ok(!b.findings.some((f) => f.rule === 'ref-balance/leak'));
  });

  test('adding a dismissal keeps the rest of the file, once per finding; bad files are reported, not fatal', () => {
    const d = { fingerprint: 'abc', rule: 'ref-balance/leak', line: '  return  x; ' };
    const once = addDismissal('{ "severity": { "input": "off" } }', d);
    assert.deepEqual(JSON.parse(addDismissal(once, d)), { severity: { input: 'off' }, dismissed: [{ fingerprint: 'abc', rule: 'ref-balance/leak', line: 'return x;' }] });
    assert.throws(() => addDismissal('{ broken', d));
    const bad = parseConfig('{ "severity": { "x": "loud" }, "dismissed": [{}], "colour": 1 }');
    assert.equal(bad.problems.length, 3);
    assert.match(parseConfig('nope').problems[0], /not JSON/);
  });
});
