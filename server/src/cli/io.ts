import * as fs from 'node:fs';
import { readStreamCapped } from './input';
/** The CLI's view of the outside world, injectable for tests. */
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Read all of stdin (for FILE `-`). */
  readStdin: () => Promise<Buffer>;
  cwd: string;
  /** Resolves when what was written to stdout has been handed to the OS (before a stderr summary). */
  flush?: () => Promise<void>;
}

/** A subcommand: returns the exit code (0 ok, 1 findings at warning+, 2 usage/input error). */
export type Command = (args: string[], io: CliIO) => Promise<number>;

/** All of stdin, refused one byte past MAX_INPUT_BYTES (`mm-review check - < /dev/zero` ends with exit 2). */
function readStdin(): Promise<Buffer> {
  return readStreamCapped(process.stdin, '<stdin>');
}

/** `mm-review check x | head`: a closed pipe ends the output quietly, as for any Unix tool. */
function quietOnEpipe(e: NodeJS.ErrnoException): void {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
}

/**
 * Output written to descriptor `fd` with `writeSync` (partial writes
 * continued) until the descriptor refuses more for now (EAGAIN: non-blocking
 * and full); that rest and everything after go to `fallback`, in order. Any
 * other error goes to `onError`.
 */
export function directWriter(
  fd: number,
  writeSync: (fd: number, buf: Buffer, off: number, len: number) => number,
  fallback: (b: Buffer | string) => void,
  onError: (e: NodeJS.ErrnoException) => void,
): (s: string) => void {
  let direct = true;
  return (s) => {
    if (!direct) {
      fallback(s);
      return;
    }
    const buf = Buffer.from(s, 'utf8');
    for (let off = 0; off < buf.length;) {
      try {
        off += writeSync(fd, buf, off, buf.length - off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') {
          onError(e as NodeJS.ErrnoException);
          return;
        }
        direct = false;
        fallback(buf.subarray(off));
        return;
      }
    }
  };
}

/**
 * Run a command on the process's arguments and streams; its result is the exit code.
 *
 * `directStdout`: write stdout with fs.writeSync on descriptor 1 instead of
 * through process.stdout. Node builds process.stdout on first use, loading
 * its stream modules (about twenty); under the V8 options of the bin's #!
 * line Node compiles those from source, since its code cache of its own
 * modules is only valid without V8 options (docs/simulator.md, "Speed"). A
 * descriptor that is non-blocking and full (EAGAIN) hands the rest of the
 * output to process.stdout, in order.
 */
export function runMain(command: (args: string[], io: CliIO) => Promise<number>, opts: { directStdout?: boolean } = {}): void {
  let hooked = false;
  const hook = (): void => {
    if (hooked) return;
    process.stdout.on('error', quietOnEpipe);
    hooked = true;
  };
  if (!opts.directStdout) hook();
  // what was written to stdout has been handed over once this resolves: a summary on stderr
  // (the same terminal, often) then comes after the last line of output, never inside it
  let drained: Promise<void> = Promise.resolve();
  const viaStream = (s: string | Buffer): void => {
    hook();
    drained = new Promise((resolve) => process.stdout.write(s, () => resolve()));
  };
  const stdout = opts.directStdout ? directWriter(1, fs.writeSync, viaStream, quietOnEpipe) : viaStream;
  const io: CliIO = {
    stdout,
    stderr: (s) => process.stderr.write(s),
    flush: () => drained,
    readStdin,
    cwd: process.cwd(),
  };
  command(process.argv.slice(2), io).then(
    async (code) => {
      await drained;
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`mm-review: internal error: ${e}\n`);
      process.exitCode = 2;
    },
  );
}
