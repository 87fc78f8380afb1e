/**
 * Reading the CLI's inputs: files, directories (patch/mail files inside) and
 * stdin. Bytes are decoded here; the parser takes care of everything after.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliIO } from './io';

/** Files bigger than this are refused with a clear message (a real series is < 10 MiB). */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;
const PATCH_FILE = /\.(patch|diff|mbox|mbx|eml|mail)$/i;

export interface Input {
  /** What to print as the path: the argument, or `<stdin>`. */
  path: string;
  text: string;
}

export class InputError extends Error {}

/**
 * Decode bytes: UTF-8 when valid, else Latin-1 (every byte maps to one
 * character, so offsets stay meaningful for legacy-charset mails whose MIME
 * parts the parser re-decodes with their declared charset).
 */
export function decode(buf: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return buf.toString('latin1');
  }
}

function walk(dir: string, out: string[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && PATCH_FILE.test(e.name)) out.push(p);
  }
}

/** Expand arguments into inputs. Throws InputError with a user-facing message. */
export async function collectInputs(args: readonly string[], io: CliIO): Promise<Input[]> {
  const out: Input[] = [];
  for (const arg of args) {
    if (arg === '-') {
      const buf = await io.readStdin();
      out.push({ path: '<stdin>', text: decode(buf) });
      continue;
    }
    const abs = path.resolve(io.cwd, arg);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (e) {
      throw new InputError(`${arg}: cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    }
    if (st.isDirectory()) {
      const files: string[] = [];
      walk(abs, files);
      if (files.length === 0) throw new InputError(`${arg}: no .patch/.diff/.mbox/.eml files in this directory`);
      for (const f of files) out.push(readOne(f, path.relative(io.cwd, f) || f));
      continue;
    }
    out.push(readOne(abs, arg));
  }
  return out;
}

function tooLarge(shown: string, what: string, max: number): InputError {
  return new InputError(`${shown}: ${what}; the input limit is ${max / 1048576} MiB`);
}

/**
 * Read a file with a cap: a regular file's size is checked first, and every
 * file is read in chunks that stop one byte past the limit, so that a device
 * or a pipe (`/dev/zero`, a FIFO) that reports no size or never ends is
 * refused instead of exhausting memory.
 */
export function readFileCapped(abs: string, shown: string, max = MAX_INPUT_BYTES): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(abs, 'r');
  } catch (e) {
    throw new InputError(`${shown}: cannot read: ${(e as Error).message}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isFile() && st.size > max) throw tooLarge(shown, `file is ${(st.size / 1048576).toFixed(0)} MiB`, max);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, max + 1 - total));
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        throw new InputError(`${shown}: cannot read: ${(e as Error).message}`);
      }
      if (n === 0) break;
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
      total += n;
      if (total > max) throw new InputError(`${shown}: larger than the ${max / 1048576} MiB input limit; not read`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    fs.closeSync(fd);
  }
}

/** Read a stream (stdin) with the same cap: reading stops, and the input is refused, one byte past the limit. */
export function readStreamCapped(stream: NodeJS.ReadableStream, shown: string, max = MAX_INPUT_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const finish = (err: Error | null, buf?: Buffer) => {
      if (done) return;
      done = true;
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      if (err) {
        stream.pause();
        (stream as { destroy?: () => void }).destroy?.();
        reject(err);
      } else resolve(buf!);
    };
    const onData = (c: Buffer | string) => {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      chunks.push(b);
      total += b.length;
      if (total > max) finish(new InputError(`${shown}: larger than the ${max / 1048576} MiB input limit; not read`));
    };
    const onEnd = () => finish(null, Buffer.concat(chunks, total));
    const onError = (e: Error) => finish(new InputError(`${shown}: cannot read: ${e.message}`));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

function readOne(abs: string, shown: string): Input {
  return { path: shown, text: decode(readFileCapped(abs, shown)) };
}
