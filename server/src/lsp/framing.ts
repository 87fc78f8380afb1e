/**
 * A guard on the LSP base protocol's framing over stdio: `Header: value\r\n`
 * lines, a blank line, then exactly Content-Length bytes. vscode-jsonrpc
 * reports a malformed header and then stays alive with its buffer out of
 * step, reading every later message as garbage: a server alive but deaf.
 * There is no way to find the next message again in a byte stream, so the
 * server says what was wrong on stderr and exits (the editor restarts it).
 *
 * The bytes pass through unchanged; only the headers are read here.
 */
import { Transform, type TransformCallback } from 'node:stream';

export class FramingError extends Error {}

/** Content-Length above this is taken as malformed (a document is at most mmReview.maxFileSizeMB, JSON-escaped). */
export const MAX_MESSAGE_BYTES = 1 << 30;
const MAX_HEADER_BYTES = 8192;

export class FramingGuard extends Transform {
  private header: number[] = [];
  /** Body bytes still to pass before the next header. */
  private remaining = 0;
  /** Messages framed so far (for tests). */
  messages = 0;

  constructor(private readonly maxBody = MAX_MESSAGE_BYTES) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - i);
        i += n;
        this.remaining -= n;
        continue;
      }
      this.header.push(chunk[i++]);
      const h = this.header;
      const k = h.length;
      if (k >= 4 && h[k - 4] === 13 && h[k - 3] === 10 && h[k - 2] === 13 && h[k - 1] === 10) {
        const err = this.endOfHeader(Buffer.from(h).toString('latin1'));
        if (err) return cb(new FramingError(err));
        this.header = [];
        this.messages++;
      } else if (k > MAX_HEADER_BYTES) {
        return cb(new FramingError(`a message header is longer than ${MAX_HEADER_BYTES} bytes without its blank line`));
      }
    }
    cb(null, chunk);
  }

  /** Validate one header block; returns an error message, or undefined (and sets the body length). */
  private endOfHeader(text: string): string | undefined {
    let length: number | undefined;
    for (const line of text.slice(0, -4).split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) return `malformed header line ${JSON.stringify(line.slice(0, 80))} (expected "Name: value")`;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name !== 'content-length') continue;
      if (!/^\d{1,12}$/.test(value)) return `malformed Content-Length ${JSON.stringify(value.slice(0, 40))} (expected a byte count)`;
      length = Number(value);
      if (length > this.maxBody) return `Content-Length ${length} is over the ${this.maxBody}-byte limit`;
    }
    if (length === undefined) return 'a message header has no Content-Length';
    this.remaining = length;
    return undefined;
  }
}
