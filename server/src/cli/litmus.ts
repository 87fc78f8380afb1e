/**
 * `mm-review litmus [--format text|json] FILE...`: run LKMM litmus tests and
 * print herd7-style results (text) or a JSON array of compact results.
 * Exit codes: 0 when every file ran (whatever the verdicts), 2 on bad usage,
 * an unreadable file or a syntax error (reported as file:line:col: message).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliIO } from '../cli/io';
import { LitmusResult, LitmusSyntaxError, formatHerd, runLitmus } from './index';

const USAGE = 'usage: mm-review litmus [--format text|json] [--max-executions N] [--timeout-ms N] FILE...';

/** The JSON form: the result without the execution graphs. */
export function compactResult(r: LitmusResult): Record<string, unknown> {
  return {
    name: r.name, observation: r.complete ? r.observation : 'Incomplete', complete: r.complete,
    incompleteReason: r.incompleteReason, kind: r.kind, condition: r.condition,
    positive: r.positive, negative: r.negative, states: r.states, flags: r.flags,
    witnesses: r.witnesses.length, forbidden: r.forbidden.map((f) => f.violated), stats: r.stats,
  };
}

export async function litmusCommand(args: string[], io: CliIO): Promise<number> {
  let format: 'text' | 'json' = 'text';
  const files: string[] = [];
  const opts: { maxExecutions?: number; timeoutMs?: number } = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const val = (): string | undefined => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i]);
    if (a === '--format' || a.startsWith('--format=')) {
      const v = val();
      if (v !== 'text' && v !== 'json') {
        io.stderr(`mm-review litmus: --format must be text or json\n${USAGE}\n`);
        return 2;
      }
      format = v;
    } else if (a === '--max-executions' || a.startsWith('--max-executions=') || a === '--timeout-ms' || a.startsWith('--timeout-ms=')) {
      const v = Number(val());
      if (!Number.isInteger(v) || v <= 0) {
        io.stderr(`mm-review litmus: ${a.split('=')[0]} needs a positive integer\n${USAGE}\n`);
        return 2;
      }
      if (a.startsWith('--max')) opts.maxExecutions = v;
      else opts.timeoutMs = v;
    } else if (a === '-h' || a === '--help') {
      io.stdout(USAGE + '\n');
      return 0;
    } else if (a.startsWith('-') && a !== '-') {
      io.stderr(`mm-review litmus: unknown option ${a}\n${USAGE}\n`);
      return 2;
    } else files.push(a);
  }
  if (files.length === 0) {
    io.stderr(`mm-review litmus: no litmus file given\n${USAGE}\n`);
    return 2;
  }
  let status = 0;
  const json: Record<string, unknown>[] = [];
  for (const f of files) {
    let src: string;
    try {
      src = f === '-' ? (await io.readStdin()).toString('utf8') : fs.readFileSync(path.resolve(io.cwd, f), 'utf8');
    } catch (e) {
      io.stderr(`${f}: cannot read: ${(e as Error).message}\n`);
      status = 2;
      continue;
    }
    let r: LitmusResult;
    try {
      r = runLitmus(src, opts);
    } catch (e) {
      if (e instanceof LitmusSyntaxError) {
        io.stderr(`${f}:${e.line}:${e.column}: ${e.message}\n`);
        status = 2;
        continue;
      }
      throw e;
    }
    if (format === 'json') json.push({ file: f, ...compactResult(r) });
    else io.stdout(formatHerd(r) + (files.length > 1 ? '\n' : ''));
  }
  if (format === 'json') io.stdout(JSON.stringify(json, null, 2) + '\n');
  return status;
}
