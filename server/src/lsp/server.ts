/**
 * The language server: initialization, settings and workspace trust, then
 * one module per feature over a shared Session (as vscode-anycode does):
 *
 *   features/diagnostics.ts   documents in, publishDiagnostics out (+ mmReview/status)
 *   features/hover.ts         the rule's explanation, API semantics
 *   features/codeLens.ts      "▶ Replay race"
 *   features/codeActions.ts   quick fixes, "Dismiss in this workspace"
 *   features/symbols.ts       the outline
 *   features/commands.ts      replay, scenarios, litmus, dismiss
 *
 * All analysis is the engine's, in worker threads (analysisPort.ts); this
 * file and the features only translate between LSP and the engine.
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import '../engine/inputRules';
import '../rules';
import { CONFIG_FILE } from '../engine/config';
import { simPort } from './simPort';
import { Session, uriToPath, type ServerOptions } from './session';
import { normalizeSettings, type Settings } from './settings';
import { registerDiagnostics } from './features/diagnostics';
import { registerHover } from './features/hover';
import { registerCodeLens } from './features/codeLens';
import { registerCodeActions } from './features/codeActions';
import { registerSymbols } from './features/symbols';
import { COMMANDS, registerCommands } from './features/commands';

export type { Settings } from './settings';
export { DEFAULT_SETTINGS, isLitmusDocument, isPatchDocument } from './settings';
export type { ServerOptions } from './session';
export { COMMANDS, validateReplayArgs } from './features/commands';
export { toDiagnostic, findingKey } from './features/diagnostics';
export { outline } from './outline';

export function startServer(connection: Connection, serverOpts: ServerOptions = {}): void {
  const session = new Session(connection, serverOpts);

  connection.onInitialize((params): InitializeResult => {
    const caps = params.capabilities;
    session.canPullConfig = !!caps.workspace?.configuration;
    session.canRefreshLenses = !!caps.workspace?.codeLens?.refreshSupport;
    session.canWatchFiles = !!caps.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    session.roots = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
    if (session.roots.length === 0 && params.rootUri) {
      const p = uriToPath(params.rootUri);
      if (p) session.roots.push(p);
    }
    // documented: initializationOptions.settings (also accepted: the settings at the top level)
    const init = params.initializationOptions as ({ settings?: Partial<Settings>; workspaceTrusted?: unknown; diagnosticsInHover?: unknown } & Partial<Settings>) | undefined | null;
    if (init && typeof init === 'object') {
      const nested = init.settings && typeof init.settings === 'object' ? init.settings : {};
      session.settings = normalizeSettings({ ...session.settings, ...init, ...nested });
      session.trusted = init.workspaceTrusted === true;
      session.diagnosticsInHover = init.diagnosticsInHover === true;
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
    if (session.canPullConfig) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'mmReview' }).catch(() => undefined);
      void pullSettings();
    }
    // the reviewer's config: any client that can watch files tells us when it changes (it is also re-read by mtime)
    if (session.canWatchFiles) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: `**/${CONFIG_FILE}` }] }).catch(() => undefined);
    }
    session.log(`mm-review-lsp ready; workspace: ${session.roots.join(', ') || '(none)'}${session.trusted ? '' : ' (untrusted: no kernel tree is read)'}`);
  });

  /** New settings: documents are analysed again only when something changed (a client re-sends the same settings at start). */
  function applySettings(s: Partial<Settings> | null | undefined): void {
    const next = s ? normalizeSettings({ ...session.settings, ...s }) : session.settings;
    const changed = JSON.stringify(next) !== JSON.stringify(session.settings);
    session.settings = next;
    if (changed) session.reanalyzeAll();
  }

  /** The client's settings (what it pushed, completed by what it answers to workspace/configuration). */
  async function pullSettings(pushed?: Partial<Settings>): Promise<void> {
    let pulled: Partial<Settings> | null = null;
    try {
      pulled = (await connection.workspace.getConfiguration('mmReview')) as Partial<Settings> | null;
    } catch {
      /* the client does not answer: keep what it pushed */
    }
    applySettings(pushed || pulled ? { ...pushed, ...pulled } : null);
  }

  connection.onDidChangeConfiguration((change) => {
    const s = (change.settings as { mmReview?: Partial<Settings> } | null)?.mmReview;
    if (session.canPullConfig) void pullSettings(s);
    else applySettings(s);
  });

  connection.onDidChangeWatchedFiles((p) => {
    if (p.changes.some((c) => c.uri.endsWith('/' + CONFIG_FILE))) session.reanalyzeAll();
  });

  connection.onNotification('mmReview/workspaceTrust', (p: { trusted?: unknown }) => {
    const t = p?.trusted === true;
    if (t === session.trusted) return;
    session.trusted = t;
    session.log(`workspace trust: ${session.trusted ? 'trusted' : 'untrusted (no kernel tree is read)'}`);
    session.reanalyzeAll();
  });

  connection.onRequest('mmReview/stats', () => ({ analysis: { ...session.pool.stats }, sim: { ...simPort().stats }, trusted: session.trusted }));

  registerDiagnostics(session);
  registerHover(session);
  registerCodeLens(session);
  registerCodeActions(session);
  registerSymbols(session);
  registerCommands(session);

  connection.onShutdown(() => {
    simPort().dispose();
    session.dispose();
  });

  session.documents.listen(connection);
}
