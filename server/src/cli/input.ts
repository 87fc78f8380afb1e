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

function readOne(abs: string, shown: string): Input {
  let size: number;
  try {
    size = fs.statSync(abs).size;
  } catch (e) {
    throw new InputError(`${shown}: cannot read: ${(e as Error).message}`);
  }
  if (size > MAX_INPUT_BYTES) throw new InputError(`${shown}: file is ${(size / 1048576).toFixed(0)} MiB; the limit is ${MAX_INPUT_BYTES / 1048576} MiB`);
  try {
    return { path: shown, text: decode(fs.readFileSync(abs)) };
  } catch (e) {
    throw new InputError(`${shown}: cannot read: ${(e as Error).message}`);
  }
}
