/**
 * `mm-review`: the command-line shell over the engine.
 *
 *   mm-review parse [--format text|json] FILE...
 *   mm-review check [--format text|json|sarif] [--all] [--category C]... [--severity S] [--kernel-tree DIR] FILE...
 *   mm-review rules [--format text|json]
 *   + the simulator's commands (cli/sim.ts): litmus, scenarios, replay, export-litmus
 *
 * Exit codes: 0 nothing at warning or above, 1 something at warning or above,
 * 2 bad usage or unreadable input (message on stderr).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import * as path from 'node:path';
import { parseDocument } from '../patch/parse';
import { analyze, type AnalyzeOptions } from '../engine/index';
import { summarize, formatSummaryText } from '../engine/summary';
import { formatJson, formatSarif, formatText, type FileFindings } from '../engine/output';
import { CATEGORIES, SEVERITY_RANK, type Category } from '../engine/findings';
import { allRules } from '../rules/registry';
import { isKernelTree, kernelTreeReader } from '../engine/kernelTree';
import type { Severity } from '../patch/model';
import '../rules'; // registers rule metadata
import { collectInputs, InputError } from './input';
import { runMain, type CliIO, type Command } from './io';
import { simCommands } from './sim';

export class UsageError extends Error {}

const USAGE = `usage: mm-review <command> [options] FILE...

Review Linux-kernel mm patches (diffs, git format-patch mails, mbox series).
FILE may be a file, a directory (its .patch/.diff/.mbox/.eml files) or - for stdin.

commands:
  check     report findings          [--format text|json|sarif] [--all] [--category C] [--severity S] [--kernel-tree DIR] [--exit-zero]
  parse     print the patch structure [--format text|json]
  rules     list the rules            [--format text|json]
{SIM}
exit status: 0 no warnings, 1 warnings or errors found, 2 bad usage or unreadable input
`;

function usage(): string {
  const sim = Object.entries(simCommands)
    .map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`)
    .join('\n');
  return USAGE.replace('{SIM}', sim);
}

type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

function parse(args: string[], options: ParseArgsConfig['options']): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], flag: string): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}`);
  return v as T;
}

const parseCmd: Command = async (args, io) => {
  const { values, positionals } = parse(args, { format: { type: 'string', default: 'text' } });
  const format = oneOf(values.format, ['text', 'json'] as const, '--format');
  if (positionals.length === 0) throw new UsageError('parse: no FILE given (use - for stdin)');
  const inputs = await collectInputs(positionals, io);
  const out = inputs.map((i) => ({ path: i.path, summary: summarize(parseDocument(i.text, i.path)) }));
  if (format === 'json') io.stdout(JSON.stringify({ version: 1, files: out.map((o) => ({ path: o.path, ...o.summary })) }, null, 2) + '\n');
  else for (const o of out) io.stdout(formatSummaryText(o.path, o.summary));
  return 0;
};

const checkCmd: Command = async (args, io) => {
  const { values, positionals } = parse(args, {
    format: { type: 'string', default: 'text' },
    all: { type: 'boolean', default: false },
    category: { type: 'string', multiple: true },
    severity: { type: 'string' },
    'kernel-tree': { type: 'string' },
    'exit-zero': { type: 'boolean', default: false },
  });
  const format = oneOf(values.format, ['text', 'json', 'sarif'] as const, '--format');
  const categories = (values.category as string[] | undefined)?.flatMap((c) => c.split(',')).map((c) => oneOf(c, CATEGORIES, '--category') as Category);
  // hints (each line of a repaired whitespace run) only when asked for: their hunk has an info summary
  const minSeverity = values.severity === undefined ? 'info' : oneOf(values.severity, Object.keys(SEVERITY_RANK) as Severity[], '--severity');
  let treeFile: AnalyzeOptions['treeFile'];
  if (typeof values['kernel-tree'] === 'string') {
    const root = path.resolve(io.cwd, values['kernel-tree']);
    if (!isKernelTree(root)) throw new InputError(`--kernel-tree ${values['kernel-tree']}: not a kernel tree (no mm/ and include/linux/ folders)`);
    treeFile = kernelTreeReader(root);
  }
  if (positionals.length === 0) throw new UsageError('check: no FILE given (use - for stdin)');
  const inputs = await collectInputs(positionals, io);
  let unreadable = false;
  const files: FileFindings[] = [];
  for (const i of inputs) {
    const a = analyze(i.text, i.path, { all: !!values.all, categories, minSeverity, treeFile });
    if (a.doc.format === 'binary') {
      io.stderr(`mm-review: ${i.path}: binary data, not a patch or a mail\n`);
      unreadable = true;
    }
    files.push({ path: i.path, findings: a.findings });
    // tree-sitter frees a dropped tree's native memory only when the event loop turns
    await new Promise((r) => setImmediate(r));
  }
  io.stdout(format === 'json' ? formatJson(files) : format === 'sarif' ? formatSarif(files) : formatText(files));
  if (format === 'text') {
    const n = files.reduce((a, f) => a + f.findings.length, 0);
    io.stderr(`${n} finding(s) in ${files.length} file(s)\n`);
  }
  const worst = Math.max(-1, ...files.flatMap((f) => f.findings.map((x) => SEVERITY_RANK[x.severity])));
  if (unreadable) return 2;
  if (values['exit-zero']) return 0;
  return worst >= SEVERITY_RANK.warning ? 1 : 0;
};

const rulesCmd: Command = async (args, io) => {
  const { values } = parse(args, { format: { type: 'string', default: 'text' } });
  const format = oneOf(values.format, ['text', 'json'] as const, '--format');
  const rules = allRules();
  if (format === 'json') io.stdout(JSON.stringify(rules.map(({ id, category, severity, title, docPath }) => ({ id, category, severity, title, doc: docPath })), null, 2) + '\n');
  else for (const r of rules) io.stdout(`${r.id.padEnd(38)} ${r.severity.padEnd(8)} ${r.title}\n`);
  return 0;
};

const COMMANDS: Record<string, Command> = { parse: parseCmd, check: checkCmd, rules: rulesCmd };

/** Run the CLI; returns the exit code. Never throws. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    (cmd ? io.stdout : io.stderr)(usage());
    return cmd ? 0 : 2;
  }
  if (cmd === '--version' || cmd === '-V') {
    io.stdout('mm-review 0.1.0\n');
    return 0;
  }
  const command = COMMANDS[cmd] ?? simCommands[cmd]?.run;
  if (!command) {
    io.stderr(`mm-review: unknown command '${cmd}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`mm-review ${cmd}: ${e.message}\n(see mm-review --help)\n`);
      return 2;
    }
    if (e instanceof InputError) {
      io.stderr(`mm-review: ${e.message}\n`);
      return 2;
    }
    io.stderr(`mm-review: internal error: ${(e as Error)?.stack ?? e}\n`);
    return 2;
  }
}

export function main(): void {
  runMain((args, io) => run(args, io));
}
