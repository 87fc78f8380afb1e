// The replay view: a webview that renders the simulator's Replay JSON
// (media/replay.js + media/replay.css). The HTML carries no data and no inline
// code: the replay is posted to the page after it says "ready", and the only
// script is media/replay.js with a per-load nonce.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

export type { Replay, ReplayArgs as ReplayRequest } from 'mm-review-server/protocol/replay';
import type { Replay } from 'mm-review-server/protocol/replay';

export interface ReplayHandlers {
  onVariant(variant: 'buggy' | 'fixed'): void;
  onReveal(line: number): void;
  onExport(): void;
}

type ToWebview =
  | { type: 'replay'; replay: Replay; lines: Record<number, number> }
  | { type: 'loading'; scenario: string; variant: 'buggy' | 'fixed' }
  | { type: 'error'; scenario: string; variant: 'buggy' | 'fixed'; message: string };


type FromWebview =
  | { type: 'ready' }
  | { type: 'variant'; variant: 'buggy' | 'fixed' }
  | { type: 'reveal'; line: number }
  | { type: 'export' };

/**
 * Where the replay view lives (extension.ts decides): a view in the bottom
 * panel (the default: the patch keeps the editor's whole width), or an editor
 * beside the patch.
 */
export interface ReplayHost {
  readonly webview: vscode.Webview;
  readonly visible: boolean;
  setTitle(title: string): void;
  reveal(): void;
  onDidDispose(cb: () => void): void;
}

/** The view in the bottom panel (a WebviewView resolved by VS Code). */
export function viewHost(view: vscode.WebviewView): ReplayHost {
  return {
    webview: view.webview,
    get visible() {
      return view.visible;
    },
    setTitle: (t) => (view.description = t),
    reveal: () => view.show(true),
    onDidDispose: (cb) => view.onDidDispose(cb),
  };
}

/** An editor beside the patch (mmReview.replayLocation = "editor"). */
export function editorHost(extensionUri: vscode.Uri): ReplayHost {
  const media = vscode.Uri.joinPath(extensionUri, 'media');
  const panel = vscode.window.createWebviewPanel(
    ReplayPanel.viewType,
    'Race replay',
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
    { enableScripts: true, localResourceRoots: [media], retainContextWhenHidden: true, enableFindWidget: true },
  );
  panel.iconPath = vscode.Uri.joinPath(media, 'replay-icon.svg');
  return {
    webview: panel.webview,
    get visible() {
      return panel.visible;
    },
    setTitle: (t) => (panel.title = t),
    reveal: () => panel.reveal(undefined, false),
    onDidDispose: (cb) => panel.onDidDispose(cb),
  };
}

export class ReplayPanel {
  static readonly viewType = 'mmReview.replay';
  /** The id of the view in the bottom panel (package.json contributes.views). */
  static readonly viewId = 'mmReview.replayView';
  readonly host: ReplayHost;
  disposed = false;
  private ready = false;
  private pending: ToWebview | undefined;
  private lastReplay: ToWebview | undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly handlers: ReplayHandlers, host?: ReplayHost) {
    this.host = host ?? editorHost(extensionUri);
    this.host.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')] };
    this.host.webview.html = this.html();
    this.host.onDidDispose(() => (this.disposed = true));
    this.host.webview.onDidReceiveMessage((m: FromWebview) => this.receive(m));
  }

  show(replay: Replay, lines: Record<number, number>): void {
    this.host.setTitle(`Replay: ${replay.finding ? `${replay.finding.function}()` : replay.scenario} (${replay.variant})`);
    this.post({ type: 'replay', replay, lines });
  }

  /** The simulator is working (a replay takes from milliseconds to seconds): say so in the view. */
  loading(scenario: string, variant: 'buggy' | 'fixed'): void {
    this.host.setTitle(`Replay ${scenario} (${variant})…`);
    this.post({ type: 'loading', scenario, variant });
  }

  /** The replay failed: the view says why and keeps the last replay it had. */
  error(scenario: string, variant: 'buggy' | 'fixed', message: string): void {
    this.host.setTitle(`Replay ${scenario} (${variant})`);
    this.post({ type: 'error', scenario, variant, message });
  }

  private post(m: ToWebview): void {
    if (m.type === 'replay') this.lastReplay = m;
    this.pending = m;
    if (this.ready) void this.host.webview.postMessage(m);
    if (!this.host.visible) this.host.reveal();
  }

  /** The page (re)loaded: send the last replay, then the newest state if it is a loading or error state. */
  private flush(): void {
    if (this.lastReplay) void this.host.webview.postMessage(this.lastReplay);
    if (this.pending && this.pending !== this.lastReplay) void this.host.webview.postMessage(this.pending);
  }

  private receive(m: FromWebview): void {
    if (!m || typeof m !== 'object') return;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.flush();
        break;
      case 'variant':
        if (m.variant === 'buggy' || m.variant === 'fixed') this.handlers.onVariant(m.variant);
        break;
      case 'reveal':
        if (Number.isInteger(m.line) && m.line >= 0) this.handlers.onReveal(m.line);
        break;
      case 'export':
        this.handlers.onExport();
        break;
    }
  }

  private html(): string {
    const w = this.host.webview;
    const nonce = randomBytes(18).toString('base64');
    const css = w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'replay.css'));
    const js = w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'replay.js'));
    const csp = [
      "default-src 'none'",
      `style-src ${w.cspSource}`,
      `script-src 'nonce-${nonce}'`,
      `img-src ${w.cspSource}`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}">
<title>Race replay</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="loading">Loading the replay…</p></main>
<script nonce="${nonce}" src="${js}"></script>
</body>
</html>`;
  }
}
