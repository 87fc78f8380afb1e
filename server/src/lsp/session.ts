/**
 * What every feature of the language server shares: the connection, the open
 * documents, the settings and workspace trust, the reviewer's config
 * (.mm-review.json), and each document's latest analysis (run in the
 * analysis workers, never on the message loop). Features (lsp/features/*)
 * register their own handlers over a Session, as in vscode-anycode.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LSPErrorCodes, ResponseError, TextDocuments, type CancellationToken, type Connection } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from '../engine/findings';
import { CONFIG_FILE, EMPTY_CONFIG, loadConfig, type LoadedConfig } from '../engine/config';
import { isKernelTree, treeVersion } from '../engine/kernelTree';
import { MAINLINE, parseVersion } from '../catalog/era';
import { AnalysisPort, type AnalysisPortOptions, type AnalyzeOutcome } from './analysisPort';
import { DEFAULT_SETTINGS, isLitmusDocument, isPatchDocument, type Settings } from './settings';
import { forgetChanges, trackedTextDocument } from './textChanges';

/** A document's latest analysis. */
export interface DocState {
  version: number;
  findings: Finding[];
}

export interface ServerOptions {
  /** The analysis workers (tests shrink the lanes' thresholds). */
  analysis?: AnalysisPortOptions;
}

type Listener<T> = (e: T) => void;

export class Session {
  /** The open documents; their content changes are recorded (textChanges.ts) so the worker gets each edit's range. */
  readonly documents = new TextDocuments(trackedTextDocument);
  readonly pool: AnalysisPort;
  settings: Settings = { ...DEFAULT_SETTINGS };
  /** Workspace trust as the client said (initializationOptions.workspaceTrusted, mmReview/workspaceTrust). Untrusted until told. */
  trusted = false;
  roots: string[] = [];
  canPullConfig = false;
  canRefreshLenses = false;
  canWatchFiles = false;
  /** The client shows a diagnostic (message, related information) in its hover: ours does not repeat it. */
  diagnosticsInHover = false;

  private readonly state = new Map<string, DocState>();
  /** Pending (debounced) analyses: uri -> cancel. */
  private readonly timers = new Map<string, () => void>();
  /** Analyses submitted and not answered yet: uri -> version. */
  private readonly inflight = new Map<string, number>();
  /** Requests waiting for a document's analysis (hover, lenses, actions, outline). */
  private readonly waiters = new Map<string, { version: number; resolve: (s: DocState | undefined) => void }[]>();
  private readonly configs = new Map<string, { mtimeMs: number; size: number; loaded: LoadedConfig }>();
  private readonly started: Listener<{ uri: string; findings: number }>[] = [];
  private readonly analyzed: Listener<{ uri: string; version: number; outcome: AnalyzeOutcome | { kind: 'too-large' }; ms: number; treeRoot: string | undefined }>[] = [];
  private readonly reset: Listener<void>[] = [];

  constructor(readonly connection: Connection, opts: ServerOptions = {}) {
    this.pool = new AnalysisPort(opts.analysis);
  }

  log(s: string): void {
    this.connection.console.log(s);
  }

  onDidStartAnalysis(fn: Listener<{ uri: string; findings: number }>): void {
    this.started.push(fn);
  }
  /** An analysis ended: its outcome is to be published (diagnostics feature). The state is set and waiters settled after the listeners. */
  onDidAnalyze(fn: Listener<{ uri: string; version: number; outcome: AnalyzeOutcome | { kind: 'too-large' }; ms: number; treeRoot: string | undefined }>): void {
    this.analyzed.push(fn);
  }
  /** Every document is analysed again (settings, trust or the reviewer's config changed). */
  onDidReset(fn: Listener<void>): void {
    this.reset.push(fn);
  }

  /** The kernel tree to read, as its real path: never in an untrusted workspace, whatever the settings or the folders say. */
  /** The era whose kernel facts apply, and where it comes from: the setting, the tree's Makefile, or current mainline. */
  kernelEra(): { version: string; from: 'setting' | 'tree' | 'mainline' } {
    const set = parseVersion(this.settings.kernelVersion);
    if (set) return { version: `${set[0]}.${set[1]}`, from: 'setting' };
    const root = this.treeRoot();
    const v = root ? treeVersion(root) : undefined;
    return v ? { version: v, from: 'tree' } : { version: MAINLINE, from: 'mainline' };
  }

  treeRoot(): string | undefined {
    if (!this.trusted) return undefined;
    const candidates = this.settings.kernelTree ? [this.settings.kernelTree] : this.roots;
    for (const r of candidates) {
      if (!isKernelTree(r)) continue;
      try {
        return fs.realpathSync(r);
      } catch {
        /* vanished */
      }
    }
    return undefined;
  }

  /** The workspace folder a document lies in (the longest match), or the first folder. */
  rootOf(uri: string): string | undefined {
    const p = uriToPath(uri);
    if (p) {
      const inside = this.roots.filter((r) => p === r || p.startsWith(r.endsWith(path.sep) ? r : r + path.sep)).sort((a, b) => b.length - a.length);
      if (inside.length) return inside[0];
    }
    return this.roots[0];
  }

  /**
   * The reviewer's config for a document: the first .mm-review.json from its
   * folder up to its workspace folder (the workspace folder's, for an
   * untitled document). Read again when the file changed (mtime, size).
   */
  configFileFor(uri: string): string | undefined {
    const root = this.rootOf(uri);
    const p = uriToPath(uri);
    let dir = p ? path.dirname(p) : root;
    for (let i = 0; dir && i < 64; i++) {
      const f = path.join(dir, CONFIG_FILE);
      if (fs.existsSync(f)) return f;
      if (!root || dir === root || !dir.startsWith(root)) break;
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    return undefined;
  }

  /** Where `mmReview.dismiss` writes: the config in effect, else a new one in the document's workspace folder. */
  configTargetFor(uri: string): string | undefined {
    const f = this.configFileFor(uri);
    if (f) return f;
    const root = this.rootOf(uri);
    if (root) return path.join(root, CONFIG_FILE);
    const p = uriToPath(uri);
    return p ? path.join(path.dirname(p), CONFIG_FILE) : undefined;
  }

  reviewConfig(uri: string): LoadedConfig {
    const file = this.configFileFor(uri);
    if (!file) return EMPTY_CONFIG;
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      return EMPTY_CONFIG;
    }
    const c = this.configs.get(file);
    if (c && c.mtimeMs === st.mtimeMs && c.size === st.size) return c.loaded;
    const loaded = loadConfig(file);
    for (const p of loaded.problems) this.connection.console.warn(p);
    this.configs.set(file, { mtimeMs: st.mtimeMs, size: st.size, loaded });
    return loaded;
  }

  /** Settings, trust or the reviewer's config changed: analyse every document from scratch. */
  reanalyzeAll(): void {
    this.state.clear(); // no incremental reuse across settings: functions may come from another tree
    this.configs.clear();
    this.pool.reset();
    for (const fn of this.reset) fn();
    for (const d of this.documents.all()) if (isPatchDocument(d) && !isLitmusDocument(d)) this.schedule(d, 0);
  }

  stateOf(uri: string): DocState | undefined {
    return this.state.get(uri);
  }

  schedule(doc: TextDocument, delay = this.settings.debounceMs): void {
    this.timers.get(doc.uri)?.();
    const fire = () => {
      this.timers.delete(doc.uri);
      const cur = this.documents.get(doc.uri);
      if (cur) void this.run(cur);
    };
    // No debounce: run right after the pending messages (setImmediate), not a >= 1 ms timer tick.
    if (delay <= 0) {
      const h = setImmediate(fire);
      this.timers.set(doc.uri, () => clearImmediate(h));
    } else {
      const h = setTimeout(fire, delay);
      this.timers.set(doc.uri, () => clearTimeout(h));
    }
  }

  /** A document was closed: drop everything about it. */
  forget(uri: string): void {
    forgetChanges(uri);
    this.timers.get(uri)?.();
    this.timers.delete(uri);
    this.state.delete(uri);
    this.inflight.delete(uri);
    this.pool.forget(uri);
    this.settle(uri, undefined);
  }

  private settle(uri: string, st: DocState | undefined): void {
    const list = this.waiters.get(uri);
    if (!list) return;
    const rest = list.filter((w) => {
      if (st && st.version < w.version) return true;
      w.resolve(st);
      return false;
    });
    if (rest.length) this.waiters.set(uri, rest);
    else this.waiters.delete(uri);
  }

  private async run(doc: TextDocument): Promise<void> {
    if (isLitmusDocument(doc) || !isPatchDocument(doc)) return;
    const { uri, version } = doc;
    for (const fn of this.started) fn({ uri, findings: this.state.get(uri)?.findings.filter((f) => f.severity !== 'hint').length ?? 0 });
    const text = doc.getText();
    const t0 = performance.now();
    const finish = (outcome: AnalyzeOutcome | { kind: 'too-large' }, findings: Finding[], treeRoot?: string) => {
      for (const fn of this.analyzed) fn({ uri, version, outcome, ms: performance.now() - t0, treeRoot });
      const st = { version, findings };
      this.state.set(uri, st);
      this.settle(uri, st);
    };
    if (text.length > this.settings.maxFileSizeMB * 1024 * 1024) {
      this.pool.forget(uri);
      return finish({ kind: 'too-large' }, []);
    }
    const root = this.treeRoot();
    const config = this.reviewConfig(uri);
    this.inflight.set(uri, version);
    const outcome = await this.pool.analyze(uri, version, text, {
      all: !this.settings.differential,
      categories: this.settings.categories ?? undefined,
      // the reviewer's file is the more specific: it wins over the editor's settings
      severityOverrides: { ...this.settings.severityOverrides, ...config.config.severity },
      dismissed: [...config.dismissed],
      repairDetails: this.settings.repairDetails,
      treeRoot: root ?? null,
      // the era whose kernel facts apply: the setting, else the tree's Makefile, else current mainline
      kernelVersion: this.settings.kernelVersion || (root ? treeVersion(root) : undefined),
    });
    if (this.inflight.get(uri) === version) this.inflight.delete(uri);
    // superseded: the newer version's run publishes; closed or edited meanwhile: likewise
    if (outcome.kind === 'superseded') return;
    const cur = this.documents.get(uri);
    if (!cur || cur.version !== version) return;
    finish(outcome, outcome.kind === 'done' ? outcome.result.findings : [], root);
  }

  /** The analysis of a document's current version, starting it now if a change is still pending. */
  current(uri: string, token?: CancellationToken): Promise<DocState | undefined> {
    const doc = this.documents.get(uri);
    if (!doc) return Promise.resolve(undefined);
    const st = this.state.get(uri);
    if (st && st.version === doc.version) return Promise.resolve(st);
    if (!isPatchDocument(doc) || isLitmusDocument(doc)) return Promise.resolve(undefined);
    if (this.timers.has(uri)) {
      this.timers.get(uri)!();
      this.timers.delete(uri);
      void this.run(doc);
    } else if (this.inflight.get(uri) !== doc.version) void this.run(doc);
    return new Promise((resolve, reject) => {
      let list = this.waiters.get(uri);
      if (!list) this.waiters.set(uri, (list = []));
      const w = { version: doc.version, resolve };
      list.push(w);
      token?.onCancellationRequested(() => {
        const l = this.waiters.get(uri);
        if (l?.includes(w)) l.splice(l.indexOf(w), 1);
        reject(new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled'));
      });
    });
  }

  dispose(): void {
    this.pool.dispose();
  }
}

export function uriToPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}
