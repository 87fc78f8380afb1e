/**
 * CLI commands over the scenario library (registered in cli/sim.ts):
 *
 *   mm-review scenarios [--format text|json]
 *   mm-review replay ID [--variant buggy|fixed] [--format text|json] [--param key=value ...]
 *   mm-review export-litmus ID [--variant buggy|fixed] [--param key=value ...] [--output FILE [--force]]
 *
 * Bad usage (unknown id, variant, format or flag; malformed --param) prints a
 * message on stderr and exits 2.
 */
import { parseArgs } from 'node:util';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliIO, Command } from '../../cli/io';
import { exportLitmus, getScenario, listScenarios, UnknownScenarioError, type Params, type Variant } from './index';
import { renderReplayText, replay } from '../replay';

class Usage extends Error {}

type Opts = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string; default?: string }>;

function parse(cmd: string, args: string[], options: Opts): { values: Record<string, unknown>; positionals: string[] } {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true }) as { values: Record<string, unknown>; positionals: string[] };
  } catch (e) {
    throw new Usage(`${cmd}: ${(e as Error).message}`);
  }
}

function oneOf<T extends string>(cmd: string, flag: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw new Usage(`${cmd}: ${flag} must be one of ${allowed.join(', ')} (got '${String(v)}')`);
  return v as T;
}

/** `--param key=value` (repeatable); `line` becomes a number. */
export function parseParams(cmd: string, raw: unknown): Params {
  const out: Params = {};
  for (const p of (raw as string[] | undefined) ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new Usage(`${cmd}: --param expects key=value (got '${p}')`);
    const key = p.slice(0, eq).trim();
    const value = p.slice(eq + 1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Usage(`${cmd}: bad --param key '${key}'`);
    if (key === 'line') {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n <= 0) throw new Usage(`${cmd}: --param line=N needs a positive integer (got '${value}')`);
      out[key] = n;
    } else out[key] = value;
  }
  return out;
}

function oneId(cmd: string, positionals: string[]): string {
  if (positionals.length !== 1) throw new Usage(`${cmd}: expected exactly one scenario id (${listScenarios().map((s) => s.id).join(', ')})`);
  getScenario(positionals[0]); // throws UnknownScenarioError
  return positionals[0];
}

function guard(cmd: string, f: (args: string[], io: CliIO) => Promise<number>): Command {
  return async (args, io) => {
    try {
      return await f(args, io);
    } catch (e) {
      if (e instanceof Usage) io.stderr(`mm-review ${e.message}\n`);
      else if (e instanceof UnknownScenarioError) io.stderr(`mm-review ${cmd}: ${e.message}\n`);
      else {
        const err = e as { message?: string; line?: number; column?: number };
        const where = err.line !== undefined ? ` (litmus line ${err.line}:${err.column ?? 0})` : '';
        io.stderr(`mm-review ${cmd}: ${err.message ?? String(e)}${where}\n`);
      }
      return 2;
    }
  };
}

const scenariosCmd = guard('scenarios', async (args, io) => {
  const { values, positionals } = parse('scenarios', args, { format: { type: 'string', default: 'text' } });
  const format = oneOf('scenarios', '--format', values.format, ['text', 'json'] as const);
  if (positionals.length) throw new Usage(`scenarios: unexpected argument '${positionals[0]}'`);
  const list = listScenarios();
  if (format === 'json') io.stdout(JSON.stringify(list, null, 2) + '\n');
  else for (const s of list) io.stdout(`${s.id.padEnd(3)} ${s.seed ? `seed ${s.seed}` : 'generic '}  ${s.title}\n`);
  return 0;
});

const replayCmd = guard('replay', async (args, io) => {
  const { values, positionals } = parse('replay', args, {
    variant: { type: 'string', default: 'buggy' },
    format: { type: 'string', default: 'text' },
    param: { type: 'string', multiple: true },
  });
  const variant = oneOf('replay', '--variant', values.variant, ['buggy', 'fixed'] as const);
  const format = oneOf('replay', '--format', values.format, ['text', 'json'] as const);
  const params = parseParams('replay', values.param);
  const id = oneId('replay', positionals);
  const r = replay(id, variant as Variant, params);
  if (format === 'json') {
    // The CLI's JSON: the Replay object, with `verdict` as the LKMM
    // observation string (the issue's CLI contract) and the counts in `lkmm`.
    io.stdout(JSON.stringify({ ...r, verdict: r.verdict.observation, lkmm: r.verdict }, null, 2) + '\n');
  } else io.stdout(renderReplayText(r));
  return 0;
});

const exportCmd = guard('export-litmus', async (args, io) => {
  const { values, positionals } = parse('export-litmus', args, {
    variant: { type: 'string', default: 'buggy' },
    param: { type: 'string', multiple: true },
    output: { type: 'string', short: 'o' },
    force: { type: 'boolean' },
  });
  const variant = oneOf('export-litmus', '--variant', values.variant, ['buggy', 'fixed'] as const);
  const params = parseParams('export-litmus', values.param);
  const id = oneId('export-litmus', positionals);
  const text = exportLitmus(id, variant as Variant, params);
  if (typeof values.output === 'string') {
    const file = path.resolve(io.cwd, values.output);
    // A new file only ('wx': O_CREAT|O_EXCL, which also refuses a symlink, dangling or not);
    // --force overwrites an existing file.
    try {
      fs.writeFileSync(file, text, { flag: values.force ? 'w' : 'wx' });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        const link = fs.lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink();
        throw new Usage(`export-litmus: ${values.output} already exists${link ? ' (a symbolic link)' : ''}; not overwritten (use --force to overwrite)`);
      }
      throw new Usage(`export-litmus: cannot write ${values.output}: ${(e as Error).message}`);
    }
  } else io.stdout(text);
  return 0;
});

export const scenarioCommands: Record<string, { summary: string; run: Command }> = {
  scenarios: { summary: 'list the race scenarios     [--format text|json]', run: scenariosCmd },
  replay: { summary: 'replay a scenario step by step  ID [--variant buggy|fixed] [--format text|json] [--param key=value]...', run: replayCmd },
  'export-litmus': { summary: "print a scenario's litmus test  ID [--variant buggy|fixed] [--param key=value]... [-o FILE [--force]]", run: exportCmd },
};
