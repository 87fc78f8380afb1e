// MM Patch Review: the VS Code client.
//
// Starts the bundled language server (dist/server.js) over IPC, shows its log
// in an output channel, a status-bar item with the finding count, and adds the
// palette commands and the replay view. All analysis is done by the server;
// this file only asks for it and renders the answers.
import * as vscode from 'vscode';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { execFile } from 'node:child_process';
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
  DocumentSelector,
  State,
} from 'vscode-languageclient/node';
import { ReplayPanel, viewHost, type Replay, type ReplayHandlers, type ReplayRequest } from './replayPanel';
import { checkReplayArgs, isRuleId, isScenarioId } from './commandArgs';
import { isReplay } from 'mm-review-server/protocol/replay';

/** Language ids the server analyses. `mm-patch` and `litmus` are contributed by this extension. */
export const LANGUAGES = ['diff', 'mm-patch', 'litmus'];
const PATCH_GLOB = '**/*.{patch,diff,mbox,mbx,eml}';
const RESULT_SCHEME = 'mm-review-result';

interface StatusParams { uri: string; findings: number; running: boolean }
interface ScenarioInfo { id: string; title: string; seed: string; variants: string[] }
interface RunLitmusResult { text: string; result?: unknown }

/** What the extension returns from activate(): used by the test suite. */
export interface MmReviewApi {
  client: LanguageClient;
  replayPanel(): ReplayPanel | undefined;
  lastReplay(): Replay | undefined;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<MmReviewApi> {
  const log = vscode.window.createOutputChannel('MM Review', { log: true });
  context.subscriptions.push(log);
  void vscode.commands.executeCommand('setContext', 'mmReview.languages', LANGUAGES);

  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    // --expose-gc: the server collects the garbage of superseded analyses when the editor is quiet (server util/gc.ts);
    // --max-semi-space-size=2: the message loop's young generation stays at 2 x 2 MB instead of V8's 2 x 16 MB, which
    // the diagnostics of a large series fill and keep resident (~28 MB of RSS; docs/performance.md). The same flags
    // as the #! line of server/bin/mm-review-lsp.js.
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--expose-gc', '--max-semi-space-size=2'] } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011', '--expose-gc', '--max-semi-space-size=2'] } },
  };

  const selector: DocumentSelector = [
    ...LANGUAGES.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    { scheme: 'file', language: 'plaintext', pattern: PATCH_GLOB },
  ];

  const replays = new ReplayController(context, log);
  context.subscriptions.push(replays.registerView());

  const clientOptions: LanguageClientOptions = {
    documentSelector: selector,
    outputChannel: log,
    // Hovers carry a "▶ Replay race" command link: trust only our own command (its
    // arguments are checked on receipt, below and in the server); no HTML.
    markdown: { isTrusted: { enabledCommands: ['mmReview.replay'] }, supportHtml: false },
    // the reviewer's .mm-review.json (dismissed findings, severities): the server re-reads it when it changes
    synchronize: { configurationSection: 'mmReview', fileEvents: vscode.workspace.createFileSystemWatcher('**/.mm-review.json') },
    // The server reads no kernel tree unless told the workspace is trusted.
    // VS Code shows a diagnostic's message and related information in the hover: the server's hover need not repeat them
    initializationOptions: () => ({ settings: settingsForServer(), workspaceTrusted: vscode.workspace.isTrusted, diagnosticsInHover: true }),
    middleware: {
      // The server's replay command returns the Replay JSON (so any LSP client
      // gets it); here we also show it in the replay view.
      // The view opens at once in a loading state: a replay takes from
      // milliseconds to seconds (the simulator enumerates executions).
      executeCommand: async (command, args, next) => {
        if (command !== 'mmReview.replay') return next(command, args);
        const checked = checkReplayArgs(args[0]);
        if (typeof checked === 'string') {
          log.warn(`mmReview.replay refused: ${checked}`);
          void vscode.window.showWarningMessage(`MM Review: replay refused (${checked}).`);
          return undefined;
        }
        args = [checked];
        const req = checked;
        const ticket = replays.begin(req);
        let result: unknown;
        try {
          result = await next(command, args);
        } catch (e) {
          replays.fail(ticket, req, errorMessage(e));
          throw e;
        }
        if (isReplay(result)) replays.show(result, req, ticket);
        else replays.fail(ticket, req, 'the server returned no replay');
        return result;
      },
      workspace: {
        // Untrusted workspaces: never hand the kernel tree path to the server.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) return result;
          return result.map((value, i) =>
            params.items[i]?.section === 'mmReview' ? sanitizeSettings(value) : value);
        },
      },
    },
  };

  client = new LanguageClient('mmReview', 'MM Review', serverOptions, clientOptions);
  replays.setClient(client);

  // Status bar: finding count of the active document, "analyzing…" while the server works.
  const status = new StatusBar(client);
  context.subscriptions.push(status);
  client.onNotification('mmReview/status', (p: StatusParams) => {
    status.update(p);
    // Code lenses asked for while the document was still being analysed came
    // back empty: ask VS Code to fetch them again now that the findings exist.
    if (!p.running) refreshCodeLenses(client!, p.uri);
  });
  client.onDidChangeState((e) => {
    if (e.newState === State.Stopped) status.stopped();
  });

  const results = new ResultDocuments();
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, results));

  const reg = (id: string, fn: (...args: any[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  reg('mmReview.showLog', () => log.show(true));

  reg('mmReview.replayAtCursor', async () => {
    const req = await findingAtCursor(client!);
    if (!req) {
      void vscode.window.showInformationMessage('MM Review: no finding with a race scenario at the cursor. Try "MM Review: Replay scenario…".');
      return undefined;
    }
    return vscode.commands.executeCommand('mmReview.replay', { ...req, variant: req.variant ?? 'buggy' });
  });

  // Shows a Replay given as an argument, or the Replay JSON in the active
  // editor (e.g. the output of `mm-review replay S1 --format json`).
  reg('mmReview.openReplay', async (replayArg?: unknown) => {
    let r: unknown = replayArg;
    if (!isReplay(r)) {
      const doc = vscode.window.activeTextEditor?.document;
      try {
        r = doc ? JSON.parse(doc.getText()) : undefined;
      } catch {
        r = undefined;
      }
    }
    if (!isReplay(r)) {
      void vscode.window.showWarningMessage('MM Review: the active editor does not hold replay JSON (from `mm-review replay ID --format json`).');
      return undefined;
    }
    replays.show(r, r.finding ? { variant: r.variant } : { scenario: r.scenario, variant: r.variant, params: r.params });
    return r;
  });

  reg('mmReview.replayScenario', async (scenarioId?: string, variant?: string) => {
    const id = isScenarioId(scenarioId) ? scenarioId : (await pickScenario(client!, 'Scenario to replay'))?.id;
    if (!id) return undefined;
    return vscode.commands.executeCommand('mmReview.replay', { scenario: id, variant: variant === 'fixed' ? 'fixed' : 'buggy' });
  });

  reg('mmReview.exportLitmusAtCursor', async () => {
    let req: ReplayRequest | undefined = await findingAtCursor(client!);
    if (!req) {
      const s = await pickScenario(client!, 'Scenario to export as litmus');
      if (!s) return undefined;
      req = { scenario: s.id, variant: 'buggy' };
    }
    return exportLitmus(client!, req);
  });

  reg('mmReview.runLitmusFile', async (uri?: vscode.Uri) => {
    const doc = uri instanceof vscode.Uri
      ? await vscode.workspace.openTextDocument(uri)
      : vscode.window.activeTextEditor?.document;
    if (!doc || (doc.languageId !== 'litmus' && !doc.fileName.endsWith('.litmus'))) {
      void vscode.window.showWarningMessage('MM Review: open a .litmus file first.');
      return undefined;
    }
    const res = await client!.sendRequest<RunLitmusResult>('workspace/executeCommand', {
      command: 'mmReview.runLitmus', arguments: [{ text: doc.getText(), uri: doc.uri.toString() }],
    }).catch((e: unknown) => {
      void vscode.window.showErrorMessage(`MM Review: ${errorMessage(e)}`);
      return undefined;
    });
    if (!res) return undefined;
    log.info(`run ${path.basename(doc.fileName)}\n${res.text}`);
    const name = path.basename(doc.fileName).replace(/\.litmus$/, '') || 'litmus';
    const resultUri = results.set(`${name}.herd.txt`, res.text);
    const shown = await vscode.workspace.openTextDocument(resultUri);
    await vscode.window.showTextDocument(shown, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    return res;
  });

  reg('mmReview.reviewGitRange', async (rangeArg?: string) => reviewGitRange(rangeArg, log));

  reg('mmReview.showRuleDoc', async (ruleArg?: string) => showRuleDoc(context, client!, ruleArg));

  reg('mmReview.toggleDifferential', async () => {
    const cfg = vscode.workspace.getConfiguration('mmReview');
    const insp = cfg.inspect<boolean>('differential');
    const now = cfg.get<boolean>('differential', true);
    const target = insp?.workspaceFolderValue !== undefined || insp?.workspaceValue !== undefined
      ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await cfg.update('differential', !now, target);
    void vscode.window.setStatusBarMessage(`MM Review: differential mode ${!now ? 'on' : 'off'}`, 3000);
    return !now;
  });

  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => {
    // The kernel tree becomes usable: tell the server, and let it re-read its settings.
    void client?.sendNotification('mmReview/workspaceTrust', { trusted: true });
    void client?.sendNotification('workspace/didChangeConfiguration', { settings: { mmReview: settingsForServer() } });
  }));

  try {
    await client.start();
  } catch (e) {
    log.error(`MM Review language server failed to start: ${errorMessage(e)}`);
    void vscode.window.showErrorMessage(`MM Review: the language server failed to start (${errorMessage(e)}). See "MM Review: Show server log".`);
  }
  return { client, replayPanel: () => replays.panel, lastReplay: () => replays.current };
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
}

function refreshCodeLenses(lc: LanguageClient, uri: string): void {
  try {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === normalizeUri(uri));
    const feature = lc.getFeature('textDocument/codeLens');
    const provider = doc ? feature?.getProvider(doc) : undefined;
    provider?.onDidChangeCodeLensEmitter.fire();
  } catch {
    /* best effort */
  }
}

// ---------------------------------------------------------------------------
// Settings

function settingsForServer(): Record<string, unknown> {
  const cfg = vscode.workspace.getConfiguration('mmReview');
  return sanitizeSettings({
    differential: cfg.get('differential'),
    categories: cfg.get('categories'),
    severityOverrides: cfg.get('severityOverrides'),
    kernelTree: cfg.get('kernelTree'),
    maxFileSizeMB: cfg.get('maxFileSizeMB'),
    debounceMs: cfg.get('debounceMs'),
    repairDetails: cfg.get('repairDetails'),
  }) as Record<string, unknown>;
}

function sanitizeSettings(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  if (vscode.workspace.isTrusted) return value;
  const copy = { ...(value as Record<string, unknown>) };
  // restrictedConfigurations already hides workspace values; also drop the path entirely.
  copy.kernelTree = '';
  return copy;
}

// ---------------------------------------------------------------------------
// Status bar

class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mmReview.status', vscode.StatusBarAlignment.Left, 50);
  private readonly state = new Map<string, StatusParams>();
  private readonly subs: vscode.Disposable[] = [];
  constructor(private readonly lc: LanguageClient) {
    this.item.name = 'MM Review';
    this.item.command = 'workbench.actions.view.problems';
    this.subs.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.languages.onDidChangeDiagnostics(() => this.render()),
      vscode.workspace.onDidCloseTextDocument((d) => this.state.delete(d.uri.toString())),
    );
    this.render();
  }
  update(p: StatusParams): void {
    this.state.set(normalizeUri(p.uri), p);
    this.render();
  }
  stopped(): void {
    this.item.text = '$(error) MM Review: stopped';
    this.item.tooltip = 'The MM Review language server stopped. See "MM Review: Show server log".';
    this.item.command = 'mmReview.showLog';
    this.item.show();
  }
  private render(): void {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !isReviewable(doc)) {
      this.item.hide();
      return;
    }
    const key = normalizeUri(doc.uri.toString());
    const st = this.state.get(key);
    const diags = diagnosticsOf(doc.uri);
    const count = st && !st.running ? st.findings : diags.filter((d) => d.severity !== vscode.DiagnosticSeverity.Hint).length;
    if (st?.running) {
      this.item.text = '$(sync~spin) MM Review: analyzing…';
      this.item.tooltip = 'MM Review is analysing this document';
    } else {
      this.item.text = `$(${count ? 'bug' : 'check'}) MM Review: ${count} finding${count === 1 ? '' : 's'}`;
      this.item.tooltip = count ? 'Show the findings in the Problems panel' : 'No findings in this document';
    }
    this.item.command = 'workbench.actions.view.problems';
    this.item.show();
  }
  dispose(): void {
    this.item.dispose();
    for (const s of this.subs) s.dispose();
  }
}

/**
 * The server's diagnostics of a document, from VS Code (not
 * `client.diagnostics`: reading that before the client has started creates a
 * second 'mmReview' collection, which VS Code warns about).
 */
function diagnosticsOf(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'mm-review');
}

function normalizeUri(u: string): string {
  try {
    return vscode.Uri.parse(u).toString();
  } catch {
    return u;
  }
}

function isReviewable(doc: vscode.TextDocument): boolean {
  return LANGUAGES.includes(doc.languageId) || /\.(patch|diff|mbox|mbx|eml|litmus)$/i.test(doc.fileName);
}

// ---------------------------------------------------------------------------
// Finding at cursor

/** A request names a finding (uri, rule, range) or a seed scenario. */
function hasTarget(r: ReplayRequest): boolean {
  return (typeof r.scenario === 'string' && !!r.scenario) || (!!r.rule && !!r.range);
}

/** What the view calls a request while it loads: the rule of a finding, or the seed scenario. */
function requestLabel(r: ReplayRequest): string {
  return r.scenario ?? r.rule ?? 'race';
}

/**
 * The replay arguments of the finding under the cursor. The code lenses carry
 * the full arguments (scenario and params); the diagnostics' data carries at
 * least the scenario. Order: a lens whose finding range covers the cursor, a
 * diagnostic under the cursor (with the params of its lens when there is one),
 * then the nearest lens above the cursor.
 */
async function findingAtCursor(lc: LanguageClient): Promise<ReplayRequest | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const doc = editor.document;
  const pos = editor.selection.active;

  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 50)
    .then((x) => x, () => [] as vscode.CodeLens[])) ?? [];
  const lensReqs = lenses
    .filter((l) => l.command?.command === 'mmReview.replay')
    .map((l) => {
      const req = { ...(l.command!.arguments?.[0] as ReplayRequest) };
      req.uri ??= doc.uri.toString();
      return { req, range: req.range ? toRange(req.range) : l.range };
    })
    .filter((x) => hasTarget(x.req));
  const covering = lensReqs.find((x) => x.range.contains(pos))
    ?? lensReqs.find((x) => x.range.start.line <= pos.line && pos.line <= x.range.end.line);
  if (covering) return covering.req;

  const diags = diagnosticsOf(doc.uri);
  const withScenario = diags
    .map((d) => ({ d, req: replayRequestFromData((d as unknown as { data?: unknown }).data, doc.uri) }))
    .filter((x): x is { d: vscode.Diagnostic; req: ReplayRequest } => !!x.req);
  const hit = withScenario.find((x) => x.d.range.contains(pos))
    ?? withScenario.find((x) => x.d.range.start.line <= pos.line && pos.line <= x.d.range.end.line);
  if (hit) {
    const lens = lensReqs.find((x) => x.req.rule === hit.req.rule && x.req.scenario === hit.req.scenario && x.range.intersection(hit.d.range));
    return lens ? lens.req : { ...hit.req, range: hit.req.range ?? fromRange(hit.d.range) };
  }

  let best: { req: ReplayRequest; dist: number } | undefined;
  for (const x of lensReqs) {
    const dist = pos.line - x.range.start.line;
    if (dist < 0) continue; // below the cursor
    if (!best || dist < best.dist) best = { req: x.req, dist };
  }
  return best?.req;
}

function fromRange(r: vscode.Range): NonNullable<ReplayRequest['range']> {
  return { start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } };
}

/** The replay a diagnostic's data names (the server puts the finding's replay arguments there). */
function replayRequestFromData(data: unknown, uri: vscode.Uri): ReplayRequest | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Record<string, unknown>;
  if (!d.replay || typeof d.replay !== 'object') return undefined;
  const checked = checkReplayArgs({ uri: uri.toString(), ...(d.replay as object) });
  return typeof checked === 'string' ? undefined : checked;
}

function toRange(r: NonNullable<ReplayRequest['range']>): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

async function pickScenario(lc: LanguageClient, placeHolder: string): Promise<ScenarioInfo | undefined> {
  const list = await vscode.commands.executeCommand<ScenarioInfo[]>('mmReview.scenarios').then(
    (x) => x,
    async () => lc.sendRequest<ScenarioInfo[]>('workspace/executeCommand', { command: 'mmReview.scenarios', arguments: [] }),
  );
  if (!Array.isArray(list) || list.length === 0) {
    void vscode.window.showWarningMessage('MM Review: the server returned no scenarios.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    list.map((s) => ({ label: `${s.id}: ${s.title}`, description: s.seed ? `seed ${s.seed}` : undefined, s })),
    { placeHolder, matchOnDescription: true },
  );
  return picked?.s;
}

export async function exportLitmus(lc: LanguageClient, req: ReplayRequest): Promise<string | undefined> {
  const args = req.scenario
    ? { scenario: req.scenario, variant: req.variant ?? 'buggy', params: req.params ?? {} }
    : { uri: req.uri, rule: req.rule, range: req.range, variant: req.variant ?? 'buggy' };
  const text = await lc.sendRequest<string>('workspace/executeCommand', {
    command: 'mmReview.exportLitmus',
    arguments: [args],
  }).catch((e: unknown) => {
    void vscode.window.showErrorMessage(`MM Review: export failed: ${errorMessage(e)}`);
    return undefined;
  });
  if (typeof text !== 'string') return undefined;
  const doc = await vscode.workspace.openTextDocument({ language: 'litmus', content: text });
  await vscode.window.showTextDocument(doc, { preview: false });
  return text;
}

// ---------------------------------------------------------------------------
// Read-only result documents (Run litmus file)

class ResultDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  set(name: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: RESULT_SCHEME, path: '/' + name });
    this.texts.set(uri.toString(), text);
    this.emitter.fire(uri);
    return uri;
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
}

// ---------------------------------------------------------------------------
// Review git commit or range

async function reviewGitRange(rangeArg: string | undefined, log: vscode.LogOutputChannel): Promise<string | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('MM Review: reviewing a git range runs git, which needs a trusted workspace.');
    return undefined;
  }
  const tree = kernelTreeFolder();
  if (!tree) {
    void vscode.window.showWarningMessage('MM Review: open a kernel git tree as the workspace, or set "mmReview.kernelTree".');
    return undefined;
  }
  const range = typeof rangeArg === 'string' ? rangeArg : await vscode.window.showInputBox({
    title: 'MM Review: Review git commit or range',
    prompt: `A commit (reviews that one commit) or a range such as origin/master..HEAD, in ${tree}`,
    placeHolder: 'HEAD~3..HEAD',
    validateInput: (v) => validateRange(v),
  });
  if (range === undefined) return undefined;
  const bad = validateRange(range);
  if (bad) {
    void vscode.window.showErrorMessage(`MM Review: ${bad}`);
    return undefined;
  }
  // One commit means "that commit" (-1), a range means all of its commits.
  const args = ['format-patch', '--stdout', '--no-color'];
  if (!range.includes('..')) args.push('-1');
  args.push(range.trim(), '--');
  log.info(`git ${args.join(' ')}  (in ${tree})`);
  const text = await new Promise<string | undefined>((resolve) => {
    execFile('git', args, { cwd: tree, maxBuffer: 512 * 1024 * 1024, windowsHide: true, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        log.error(`git format-patch failed: ${stderr || err.message}`);
        void vscode.window.showErrorMessage(`MM Review: git format-patch failed: ${(stderr || err.message).trim().split('\n')[0]}`);
        resolve(undefined);
      } else resolve(stdout);
    });
  });
  if (text === undefined) return undefined;
  if (!text.trim()) {
    void vscode.window.showInformationMessage(`MM Review: ${range} has no commits.`);
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'diff', content: text });
  await vscode.window.showTextDocument(doc, { preview: false });
  return text;
}

/** A revision or range: no options (leading "-"), no whitespace inside. */
export function validateRange(v: string): string | undefined {
  const s = v.trim();
  if (!s) return 'Enter a commit or a range (e.g. HEAD~3..HEAD).';
  if (s.startsWith('-')) return 'A revision cannot start with "-".';
  if (/\s/.test(s)) return 'One revision or range, without spaces.';
  if (!/^[\w./~^@{}:+-]+$/.test(s)) return 'Unexpected characters in the revision.';
  return undefined;
}

function kernelTreeFolder(): string | undefined {
  const configured = vscode.workspace.getConfiguration('mmReview').get<string>('kernelTree')?.trim();
  if (configured && fs.existsSync(configured)) return configured;
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    if (f.uri.scheme === 'file' && fs.existsSync(path.join(f.uri.fsPath, '.git'))) return f.uri.fsPath;
  }
  const first = vscode.workspace.workspaceFolders?.[0];
  return first?.uri.scheme === 'file' ? first.uri.fsPath : undefined;
}

// ---------------------------------------------------------------------------
// Rule documentation

async function showRuleDoc(context: vscode.ExtensionContext, lc: LanguageClient, ruleArg?: string): Promise<string | undefined> {
  const docsDir = vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules');
  // a rule id only: it becomes a file name under docs/rules
  let rule = isRuleId(ruleArg) ? ruleArg : undefined;
  const editor = vscode.window.activeTextEditor;
  if (!rule && editor) {
    const diags = diagnosticsOf(editor.document.uri);
    const pos = editor.selection.active;
    const d = diags.find((x) => x.range.contains(pos)) ?? diags.find((x) => x.range.start.line === pos.line);
    if (d) {
      const code = diagnosticCode(d);
      if (isRuleId(code)) rule = code;
    }
  }
  if (!rule) {
    let files: [string, vscode.FileType][] = [];
    try {
      files = await vscode.workspace.fs.readDirectory(docsDir);
    } catch {
      /* no docs shipped */
    }
    const ids = files.filter(([n]) => n.endsWith('.md') && n !== 'README.md').map(([n]) => n.slice(0, -3).replace(/--/g, '/')).sort();
    if (ids.length === 0) {
      void vscode.window.showWarningMessage('MM Review: no rule documentation found in the extension.');
      return undefined;
    }
    rule = await vscode.window.showQuickPick(ids, { placeHolder: 'Rule' });
    if (!rule) return undefined;
  }
  const file = vscode.Uri.joinPath(docsDir, rule.replace(/\//g, '--') + '.md');
  try {
    await vscode.workspace.fs.stat(file);
  } catch {
    void vscode.window.showWarningMessage(`MM Review: no documentation for ${rule}.`);
    return undefined;
  }
  await vscode.commands.executeCommand('markdown.showPreview', file).then(undefined, async () => {
    await vscode.window.showTextDocument(file, { preview: true });
  });
  return rule;
}

function diagnosticCode(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (c === undefined) return undefined;
  if (typeof c === 'object') return String(c.value);
  return String(c);
}

// ---------------------------------------------------------------------------
// Replay view

class ReplayController {
  panel: ReplayPanel | undefined;
  private panelInView = false;
  private queue: Promise<void> = Promise.resolve();
  private readonly waiting: ((p: ReplayPanel) => void)[] = [];
  current: Replay | undefined;
  private request: ReplayRequest | undefined;
  private lc: LanguageClient | undefined;
  private tickets = 0;
  constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.LogOutputChannel) {}
  setClient(lc: LanguageClient): void {
    this.lc = lc;
  }
  /** A replay was asked for: open (or reuse) the view in a loading state. Returns a ticket: only the newest request's answer is shown. */
  begin(req: ReplayRequest): number {
    const ticket = ++this.tickets;
    if (hasTarget(req)) this.withPanel((p) => p.loading(requestLabel(req), req.variant === 'fixed' ? 'fixed' : 'buggy'));
    return ticket;
  }
  fail(ticket: number, req: ReplayRequest, message: string): void {
    if (ticket !== this.tickets || !this.panel || this.panel.disposed) return;
    this.log.error(`replay ${requestLabel(req)} (${req.variant ?? 'buggy'}) failed: ${message}`);
    this.withPanel((p) => p.error(requestLabel(req), req.variant === 'fixed' ? 'fixed' : 'buggy', message));
  }
  show(replay: Replay, req: ReplayRequest, ticket?: number): void {
    if (ticket !== undefined && ticket !== this.tickets) return; // a newer request is on its way
    this.current = replay;
    // a finding's replay is asked for again by the finding (its place); a seed scenario by its id and names
    this.request = req.rule && req.range ? { ...req } : { ...req, scenario: req.scenario ?? replay.scenario, params: req.params ?? replay.params };
    const lines = this.stepLines(replay);
    this.withPanel((p) => p.show(replay, lines));
  }

  /**
   * The bottom panel's "Race replay" view (package.json contributes it): VS
   * Code resolves it when it is first shown, and the replay view lives in it.
   */
  registerView(): vscode.Disposable {
    return vscode.window.registerWebviewViewProvider(ReplayPanel.viewId, {
      resolveWebviewView: (view) => {
        const p = new ReplayPanel(this.context.extensionUri, this.handlers(), viewHost(view));
        if (!this.panel || this.panel.disposed || this.panelInView) {
          this.panel = p;
          this.panelInView = true;
        }
        for (const w of this.waiting.splice(0)) w(p);
      },
    }, { webviewOptions: { retainContextWhenHidden: true } });
  }

  /** Run `fn` on the view once it exists; calls keep their order. */
  private withPanel(fn: (p: ReplayPanel) => void): void {
    this.queue = this.queue.then(async () => fn(await this.ensurePanel())).catch((e) => this.log.error(`replay view: ${errorMessage(e)}`));
  }

  /**
   * Where the replay opens (mmReview.replayLocation): by default the view in
   * the bottom panel, so that the patch keeps the editor's whole width; or
   * an editor beside the patch. If the panel's view does not come up (a
   * layout without a panel), an editor beside it.
   */
  private async ensurePanel(): Promise<ReplayPanel> {
    if (this.panel && !this.panel.disposed) return this.panel;
    const where = vscode.workspace.getConfiguration('mmReview').get<string>('replayLocation', 'panel');
    if (where === 'panel') {
      const resolved = new Promise<ReplayPanel | undefined>((resolve) => {
        this.waiting.push(resolve);
        setTimeout(() => resolve(undefined), 5000);
      });
      await vscode.commands.executeCommand(`${ReplayPanel.viewId}.focus`).then(undefined, () => undefined);
      const p = await resolved;
      if (p && !p.disposed) {
        this.panel = p;
        this.panelInView = true;
        await this.sizeOnce();
        return p;
      }
      this.log.warn('the replay view in the panel did not open; opening the replay beside the patch');
    }
    this.panel = new ReplayPanel(this.context.extensionUri, this.handlers());
    this.panelInView = false;
    return this.panel;
  }

  /**
   * The first time the replay opens in the panel, make the panel taller (the
   * default panel shows a step or two): the lanes need height, and the patch
   * above keeps its width. Once per installation; after that the panel keeps
   * whatever size the reviewer gives it (VS Code remembers it).
   */
  private async sizeOnce(): Promise<void> {
    const key = 'mmReview.replayPanelSized';
    if (this.context.globalState.get<boolean>(key)) return;
    await this.context.globalState.update(key, true);
    // "Decrease Editor Height" (60 px a step) gives the height to the panel below the editor
    for (let i = 0; i < 2; i++) await vscode.commands.executeCommand('workbench.action.decreaseViewHeight').then(undefined, () => undefined);
  }

  private handlers(): ReplayHandlers {
    return {
      onVariant: (v) => this.switchVariant(v),
      onReveal: (line) => this.reveal(line),
      onExport: () => {
        if (this.lc && this.request) void exportLitmus(this.lc, { ...this.request, variant: this.current?.variant ?? 'buggy' });
      },
    };
  }
  private async switchVariant(variant: 'buggy' | 'fixed'): Promise<void> {
    if (!this.request) return;
    try {
      // Through the command so the middleware (and any listener) sees it too.
      await vscode.commands.executeCommand('mmReview.replay', { ...this.request, variant });
    } catch (e) {
      this.log.error(`replay ${variant} failed: ${errorMessage(e)}`);
      void vscode.window.showErrorMessage(`MM Review: replay failed: ${errorMessage(e)}`);
    }
  }
  /** Patch lines (0-based) of the steps that correspond to a line of the patch. */
  private stepLines(replay: Replay): Record<number, number> {
    const out: Record<number, number> = {};
    const uri = this.request?.uri;
    if (!uri) return out;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    const anchor = typeof replay.params?.line === 'number' ? replay.params.line - 1
      : this.request?.range ? this.request.range.start.line : undefined;
    for (const s of replay.steps) {
      // the step's own line of the patch (its origin), else the litmus source's patch line
      const o = s.origin;
      const patchLine = o && (o.kind === 'patch' || o.kind === 'fix') ? o.line : s.source?.patchLine;
      if (typeof patchLine === 'number' && patchLine > 0) {
        out[s.index] = patchLine - 1;
        continue;
      }
      // steps of a counterpart protocol are not in the patch
      if (o?.kind === 'counterpart' || replay.family) continue;
      if (!doc || anchor === undefined) continue;
      const line = nearestLineWith(doc, s.text, anchor);
      if (line !== undefined) out[s.index] = line;
    }
    return out;
  }
  private async reveal(line: number): Promise<void> {
    const uri = this.request?.uri;
    if (!uri) return;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
    const l = Math.max(0, Math.min(line, doc.lineCount - 1));
    const r = doc.lineAt(l).range;
    editor.selection = new vscode.Selection(r.start, r.start);
    editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
}

/**
 * The patch line nearest to `anchor` (within 200 lines) whose code contains
 * the step's source statement, ignoring whitespace and the diff's +/-/space
 * prefix. Steps that are not in the patch (the other CPU) find nothing.
 */
function nearestLineWith(doc: vscode.TextDocument, stepText: string, anchor: number): number | undefined {
  const needle = squash(stepText);
  if (needle.length < 4) return undefined;
  let best: number | undefined;
  const lo = Math.max(0, anchor - 200);
  const hi = Math.min(doc.lineCount - 1, anchor + 200);
  for (let l = lo; l <= hi; l++) {
    const t = doc.lineAt(l).text;
    if (!/^[+ ]/.test(t)) continue;
    if (!squash(t.slice(1)).includes(needle)) continue;
    if (best === undefined || Math.abs(l - anchor) < Math.abs(best - anchor)) best = l;
  }
  return best;
}

function squash(s: string): string {
  return s.replace(/\/\*.*?\*\/|\/\/.*$/g, '').replace(/\s+/g, '');
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
