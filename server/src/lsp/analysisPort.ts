/**
 * The language server's side of document analysis: the engine runs in worker
 * threads (analysisWorker.ts), never on the message loop.
 *
 * Two lanes, each one worker with its own queue, so that a large document
 * (a 20 MB hunk) never holds up the analysis of the small one being typed in:
 * documents of `bigChars` characters or more go to the big lane. In a lane,
 * one request runs at a time; a newer version of a queued document replaces
 * it, and a newer version of the running one cancels it: the worker polls a
 * shared cell between functions and stops, and if it has not stopped after
 * `graceMs` (one enormous function) the worker is terminated and started
 * again. A worker that dies (out of memory: each has a heap limit) fails only
 * its running request; the next one starts a new worker.
 *
 * If the worker file is missing (an unusual build), analysis runs inline.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DocumentSymbol } from 'vscode-languageserver/node';
import { takeChange } from './textChanges';
import { textEditOf, type AnalyzeResult, type WorkerAnalyzeOptions, type WorkerReply, type WorkerRequest } from './analysisWorker';
import type { Finding } from '../engine/findings';

export type AnalyzeOutcome =
  | { kind: 'done'; result: AnalyzeResult }
  /** A newer version of the document replaced this request (queued) or cancelled it (running). */
  | { kind: 'superseded' }
  | { kind: 'failed'; error: string; outOfMemory: boolean };

export interface AnalysisPortOptions {
  /** The worker script (default: analysisWorker.js beside this file). */
  workerFile?: string;
  /** Documents of at least this many characters go to the big lane (default 1 MiB). */
  bigChars?: number;
  /** How long a cancelled analysis may take to stop before its worker is terminated (default 2 s). */
  graceMs?: number;
  /** Old-generation heap limit of each worker, MB (default 3072: the default 32 MB document needs ~1.5 GB at worst). */
  heapMb?: number;
  /**
   * Young-generation size of each worker, MB (default 12: two 4 MB semi-spaces and
   * their large-object share). V8's default (48: 16 MB semi-spaces) stays resident
   * once an edit has filled it: ~24 MB more server RSS (docs/performance.md).
   */
  youngMb?: number;
}

/** Counters, for the server log and the tests (mmReview/stats). */
export interface AnalysisStats {
  started: number;
  completed: number;
  superseded: number;
  cancelledRunning: number;
  terminated: number;
  failed: number;
  outOfMemory: number;
  workersStarted: number;
}

type RequestBody = WorkerRequest extends infer T ? (T extends unknown ? Omit<T, 'id'> : never) : never;

type Pending = { id: number; req: WorkerRequest; done: (r: WorkerReply) => void; uri?: string; version?: number };

class Lane {
  private worker: Worker | undefined;
  private readonly cancel = new Int32Array(new SharedArrayBuffer(4));
  private queue: Pending[] = [];
  private running: Pending | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private inline: ((req: WorkerRequest) => WorkerReply) | undefined;

  constructor(
    private readonly name: string,
    private readonly file: string,
    private readonly opts: Required<Omit<AnalysisPortOptions, 'workerFile'>>,
    private readonly stats: AnalysisStats,
    private readonly nextId: () => number,
  ) {}

  /** Queue a request; `replaceUri` drops queued analyses of that document (they answer superseded). */
  send(req: RequestBody, meta: { uri?: string; version?: number } = {}): Promise<WorkerReply> {
    return new Promise((resolve) => {
      const id = this.nextId();
      this.queue.push({ id, req: { ...req, id } as WorkerRequest, done: resolve, ...meta });
      this.pump();
    });
  }

  /**
   * Per document, the text of the last analyze request posted to the current worker: the next one
   * is posted as a change of it (analysisWorker.ts TextEdit), as the worker holds the same text.
   */
  private readonly sentText = new Map<string, string>();

  /** A request as posted to the worker: an analysis as a change of the text posted before. */
  private wire(req: WorkerRequest): WorkerRequest {
    if (req.type === 'forget') this.sentText.delete(req.uri);
    if (req.type === 'reset') this.sentText.clear();
    if (req.type !== 'analyze') return req;
    const before = this.sentText.get(req.uri);
    this.sentText.set(req.uri, req.text);
    // the editor's content changes give the range (textChanges.ts); else the texts are compared
    return before === undefined ? req : { ...req, text: '', edit: takeChange(req.uri, before, req.text) ?? textEditOf(before, req.text) };
  }

  /** Drop queued analyses of `uri` and cancel a running one. */
  supersede(uri: string): void {
    this.queue = this.queue.filter((p) => {
      if (p.req.type !== 'analyze' || p.uri !== uri) return true;
      this.stats.superseded++;
      p.done({ id: p.id, cancelled: true });
      return false;
    });
    const r = this.running;
    if (r && r.req.type === 'analyze' && r.uri === uri && !this.graceTimer) {
      this.stats.cancelledRunning++;
      Atomics.store(this.cancel, 0, r.id);
      this.graceTimer = setTimeout(() => {
        // it did not stop in time: end the worker (its state goes with it)
        if (this.running !== r) return;
        this.stats.terminated++;
        this.finishRunning({ id: r.id, cancelled: true });
        this.kill();
        this.pump();
      }, this.opts.graceMs);
      this.graceTimer.unref?.();
    }
  }

  busyWith(uri: string): boolean {
    return (this.running?.uri === uri && this.running.req.type === 'analyze') || this.queue.some((p) => p.uri === uri && p.req.type === 'analyze');
  }

  dispose(): void {
    for (const p of this.queue) p.done({ id: p.id, error: 'the server is shutting down' });
    this.queue = [];
    if (this.running) this.finishRunning({ id: this.running.id, error: 'the server is shutting down' });
    this.kill();
  }

  /**
   * The findings each document's last analysis sent, as the worker knows them
   * (analysisWorker.ts FindingsDelta): a reply lists the findings of the new
   * version as indexes into these (unchanged ones) or new objects.
   */
  private readonly held = new Map<string, { seq: number; findings: Finding[] }>();

  /** A worker's reply as the server uses it: the findings rebuilt from the delta, the held lists kept in step with the worker's. */
  private received(req: WorkerRequest, reply: WorkerReply): WorkerReply {
    if (req.type === 'forget') this.held.delete(req.uri);
    if (req.type === 'reset') this.held.clear();
    const res = reply.result as AnalyzeResult | undefined;
    if (req.type !== 'analyze' || !res?.delta) return reply;
    const { seq, base, items } = res.delta;
    const prev = base === undefined ? undefined : this.held.get(req.uri);
    if (base !== undefined && prev?.seq !== base) {
      this.held.delete(req.uri);
      return { id: reply.id, error: `internal: the findings of ${req.uri} arrived as a change of a list the server does not hold` };
    }
    const findings = items.map((x) => (typeof x === 'number' ? prev!.findings[x] : x));
    this.held.set(req.uri, { seq, findings });
    return { ...reply, result: { ...res, findings, delta: undefined } };
  }

  private kill(): void {
    // the worker's state (and what it sent, and the texts it held) goes with it
    this.held.clear();
    this.sentText.clear();
    const w = this.worker;
    this.worker = undefined;
    if (w) {
      w.removeAllListeners();
      w.on('error', () => undefined);
      void w.terminate();
    }
  }

  private finishRunning(reply: WorkerReply): void {
    const r = this.running;
    if (!r) return;
    this.running = undefined;
    reply = this.received(r.req, reply);
    this.worker?.unref();
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    if (r.req.type === 'analyze') {
      // after a failure the worker may not hold the text: the next request sends it whole
      if (reply.error !== undefined) this.sentText.delete(r.req.uri);
      if (reply.cancelled) this.stats.superseded++;
      else if (reply.error !== undefined) this.stats.failed++;
      else this.stats.completed++;
    }
    r.done(reply);
  }

  private start(): Worker | undefined {
    if (!fs.existsSync(this.file)) return undefined;
    try {
      const w = new Worker(this.file, {
        workerData: { cancel: this.cancel.buffer, lane: this.name },
        resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb, maxYoungGenerationSizeMb: this.opts.youngMb },
      });
      this.stats.workersStarted++;
      w.unref(); // an idle worker never keeps the process alive (a busy one does: pump)
      w.on('message', (m: WorkerReply) => {
        if (this.running && m.id === this.running.id) {
          this.finishRunning(m);
          this.pump();
        }
      });
      const died = (e: Error | undefined, code?: number) => {
        if (this.worker !== w) return;
        this.worker = undefined;
        this.held.clear(); // a new worker starts with nothing sent
        this.sentText.clear();
        const oom = (e as NodeJS.ErrnoException | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
        if (oom) this.stats.outOfMemory++;
        if (this.running) {
          const msg = oom ? 'the analysis ran out of memory' : `the analysis worker stopped (${e?.message ?? `exit code ${code}`})`;
          this.finishRunning({ id: this.running.id, error: msg, result: oom ? 'oom' : undefined });
        }
        this.pump();
      };
      w.on('error', (e) => died(e));
      w.on('exit', (code) => died(undefined, code));
      return w;
    } catch {
      return undefined;
    }
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    const p = this.queue.shift()!;
    this.running = p;
    if (p.req.type === 'analyze') this.stats.started++;
    Atomics.store(this.cancel, 0, 0);
    if (!this.inline) this.worker ??= this.start();
    if (this.worker) {
      this.worker.ref();
      this.worker.postMessage(this.wire(p.req));
      return;
    }
    // no worker file: run on this thread (no cancellation)
    if (!this.inline) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      this.inline = (require('./analysisWorker') as typeof import('./analysisWorker')).handle;
    }
    const run = this.inline;
    setImmediate(() => {
      let reply: WorkerReply;
      try {
        reply = run(p.req);
      } catch (e) {
        reply = { id: p.id, error: (e as Error).message };
      }
      if (this.running === p) {
        this.finishRunning(reply);
        this.pump();
      }
    });
  }
}

export class AnalysisPort {
  readonly stats: AnalysisStats = { started: 0, completed: 0, superseded: 0, cancelledRunning: 0, terminated: 0, failed: 0, outOfMemory: 0, workersStarted: 0 };
  private readonly small: Lane;
  private readonly big: Lane;
  /** The lane that holds each document's last analysis. */
  private readonly laneOf = new Map<string, Lane>();
  private readonly bigChars: number;
  private id = 0;

  constructor(o: AnalysisPortOptions = {}) {
    const file = o.workerFile ?? path.join(__dirname, 'analysisWorker.js');
    const opts = { bigChars: o.bigChars ?? 1 << 20, graceMs: o.graceMs ?? 2000, heapMb: o.heapMb ?? 3072, youngMb: o.youngMb ?? 12 };
    this.bigChars = opts.bigChars;
    const next = () => ++this.id;
    this.small = new Lane('small', file, opts, this.stats, next);
    this.big = new Lane('big', file, opts, this.stats, next);
  }

  /** Analyse a version of a document; any older request for it is superseded. */
  async analyze(uri: string, version: number, text: string, opts: WorkerAnalyzeOptions): Promise<AnalyzeOutcome> {
    const lane = text.length >= this.bigChars ? this.big : this.small;
    this.small.supersede(uri);
    this.big.supersede(uri);
    const before = this.laneOf.get(uri);
    if (before && before !== lane) void before.send({ type: 'forget', uri });
    this.laneOf.set(uri, lane);
    const r = await lane.send({ type: 'analyze', uri, version, text, opts }, { uri, version });
    if (r.cancelled) return { kind: 'superseded' };
    if (r.error !== undefined) return { kind: 'failed', error: r.error, outOfMemory: r.result === 'oom' };
    return { kind: 'done', result: r.result as AnalyzeResult };
  }

  /** Is an analysis of this document queued or running? */
  pending(uri: string): boolean {
    return this.small.busyWith(uri) || this.big.busyWith(uri);
  }

  async outline(uri: string): Promise<DocumentSymbol[]> {
    const lane = this.laneOf.get(uri);
    if (!lane) return [];
    const r = await lane.send({ type: 'outline', uri });
    return Array.isArray(r.result) ? (r.result as DocumentSymbol[]) : [];
  }

  forget(uri: string): void {
    this.small.supersede(uri);
    this.big.supersede(uri);
    const lane = this.laneOf.get(uri);
    this.laneOf.delete(uri);
    if (lane) void lane.send({ type: 'forget', uri });
  }

  /** Settings changed: drop every document's reusable state. */
  reset(): void {
    void this.small.send({ type: 'reset' });
    void this.big.send({ type: 'reset' });
  }

  dispose(): void {
    this.small.dispose();
    this.big.dispose();
  }
}
