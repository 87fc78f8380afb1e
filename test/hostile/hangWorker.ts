/**
 * A simulator worker that never finishes a run (replay, litmus) and answers
 * the rest: a stand-in for an engine that misses its own deadline, to test
 * the server's hard bound (simPort) without depending on one.
 */
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', (m: { id: number; method: string }) => {
  if (m.method === 'runLitmusText' || m.method === 'replay') {
    // spin: only terminate() stops this thread
    for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  parentPort!.postMessage({ id: m.id, result: [{ id: 'S1', title: 'stub', seed: '', variants: ['buggy', 'fixed'] }] });
});
