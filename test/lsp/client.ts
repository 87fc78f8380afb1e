/**
 * A tiny LSP client for tests: spawns `mm-review-lsp --stdio` and talks
 * JSON-RPC over its stdin/stdout with vscode-jsonrpc, as an editor would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: {
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    severity?: number;
    code?: string;
    codeDescription?: { href: string };
    message: string;
    relatedInformation?: { location: { uri: string; range: unknown }; message: string }[];
    data?: unknown;
  }[];
}

/** The Node options of a bin script's `#!/usr/bin/env -S node FLAGS...` line. */
export function shebangNodeArgs(bin: string): string[] {
  const words = fs.readFileSync(bin, 'utf8').split('\n', 1)[0].replace(/^#!/, '').trim().split(/\s+/);
  const i = words.indexOf('node');
  return i < 0 ? [] : words.slice(i + 1).filter((w) => w.startsWith('-'));
}

export class LspClient {
  readonly proc: ChildProcess;
  readonly conn: MessageConnection;
  private readonly waiters: { uri: string; pred: (d: PublishedDiagnostics) => boolean; resolve: (d: PublishedDiagnostics) => void; reject: (e: Error) => void }[] = [];
  readonly published = new Map<string, PublishedDiagnostics>();
  readonly notifications: { method: string; params: unknown }[] = [];
  stderr = '';

  constructor(args: string[] = ['--stdio']) {
    // as the installed mm-review-lsp starts node: with the Node options of its #! line (--expose-gc, the heap sizes)
    const bin = path.join(ROOT, 'server', 'bin', 'mm-review-lsp.js');
    this.proc = spawn(process.execPath, [...shebangNodeArgs(bin), bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d) => (this.stderr += d));
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
      this.published.set(p.uri, p);
      for (const w of [...this.waiters]) {
        if (w.uri === p.uri && w.pred(p)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(p);
        }
      }
    });
    this.conn.onNotification((method: string, params: unknown) => {
      this.notifications.push({ method, params });
    });
    this.conn.onRequest('workspace/configuration', () => [{}]);
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.listen();
    // If the server dies, fail fast: pending requests reject and waiters get the server's stderr.
    this.proc.on('exit', (code) => {
      this.exited = code ?? -1;
      for (const w of this.waiters.splice(0)) w.reject(new Error(`server exited (${code}); stderr: ${this.stderr}`));
      this.conn.dispose();
    });
  }

  exited: number | null = null;

  async initialize(rootDir?: string, capabilities: object = {}, initializationOptions?: object): Promise<any> {
    const res = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: rootDir ? pathToFileURL(rootDir).toString() : null,
      workspaceFolders: rootDir ? [{ uri: pathToFileURL(rootDir).toString(), name: 'ws' }] : null,
      capabilities,
      initializationOptions,
    });
    await this.conn.sendNotification('initialized', {});
    return res;
  }

  /** Resolves with the first publication for `uri` (from now on, or already received) matching `pred`. */
  diagnostics(uri: string, pred: (d: PublishedDiagnostics) => boolean = () => true, timeoutMs = 20000): Promise<PublishedDiagnostics> {
    const have = this.published.get(uri);
    if (have && pred(have)) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({ uri, pred, resolve: (d) => (clearTimeout(t), resolve(d)), reject: (e) => (clearTimeout(t), reject(e)) });
    });
  }

  open(uri: string, text: string, languageId = 'diff', version = 1): void {
    void this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  openFile(file: string, languageId = 'diff'): { uri: string; text: string } {
    const text = fs.readFileSync(file, 'utf8');
    const uri = pathToFileURL(file).toString();
    this.open(uri, text, languageId);
    return { uri, text };
  }

  request<T = any>(method: string, params: unknown): Promise<T> {
    return this.conn.sendRequest(method, params) as Promise<T>;
  }

  notify(method: string, params: unknown): void {
    void this.conn.sendNotification(method, params);
  }

  async shutdown(): Promise<number | null> {
    if (this.exited !== null) return this.exited;
    try {
      await this.conn.sendRequest('shutdown');
      await this.conn.sendNotification('exit');
    } catch {
      /* already gone */
    }
    const code = await new Promise<number | null>((resolve) => {
      if (this.proc.exitCode !== null) return resolve(this.proc.exitCode);
      const t = setTimeout(() => (this.proc.kill(), resolve(null)), 3000);
      this.proc.on('exit', (c) => (clearTimeout(t), resolve(c)));
    });
    this.conn.dispose();
    return code;
  }
}
