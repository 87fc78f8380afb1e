/**
 * CLI commands over the race simulator's scenario library:
 *
 *   mm-review scenarios [--format text|json]
 *   mm-review replay ID [--variant buggy|fixed] [--format text|json] [--param key=value ...]
 *   mm-review replay --finding FILE:LINE [--variant ...] [--format ...]
 *   mm-review export-litmus ID [--variant buggy|fixed] [--param key=value ...] [--output FILE [--force]]
 *
 * `--finding` replays the race of a finding of FILE (the one `mm-review check`
 * reports on LINE, whose text output prints the command): its own events, the
 * family its rule names, the counterpart from the catalogue (see
 * server/src/sim/families). Bad usage
 * (unknown id, variant, format or flag; malformed --param) exits 2.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportLitmus, getScenario, listScenarios, UnknownScenarioError, type Params, type Variant } from '../sim/scenarios/index';
import { exportRequestLitmus, renderReplayText, replay, replayRequest } from '../sim/replay';
import { requestOf, type Replay, type ScenarioRequest } from '../protocol/replay';
import { findingAt, FindingNotFound } from './findingAt';
import { InputError } from './input';
import { UsageError, type CommandSpec } from './args';
import type { CliIO } from './io';

/** `--param key=value` (repeatable); `line` becomes a number. */
export function parseParams(raw: unknown): Params {
  const out: Params = {};
  for (const p of (raw as string[] | undefined) ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param expects key=value (got '${p}')`);
    const key = p.slice(0, eq).trim();
    const value = p.slice(eq + 1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`bad --param key '${key}'`);
    if (key === 'line') {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--param line=N needs a positive integer (got '${value}')`);
      out[key] = n;
    } else out[key] = value;
  }
  return out;
}

function scenarioId(id: string): string {
  try {
    getScenario(id);
  } catch (e) {
    if (e instanceof UnknownScenarioError) throw new UsageError(e.message);
    throw e;
  }
  return id;
}

/**
 * The finding `--finding FILE:LINE [--rule R]` names (cli/findingAt.ts), as
 * the replay protocol's request for its own race (protocol/replay.ts), or
 * why it has none.
 */
async function requestFor(spec: string, rule: string | undefined, variant: Variant, all: boolean, io: CliIO): Promise<{ request: ScenarioRequest } | { unavailable: string; rule: string }> {
  let finding;
  try {
    finding = (await findingAt(spec, rule, io, all)).finding;
  } catch (e) {
    if (e instanceof FindingNotFound) throw new InputError(e.message);
    throw e;
  }
  const req = requestOf(finding, variant);
  return 'unavailable' in req ? { unavailable: req.unavailable, rule: finding.rule } : { request: req };
}

const VARIANT = { type: 'string', default: 'buggy', values: ['buggy', 'fixed'], description: 'the buggy program, or the fixed one (and why the race is then unreachable)' } as const;
const PARAM = { type: 'string', multiple: true, metavar: 'KEY=VALUE', description: 'name a role of the scenario after the patch (function=, location=, line=N, ...)' } as const;

export const scenariosCommand: CommandSpec = {
  name: 'scenarios',
  summary: 'list the race scenarios',
  options: { format: { type: 'string', default: 'text', values: ['text', 'json'], description: 'a table, or JSON' } },
  positionals: { max: 0 },
  async run(values, _p, io) {
    const list = listScenarios();
    if (values.format === 'json') io.stdout(JSON.stringify(list, null, 2) + '\n');
    else for (const s of list) io.stdout(`${s.id.padEnd(3)} ${s.seed ? `seed ${s.seed}` : 'generic '}  ${s.title}\n`);
    return 0;
  },
};

export const replayCommand: CommandSpec = {
  name: 'replay',
  summary: 'replay a race step by step, one column per CPU',
  args: 'ID | --finding FILE:LINE',
  description:
    'Replays a scenario of the library (mm-review scenarios lists them) on the LKMM simulator: the interleaving that breaks the invariant, with the value each read saw and the write it came from. ' +
    'With --finding, the race of a finding of mm-review check: FILE:LINE is the line check printed (check prints the command under each finding that has a replay).',
  options: {
    finding: { type: 'string', metavar: 'FILE:LINE', description: 'replay the race of the warning-or-error finding mm-review check reports at this line' },
    rule: { type: 'string', metavar: 'RULE', description: 'with --finding: the finding of this rule, when several start on the line' },
    all: { type: 'boolean', description: 'with --finding: also findings that the patch does not introduce (as check --all)' },
    variant: VARIANT,
    format: { type: 'string', default: 'text', values: ['text', 'json'], description: 'a terminal table, or the Replay JSON (for the editor\'s "Open replay JSON")' },
    param: PARAM,
  },
  examples: ['mm-review replay S1', 'mm-review replay S1 --variant fixed', 'mm-review replay --finding series.mbox:306'],
  async run(values, positionals, io) {
    let r: Replay;
    if (typeof values.finding === 'string') {
      if (positionals.length) throw new UsageError('give a scenario ID or --finding, not both');
      const x = await requestFor(values.finding, values.rule as string | undefined, values.variant as Variant, !!values.all, io);
      const out = 'unavailable' in x ? x : replayRequest(x.request);
      if ('unavailable' in out) {
        io.stderr(`mm-review replay: ${values.finding}: ${'rule' in out ? `${out.rule}: ` : ''}${out.unavailable}\n`);
        return 1;
      }
      r = out;
    } else {
      if (values.rule !== undefined) throw new UsageError('--rule goes with --finding');
      if (positionals.length !== 1) throw new UsageError(`expected exactly one scenario id (${listScenarios().map((s) => s.id).join(', ')}), or --finding FILE:LINE`);
      r = replay(scenarioId(positionals[0]), values.variant as Variant, parseParams(values.param));
    }
    if (values.format === 'json') {
      // The CLI's JSON: the Replay object, with `verdict` as the LKMM
      // observation string (the CLI contract) and the counts in `lkmm`.
      io.stdout(JSON.stringify({ ...r, verdict: r.verdict.observation, lkmm: r.verdict }, null, 2) + '\n');
    } else io.stdout(renderReplayText(r));
    return 0;
  },
};

export const exportLitmusCommand: CommandSpec = {
  name: 'export-litmus',
  summary: "print a scenario's litmus test",
  args: 'ID | --finding FILE:LINE',
  description: 'The scenario as a litmus program in the kernel\'s C litmus dialect, for herd7 or mm-review litmus; with --finding, the race of a finding of mm-review check.',
  options: {
    finding: { type: 'string', metavar: 'FILE:LINE', description: 'the race of the warning-or-error finding mm-review check reports at this line' },
    rule: { type: 'string', metavar: 'RULE', description: 'with --finding: the finding of this rule, when several start on the line' },
    variant: VARIANT,
    param: PARAM,
    output: { type: 'string', short: 'o', metavar: 'FILE', description: 'write to FILE (a new file only, unless --force)' },
    force: { type: 'boolean', description: 'overwrite FILE if it exists' },
  },
  examples: ['mm-review export-litmus S5 --variant fixed -o S5-fixed.litmus'],
  async run(values, positionals, io) {
    let text: string;
    if (typeof values.finding === 'string') {
      if (positionals.length) throw new UsageError('give a scenario ID or --finding, not both');
      const x = await requestFor(values.finding, values.rule as string | undefined, values.variant as Variant, false, io);
      const out = 'unavailable' in x ? x : exportRequestLitmus(x.request);
      if (typeof out !== 'string') {
        io.stderr(`mm-review export-litmus: ${values.finding}: ${'rule' in out ? `${out.rule}: ` : ''}${out.unavailable}\n`);
        return 1;
      }
      text = out;
    } else {
      if (values.rule !== undefined) throw new UsageError('--rule goes with --finding');
      if (positionals.length !== 1) throw new UsageError(`expected exactly one scenario id (${listScenarios().map((s) => s.id).join(', ')})`);
      text = exportLitmus(scenarioId(positionals[0]), values.variant as Variant, parseParams(values.param));
    }
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
          throw new UsageError(`${values.output} already exists${link ? ' (a symbolic link)' : ''}; not overwritten (use --force to overwrite)`);
        }
        throw new UsageError(`cannot write ${values.output}: ${(e as Error).message}`);
      }
    } else io.stdout(text);
    return 0;
  },
};
