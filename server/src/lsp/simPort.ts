/**
 * The simulator as the language server uses it: litmus syntax checking for
 * .litmus documents (fast, inline), and the replay / scenario / litmus
 * commands that `workspace/executeCommand` exposes to every LSP client. Those
 * run in a worker thread (simWorker.ts) so that a long replay never blocks the
 * message loop; if the worker cannot start, they run inline.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { formatHerd, LitmusSyntaxError, parseLitmus, runLitmus, type LitmusResult } from '../sim';
import { checkVariant, exportLitmus, instantiateScenario, listScenarios } from '../sim/scenarios';
import { buildReplay, exportRequestLitmus, instantiateRequest, replay, replayRequest } from '../sim/replay';
import type { ScenarioRequest } from '../protocol/replay';
import { litmusResultJson, type LitmusResultJson } from '../sim/resultJson';

type Params = Record<string, string | number>;
type Variant = 'buggy' | 'fixed';

export function syntaxError(text: string): { message: string; line: number; column: number } | null {
  try {
    parseLitmus(text);
    return null;
  } catch (e) {
    if (e instanceof LitmusSyntaxError) return { message: e.message, line: e.line, column: e.column };
    return { message: (e as Error).message, line: 1, column: 1 };
  }
}

/**
 * The simulator's own time bound (the engine stops and says Incomplete), and
 * the server's hard bound: a worker still running SIM_GRACE_MS after it is
 * terminated and started again, and the answer is Incomplete.
 */
export const SIM_BOUND_MS = 10_000;
export const SIM_GRACE_MS = 2_000;

/** The calls, as plain functions of JSON-able arguments (what crosses to the worker). */
export const simCalls = {
  replay: (id: string, variant: Variant, params: Params) => replay(id, checkVariant(variant), params, { timeoutMs: SIM_BOUND_MS }),
  /** A finding's own race (protocol/replay.ts): a Replay, or `{unavailable}` with the reason. */
  replayRequest: (req: ScenarioRequest) => replayRequest(req, { timeoutMs: SIM_BOUND_MS }),
  exportRequest: (req: ScenarioRequest) => exportRequestLitmus(req),
  listScenarios: () => listScenarios(),
  exportLitmus: (id: string, variant: Variant, params: Params) => exportLitmus(id, checkVariant(variant), params),
  runLitmusText(text: string): RunLitmusAnswer {
    const err = syntaxError(text);
    if (err) return { text: `syntax error at ${err.line}:${err.column}: ${err.message}\n`, result: null, error: err };
    return litmusAnswer(runLitmus(text, { timeoutMs: SIM_BOUND_MS }));
  },
};
export type SimMethod = keyof typeof simCalls;

export interface RunLitmusAnswer {
  text: string;
  result: LitmusResultJson | null;
  error?: { message: string; line: number; column: number };
}

function litmusAnswer(result: LitmusResult): RunLitmusAnswer {
  // the one JSON shape of a litmus result (sim/resultJson.ts), as `mm-review litmus --format json` prints it
  return { text: formatHerd(result), result: litmusResultJson(result) };
}

/**
 * The answer when the server stopped the worker at the hard bound: the
 * simulator's Incomplete, with no verdict. The engine itself stops at its
 * bound and reports what it explored; this is for when it did not.
 */
export function stoppedAnswer<M extends SimMethod>(method: M, args: Parameters<(typeof simCalls)[M]>, elapsedMs: number): ReturnType<(typeof simCalls)[M]> | undefined {
  const reason = `the simulator did not stop at its ${SIM_BOUND_MS / 1000} s bound: the server stopped it after ${(elapsedMs / 1000).toFixed(1)} s (what it had explored could not be kept)`;
  const incomplete = (name: string, kind: LitmusResult['kind'], condText: string): LitmusResult => ({
    name,
    observation: 'Never',
    complete: false,
    possible: kind === 'forall' ? ['Always', 'Sometimes', 'Never'] : ['Never', 'Sometimes', 'Always'],
    incompleteReason: reason,
    states: [],
    positive: 0,
    negative: 0,
    condition: `${kind} ${condText}`,
    kind,
    witnesses: [],
    forbidden: [],
    flags: [],
    stats: { candidates: 0, allowed: 0, ms: elapsedMs, symmetry: 1, bound: { polls: 0, units: 0, maxGapUnits: 0, maxGapMs: 0 } },
  });
  try {
    if (method === 'replay') {
      const [id, variant, params] = args as Parameters<(typeof simCalls)['replay']>;
      const inst = instantiateScenario(id, checkVariant(variant), params);
      const t = parseLitmus(inst.litmus);
      return buildReplay(inst, incomplete(t.name, t.kind, t.condText)) as ReturnType<(typeof simCalls)[M]>;
    }
    if (method === 'replayRequest') {
      const inst = instantiateRequest((args as [ScenarioRequest])[0]);
      const t = parseLitmus(inst.litmus);
      return buildReplay(inst, incomplete(t.name, t.kind, t.condText)) as ReturnType<(typeof simCalls)[M]>;
    }
    if (method === 'runLitmusText') {
      const t = parseLitmus((args as [string])[0]);
      return litmusAnswer(incomplete(t.name, t.kind, t.condText)) as ReturnType<(typeof simCalls)[M]>;
    }
  } catch {
    /* fall through: no answer to build */
  }
  return undefined;
}

/** Raised when the caller cancelled a call ($/cancelRequest): the server answers RequestCancelled. */
export class SimCancelled extends Error {
  constructor() {
    super('the simulator request was cancelled');
  }
}

export interface SimCallOptions {
  /** Cancels the call: a queued call is dropped, a running one's worker is terminated. */
  token?: { isCancellationRequested: boolean; onCancellationRequested(cb: () => void): { dispose(): void } };
  /** Hard bound (default SIM_BOUND_MS + SIM_GRACE_MS). */
  hardMs?: number;
}

export interface SimStats {
  calls: number;
  completed: number;
  cancelled: number;
  stoppedAtBound: number;
  workersStarted: number;
  workersTerminated: number;
}

export interface SimPort {
  syntaxError(text: string): { message: string; line: number; column: number } | null;
  call<M extends SimMethod>(method: M, args: Parameters<(typeof simCalls)[M]>, opts?: SimCallOptions): Promise<ReturnType<(typeof simCalls)[M]>>;
  readonly stats: SimStats;
  dispose(): void;
}

let port: SimPort | undefined;

export function simPort(): SimPort {
  return (port ??= createSimPort());
}

type Job = {
  id: number;
  method: SimMethod;
  args: unknown[];
  hardMs: number;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  started?: number;
  timer?: NodeJS.Timeout;
  unhook?: () => void;
};

/**
 * One worker, one call at a time, the queue on this side: a cancelled call
 * never runs (queued) or stops at once (running: the worker is terminated and
 * the next call gets a new one), so nothing waits behind a cancelled run.
 */
export function createSimPort(workerFile = path.join(__dirname, 'simWorker.js')): SimPort {
  let worker: Worker | undefined;
  const queue: Job[] = [];
  let running: Job | undefined;
  let next = 1;
  const stats: SimStats = { calls: 0, completed: 0, cancelled: 0, stoppedAtBound: 0, workersStarted: 0, workersTerminated: 0 };

  const kill = () => {
    const w = worker;
    worker = undefined;
    if (!w) return;
    stats.workersTerminated++;
    w.removeAllListeners();
    w.on('error', () => undefined);
    void w.terminate();
  };
  const settle = (job: Job) => {
    if (job.timer) clearTimeout(job.timer);
    job.unhook?.();
    if (running === job) {
      running = undefined;
      worker?.unref();
    }
  };
  const start = (): Worker | undefined => {
    if (!fs.existsSync(workerFile)) return undefined;
    try {
      const w = new Worker(workerFile);
      stats.workersStarted++;
      w.unref(); // an idle worker never keeps the process alive
      w.on('message', (m: { id: number; result?: unknown; error?: string }) => {
        const job = running;
        if (!job || job.id !== m.id) return;
        settle(job);
        stats.completed++;
        if (m.error !== undefined) job.reject(new Error(m.error));
        else job.resolve(m.result);
        pump();
      });
      const fail = (e: Error) => {
        if (worker !== w) return;
        worker = undefined;
        const job = running;
        if (job) {
          settle(job);
          job.reject(e);
        }
        pump();
      };
      w.on('error', fail);
      w.on('exit', (code) => fail(new Error(`simulator worker exited (${code})`)));
      return w;
    } catch {
      return undefined;
    }
  };
  const pump = () => {
    if (running || queue.length === 0) return;
    const job = queue.shift()!;
    worker ??= start();
    if (!worker) {
      // no worker file: run inline (no hard bound, no cancellation)
      try {
        job.unhook?.();
        job.resolve((simCalls[job.method] as (...a: unknown[]) => unknown)(...job.args));
        stats.completed++;
      } catch (e) {
        job.reject(e as Error);
      }
      pump();
      return;
    }
    running = job;
    worker.ref(); // a call in progress keeps the process alive; an idle worker does not
    job.started = Date.now();
    job.timer = setTimeout(() => {
      if (running !== job) return;
      // the hard bound: end the worker, answer Incomplete
      settle(job);
      kill();
      stats.stoppedAtBound++;
      const answer = stoppedAnswer(job.method, job.args as never, Date.now() - job.started!);
      if (answer !== undefined) job.resolve(answer);
      else job.reject(new Error(`the simulator did not finish within ${job.hardMs / 1000} s and was stopped`));
      pump();
    }, job.hardMs);
    job.timer.unref?.();
    worker.postMessage({ id: job.id, method: job.method, args: job.args });
  };

  return {
    syntaxError,
    stats,
    call(method, args, opts = {}) {
      stats.calls++;
      return new Promise((resolve, reject) => {
        const job: Job = { id: next++, method, args: args as unknown[], hardMs: opts.hardMs ?? SIM_BOUND_MS + SIM_GRACE_MS, resolve: resolve as (v: unknown) => void, reject };
        const token = opts.token;
        if (token) {
          if (token.isCancellationRequested) {
            stats.cancelled++;
            return reject(new SimCancelled());
          }
          const sub = token.onCancellationRequested(() => {
            const i = queue.indexOf(job);
            if (i >= 0) queue.splice(i, 1);
            else if (running === job) {
              settle(job);
              kill(); // a running call stops now; the next call starts a new worker
            } else return; // already answered
            stats.cancelled++;
            job.unhook?.();
            reject(new SimCancelled());
            pump();
          });
          job.unhook = () => sub.dispose();
        }
        queue.push(job);
        pump();
      });
    },
    dispose() {
      for (const j of queue.splice(0)) j.reject(new Error('the server is shutting down'));
      if (running) {
        const j = running;
        settle(j);
        j.reject(new Error('the server is shutting down'));
      }
      kill();
    },
  };
}
