/**
 * The one argument parser of every `mm-review` subcommand: node:util
 * `parseArgs` behind a declarative spec, so that every command gets the same
 * `--help` (generated from the spec), the same checks of enumerated values,
 * and the same usage errors (`mm-review CMD: message` on stderr, a pointer to
 * `mm-review CMD --help`, exit 2). No dependency: parseArgs does the parsing;
 * this adds what it lacks (help, allowed values, positional counts).
 */
import { parseArgs } from 'node:util';
import type { CliIO } from './io';

export class UsageError extends Error {}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  default?: string | boolean;
  /** The allowed values of a string option (each also accepted comma-separated when `multiple`). */
  values?: readonly string[];
  /** What the value is called in the help (`FILE`, `DIR`, `N`). */
  metavar?: string;
  description: string;
}

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface CommandSpec {
  name: string;
  /** One line, for `mm-review --help`. */
  summary: string;
  /** The positional part of the usage line (`FILE...`, `ID`). */
  args?: string;
  /** Paragraphs for `--help`. */
  description?: string;
  options: Record<string, OptionSpec>;
  /** How many positionals (default: any number). */
  positionals?: { min?: number; max?: number };
  examples?: string[];
  run(values: Values, positionals: string[], io: CliIO): Promise<number>;
}

/** Words of `text` in lines of at most `width` columns, the lines after the first indented by `indent` more. */
function wrap(text: string, width: number, indent = 0): string {
  const out: string[] = [];
  let line = '';
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + w.length > width) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out.map((l, i) => (i ? ' '.repeat(indent) + l : l)).join('\n');
}

/** The `--help` text of a command. */
export function helpText(spec: CommandSpec): string {
  const opts = Object.entries(spec.options);
  const lines = [`usage: mm-review ${spec.name}${opts.length ? ' [options]' : ''}${spec.args ? ' ' + spec.args : ''}`, '', spec.summary.replace(/^./, (c) => c.toUpperCase()) + '.'];
  if (spec.description) lines.push('', wrap(spec.description, 80));
  const rows: [string, string][] = opts.map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.metavar ?? (o.values ? o.values.join('|') : 'VALUE')}` : ''}`;
    const extra = [o.multiple ? 'repeatable' : '', o.default !== undefined && o.default !== false ? `default: ${o.default}` : ''].filter(Boolean).join('; ');
    return [flag, o.description + (extra ? ` (${extra})` : '')];
  });
  rows.push(['-h, --help', 'show this help']);
  const w = Math.min(32, Math.max(...rows.map((r) => r[0].length)) + 2);
  lines.push('', 'options:');
  for (const [f, d] of rows) lines.push(`  ${f.padEnd(w)}${f.length >= w ? '\n  ' + ' '.repeat(w) : ''}${wrap(d, 78 - w, w + 2)}`);
  if (spec.examples?.length) lines.push('', 'examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n') + '\n';
}

function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** Parse a command's arguments by its spec. Throws UsageError. */
export function parseCommand(spec: CommandSpec, args: string[]): { values: Values; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean }> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}), ...(o.default !== undefined && !o.multiple ? { default: o.default } : {}) };
  }
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] };
  } catch (e) {
    // node's messages name the flag; drop its boilerplate about positionals and `--`
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  for (const [name, o] of Object.entries(spec.options)) {
    const v = parsed.values[name];
    if (!o.values || v === undefined) continue;
    const list = (Array.isArray(v) ? v : [v]).flatMap((x) => (o.multiple ? String(x).split(',') : [String(x)])).map((x) => x.trim()).filter((x) => x !== '');
    for (const x of list) if (!o.values.includes(x)) throw new UsageError(`--${name} must be one of ${o.values.join(', ')} (got '${x}')`);
    parsed.values[name] = o.multiple ? list : list[0];
  }
  const n = parsed.positionals.length;
  const p = spec.positionals ?? {};
  if (p.min !== undefined && n < p.min) throw new UsageError(n === 0 ? `no ${spec.args ?? 'argument'} given` : `expected at least ${p.min} argument(s) (${spec.args ?? ''})`);
  if (p.max !== undefined && n > p.max) throw new UsageError(p.max === 0 ? `unexpected argument '${parsed.positionals[0]}'` : `expected at most ${p.max} argument(s) (${spec.args ?? ''}), got ${n}`);
  return parsed;
}

/** A subcommand as the dispatcher runs it: `--help` anywhere prints the help; usage errors exit 2. */
export function commandOf(spec: CommandSpec): (args: string[], io: CliIO) => Promise<number> {
  return async (args, io) => {
    if (wantsHelp(args)) {
      io.stdout(helpText(spec));
      return 0;
    }
    try {
      const { values, positionals } = parseCommand(spec, args);
      return await spec.run(values, positionals, io);
    } catch (e) {
      if (e instanceof UsageError) {
        io.stderr(`mm-review ${spec.name}: ${e.message}\n(see mm-review ${spec.name} --help)\n`);
        return 2;
      }
      throw e;
    }
  };
}
