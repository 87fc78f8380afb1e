/**
 * `mm-review litmus [--format text|json] FILE...`: run LKMM litmus tests and
 * print herd7-style results (text) or a JSON array of results (the one shape
 * of sim/resultJson.ts, as the language server's mmReview.runLitmus gives).
 * All files run in this one process (no per-file start-up cost; the bin
 * script loads only the simulator for this command, cli/litmusMain.ts).
 * Exit codes: 0 when every file ran (whatever the verdicts), 2 on bad usage,
 * an unreadable file, a syntax error or an unsupported construct (reported
 * as file:line:col: message; the test's verdict is "unsupported").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LitmusResult, LitmusSyntaxError, formatHerd, runLitmus } from '../sim/run';
import { litmusResultJson } from '../sim/resultJson';
import { UsageError, type CommandSpec } from './args';

function positiveInt(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${flag} needs a positive integer (got '${String(v)}')`);
  return n;
}

export const litmusCommand: CommandSpec = {
  name: 'litmus',
  summary: 'run LKMM litmus tests, herd7-style output',
  args: 'FILE...',
  description: 'Runs each litmus test (the C dialect of the kernel\'s tools/memory-model) on the built-in Linux-Kernel Memory Model and prints herd7\'s report (states, Positive/Negative counts, the Observation line). FILE may be - for stdin. An enumeration that hits its bound says Incomplete, never a guess.',
  options: {
    format: { type: 'string', default: 'text', values: ['text', 'json'], description: 'herd7-style text, or a JSON array (the same object as the language server\'s mmReview.runLitmus)' },
    'max-executions': { type: 'string', metavar: 'N', description: 'stop after N candidate executions' },
    'timeout-ms': { type: 'string', metavar: 'N', description: 'stop after N milliseconds' },
  },
  positionals: { min: 1 },
  examples: ['mm-review litmus test/litmus/SB+wmbs.litmus', 'mm-review litmus --format json a.litmus b.litmus'],
  async run(values, files, io) {
    const format = values.format as 'text' | 'json';
    const opts = { maxExecutions: positiveInt(values['max-executions'], 'max-executions'), timeoutMs: positiveInt(values['timeout-ms'], 'timeout-ms') };
    let status = 0;
    const json: Record<string, unknown>[] = [];
    // Text results are written in batches: one write per test costs more
    // than a small test does. A batch goes out after 100 ms or 64 KB (so a
    // long run still shows its results as it goes), before anything is
    // written to stderr (so the two keep their order on one terminal), and
    // at the end.
    let pending = '';
    let flushedAt = Date.now();
    const flush = (): void => {
      if (pending) io.stdout(pending);
      pending = '';
      flushedAt = Date.now();
    };
    const emit = (s: string): void => {
      pending += s;
      if (pending.length >= 1 << 16 || Date.now() - flushedAt >= 100) flush();
    };
    const stderr = (s: string): void => {
      flush();
      io.stderr(s);
    };
    try {
      await runFiles();
    } finally {
      flush();
    }
    if (format === 'json') io.stdout(JSON.stringify(json, null, 2) + '\n');
    return status;

    async function runFiles(): Promise<void> {
      for (const f of files) {
        let src: string;
        try {
          src = f === '-' ? (await io.readStdin()).toString('utf8') : fs.readFileSync(path.resolve(io.cwd, f), 'utf8');
        } catch (e) {
          stderr(`${f}: cannot read: ${(e as Error).message}\n`);
          status = 2;
          continue;
        }
        let r: LitmusResult;
        try {
          // the herd7-style text does not show explanations of forbidden outcomes: skip that pass
          r = runLitmus(src, { ...opts, explain: format === 'json', witnesses: format === 'json' ? 3 : 0 });
        } catch (e) {
          if (e instanceof LitmusSyntaxError) {
            stderr(`${f}:${e.line}:${e.column}: ${e.message}\n`);
            if (format === 'json') {
              json.push({ file: f, observation: e.unsupported ? 'unsupported' : 'syntax-error', error: { message: e.message, line: e.line, column: e.column } });
            } else if (e.unsupported) {
              emit(`Test ${testName(src) ?? path.basename(f)} unsupported\n${f}:${e.line}:${e.column}: ${e.message}\n${files.length > 1 ? '\n' : ''}`);
            }
            status = 2;
            continue;
          }
          throw e;
        }
        if (format === 'json') json.push({ file: f, ...litmusResultJson(r) });
        else emit(formatHerd(r) + (files.length > 1 ? '\n' : ''));
      }
    }
  },
};

/** The name in a litmus header (`C name`), for messages about a test that did not parse. */
function testName(src: string): string | undefined {
  return /^\s*\S+[ \t]+(\S+)/.exec(src)?.[1];
}
