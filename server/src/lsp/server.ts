/**
 * Language-server wiring: documents in, diagnostics / hovers / code lenses /
 * code actions / outline / replay commands out. All analysis is the engine's
 * (`engine/analyze`); this file only translates between LSP and the engine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  type CancellationToken,
  type CodeAction,
  type CodeLens,
  type Connection,
  type Diagnostic,
  type DocumentSymbol,
  type Hover,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ruleInfo } from '../rules/registry';
import type { Finding, Category } from '../engine/findings';
import { isKernelTree, treeVersion } from '../engine/kernelTree';
import { parseVersion } from '../catalog/era';
import type { Severity } from '../patch/model';
import { listScenarios } from '../sim/scenarios';
import { noReplayReason, replayable, replayArgsFor, resolveReplay } from './replay';
import { LineIndex, type Range, type Position } from '../util/lineIndex';
import '../engine/inputRules';
import '../rules';
import { AnalysisPort, type AnalysisPortOptions } from './analysisPort';
import { hoverForFinding, hoverForWord } from './hover';
import { SimCancelled, simPort } from './simPort';

export interface Settings {
  differential: boolean;
  categories: Category[] | null;
  severityOverrides: Record<string, Severity | 'off'>;
  /** The kernel version the patches target (`6.19`); '' = the tree's Makefile, else current mainline. */
  kernelVersion: string;
  kernelTree: string;
  maxFileSizeMB: number;
  /** Quiet time after a keystroke before re-analysing (ms). bench/lsp measures the work with 0. */
  debounceMs: number;
}

/**
 * maxFileSizeMB: the worst case (one hunk of short lines) needs about 45 bytes
 * of heap per byte of input (a 30.5 MB hunk analysed within 1.5 GB); the
 * analysis workers have 3 GB each, so 32 MB leaves a margin of two.
 */
export const DEFAULT_SETTINGS: Settings = { differential: true, categories: null, severityOverrides: {}, kernelTree: '', kernelVersion: '', maxFileSizeMB: 32, debounceMs: 150 };

export const COMMANDS = ['mmReview.replay', 'mmReview.scenarios', 'mmReview.exportLitmus', 'mmReview.runLitmus'] as const;

const PATCH_EXT = /\.(patch|diff|mbox|mbx|eml|mail)$/i;
const PATCH_LANGS = new Set(['diff', 'patch', 'mm-patch', 'mbox', 'eml', 'email']);

/** Does this document hold a patch or a mail the engine should analyse? */
export function isPatchDocument(doc: { uri: string; languageId: string; getText(): string }): boolean {
  if (PATCH_LANGS.has(doc.languageId)) return true;
  if (PATCH_EXT.test(doc.uri)) return true;
  if (doc.languageId === 'plaintext') {
    const head = doc.getText().slice(0, 4096);
    return /^From \S+/m.test(head) || /^diff --git /m.test(head) || /^--- \S.*\n\+\+\+ \S/m.test(head);
  }
  return false;
}

export function isLitmusDocument(doc: { uri: string; languageId: string }): boolean {
  return doc.languageId === 'litmus' || /\.litmus$/i.test(doc.uri);
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function findingKey(f: Finding): string {
  return `${f.rule}@${f.range.start.line}:${f.range.start.character}`;
}

export function toDiagnostic(f: Finding, uri: string): Diagnostic {
  const info = ruleInfo(f.rule);
  const d: Diagnostic = {
    range: f.range,
    severity: SEVERITY[f.severity],
    code: f.rule,
    codeDescription: { href: info.docUri },
    source: 'mm-review',
    message: f.message,
  };
  // Only what a finding has: a keystroke republishes every diagnostic of the document.
  if (f.related.length) d.relatedInformation = f.related.map((r) => ({ location: { uri, range: r.range }, message: r.message }));
  if (f.scenario || f.fixes || replayable(f)) d.data = { key: findingKey(f), scenario: f.scenario ?? null, scenarioParams: f.scenarioParams ?? null, ...(replayable(f) && !noReplayReason(f) ? { replay: replayArgsFor(f, uri) } : {}) };
  return d;
}

function overlaps(a: Range, b: Range): boolean {
  const before = (p: Position, q: Position) => p.line < q.line || (p.line === q.line && p.character <= q.character);
  return before(a.start, b.end) && before(b.start, a.end);
}

function contains(r: Range, p: Position): boolean {
  const le = (x: Position, y: Position) => x.line < y.line || (x.line === y.line && x.character <= y.character);
  return le(r.start, p) && le(p, r.end);
}

interface DocState {
  version: number;
  findings: Finding[];
  /** C files of the kernel tree that got diagnostics from this patch. */
  treeUris: string[];
}

export interface ServerOptions {
  /** The analysis workers (tests shrink the lanes' thresholds). */
  analysis?: AnalysisPortOptions;
}

export function startServer(connection: Connection, serverOpts: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  const state = new Map<string, DocState>();
  /** Pending (debounced) analyses: uri -> cancel. */
  const timers = new Map<string, () => void>();
  /** Analyses submitted and not answered yet: uri -> version. */
  const inflight = new Map<string, number>();
  /** Requests waiting for a document's analysis (hover, lenses, actions, outline). */
  const waiters = new Map<string, { version: number; resolve: (s: DocState | undefined) => void }[]>();
  /** C files of the kernel tree that got diagnostics from each patch. */
  const treeUrisOf = new Map<string, string[]>();
  const pool = new AnalysisPort(serverOpts.analysis);
  let settings: Settings = { ...DEFAULT_SETTINGS };
  /** Workspace trust as the client said (initializationOptions.workspaceTrusted, mmReview/workspaceTrust). Untrusted until told. */
  let trusted = false;
  let canPullConfig = false;
  let canRefreshLenses = false;
  let workspaceRoots: string[] = [];
  const log = (s: string) => connection.console.log(s);

  connection.onInitialize((params): InitializeResult => {
    canPullConfig = !!params.capabilities.workspace?.configuration;
    canRefreshLenses = !!params.capabilities.workspace?.codeLens?.refreshSupport;
    workspaceRoots = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
    if (workspaceRoots.length === 0 && params.rootUri) {
      const p = uriToPath(params.rootUri);
      if (p) workspaceRoots.push(p);
    }
    // documented: initializationOptions.settings (also accepted: the settings at the top level)
    const init = params.initializationOptions as ({ settings?: Partial<Settings>; workspaceTrusted?: unknown } & Partial<Settings>) | undefined | null;
    if (init && typeof init === 'object') {
      const nested = init.settings && typeof init.settings === 'object' ? init.settings : {};
      settings = normalizeSettings({ ...settings, ...init, ...nested });
      trusted = init.workspaceTrusted === true;
    }
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        documentSymbolProvider: true,
        executeCommandProvider: { commands: [...COMMANDS] },
      },
      serverInfo: { name: 'mm-review-lsp', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    if (canPullConfig) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'mmReview' }).catch(() => undefined);
      void pullSettings();
    }
    log(`mm-review-lsp ready; workspace: ${workspaceRoots.join(', ') || '(none)'}${trusted ? '' : ' (untrusted: no kernel tree is read)'}`);
  });

  async function pullSettings(): Promise<void> {
    try {
      const s = (await connection.workspace.getConfiguration('mmReview')) as Partial<Settings> | null;
      if (s) settings = normalizeSettings({ ...settings, ...s });
    } catch {
      /* the client does not answer: keep the defaults */
    }
    reanalyzeAll();
  }

  /** Settings changed (kernel tree, differential, filters): analyse every document from scratch. */
  function reanalyzeAll(): void {
    state.clear(); // no incremental reuse across settings: functions may come from another tree
    pool.reset();
    for (const d of documents.all()) schedule(d, 0);
  }

  connection.onDidChangeConfiguration((change) => {
    const s = (change.settings as { mmReview?: Partial<Settings> } | null)?.mmReview;
    if (s) settings = normalizeSettings({ ...settings, ...s });
    if (canPullConfig) void pullSettings();
    else reanalyzeAll();
  });

  connection.onNotification('mmReview/workspaceTrust', (p: { trusted?: unknown }) => {
    const t = p?.trusted === true;
    if (t === trusted) return;
    trusted = t;
    log(`workspace trust: ${trusted ? 'trusted' : 'untrusted (no kernel tree is read)'}`);
    reanalyzeAll();
  });

  connection.onRequest('mmReview/stats', () => ({ analysis: { ...pool.stats }, sim: { ...simPort().stats }, trusted }));

  /**
   * The kernel tree to read, as its real path: never in an untrusted
   * workspace, whatever the settings or the workspace folders say.
   */
  function treeRoot(): string | undefined {
    if (!trusted) return undefined;
    const candidates = settings.kernelTree ? [settings.kernelTree] : workspaceRoots;
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

  function schedule(doc: TextDocument, delay = settings.debounceMs): void {
    timers.get(doc.uri)?.();
    const fire = () => {
      timers.delete(doc.uri);
      const cur = documents.get(doc.uri);
      if (cur) void run(cur);
    };
    // No debounce: run right after the pending messages (setImmediate), not a >= 1 ms timer tick.
    if (delay <= 0) {
      const h = setImmediate(fire);
      timers.set(doc.uri, () => clearImmediate(h));
    } else {
      const h = setTimeout(fire, delay);
      timers.set(doc.uri, () => clearTimeout(h));
    }
  }

  function settle(uri: string, st: DocState | undefined): void {
    const list = waiters.get(uri);
    if (!list) return;
    const rest = list.filter((w) => {
      if (st && st.version < w.version) return true;
      w.resolve(st);
      return false;
    });
    if (rest.length) waiters.set(uri, rest);
    else waiters.delete(uri);
  }

  function publish(uri: string, version: number, diagnostics: Diagnostic[], st: DocState): void {
    state.set(uri, st);
    void connection.sendDiagnostics({ uri, version, diagnostics });
    // hints (each line of a repaired whitespace run) are not findings a reviewer counts
    const counted = diagnostics.filter((d) => d.severity !== DiagnosticSeverity.Hint).length;
    void connection.sendNotification('mmReview/status', { uri, findings: counted, running: false });
    // Lenses asked for before this analysis finished were computed on older text: ask the client to re-ask.
    if (canRefreshLenses) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    settle(uri, st);
  }

  async function run(doc: TextDocument): Promise<void> {
    if (isLitmusDocument(doc)) return runLitmusDiagnostics(doc);
    if (!isPatchDocument(doc)) return;
    const { uri, version } = doc;
    void connection.sendNotification('mmReview/status', { uri, findings: state.get(uri)?.findings.filter((f) => f.severity !== 'hint').length ?? 0, running: true });
    const text = doc.getText();
    const t0 = performance.now();
    if (text.length > settings.maxFileSizeMB * 1024 * 1024) {
      pool.forget(uri);
      const d = infoDiagnostic('input/too-large', `This document is larger than mmReview.maxFileSizeMB (${settings.maxFileSizeMB} MB): not analysed.`, DiagnosticSeverity.Information);
      publish(uri, version, [d], { version, findings: [], treeUris: [] });
      return;
    }
    const root = treeRoot();
    inflight.set(uri, version);
    const outcome = await pool.analyze(uri, version, text, {
      all: !settings.differential,
      categories: settings.categories ?? undefined,
      severityOverrides: settings.severityOverrides,
      treeRoot: root ?? null,
      // the era whose kernel facts apply: the setting, else the tree's Makefile, else current mainline
      kernelVersion: settings.kernelVersion || (root ? treeVersion(root) : undefined),
    });
    if (inflight.get(uri) === version) inflight.delete(uri);
    // superseded: the newer version's run publishes; closed or edited meanwhile: likewise
    if (outcome.kind === 'superseded') return;
    const cur = documents.get(uri);
    if (!cur || cur.version !== version) return;
    if (outcome.kind === 'failed') {
      connection.console.error(`analysis of ${uri} failed: ${outcome.error}`);
      const d = outcome.outOfMemory
        ? infoDiagnostic('input/too-large', 'The analysis of this document ran out of memory and was stopped; nothing else was affected. Split the document, or lower mmReview.maxFileSizeMB.', DiagnosticSeverity.Warning)
        : infoDiagnostic('input/internal-error', `mm-review could not analyse this document: ${outcome.error.split('\n')[0]}`, DiagnosticSeverity.Error);
      publish(uri, version, [d], { version, findings: [], treeUris: [] });
      return;
    }
    const r = outcome.result;
    const diagnostics = r.findings.map((f) => toDiagnostic(f, uri));
    const prevTree = treeUrisOf.get(uri) ?? [];
    const treeUris = root ? publishTreeDiagnostics(root, r.findings, uri) : [];
    for (const u of prevTree) if (!treeUris.includes(u)) void connection.sendDiagnostics({ uri: u, diagnostics: [] });
    treeUrisOf.set(uri, treeUris);
    log(`${path.basename(uri)} v${version}: ${r.findings.length} finding(s) in ${(performance.now() - t0).toFixed(1)} ms (engine ${r.ms.toFixed(1)} ms${r.incremental ? ', incremental' : ''}; ${r.budget.functions} function(s), ${r.budget.work} work unit(s)${r.budget.skipped ? `, ${r.budget.skipped} skipped` : ''})`);
    publish(uri, version, diagnostics, { version, findings: r.findings, treeUris });
  }

  /**
   * Findings also shown on the real C files of the kernel tree, at the patched
   * lines: only on files that really are inside the tree (real paths: no
   * `../` in a patch path, no symlink out of the tree gets a diagnostic).
   */
  function publishTreeDiagnostics(root: string, findings: Finding[], patchUri: string): string[] {
    const byFile = new Map<string, Diagnostic[]>();
    const real = new Map<string, string | null>();
    for (const f of findings) {
      if (!f.file || !f.fileLine || f.category === 'input') continue;
      let file = real.get(f.file);
      if (file === undefined) real.set(f.file, (file = insideTree(root, f.file)));
      if (!file) continue;
      const uri = pathToFileURL(file).toString();
      const d = toDiagnostic(f, patchUri);
      d.range = { start: { line: f.fileLine - 1, character: 0 }, end: { line: f.fileLine - 1, character: 1000 } };
      d.relatedInformation = [{ location: { uri: patchUri, range: f.range }, message: 'reported on this patch line' }];
      let l = byFile.get(uri);
      if (!l) byFile.set(uri, (l = []));
      l.push(d);
    }
    for (const [uri, diagnostics] of byFile) void connection.sendDiagnostics({ uri, diagnostics });
    return [...byFile.keys()];
  }

  function runLitmusDiagnostics(doc: TextDocument): void {
    const sim = simPort();
    const diagnostics: Diagnostic[] = [];
    const text = doc.getText();
    if (text.length > settings.maxFileSizeMB * 1024 * 1024) {
      void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: [infoDiagnostic('input/too-large', `This document is larger than mmReview.maxFileSizeMB (${settings.maxFileSizeMB} MB): not checked.`, DiagnosticSeverity.Information)] });
      return;
    }
    const err = sim.syntaxError(text);
    if (err) {
      // the parser counts lines at '\n' only; the editor also at a lone '\r': map through the offset
      let off = 0;
      for (let l = 1; l < err.line; l++) {
        const nl = text.indexOf('\n', off);
        if (nl < 0) break;
        off = nl + 1;
      }
      const { line, character } = new LineIndex(text).positionAt(off + Math.max(0, err.column - 1));
      diagnostics.push({
        range: { start: { line, character }, end: { line, character: character + 1 } },
        severity: DiagnosticSeverity.Error,
        source: 'mm-review',
        code: 'litmus/syntax',
        message: err.message,
      });
    }
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  }

  /** The analysis of a document's current version, starting it now if a change is still pending. */
  function current(uri: string, token?: CancellationToken): Promise<DocState | undefined> {
    const doc = documents.get(uri);
    if (!doc) return Promise.resolve(undefined);
    const st = state.get(uri);
    if (st && st.version === doc.version) return Promise.resolve(st);
    if (!isPatchDocument(doc) || isLitmusDocument(doc)) return Promise.resolve(undefined);
    if (timers.has(uri)) {
      timers.get(uri)!();
      timers.delete(uri);
      void run(doc);
    } else if (inflight.get(uri) !== doc.version) void run(doc);
    return new Promise((resolve, reject) => {
      let list = waiters.get(uri);
      if (!list) waiters.set(uri, (list = []));
      const w = { version: doc.version, resolve };
      list.push(w);
      token?.onCancellationRequested(() => {
        const l = waiters.get(uri);
        if (l?.includes(w)) l.splice(l.indexOf(w), 1);
        reject(new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled'));
      });
    });
  }

  documents.onDidOpen((e) => schedule(e.document, 0));
  documents.onDidChangeContent((e) => schedule(e.document));
  documents.onDidClose((e) => {
    timers.get(e.document.uri)?.();
    timers.delete(e.document.uri);
    for (const u of treeUrisOf.get(e.document.uri) ?? []) void connection.sendDiagnostics({ uri: u, diagnostics: [] });
    treeUrisOf.delete(e.document.uri);
    state.delete(e.document.uri);
    inflight.delete(e.document.uri);
    pool.forget(e.document.uri);
    settle(e.document.uri, undefined);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover(async (p, token): Promise<Hover | null> => {
    if (token.isCancellationRequested) return null;
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return null;
    const a = await current(p.textDocument.uri, token);
    const hits = a?.findings.filter((f) => f.category !== 'input' && contains(f.range, p.position)) ?? [];
    if (hits.length) return { contents: { kind: 'markdown', value: hits.map((f) => hoverForFinding(f, p.textDocument.uri)).join('\n\n---\n\n') }, range: hits[0].range };
    const word = wordAt(doc, p.position);
    const md = word ? hoverForWord(word.text) : undefined;
    return md ? { contents: { kind: 'markdown', value: md }, range: word!.range } : null;
  });

  connection.onCodeLens(async (p, token): Promise<CodeLens[]> => {
    if (token.isCancellationRequested) return [];
    const a = await current(p.textDocument.uri, token);
    return (a?.findings ?? [])
      .filter((f) => replayable(f) && !noReplayReason(f))
      .map((f) => ({
        range: { start: f.range.start, end: f.range.start },
        command: { title: '▶ Replay race', command: 'mmReview.replay', arguments: [replayArgsFor(f, p.textDocument.uri)] },
      }));
  });

  connection.onCodeAction(async (p, token): Promise<CodeAction[]> => {
    if (token.isCancellationRequested) return [];
    const a = await current(p.textDocument.uri, token);
    if (!a) return [];
    const out: CodeAction[] = [];
    for (const f of a.findings) {
      if (!f.fixes?.length || !overlaps(f.range, p.range)) continue;
      const diag = p.context.diagnostics.find((d) => d.code === f.rule && (d.data as { key?: string } | undefined)?.key === findingKey(f)) ?? toDiagnostic(f, p.textDocument.uri);
      for (const fx of f.fixes) {
        out.push({
          title: fx.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diag],
          isPreferred: f.fixes.length === 1,
          edit: { changes: { [p.textDocument.uri]: fx.edits.map((e) => ({ range: e.range, newText: e.newText })) } },
        });
      }
    }
    return out;
  });

  connection.onDocumentSymbol(async (p, token): Promise<DocumentSymbol[]> => {
    if (token.isCancellationRequested) return [];
    const a = await current(p.textDocument.uri, token);
    if (!a || !documents.get(p.textDocument.uri)) return [];
    return pool.outline(p.textDocument.uri);
  });

  connection.onExecuteCommand(async (p, token) => {
    const sim = simPort();
    const bad = (m: string) => new ResponseError(ErrorCodes.InvalidParams, `${p.command}: ${m}`);
    const arg = p.arguments?.[0] ?? {};
    if (!arg || typeof arg !== 'object' || Array.isArray(arg)) throw bad('the argument must be an object');
    // Simulator work runs in a worker thread: hovers and edits are served meanwhile.
    const opts = { token };
    try {
      switch (p.command) {
        case 'mmReview.replay': {
          const x = resolveReplay(arg, (uri) => state.get(uri)?.findings);
          if (x.kind === 'error') throw bad(x.message);
          if (x.kind === 'finding') {
            const r = await sim.call('replayRequest', [x.request], opts);
            if ('unavailable' in r) throw bad(r.unavailable);
            return { ...r, source: { uri: (arg as { uri?: string }).uri ?? null, range: (arg as { range?: unknown }).range ?? null, rule: x.request.rule } };
          }
          const a = validateReplayArgs(arg as Record<string, unknown>);
          if (typeof a === 'string') throw bad(a);
          const r = await sim.call('replay', [a.scenario, a.variant, a.params], opts);
          return { ...r, source: { uri: a.uri, range: a.range, rule: a.rule } };
        }
        case 'mmReview.scenarios':
          return await sim.call('listScenarios', [], opts);
        case 'mmReview.exportLitmus': {
          const x = resolveReplay(arg, (uri) => state.get(uri)?.findings);
          if (x.kind === 'error') throw bad(x.message);
          if (x.kind === 'finding') {
            const t = await sim.call('exportRequest', [x.request], opts);
            if (typeof t !== 'string') throw bad(t.unavailable);
            return t;
          }
          const a = validateReplayArgs(arg as Record<string, unknown>);
          if (typeof a === 'string') throw bad(a);
          return await sim.call('exportLitmus', [a.scenario, a.variant, a.params], opts);
        }
        case 'mmReview.runLitmus': {
          const x = arg as Record<string, unknown>;
          if (x.text !== undefined && typeof x.text !== 'string') throw bad('text must be a string');
          if (x.uri !== undefined && typeof x.uri !== 'string') throw bad('uri must be a string');
          const text = typeof x.text === 'string' ? x.text : typeof x.uri === 'string' ? documents.get(x.uri)?.getText() ?? '' : '';
          if (text.length > settings.maxFileSizeMB * 1024 * 1024) throw bad('the litmus text is over mmReview.maxFileSizeMB');
          return await sim.call('runLitmusText', [text], opts);
        }
        default:
          throw bad('unknown command');
      }
    } catch (e) {
      if (e instanceof SimCancelled) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
      throw e;
    }
  });

  connection.onShutdown(() => {
    simPort().dispose();
    pool.dispose();
  });

  documents.listen(connection);
}

function infoDiagnostic(code: string, message: string, severity: DiagnosticSeverity): Diagnostic {
  return { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity, source: 'mm-review', code, message, codeDescription: { href: ruleInfo(code).docUri } };
}

/** The real path of `rel` under the tree `root` (itself a real path), or null when it is outside, missing or not a file. */
function insideTree(root: string, rel: string): string | null {
  try {
    const real = fs.realpathSync(path.resolve(root, rel));
    if (real !== root && !real.startsWith(root + path.sep)) return null;
    return fs.statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

const SCENARIO_IDS = new Set(listScenarios().map((s) => s.id));

/**
 * The arguments of mmReview.replay / exportLitmus as they arrive (from a code
 * lens, a hover link, any client): checked field by field, so that a crafted
 * patch cannot smuggle anything else through them. Returns a message when bad.
 */
export function validateReplayArgs(a: Record<string, unknown>):
  | { scenario: string; variant: 'buggy' | 'fixed'; params: Record<string, string | number>; uri: string | null; range: Range | null; rule: string | null }
  | string {
  if (typeof a.scenario !== 'string' || !SCENARIO_IDS.has(a.scenario)) return 'unknown scenario';
  if (a.variant !== undefined && a.variant !== 'buggy' && a.variant !== 'fixed') return 'variant must be "buggy" or "fixed"';
  const params: Record<string, string | number> = {};
  if (a.params !== undefined && a.params !== null) {
    if (typeof a.params !== 'object' || Array.isArray(a.params)) return 'params must be an object';
    const entries = Object.entries(a.params as Record<string, unknown>);
    if (entries.length > 32) return 'too many params';
    for (const [k, v] of entries) {
      if (!/^[A-Za-z][A-Za-z0-9_]{0,39}$/.test(k)) return `bad param name ${JSON.stringify(k.slice(0, 40))}`;
      if (typeof v === 'string' && v.length <= 256) params[k] = v;
      else if (typeof v === 'number' && Number.isFinite(v)) params[k] = v;
      else return `bad value for param ${k}`;
    }
  }
  if (a.uri !== undefined && a.uri !== null && (typeof a.uri !== 'string' || a.uri.length > 4096)) return 'uri must be a string';
  if (a.rule !== undefined && a.rule !== null && (typeof a.rule !== 'string' || !/^[a-z][a-z-]*\/[a-z][a-z-]*$/.test(a.rule))) return 'bad rule id';
  let range: Range | null = null;
  if (a.range !== undefined && a.range !== null) {
    const pos = (x: unknown): Position | null => {
      const p = x as Position | null;
      return p && typeof p === 'object' && Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.character >= 0 ? { line: p.line, character: p.character } : null;
    };
    const r = a.range as { start?: unknown; end?: unknown };
    const start = pos(r?.start);
    const end = pos(r?.end);
    if (!start || !end) return 'bad range';
    range = { start, end };
  }
  return { scenario: a.scenario, variant: a.variant === 'fixed' ? 'fixed' : 'buggy', params, uri: (a.uri as string | undefined) ?? null, range, rule: (a.rule as string | undefined) ?? null };
}

function normalizeSettings(s: Settings): Settings {
  return {
    differential: s.differential !== false,
    categories: Array.isArray(s.categories) && s.categories.length ? s.categories : null,
    severityOverrides: normalizeOverrides(s.severityOverrides),
    kernelTree: typeof s.kernelTree === 'string' ? s.kernelTree : '',
    kernelVersion: typeof s.kernelVersion === 'string' && parseVersion(s.kernelVersion) ? s.kernelVersion.trim() : '',
    maxFileSizeMB: typeof s.maxFileSizeMB === 'number' && s.maxFileSizeMB > 0 ? s.maxFileSizeMB : DEFAULT_SETTINGS.maxFileSizeMB,
    debounceMs: typeof s.debounceMs === 'number' && s.debounceMs >= 0 ? s.debounceMs : DEFAULT_SETTINGS.debounceMs,
  };
}

/** VS Code spells the level 'information'; the engine says 'info'. Unknown values are dropped. */
function normalizeOverrides(o: unknown): Record<string, Severity | 'off'> {
  const out: Record<string, Severity | 'off'> = {};
  if (!o || typeof o !== 'object') return out;
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    const sev = v === 'information' ? 'info' : v;
    if (sev === 'error' || sev === 'warning' || sev === 'info' || sev === 'hint' || sev === 'off') out[k] = sev;
  }
  return out;
}

function uriToPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

function wordAt(doc: TextDocument, pos: Position): { text: string; range: Range } | undefined {
  const line = doc.getText({ start: { line: pos.line, character: 0 }, end: { line: pos.line + 1, character: 0 } });
  const re = /[A-Za-z_][A-Za-z0-9_]*/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (m.index <= pos.character && pos.character <= m.index + m[0].length) {
      return { text: m[0], range: { start: { line: pos.line, character: m.index }, end: { line: pos.line, character: m.index + m[0].length } } };
    }
  }
  return undefined;
}

export { outline } from './outline';
