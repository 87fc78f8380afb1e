/**
 * `--finding FILE:LINE`: the finding a replay or an export is about. The file
 * is read and analysed like `mm-review check` does; the finding is the
 * warning-or-error one that starts on LINE (1-based, a line of the file as
 * given), narrowed by `--rule` when several start there. Used by the replay
 * and export-litmus commands (cli/scenarios.ts).
 */
import { analyze } from '../engine/index';
import { SEVERITY_RANK, type Finding } from '../engine/findings';
import '../rules'; // registers rule metadata
import { collectInputs, InputError } from './input';
import type { CliIO } from './io';

export class FindingNotFound extends Error {}

/** Split `FILE:LINE` at its last colon. */
export function parseFindingSpec(spec: string): { file: string; line: number } {
  const i = spec.lastIndexOf(':');
  const line = i > 0 ? Number(spec.slice(i + 1)) : NaN;
  if (i <= 0 || !Number.isSafeInteger(line) || line <= 0) throw new InputError(`--finding expects FILE:LINE (got '${spec}')`);
  return { file: spec.slice(0, i), line };
}

export async function findingAt(spec: string, rule: string | undefined, io: CliIO, all = false): Promise<{ path: string; finding: Finding }> {
  const { file, line } = parseFindingSpec(spec);
  const [input] = await collectInputs([file], io);
  if (!input) throw new InputError(`${file}: no patch or mail file`);
  const a = analyze(input.text, input.path, { minSeverity: 'warning', all });
  const found = a.findings.filter((f) => f.category !== 'input' && SEVERITY_RANK[f.severity] >= SEVERITY_RANK.warning);
  const here = found.filter((f) => f.range.start.line + 1 === line && (!rule || f.rule === rule));
  if (here.length === 1) return { path: input.path, finding: here[0] };
  if (here.length > 1) throw new FindingNotFound(`${file}:${line} has ${here.length} findings (${here.map((f) => f.rule).join(', ')}): say which with --rule`);
  const lines = [...new Set(found.map((f) => f.range.start.line + 1))].sort((x, y) => x - y);
  throw new FindingNotFound(`no warning-or-error finding${rule ? ` of ${rule}` : ''} starts on ${file}:${line}${lines.length ? ` (findings start on line${lines.length > 1 ? 's' : ''} ${lines.join(', ')})` : ' (the file has none)'}`);
}
