/**
 * The simulator in a worker thread: a replay or a litmus run can take from a
 * few milliseconds to a few seconds, and the language server must keep
 * answering hovers and edits meanwhile. Requests are `{id, method, args}`;
 * answers `{id, result}` or `{id, error}`.
 */
import { parentPort } from 'node:worker_threads';
import { simCalls, type SimMethod } from './simPort';

parentPort?.on('message', (msg: { id: number; method: SimMethod; args: unknown[] }) => {
  try {
    const fn = simCalls[msg.method] as (...a: unknown[]) => unknown;
    parentPort!.postMessage({ id: msg.id, result: fn(...msg.args) });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: (e as Error).message });
  }
});
