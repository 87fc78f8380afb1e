/**
 * The analysis workers as the server drives them (lsp/analysisPort): a
 * worker that runs out of heap fails only its own request and the next one
 * gets a new worker; a superseded analysis answers `superseded` and, when it
 * does not stop in time, its worker is terminated. Counters, not wall time.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AnalysisPort } from 'mm-review-server/lsp/analysisPort';
import { gotoMesh, hugeFunction } from './gen';

const OPTS = { all: false, categories: undefined, severityOverrides: {}, treeRoot: null };

describe('hostile: analysis workers', () => {
  it('out of memory: the request fails with outOfMemory, the next analysis runs in a new worker', async () => {
    const port = new AnalysisPort({ heapMb: 48 });
    try {
      const r = await port.analyze('file:///oom.patch', 1, hugeFunction(400_000), OPTS);
      assert.equal(r.kind, 'failed');
      assert.equal(r.kind === 'failed' && r.outOfMemory, true);
      assert.equal(port.stats.outOfMemory, 1);
      const ok = await port.analyze('file:///small.patch', 1, gotoMesh(10), OPTS);
      assert.equal(ok.kind, 'done');
      assert.ok(ok.kind === 'done' && ok.result.findings.some((f) => f.rule === 'ref-balance/leak'));
      assert.equal(port.stats.workersStarted, 2);
    } finally {
      port.dispose();
    }
  });

  it('a newer version supersedes a queued one and cancels a running one (terminating its worker after the grace time)', async () => {
    // everything in one lane; a grace of 0 ms: the worker is terminated at once
    const port = new AnalysisPort({ bigChars: Infinity, graceMs: 0 });
    try {
      const text = hugeFunction(200_000);
      const v1 = port.analyze('file:///a.patch', 1, text, OPTS);
      const v2 = port.analyze('file:///a.patch', 2, text + '\n', OPTS);
      const v3 = port.analyze('file:///a.patch', 3, text + '\n\n', OPTS);
      assert.deepEqual((await v1).kind, 'superseded');
      assert.deepEqual((await v2).kind, 'superseded');
      const r3 = await v3;
      assert.equal(r3.kind, 'done');
      assert.equal(r3.kind === 'done' && r3.result.version, 3);
      assert.equal(port.stats.superseded, 2);
      assert.equal(port.stats.cancelledRunning, 1, 'v1 was running when v2 came');
      assert.equal(port.stats.completed, 1);
    } finally {
      port.dispose();
    }
  });
});
