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
