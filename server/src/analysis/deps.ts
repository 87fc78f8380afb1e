/**
 * What a rule's check of one unit read outside its own function: the
 * dependency record behind the engine's per-unit rule cache (engine/index.ts
 * `runRules`), which lets a keystroke re-run the rules only where something
 * they read changed.
 *
 * A check runs inside `tracked()`. Reading another function's data goes
 * either through a *fingerprinted query* — the summaries of the same-file
 * helpers the unit calls, the sleeping helpers it calls, the context its
 * callers give (`dependsOn(key, fingerprint, again)`) — or through anything
 * else document-wide (the context's `units`, `functions`, `doc`, another
 * function's units, every ordering-analysis entry point), which marks the
 * record `document`: such a result is reused only when the document's
 * functions of that side are all the same objects as before.
 *
 * A fingerprint must say everything the caller can see of the query's
 * result: a cached result is reused only when every query it read gives the
 * same fingerprint in the new document (`again`, computed untracked).
 * `again` is kept with the cached result: it must not close over a
 * document's context (that would keep every old version of the document
 * alive, one per cached check).
 */
import type { RebuiltFunction } from '../c/model';
import type { AnalysisContext } from './unit';

export interface DepRecord {
  /** Read something document-wide that has no fingerprint. */
  document: boolean;
  /** Fingerprinted queries: key -> (fingerprint, how to compute it again in another context). */
  queries: Map<string, Query>;
}

export interface Query {
  fp: string;
  again: (ctx: AnalysisContext) => string;
  /**
   * The query reads only functions of this file: while the file's functions
   * are the same objects (fileIdentity), so is the answer (no need to ask again).
   */
  path?: string;
  ident?: string;
}

let current: DepRecord | undefined;
/** The queries of a record that has none (most: one shared map, never written). */
const NONE: Map<string, Query> = new Map();
let currentFn: RebuiltFunction | undefined;

/** Run `f` (one rule on one unit of `fn`) recording what it reads outside `fn`. */
export function tracked<T>(fn: RebuiltFunction, f: () => T): { result: T; deps: DepRecord } {
  const saved = current;
  const savedFn = currentFn;
  const deps: DepRecord = { document: false, queries: NONE };
  current = deps;
  currentFn = fn;
  try {
    return { result: f(), deps };
  } finally {
    current = saved;
    currentFn = savedFn;
  }
}

/** Run `f` without recording (a query computing its own result: its callers record its fingerprint). */
export function untracked<T>(f: () => T): T {
  const saved = current;
  current = undefined;
  try {
    return f();
  } finally {
    current = saved;
  }
}

/** Is a check being recorded? (Queries skip computing a fingerprint when not.) */
export function tracking(): boolean {
  return current !== undefined && !current.document;
}

/** The running check read document-wide data. */
export function dependsOnDocument(): void {
  if (current) current.document = true;
}

/** The running check read another function's data: `fn`'s own units are not a dependency. */
export function dependsOnFunction(fn: RebuiltFunction): void {
  if (current && fn !== currentFn) current.document = true;
}

/** The running check read a fingerprinted query. */
export function dependsOn(key: string, fp: string, again: (ctx: AnalysisContext) => string, path?: { ctx: AnalysisContext; path: string }): void {
  if (!current || current.document) return;
  const q: Query = { fp, again };
  if (path) {
    q.path = path.path;
    q.ident = fileIdentity(path.ctx, path.path);
  }
  if (current.queries === NONE) current.queries = new Map();
  current.queries.set(key, q);
}

const fileIdentities = new WeakMap<AnalysisContext, Map<string, string>>();
/** The document's functions of one file, by object identity (the incremental re-parse keeps unchanged ones). */
export function fileIdentity(ctx: AnalysisContext, path: string): string {
  let m = fileIdentities.get(ctx);
  if (!m) {
    m = new Map();
    fileIdentities.set(ctx, m);
    const all = untracked(() => ctx.functions);
    for (const f of all) m.set(f.path, `${m.get(f.path) ?? ''}${idOf(f)},`);
  }
  return m.get(path) ?? '';
}

const filesOf = new WeakMap<AnalysisContext, Map<string, RebuiltFunction[]>>();
/**
 * The document's functions of one file, in document order, read as a query over that file alone: a
 * cached check that read them stays valid while the file's functions are the same objects (their
 * units then are too; read them with `untracked(() => ctx.unitsOf(fn, side))`).
 */
export function fileFunctions(ctx: AnalysisContext, path: string): readonly RebuiltFunction[] {
  if (tracking()) dependsOn(`file|${path}`, fileIdentity(ctx, path), identityOf(path), { ctx, path });
  return functionsByFile(ctx).get(path) ?? [];
}

/**
 * The query's `again`, made where it can close over nothing but the path: a closure made inside
 * fileFunctions() would keep that function's context, and with it the document's `ctx`, alive for
 * as long as the check's cached record (the server's memory grew ~0.4 MB per keystroke on a
 * 50k-line series).
 */
function identityOf(path: string): (c: AnalysisContext) => string {
  return (c) => fileIdentity(c, path);
}

function functionsByFile(ctx: AnalysisContext): Map<string, RebuiltFunction[]> {
  let m = filesOf.get(ctx);
  if (!m) {
    m = new Map();
    filesOf.set(ctx, m);
    for (const f of untracked(() => ctx.functions)) {
      let l = m.get(f.path);
      if (!l) m.set(f.path, (l = []));
      l.push(f);
    }
  }
  return m;
}

/**
 * Run `f` (a computation whose result a cache keeps for later callers) with
 * its own record, merged into the running check's; the record is returned so
 * that a later cache hit can `replay` it (a hit must depend on what the
 * computation read, like the first caller).
 */
export function withDeps<T>(f: () => T): { result: T; deps: DepRecord } {
  const parent = current;
  const deps: DepRecord = { document: false, queries: NONE };
  current = deps;
  let result: T;
  try {
    result = f();
  } finally {
    current = parent;
  }
  replay(deps);
  return { result, deps };
}

/** The running check read a cached result computed under `deps`. */
export function replay(deps: DepRecord): void {
  if (!current || current.document) return;
  if (deps.document) current.document = true;
  else
    for (const [k, q] of deps.queries) {
      if (current.queries === NONE) current.queries = new Map();
      current.queries.set(k, q);
    }
}

/** Ids for objects in fingerprint keys. */
const ids = new WeakMap<object, number>();
let nextId = 0;
export function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = ++nextId));
  return id;
}
