/**
 * Document analysis in a worker thread (started by analysisPort.ts): the
 * language server's message loop never runs the engine itself, so hovers and
 * other requests are answered while a large document is analysed.
 *
 * The worker keeps each document's last Analysis for the keystroke path
 * (engine `reanalyze`). Requests: `analyze` (text and options in; findings
 * out), `outline`, `forget` (a closed document), `reset` (settings changed).
 * An analysis polls a shared cancellation cell between functions and rules
 * (engine `cancelled`); when the server supersedes it, it stops and answers
 * `cancelled`, and the document's previous analysis (whose objects it was
 * reusing in place) is dropped.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { analyze, reanalyze, AnalysisCancelled, type Analysis, type AnalyzeOptions } from '../engine/index';
import { kernelTreeReader, documentTree, type DocumentTree } from '../engine/kernelTree';
import { parseDocument } from '../patch/parse';
import type { Finding } from '../engine/findings';
import { outline } from './outline';
import { collectIfGrown } from '../util/gc';
import { commonEnds } from '../util/text';
import '../rules';

export interface WorkerAnalyzeOptions {
  all: boolean;
  categories: AnalyzeOptions['categories'];
  severityOverrides: AnalyzeOptions['severityOverrides'];
  /** Fingerprints the reviewer dismissed (.mm-review.json). */
  dismissed?: string[];
  repairDetails?: boolean;
  /** A kernel tree to read (only ever set by the server for a trusted workspace). */
  treeRoot: string | null;
  /** The kernel version whose catalog facts apply. */
  kernelVersion?: string;
  limits?: AnalyzeOptions['limits'];
}

export type WorkerRequest =
  | {
      id: number;
      type: 'analyze';
      uri: string;
      version: number;
      text: string;
      opts: WorkerAnalyzeOptions;
      edit?: TextEdit;
      /** Set by the worker when it applied `edit`: the range it replaced in `base` (the text it held), for the engine's re-parse. */
      changed?: { base: string; start: number; oldEnd: number; newEnd: number };
    }
  | { id: number; type: 'outline'; uri: string }
  | { id: number; type: 'forget'; uri: string }
  | { id: number; type: 'reset' };

export interface AnalyzeResult {
  uri: string;
  version: number;
  /** Filled in by the server from `delta` (analysisPort.ts): over the wire it is empty. */
  findings: Finding[];
  /** The findings as a change of the last list this worker sent for the document (see sentFindings). */
  delta?: FindingsDelta;
  incremental: boolean;
  ms: number;
  /** The budget's counters (what was analysed, what was skipped). */
  budget: { functions: number; work: number; skipped: number; exhausted: string | null };
}

/**
 * The text of an analyze request as a change of the text of the last analyze request of the same
 * document this worker received (analysisPort.ts sends it so, and `text` empty): copying a 50k-line
 * document to the worker for every keystroke was ~3 ms of each thread's time and 3.4 MB of garbage.
 */
export interface TextEdit {
  /** [start, end) of the previous text replaced by `text`. */
  start: number;
  end: number;
  text: string;
  /** The length of the resulting text (a check). */
  length: number;
}

/** The previous text with `e` applied, or undefined when it does not fit. */
export function applyTextEdit(prev: string | undefined, e: TextEdit): string | undefined {
  if (prev === undefined || e.start < 0 || e.end < e.start || e.end > prev.length || prev.length - (e.end - e.start) + e.text.length !== e.length) return undefined;
  return prev.slice(0, e.start) + e.text + prev.slice(e.end);
}

/** The change from `prev` to `text`: the common prefix and suffix left out. */
export function textEditOf(prev: string, text: string): TextEdit {
  const { prefix, suffix } = commonEnds(prev, text);
  return { start: prefix, end: prev.length - suffix, text: text.slice(prefix, text.length - suffix), length: text.length };
}

export type WorkerReply = { id: number; result?: unknown; cancelled?: boolean; error?: string };

/**
 * A document's findings as sent to the server: each one either an index into
 * the list sent before (`base`: its sequence number; the same finding, by
 * content) or the finding itself. A keystroke changes a few findings of
 * thousands; copying all of them (with their traces) to the main thread took
 * ~25 ms per edit on a 50k-line series.
 */
export interface FindingsDelta {
  seq: number;
  base?: number;
  items: (number | Finding)[];
}

/** The shared cancellation cell: the id of the request to abandon. */
const cancelCell = workerData?.cancel ? new Int32Array(workerData.cancel as SharedArrayBuffer) : new Int32Array(1);
const state = new Map<string, Analysis>();
/**
 * Per document, the last findings sent to the server (the server holds the
 * objects). The engine keeps unchanged findings as the same objects from one
 * edit to the next, so most are found in place.
 */
const sentFindings = new Map<string, { seq: number; list: readonly Finding[] }>();
let sendSeq = 0;
const findingJson = new WeakMap<Finding, string>();
function jsonOf(f: Finding): string {
  let j = findingJson.get(f);
  if (j === undefined) findingJson.set(f, (j = JSON.stringify(f)));
  return j;
}

/** The findings of `uri` as a change of what the server holds already. */
function deltaOf(uri: string, findings: readonly Finding[]): FindingsDelta {
  const prev = sentFindings.get(uri);
  const old = prev?.list ?? [];
  const n = findings.length;
  const m = old.length;
  // the same objects at the same places before and after the change (the engine keeps unchanged findings'
  // objects: an edit changes a run of them), then the rest by object or by content among the old rest
  let a = 0;
  while (a < n && a < m && findings[a] === old[a]) a++;
  let b = 0;
  while (b < n - a && b < m - a && findings[n - 1 - b] === old[m - 1 - b]) b++;
  const items: (number | Finding)[] = new Array<number | Finding>(n);
  for (let i = 0; i < a; i++) items[i] = i;
  for (let i = n - b; i < n; i++) items[i] = i - n + m;
  if (a + b < n) {
    const byObject = new Map<Finding, number>();
    for (let k = a; k < m - b; k++) if (!byObject.has(old[k])) byObject.set(old[k], k);
    let byJson: Map<string, number> | undefined;
    for (let i = a; i < n - b; i++) {
      const f = findings[i];
      let was = byObject.get(f);
      if (was === undefined && prev) {
        if (!byJson) {
          byJson = new Map();
          for (let k = a; k < m - b; k++) {
            const j = jsonOf(old[k]);
            if (!byJson.has(j)) byJson.set(j, k);
          }
        }
        was = byJson.get(jsonOf(f));
      }
      items[i] = was ?? f;
    }
  }
  const seq = ++sendSeq;
  sentFindings.set(uri, { seq, list: findings });
  return { seq, base: prev?.seq, items };
}
const readers = new Map<string, (p: string) => string | undefined>();

/**
 * The tree as one document sees it (files at the mail's base-commit when the
 * tree is a git repository that has it): read before the synchronous
 * analysis, since the object store is read asynchronously. The inline
 * fallback (no worker) reads the worktree files only.
 */
export async function prepareTree(req: WorkerRequest): Promise<DocumentTree | undefined> {
  if (req.type !== 'analyze' || !req.opts.treeRoot) return undefined;
  try {
    return await documentTree(parseDocument(req.text, req.uri), req.opts.treeRoot);
  } catch {
    return undefined;
  }
}

/** One request (exported for the inline fallback, when no worker can be started). */
export function handle(req: WorkerRequest, tree?: DocumentTree): WorkerReply {
  switch (req.type) {
    case 'analyze': {
      const t0 = performance.now();
      const o = req.opts;
      let treeFile: AnalyzeOptions['treeFile'] = tree?.treeFile;
      if (o.treeRoot && !treeFile) {
        const r = readers.get(o.treeRoot) ?? kernelTreeReader(o.treeRoot);
        readers.set(o.treeRoot, r);
        treeFile = (p) => r(p);
      }
      const opts: AnalyzeOptions = {
        all: o.all,
        categories: o.categories,
        severityOverrides: o.severityOverrides,
        dismissed: o.dismissed?.length ? new Set(o.dismissed) : undefined,
        repairDetails: o.repairDetails,
        treeFile,
        judgedIn: tree?.judgedIn,
        kernelVersion: o.kernelVersion,
        limits: o.limits,
        cancelled: () => Atomics.load(cancelCell, 0) === req.id,
      };
      const prev = state.get(req.uri);
      // the edit's range, when it is a change of the text the previous analysis had (no comparing of the texts)
      const ch = req.changed;
      if (ch && prev && prev.doc.text === ch.base) opts.edit = { start: ch.start, oldEnd: ch.oldEnd, newEnd: ch.newEnd };
      req.changed = undefined;
      // the previous analysis is consumed (its objects are reused and shifted): drop it first
      state.delete(req.uri);
      let a: Analysis & { incremental?: boolean };
      try {
        try {
          a = reanalyze(prev, req.text, req.uri, opts);
        } catch (e) {
          if (e instanceof AnalysisCancelled) throw e;
          a = analyze(req.text, req.uri, opts);
        }
      } catch (e) {
        if (e instanceof AnalysisCancelled) return { id: req.id, cancelled: true };
        throw e;
      }
      state.set(req.uri, a);
      const result: AnalyzeResult = {
        uri: req.uri,
        version: req.version,
        findings: [],
        delta: deltaOf(req.uri, a.findings),
        incremental: !!a.incremental,
        ms: performance.now() - t0,
        budget: { functions: a.budget.functions, work: a.budget.work, skipped: a.budget.skipped.length, exhausted: a.budget.exhausted ?? null },
      };
      return { id: req.id, result };
    }
    case 'outline': {
      const a = state.get(req.uri);
      return { id: req.id, result: a ? outline(a) : [] };
    }
    case 'forget':
      state.delete(req.uri);
      sentFindings.delete(req.uri);
      return { id: req.id, result: null };
    case 'reset':
      state.clear();
      sentFindings.clear();
      readers.clear();
      return { id: req.id, result: null };
  }
}

/**
 * Quiet time (ms) after an analysis before the worker collects its garbage. The collection
 * compacts (util/gc.ts) and takes ~150–250 ms at 50k lines on a quiet machine: started 300 ms
 * after the answer, it is over before a pause of 0.8 s ends (bench/lsp --pause-every; at 500 ms
 * it often was not, and a collection under way holds both copies of what it moves).
 */
const IDLE_COLLECT_MS = 300;
let idleCollect: ReturnType<typeof setTimeout> | undefined;

/** Per document, the text of the last analyze request received (the base of the next one's edit). */
const texts = new Map<string, string>();

parentPort?.on('message', (req: WorkerRequest) => {
  if (idleCollect) {
    clearTimeout(idleCollect);
    idleCollect = undefined;
  }
  if (req.type === 'analyze') {
    if (req.edit) {
      const base = texts.get(req.uri);
      const text = applyTextEdit(base, req.edit);
      if (text === undefined) {
        texts.delete(req.uri);
        parentPort!.postMessage({ id: req.id, error: `internal: the change of ${req.uri} does not fit the text this worker holds` } satisfies WorkerReply);
        return;
      }
      req.text = text;
      req.changed = { base: base!, start: req.edit.start, oldEnd: req.edit.end, newEnd: req.edit.start + req.edit.text.length };
      req.edit = undefined;
    }
    texts.set(req.uri, req.text);
  } else if (req.type === 'forget') texts.delete(req.uri);
  else if (req.type === 'reset') texts.clear();
  const answer = (tree?: DocumentTree) => {
    let reply: WorkerReply;
    try {
      reply = handle(req, tree);
    } catch (e) {
      reply = { id: req.id, error: (e as Error).stack ?? String(e) };
    }
    parentPort!.postMessage(reply);
    // the superseded analysis is garbage now: once the editor pauses, bring the heap back near its
    // live size (util/gc.ts). Not right away: a forced collection between back-to-back edits made the
    // next analyses slower (V8 shrinks the heap and collects more often), 340 -> 680 ms p50 at 50k lines.
    if (req.type === 'analyze') {
      idleCollect = setTimeout(() => {
        idleCollect = undefined;
        collectIfGrown();
      }, IDLE_COLLECT_MS);
      idleCollect.unref();
    }
  };
  if (req.type === 'analyze' && req.opts.treeRoot) void prepareTree(req).then(answer, () => answer());
  else answer();
});
