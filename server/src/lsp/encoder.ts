/**
 * The JSON encoder of the server's stdio messages, with diagnostics
 * serialised once. A keystroke republishes every diagnostic of the document
 * (`publishDiagnostics` has no delta), but only a few of them changed: the
 * diagnostics features/diagnostics.ts keeps per finding are registered here
 * (`jsonOnce`) and their JSON text is reused from one publication to the
 * next. Stringifying the 3,237 diagnostics of a 50k-line series for every
 * keystroke was ~11 ms of the message loop, plus the garbage it left.
 *
 * The bytes are exactly JSON.stringify's: a registered object is never
 * mutated after it is registered, and a message is spliced only where a
 * diagnostics array stood.
 */
import { randomUUID } from 'node:crypto';

const json = new WeakMap<object, string>();

/** Register an object whose JSON text may be reused: it must never change afterwards. */
export function jsonOnce<T extends object>(o: T): T {
  if (!json.has(o)) json.set(o, JSON.stringify(o));
  return o;
}

/** An array's JSON with the registered elements' text reused (JSON.stringify's bytes). */
function arrayJson(list: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < list.length; i++) {
    if (i) out += ',';
    const x = list[i];
    const j = x && typeof x === 'object' ? json.get(x) : undefined;
    out += j ?? JSON.stringify(x) ?? 'null';
  }
  return out + ']';
}

/** Stands for the diagnostics array in the stringified message: a JSON string no URI or version can produce. */
const MARK = `mm-review-diagnostics-${randomUUID()}`;
const MARK_JSON = JSON.stringify(MARK);

/** JSON text of a JSON-RPC message. */
export function messageJson(msg: unknown): string {
  const m = msg as { method?: unknown; params?: { diagnostics?: unknown } } | null;
  const diagnostics = m?.method === 'textDocument/publishDiagnostics' ? m.params?.diagnostics : undefined;
  if (!Array.isArray(diagnostics) || !m?.params) return JSON.stringify(msg);
  const text = JSON.stringify({ ...m, params: { ...m.params, diagnostics: MARK } });
  const at = text.indexOf(MARK_JSON);
  return at < 0 ? JSON.stringify(msg) : text.slice(0, at) + arrayJson(diagnostics) + text.slice(at + MARK_JSON.length);
}

/** vscode-jsonrpc's content-type encoder (its own is `Buffer.from(JSON.stringify(msg))`). */
export const diagnosticsEncoder = {
  name: 'application/json',
  encode(msg: unknown, options: { charset: BufferEncoding }): Promise<Uint8Array> {
    try {
      return Promise.resolve(Buffer.from(messageJson(msg), options.charset));
    } catch (e) {
      return Promise.reject(e);
    }
  },
};
