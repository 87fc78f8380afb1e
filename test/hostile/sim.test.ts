/**
 * The simulator's bound as the language server enforces it (lsp/simPort):
 * a run still going at the hard bound has its worker terminated and gets an
 * Incomplete answer; a cancelled call is answered at once, its worker ended,
 * and nothing waits behind it. Asserted with the port's own counters and a
 * worker that never finishes (hangWorker.ts), not with wall time.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { createSimPort, SimCancelled, stoppedAnswer } from 'mm-review-server/lsp/simPort';

const HANG = path.join(__dirname, 'hangWorker.js');
const LITMUS = `C SB\n{}\nP0(int *x, int *y) { WRITE_ONCE(*x, 1); int r0 = READ_ONCE(*y); }\nP1(int *x, int *y) { WRITE_ONCE(*y, 1); int r1 = READ_ONCE(*x); }\nexists (0:r0=0 /\\ 1:r1=0)\n`;

describe('hostile: the simulator bound and cancellation', () => {
  it('a run past the hard bound: the worker is terminated and restarted, the answer is Incomplete', async () => {
    const port = createSimPort(HANG);
    try {
      const r = await port.call('runLitmusText', [LITMUS], { hardMs: 200 });
      assert.equal((r.result as { complete: boolean }).complete, false);
      assert.match(r.text, /^Test SB Allowed/);
      assert.match(r.text, /\nIncomplete\n/);
      assert.match(r.text, /did not stop at its 10 s bound: the server stopped it/);
      assert.equal(port.stats.stoppedAtBound, 1);
      assert.equal(port.stats.workersTerminated, 1);
      // the next call gets a new worker
      const list = await port.call('listScenarios', []);
      assert.equal(list[0].id, 'S1');
      assert.equal(port.stats.workersStarted, 2);
    } finally {
      port.dispose();
    }
  });

  it('a replay stopped at the bound is a Replay saying the exploration is incomplete', () => {
    const r = stoppedAnswer('replay', ['S1', 'buggy', {}], 12_000)!;
    assert.equal(r.verdict.complete, false);
    assert.equal(r.outcome.reachable, false);
    assert.match(r.outcome.explanation, /not a verdict/);
  });

  it('cancelling a running call answers at once, ends its worker, and the call queued behind it runs', async () => {
    const port = createSimPort(HANG);
    try {
      const src = new CancellationTokenSource();
      const running = port.call('runLitmusText', [LITMUS], { token: src.token, hardMs: 60_000 });
      const behind = port.call('listScenarios', []);
      let settled = false;
      const outcome = running.then(
        () => 'resolved',
        (e) => (e instanceof SimCancelled ? 'cancelled' : `rejected: ${e}`),
      ).finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 50));
      src.cancel();
      // rejected in the cancellation callback itself, before any timer or worker message
      await Promise.resolve();
      await Promise.resolve();
      assert.equal(settled, true);
      assert.equal(await outcome, 'cancelled');
      const list = await behind;
      assert.equal(list[0].id, 'S1');
      assert.equal(port.stats.cancelled, 1);
      assert.equal(port.stats.workersTerminated, 1);
      assert.equal(port.stats.stoppedAtBound, 0);
    } finally {
      port.dispose();
    }
  });

  it('a cancelled queued call never runs', async () => {
    const port = createSimPort(HANG);
    try {
      const a = new CancellationTokenSource();
      const b = new CancellationTokenSource();
      const first = port.call('runLitmusText', [LITMUS], { token: a.token, hardMs: 60_000 }).catch((e) => e);
      const second = port.call('runLitmusText', [LITMUS], { token: b.token, hardMs: 60_000 }).catch((e) => e);
      b.cancel();
      assert.ok((await second) instanceof SimCancelled);
      a.cancel();
      assert.ok((await first) instanceof SimCancelled);
      assert.equal(port.stats.cancelled, 2);
      assert.equal(port.stats.workersStarted, 1, 'the queued call never reached a worker');
    } finally {
      port.dispose();
    }
  });
});
