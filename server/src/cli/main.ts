/**
 * `mm-review`: the command-line shell over the engine and the simulator.
 *
 *   mm-review check [options] FILE...     findings (text, JSON, SARIF)
 *   mm-review parse [--format text|json] FILE...
 *   mm-review rules [--format text|json]
 *   mm-review litmus | scenarios | replay | export-litmus   the simulator (cli/litmus.ts, cli/scenarios.ts)
 *
 * Every command is a spec for the one argument parser (cli/args.ts), which
 * also gives each its `--help`. Exit codes: 0 nothing at warning or above,
 * 1 something at warning or above, 2 bad usage or unreadable input (message
 * on stderr).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../engine/index';
import { summarize, formatSummaryText } from '../engine/summary';
import { formatJson, formatSarif, formatText, replayNote, type FileFindings } from '../engine/output';
import { CATEGORIES, SEVERITY_RANK, type Category } from '../engine/findings';
import { EMPTY_CONFIG, findConfig, loadConfig, type LoadedConfig } from '../engine/config';
import { allRules } from '../rules/registry';
import { isKernelTree, documentTree, treeVersion, type DocumentTree } from '../engine/kernelTree';
import { parseVersion } from '../catalog/era';
import { parseDocument } from '../patch/parse';
import type { Severity } from '../patch/model';
import '../rules'; // registers rule metadata
import { collectInputs, InputError } from './input';
import { collectIfLarge } from '../util/gc';
import { runMain, type CliIO, type Command } from './io';
import { commandOf, helpText, UsageError, type CommandSpec } from './args';
import { litmusCommand } from './litmus';
import { exportLitmusCommand, replayCommand, scenariosCommand } from './scenarios';

export { UsageError } from './args';

const parseCommand: CommandSpec = {
  name: 'parse',
  summary: 'print the patch structure: messages, files, hunks, functions, repairs',
  args: 'FILE...',
  options: { format: { type: 'string', default: 'text', values: ['text', 'json'], description: 'an indented outline, or JSON' } },
  positionals: { min: 1 },
  async run(values, positionals, io) {
    const inputs = await collectInputs(positionals, io);
    const out = inputs.map((i) => ({ path: i.path, summary: summarize(parseDocument(i.text, i.path)) }));
    if (values.format === 'json') io.stdout(JSON.stringify({ version: 1, files: out.map((o) => ({ path: o.path, ...o.summary })) }, null, 2) + '\n');
    else for (const o of out) io.stdout(formatSummaryText(o.path, o.summary));
    return 0;
  },
};

/** The reviewer's config: --config FILE, else the first .mm-review.json from the working directory up (not with --no-config). */
function reviewConfig(values: Record<string, unknown>, io: CliIO): { loaded: LoadedConfig; file?: string } {
  if (values['no-config']) return { loaded: EMPTY_CONFIG };
  if (typeof values.config === 'string') {
    const file = path.resolve(io.cwd, values.config);
    const loaded = loadConfig(file);
    if (!loaded.problems.length && !fs.existsSync(file)) throw new InputError(`--config ${values.config}: no such file`);
    return { loaded, file };
  }
  const file = findConfig(io.cwd);
  return file ? { loaded: loadConfig(file), file } : { loaded: EMPTY_CONFIG };
}

const checkCommand: CommandSpec = {
  name: 'check',
  summary: 'report what a patch or mail series introduces',
  args: 'FILE...',
  description:
    'FILE may be a patch, a git format-patch mail, an mbox series (lore, b4), a directory (its .patch/.diff/.mbox/.eml files) or - for stdin. ' +
    'Differential by default: only what the patch introduces. Findings dismissed in the reviewer\'s .mm-review.json are not reported (see docs/configuration.md). ' +
    'In the text output, a finding with a race scenario is followed by the command that replays it.',
  options: {
    format: { type: 'string', default: 'text', values: ['text', 'json', 'sarif'], description: 'path:line:col text, the JSON contract, or SARIF 2.1.0' },
    all: { type: 'boolean', description: 'report everything in the touched functions, not only what the patch introduces' },
    category: { type: 'string', multiple: true, values: CATEGORIES, metavar: 'C[,C...]', description: `only these categories (${CATEGORIES.join(', ')})` },
    severity: { type: 'string', values: ['error', 'warning', 'info', 'hint'], description: 'the lowest severity shown (default info; hint also shows each repaired line of a mangled mail)' },
    'kernel-tree': { type: 'string', metavar: 'DIR', description: 'rebuild whole functions from this kernel tree (its files at the mail\'s base-commit when the tree is a git repository that has it)' },
    'kernel-version': { type: 'string', metavar: 'X.Y', description: 'judge by the facts of this kernel version (default: the tree\'s Makefile, else current mainline)' },
    config: { type: 'string', metavar: 'FILE', description: 'the reviewer\'s config (severities, dismissed findings); default: the first .mm-review.json here or above' },
    'no-config': { type: 'boolean', description: 'read no .mm-review.json' },
    'exit-zero': { type: 'boolean', description: 'exit 0 even when findings are reported (usage and input errors still exit 2)' },
  },
  positionals: { min: 1 },
  examples: ['mm-review check series.mbox', 'b4 am -o - <msgid> | mm-review check -', 'mm-review check --format sarif --category barrier,spec-ref patches/ > out.sarif'],
  async run(values, positionals, io) {
    const start = new Date();
    const categories = values.category as Category[] | undefined;
    // hints (each line of a repaired whitespace run) only when asked for: their message has a summary
    const minSeverity = (values.severity as Severity | undefined) ?? 'info';
    let treeRoot: string | undefined;
    if (typeof values['kernel-tree'] === 'string') {
      const root = path.resolve(io.cwd, values['kernel-tree']);
      if (!isKernelTree(root)) throw new InputError(`--kernel-tree ${values['kernel-tree']}: not a kernel tree (no mm/ and include/linux/ folders)`);
      treeRoot = root;
    }
    // the kernel version whose facts apply: --kernel-version, else the tree's Makefile, else current mainline
    let kernelVersion: string | undefined;
    if (typeof values['kernel-version'] === 'string') {
      if (!parseVersion(values['kernel-version'])) throw new UsageError(`--kernel-version ${values['kernel-version']}: expected a version like 6.19 or 4.11`);
      kernelVersion = values['kernel-version'];
    } else if (treeRoot) kernelVersion = treeVersion(treeRoot);
    const { loaded, file: configFile } = reviewConfig(values, io);
    const notifications: { level: 'error' | 'warning' | 'note'; message: string }[] = loaded.problems.map((p) => ({ level: 'warning', message: p }));
    for (const p of loaded.problems) io.stderr(`mm-review: ${p}\n`);
    const inputs = await collectInputs(positionals, io);
    let unreadable = false;
    // with a tree: each document's files at the mail's base-commit when the tree is a git repository and
    // the commit is there, else the worktree files (read before the synchronous analysis)
    const trees = new Map<string, DocumentTree>();
    if (treeRoot) for (const i of inputs) trees.set(i.path, await documentTree(parseDocument(i.text, i.path), treeRoot));
    const files: FileFindings[] = [];
    for (const i of inputs) {
      const t = trees.get(i.path);
      const a = analyze(i.text, i.path, {
        all: !!values.all, categories, minSeverity, treeFile: t?.treeFile, judgedIn: t?.judgedIn, kernelVersion,
        severityOverrides: loaded.config.severity, dismissed: loaded.dismissed,
      });
      if (a.doc.format === 'binary') {
        const m = `${i.path}: binary data, not a patch or a mail`;
        io.stderr(`mm-review: ${m}\n`);
        notifications.push({ level: 'error', message: m });
        unreadable = true;
      }
      files.push({ path: i.path, findings: a.findings });
      // tree-sitter frees a dropped tree's native memory only when the event loop turns;
      // the document's dead analyses are collected before the next one (util/gc.ts)
      await new Promise((r) => setImmediate(r));
      if (inputs.length > 1) collectIfLarge();
    }
    const format = values.format as 'text' | 'json' | 'sarif';
    io.stdout(
      format === 'json'
        ? formatJson(files)
        : format === 'sarif'
          ? formatSarif(files, { cwd: io.cwd, args: ['check', ...rawArgs(values, positionals)], start, end: new Date(), successful: !unreadable, notifications })
          : formatText(files),
    );
    if (format === 'text') {
      const n = files.reduce((a, f) => a + f.findings.length, 0);
      const races = files.reduce((a, f) => a + f.findings.filter((x) => replayNote(f, x)?.startsWith('replay:')).length, 0);
      // after stdout has drained: on a shared terminal the summary must not land inside the last finding's line
      await io.flush?.();
      io.stderr(`${n} finding(s) in ${files.length} file(s)${races ? `; ${races} with a race replay (mm-review replay --finding FILE:LINE)` : ''}${loaded.dismissed.size && configFile ? `; dismissals from ${path.relative(io.cwd, configFile) || configFile}` : ''}\n`);
    }
    const worst = Math.max(-1, ...files.flatMap((f) => f.findings.map((x) => SEVERITY_RANK[x.severity])));
    if (unreadable) return 2;
    if (values['exit-zero']) return 0;
    return worst >= SEVERITY_RANK.warning ? 1 : 0;
  },
};

/** The arguments as given (for SARIF `invocations`), rebuilt from the parsed values. */
function rawArgs(values: Record<string, unknown>, positionals: string[]): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === false) continue;
    if (v === true) out.push(`--${k}`);
    else for (const x of Array.isArray(v) ? v : [v]) out.push(`--${k}`, String(x));
  }
  return [...out, ...positionals];
}

const rulesCommand: CommandSpec = {
  name: 'rules',
  summary: 'list the rules and their documentation pages',
  options: { format: { type: 'string', default: 'text', values: ['text', 'json'], description: 'a table, or JSON' } },
  positionals: { max: 0 },
  async run(values, _p, io) {
    const rules = allRules();
    if (values.format === 'json') io.stdout(JSON.stringify(rules.map(({ id, category, severity, title, docPath }) => ({ id, category, severity, title, doc: docPath })), null, 2) + '\n');
    else for (const r of rules) io.stdout(`${r.id.padEnd(38)} ${r.severity.padEnd(8)} ${r.title}\n`);
    return 0;
  },
};

/** Every subcommand, in the order `mm-review --help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [checkCommand, parseCommand, rulesCommand, litmusCommand, scenariosCommand, replayCommand, exportLitmusCommand];

function usage(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'usage: mm-review <command> [options] ...',
    '',
    'Review Linux-kernel mm patches (diffs, git format-patch mails, mbox series), and replay the races they allow.',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '',
    "Run 'mm-review <command> --help' for a command's options.",
    'exit status: 0 no warnings, 1 warnings or errors found, 2 bad usage or unreadable input',
    '',
  ].join('\n');
}

/** Run the CLI; returns the exit code. Never throws. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '-h' || cmd === '--help') {
    (cmd ? io.stdout : io.stderr)(usage());
    return cmd ? 0 : 2;
  }
  if (cmd === 'help') {
    const spec = COMMANDS.find((c) => c.name === rest[0]);
    io.stdout(spec ? helpText(spec) : usage());
    return spec || rest.length === 0 ? 0 : 2;
  }
  if (cmd === '--version' || cmd === '-V') {
    io.stdout('mm-review 0.1.0\n');
    return 0;
  }
  const spec = COMMANDS.find((c) => c.name === cmd);
  if (!spec) {
    io.stderr(`mm-review: unknown command '${cmd}'\n\n${usage()}`);
    return 2;
  }
  const command: Command = commandOf(spec);
  try {
    return await command(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`mm-review ${cmd}: ${e.message}\n(see mm-review ${cmd} --help)\n`);
      return 2;
    }
    if (e instanceof InputError) {
      io.stderr(`mm-review: ${e.message}\n`);
      return 2;
    }
    const err = e as { message?: string; line?: number; column?: number };
    if (err && typeof err.message === 'string' && err.line !== undefined) {
      // a scenario whose instantiated litmus test does not parse (bad --param values)
      io.stderr(`mm-review ${cmd}: ${err.message} (litmus line ${err.line}:${err.column ?? 0})\n`);
      return 2;
    }
    io.stderr(`mm-review: internal error: ${(e as Error)?.stack ?? e}\n`);
    return 2;
  }
}

export function main(): void {
  runMain((args, io) => run(args, io));
}
