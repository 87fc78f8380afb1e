/**
 * Language-server wiring: documents in, diagnostics / hovers / code lenses /
 * code actions / outline / replay commands out. All analysis is the engine's
 * (`engine/analyze`); this file only translates between LSP and the engine.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  SymbolKind,
  TextDocumentSyncKind,
  TextDocuments,
  type CodeAction,
  type CodeLens,
  type Connection,
  type Diagnostic,
  type DocumentSymbol,
  type Hover,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, reanalyze, type Analysis, type AnalyzeOptions } from '../engine/index';
import { summarize } from '../engine/summary';
import { ruleInfo } from '../engine/ruleInfo';
import type { Finding, Category } from '../engine/findings';
import { isKernelTree, kernelTreeReader } from '../engine/kernelTree';
import type { Severity, Span } from '../patch/model';
import { LineIndex, type Range, type Position } from '../util/lineIndex';
import '../rules';
import { hoverForFinding, hoverForWord } from './hover';
import { simPort } from './simPort';

export interface Settings {
  differential: boolean;
  categories: Category[] | null;
  severityOverrides: Record<string, Severity | 'off'>;
  kernelTree: string;
  maxFileSizeMB: number;
  /** Quiet time after a keystroke before re-analysing (ms). bench/lsp measures the work with 0. */
  debounceMs: number;
}

export const DEFAULT_SETTINGS: Settings = { differential: true, categories: null, severityOverrides: {}, kernelTree: '', maxFileSizeMB: 64, debounceMs: 150 };

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
  if (f.scenario || f.fixes) d.data = { key: findingKey(f), scenario: f.scenario ?? null, scenarioParams: f.scenarioParams ?? null };
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
  analysis: Analysis;
  /** C files of the kernel tree that got diagnostics from this patch. */
  treeUris: string[];
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const state = new Map<string, DocState>();
  /** Pending analyses: uri -> cancel. */
  const timers = new Map<string, () => void>();
  /** C files of the kernel tree that got diagnostics from each patch. */
  const treeUrisOf = new Map<string, string[]>();
  let settings: Settings = { ...DEFAULT_SETTINGS };
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
    const init = params.initializationOptions as Partial<Settings> | undefined;
    if (init) settings = normalizeSettings({ ...settings, ...init });
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
    log(`mm-review-lsp ready; workspace: ${workspaceRoots.join(', ') || '(none)'}`);
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
    for (const d of documents.all()) schedule(d, 0);
  }

  connection.onDidChangeConfiguration((change) => {
    const s = (change.settings as { mmReview?: Partial<Settings> } | null)?.mmReview;
    if (s) settings = normalizeSettings({ ...settings, ...s });
    if (canPullConfig) void pullSettings();
    else reanalyzeAll();
  });

  function treeRoot(): string | undefined {
    if (settings.kernelTree) return isKernelTree(settings.kernelTree) ? settings.kernelTree : undefined;
    return workspaceRoots.find((r) => isKernelTree(r));
  }

  function schedule(doc: TextDocument, delay = settings.debounceMs): void {
    timers.get(doc.uri)?.();
    const fire = () => {
      timers.delete(doc.uri);
      const cur = documents.get(doc.uri);
      if (cur) run(cur);
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

  function run(doc: TextDocument): void {
    if (isLitmusDocument(doc)) return runLitmusDiagnostics(doc);
    if (!isPatchDocument(doc)) return;
    void connection.sendNotification('mmReview/status', { uri: doc.uri, findings: state.get(doc.uri)?.analysis.findings.filter((f) => f.severity !== 'hint').length ?? 0, running: true });
    const text = doc.getText();
    let diagnostics: Diagnostic[] = [];
    const t0 = performance.now();
    if (text.length > settings.maxFileSizeMB * 1024 * 1024) {
      diagnostics = [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: DiagnosticSeverity.Information,
          source: 'mm-review',
          code: 'input/too-large',
          message: `This document is larger than mmReview.maxFileSizeMB (${settings.maxFileSizeMB} MB): not analysed.`,
        },
      ];
      state.delete(doc.uri);
    } else {
      const root = treeRoot();
      const opts: AnalyzeOptions = {
        all: !settings.differential,
        categories: settings.categories ?? undefined,
        severityOverrides: settings.severityOverrides,
        treeFile: root ? kernelTreeReader(root) : undefined,
      };
      let analysis: Analysis;
      try {
        const prev = state.get(doc.uri)?.analysis;
        // The previous analysis is consumed (its objects are reused and shifted): drop it first,
        // so that a failure below can never leave a half-updated one behind.
        state.delete(doc.uri);
        try {
          analysis = reanalyze(prev, text, doc.uri, opts);
        } catch (e) {
          connection.console.warn(`incremental analysis failed, analysing ${doc.uri} from scratch: ${(e as Error).message}`);
          analysis = analyze(text, doc.uri, opts);
        }
      } catch (e) {
        // The engine is built not to throw; if it does, say so on the document and keep serving.
        connection.console.error(`analysis of ${doc.uri} failed: ${(e as Error).stack ?? e}`);
        diagnostics = [
          {
            range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
            severity: DiagnosticSeverity.Error,
            source: 'mm-review',
            code: 'input/internal-error',
            message: `mm-review could not analyse this document: ${(e as Error).message}`,
          },
        ];
        void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
        return;
      }
      diagnostics = analysis.findings.map((f) => toDiagnostic(f, doc.uri));
      const prevTree = treeUrisOf.get(doc.uri) ?? [];
      const treeUris = root ? publishTreeDiagnostics(root, analysis.findings, doc.uri) : [];
      for (const u of prevTree) if (!treeUris.includes(u)) void connection.sendDiagnostics({ uri: u, diagnostics: [] });
      state.set(doc.uri, { version: doc.version, analysis, treeUris });
      treeUrisOf.set(doc.uri, treeUris);
      log(`${path.basename(doc.uri)} v${doc.version}: ${analysis.findings.length} finding(s) in ${(performance.now() - t0).toFixed(1)} ms`);
    }
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
    // hints (each line of a repaired whitespace run) are not findings a reviewer counts
    const counted = diagnostics.filter((d) => d.severity !== DiagnosticSeverity.Hint).length;
    void connection.sendNotification('mmReview/status', { uri: doc.uri, findings: counted, running: false });
    // Lenses asked for before this analysis finished were computed on older text: ask the client to re-ask.
    if (canRefreshLenses) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  }

  /** Findings also shown on the real C files of the kernel tree, at the patched lines. */
  function publishTreeDiagnostics(root: string, findings: Finding[], patchUri: string): string[] {
    const byFile = new Map<string, Diagnostic[]>();
    for (const f of findings) {
      if (!f.file || !f.fileLine || f.category === 'input') continue;
      const uri = pathToFileURL(path.join(root, f.file)).toString();
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
    const err = sim?.syntaxError(doc.getText());
    if (err) {
      // the parser counts lines at '\n' only; the editor also at a lone '\r': map through the offset
      const text = doc.getText();
      let off = 0;
      for (let l = 1; l < err.line; l++) {
        const nl = text.indexOf('\n', off);
        if (nl < 0) break;
        off = nl + 1;
      }
      const start = new LineIndex(text).positionAt(off + Math.max(0, err.column - 1));
      const { line, character } = start;
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

  /** The analysis for a document, computing it now if a change is still pending. */
  function current(uri: string): Analysis | undefined {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const st = state.get(uri);
    if (st && st.version === doc.version) return st.analysis;
    timers.get(uri)?.();
    timers.delete(uri);
    run(doc);
    return state.get(uri)?.analysis;
  }

  documents.onDidOpen((e) => schedule(e.document, 0));
  documents.onDidChangeContent((e) => schedule(e.document));
  documents.onDidClose((e) => {
    timers.get(e.document.uri)?.();
    timers.delete(e.document.uri);
    for (const u of treeUrisOf.get(e.document.uri) ?? []) void connection.sendDiagnostics({ uri: u, diagnostics: [] });
    treeUrisOf.delete(e.document.uri);
    state.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover((p, token): Hover | null => {
    if (token.isCancellationRequested) return null;
    const a = current(p.textDocument.uri);
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return null;
    const hits = a?.findings.filter((f) => f.category !== 'input' && contains(f.range, p.position)) ?? [];
    if (hits.length) return { contents: { kind: 'markdown', value: hits.map((f) => hoverForFinding(f, p.textDocument.uri)).join('\n\n---\n\n') }, range: hits[0].range };
    const word = wordAt(doc, p.position);
    const md = word ? hoverForWord(word.text) : undefined;
    return md ? { contents: { kind: 'markdown', value: md }, range: word!.range } : null;
  });

  connection.onCodeLens((p, token): CodeLens[] => {
    if (token.isCancellationRequested) return [];
    const a = current(p.textDocument.uri);
    return (a?.findings ?? [])
      .filter((f) => f.scenario)
      .map((f) => ({
        range: { start: f.range.start, end: f.range.start },
        command: {
          title: '▶ Replay race',
          command: 'mmReview.replay',
          arguments: [{ uri: p.textDocument.uri, scenario: f.scenario, variant: 'buggy', params: f.scenarioParams ?? {}, range: f.range, rule: f.rule }],
        },
      }));
  });

  connection.onCodeAction((p, token): CodeAction[] => {
    if (token.isCancellationRequested) return [];
    const a = current(p.textDocument.uri);
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

  connection.onDocumentSymbol((p, token): DocumentSymbol[] => {
    if (token.isCancellationRequested) return [];
    const doc = documents.get(p.textDocument.uri);
    const a = current(p.textDocument.uri);
    if (!doc || !a) return [];
    return outline(a);
  });

  connection.onExecuteCommand(async (p, token) => {
    const sim = simPort();
    const arg = (p.arguments?.[0] ?? {}) as Record<string, unknown>;
    const variant = arg.variant === 'fixed' ? 'fixed' : 'buggy';
    const params = (arg.params as Record<string, string | number>) ?? {};
    // Simulator work runs in a worker thread: hovers and edits are served meanwhile.
    let result: unknown;
    switch (p.command) {
      case 'mmReview.replay': {
        const r = await sim.call('replay', String(arg.scenario ?? ''), variant, params);
        result = { ...r, source: { uri: arg.uri ?? null, range: arg.range ?? null, rule: arg.rule ?? null } };
        break;
      }
      case 'mmReview.scenarios':
        result = await sim.call('listScenarios');
        break;
      case 'mmReview.exportLitmus':
        result = await sim.call('exportLitmus', String(arg.scenario ?? ''), variant, params);
        break;
      case 'mmReview.runLitmus': {
        const text = typeof arg.text === 'string' ? arg.text : arg.uri ? documents.get(String(arg.uri))?.getText() ?? '' : '';
        result = await sim.call('runLitmusText', text);
        break;
      }
      default:
        throw new Error(`unknown command ${p.command}`);
    }
    return token.isCancellationRequested ? null : result;
  });

  connection.onShutdown(() => simPort().dispose());

  documents.listen(connection);
}

function normalizeSettings(s: Settings): Settings {
  return {
    differential: s.differential !== false,
    categories: Array.isArray(s.categories) && s.categories.length ? s.categories : null,
    severityOverrides: normalizeOverrides(s.severityOverrides),
    kernelTree: typeof s.kernelTree === 'string' ? s.kernelTree : '',
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

/** messages → files → hunks → functions. */
export function outline(a: Analysis): DocumentSymbol[] {
  const s = summarize(a.doc);
  const idx: LineIndex = a.index;
  const rng = (sp: Span): Range => idx.rangeOf(sp.start, sp.end);
  const sym = (name: string, kind: SymbolKind, sp: Span, detail: string | undefined, children: DocumentSymbol[] = [], sel?: Span): DocumentSymbol => {
    const range = rng(sp);
    const selectionRange = sel ? rng(sel) : { start: range.start, end: range.start };
    return { name: name || '(unnamed)', kind, range, selectionRange, detail, children };
  };
  return s.messages.map((m) =>
    sym(
      m.subject ?? `message ${m.index + 1}`,
      SymbolKind.Module,
      m.span,
      m.author,
      m.files.map((f) =>
        sym(
          f.newPath ?? f.oldPath ?? '(unknown)',
          SymbolKind.File,
          f.span,
          f.status,
          f.hunks.map((h) =>
            sym(
              `@@ -${h.oldStart},${h.oldCount} +${h.newStart},${h.newCount} @@`,
              SymbolKind.Namespace,
              h.span,
              h.section || undefined,
              h.functions.map((fn) => sym(fn.name, SymbolKind.Function, h.span, fn.change)),
            ),
          ),
        ),
      ),
    ),
  );
}
