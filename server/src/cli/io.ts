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

/** Run a command on the process's arguments and streams; its result is the exit code. */
export function runMain(command: (args: string[], io: CliIO) => Promise<number>): void {
  // `mm-review check x | head`: a closed pipe ends the output quietly, as for any Unix tool.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  // what was written to stdout has been handed over once this resolves: a summary on stderr
  // (the same terminal, often) then comes after the last line of output, never inside it
  let drained: Promise<void> = Promise.resolve();
  const io: CliIO = {
    stdout: (s) => {
      drained = new Promise((resolve) => process.stdout.write(s, () => resolve()));
    },
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
