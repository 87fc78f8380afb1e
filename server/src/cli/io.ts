import { readStreamCapped } from './input';
/** The CLI's view of the outside world, injectable for tests. */
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Read all of stdin (for FILE `-`). */
  readStdin: () => Promise<Buffer>;
  cwd: string;
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
  const io: CliIO = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    readStdin,
    cwd: process.cwd(),
  };
  command(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`mm-review: internal error: ${e}\n`);
      process.exitCode = 2;
    },
  );
}
