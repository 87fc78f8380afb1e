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
import { formatHerd, LitmusSyntaxError, parseLitmus, runLitmus } from '../sim';
import { checkVariant, exportLitmus, listScenarios } from '../sim/scenarios';
import { replay } from '../sim/replay';

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

/** The calls, as plain functions of JSON-able arguments (what crosses to the worker). */
export const simCalls = {
  replay: (id: string, variant: Variant, params: Params) => replay(id, checkVariant(variant), params),
  listScenarios: () => listScenarios(),
  exportLitmus: (id: string, variant: Variant, params: Params) => exportLitmus(id, checkVariant(variant), params),
  runLitmusText(text: string): { text: string; result: object | null; error?: { message: string; line: number; column: number } } {
    const err = syntaxError(text);
    if (err) return { text: `syntax error at ${err.line}:${err.column}: ${err.message}\n`, result: null, error: err };
    const result = runLitmus(text);
    // The full candidate executions are large; the JSON result keeps the verdict and the states.
    const { witnesses, forbidden, ...summary } = result;
    return { text: formatHerd(result), result: { ...summary, witnesses: witnesses.length, forbidden: forbidden.length } };
  },
};
export type SimMethod = keyof typeof simCalls;

export interface SimPort {
  syntaxError(text: string): { message: string; line: number; column: number } | null;
  call<M extends SimMethod>(method: M, ...args: Parameters<(typeof simCalls)[M]>): Promise<ReturnType<(typeof simCalls)[M]>>;
  dispose(): void;
}

let port: SimPort | undefined;

export function simPort(): SimPort {
  return (port ??= createPort());
}

function createPort(): SimPort {
  // dist/simWorker.js beside dist/server.js in the .vsix; server/out/lsp/simWorker.js when built with tsc
  const file = path.join(__dirname, 'simWorker.js');
  let worker: Worker | undefined;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 1;
  const start = (): Worker | undefined => {
    if (!fs.existsSync(file)) return undefined;
    try {
      const w = new Worker(file);
      w.unref(); // never keeps the server alive on its own
      w.on('message', (m: { id: number; result?: unknown; error?: string }) => {
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        if (m.error !== undefined) p.reject(new Error(m.error));
        else p.resolve(m.result);
      });
      const fail = (e: Error) => {
        for (const p of pending.values()) p.reject(e);
        pending.clear();
        worker = undefined; // the next call starts a new one
      };
      w.on('error', fail);
      w.on('exit', (code) => fail(new Error(`simulator worker exited (${code})`)));
      return w;
    } catch {
      return undefined;
    }
  };
  return {
    syntaxError,
    call(method, ...args) {
      worker ??= start();
      if (!worker) {
        try {
          return Promise.resolve((simCalls[method] as (...a: unknown[]) => never)(...args));
        } catch (e) {
          return Promise.reject(e);
        }
      }
      const id = next++;
      const w = worker;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        w.postMessage({ id, method, args });
      });
    },
    dispose() {
      void worker?.terminate();
      worker = undefined;
    },
  };
}
