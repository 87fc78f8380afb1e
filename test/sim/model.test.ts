/**
 * The fast model evaluation (lkmm.ts `checkExecution`: precomputed static
 * parts, short cuts, the rcu axiom decided on grace periods and critical
 * section boundaries only) must give the verdict of the literal
 * transcription of the .cat (`checkExecutionSpec`) on every candidate and
 * every partial execution the engine evaluates, for every litmus test in the
 * repository. The engine's calls are observed by wrapping the module export.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lkmm from 'mm-review-server/sim/lkmm';
import { parseLitmus } from 'mm-review-server/sim/index';
import { runEngine } from 'mm-review-server/sim/engine';
import { KERNEL_LITMUS, OWN_LITMUS, litmusFiles } from './helpers';

test('fast and literal model evaluations agree on every candidate and partial execution', () => {
  const real = lkmm.checkExecution;
  const stats = { full: 0, partial: 0, forbidden: 0 };
  const mod = lkmm as unknown as { checkExecution: typeof lkmm.checkExecution };
  mod.checkExecution = (st, rf, co, opts) => {
    const fast = real(st, rf, co, opts);
    const spec = lkmm.checkExecutionSpec(st, rf, co, { ...opts, explain: false });
    assert.equal(fast.allowed, spec.allowed, `allowed differs (partial: ${!!opts.partial})`);
    if (fast.allowed && !opts.partial) assert.deepEqual(fast.flags, spec.flags);
    if (opts.partial) stats.partial++;
    else stats.full++;
    if (!fast.allowed) stats.forbidden++;
    return fast;
  };
  try {
    for (const f of [...litmusFiles(KERNEL_LITMUS), ...litmusFiles(OWN_LITMUS)]) {
      const t = parseLitmus(fs.readFileSync(f, 'utf8'));
      for (const strategy of ['search', 'product'] as const) {
        if (strategy === 'product' && t.procs.length > 4) continue;
        const r = runEngine(t, { maxExecutions: 20000, timeoutMs: 20000, maxWitnesses: 1, maxForbidden: 1, strategy, explain: false });
        assert.equal(r.complete, true, `${path.basename(f)} ${strategy}`);
      }
    }
  } finally {
    mod.checkExecution = real;
  }
  assert.ok(stats.full > 500 && stats.partial > 5000 && stats.forbidden > 500, JSON.stringify(stats));
});
