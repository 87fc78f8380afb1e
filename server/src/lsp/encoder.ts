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
 *
 * A registered diagnostic is kept as its UTF-8 bytes, and a publication is
 * the concatenation of those buffers (`messageBytes`): making one string of
 * the whole message and encoding it again (`Buffer.from`) was ~2 ms of every
 * keystroke on a 5k-line series (lspk).
 */
import { randomUUID } from 'node:crypto';

/** Each registered object's JSON as UTF-8, in its own (unpooled) buffer: a pooled slice would keep its 8 KiB slab alive. */
const bytes = new WeakMap<object, Buffer>();

/** Register an object whose JSON text may be reused: it must never change afterwards. */
export function jsonOnce<T extends object>(o: T): T {
  if (!bytes.has(o)) bytes.set(o, ownBytes(JSON.stringify(o)));
  return o;
}

function ownBytes(s: string): Buffer {
  const n = Buffer.byteLength(s, 'utf8');
  const b = Buffer.allocUnsafeSlow(n);
  b.write(s, 0, n, 'utf8');
  return b;
}

const COMMA = Buffer.from(',');
const OPEN = Buffer.from('[');
const CLOSE = Buffer.from(']');
const NULL = Buffer.from('null');

/** Stands for the diagnostics array in the stringified message: a JSON string no URI or version can produce. */
const MARK = `mm-review-diagnostics-${randomUUID()}`;
const MARK_JSON = JSON.stringify(MARK);

/**
 * The bytes of a JSON-RPC message (UTF-8), a publishDiagnostics' array spliced from its registered
 * elements' bytes: exactly Buffer.from(JSON.stringify(msg)).
 */
export function messageBytes(msg: unknown): Buffer {
  const m = msg as { method?: unknown; params?: { diagnostics?: unknown } } | null;
  const diagnostics = m?.method === 'textDocument/publishDiagnostics' ? m.params?.diagnostics : undefined;
  if (!Array.isArray(diagnostics) || !m?.params) return Buffer.from(JSON.stringify(msg), 'utf8');
  const text = JSON.stringify({ ...m, params: { ...m.params, diagnostics: MARK } });
  const at = text.indexOf(MARK_JSON);
  if (at < 0) return Buffer.from(JSON.stringify(msg), 'utf8');
  const parts: Buffer[] = [Buffer.from(text.slice(0, at), 'utf8'), OPEN];
  for (let i = 0; i < diagnostics.length; i++) {
    if (i) parts.push(COMMA);
    const x: unknown = diagnostics[i];
    const b = x && typeof x === 'object' ? bytes.get(x) : undefined;
    if (b) parts.push(b);
    else {
      const j = JSON.stringify(x);
      parts.push(j === undefined ? NULL : Buffer.from(j, 'utf8'));
    }
  }
  parts.push(CLOSE, Buffer.from(text.slice(at + MARK_JSON.length), 'utf8'));
  return Buffer.concat(parts);
}

/** JSON text of a JSON-RPC message (the bytes of messageBytes as a string). */
export function messageJson(msg: unknown): string {
  return messageBytes(msg).toString('utf8');
}

/** vscode-jsonrpc's content-type encoder (its own is `Buffer.from(JSON.stringify(msg))`). */
export const diagnosticsEncoder = {
  name: 'application/json',
  encode(msg: unknown, options: { charset: BufferEncoding }): Promise<Uint8Array> {
    try {
      return Promise.resolve(options.charset === 'utf-8' || options.charset === 'utf8' ? messageBytes(msg) : Buffer.from(messageJson(msg), options.charset));
    } catch (e) {
      return Promise.reject(e);
    }
  },
};
