/** Every rule of these categories is registered with a stable id, a category prefix and a docs page. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_RULES } from 'mm-review-server/rules/index';
import { ruleInfo, docFileFor } from 'mm-review-server/rules/registry';
import { repoRoot } from '../c/fixtures';

const MINE = ['ref-balance', 'ref-kind', 'spec-ref', 'bracket', 'atomic-sleep'];

describe('rule registry', () => {
  const rules = ALL_RULES.filter((r) => MINE.includes(r.category));
  it('the contract ids are all implemented', () => {
    const ids = rules.map((r) => r.id).sort();
    for (const id of [
      'ref-balance/leak', 'ref-balance/double-release', 'ref-balance/release-without-acquire',
      'ref-kind/mismatched-release', 'ref-kind/bias-mismatch',
      'spec-ref/get-on-lockless-lookup', 'spec-ref/no-revalidation', 'spec-ref/revalidation-leak', 'spec-ref/outside-rcu', 'spec-ref/pgmap-hook-skipped', 'spec-ref/pgmap-leak',
      'bracket/unbalanced', 'bracket/flags-mismatch', 'bracket/mixed-irq-style', 'bracket/use-after-close',
      'atomic-sleep/sleep-in-atomic',
    ]) assert.ok(ids.includes(id), id);
  });
  it('ids carry their category, are registered, and have a docs page with example and suppression', () => {
    for (const r of rules) {
      assert.equal(r.id.split('/')[0], r.category);
      assert.equal(ruleInfo(r.id).severity, r.severity);
      const doc = path.join(repoRoot(), docFileFor(r.id));
      assert.ok(fs.existsSync(doc), doc);
      const text = fs.readFileSync(doc, 'utf8');
      assert.match(text, /## What it checks/);
      assert.match(text, /Buggy:/);
      assert.match(text, new RegExp(`mm-review: ignore ${r.id}`));
    }
  });
});
