/**
 * Replays in the language server: which findings get a "▶ Replay race" code
 * lens and hover link, what their command carries (the finding's place, never
 * its text: the server looks the finding up in its own analysis), and how a
 * `mmReview.replay` / `mmReview.exportLitmus` command is answered.
 */
import type { Finding } from '../engine/findings';
import { SEVERITY_RANK } from '../engine/findings';
import { checkReplayArgs, requestOf, type ReplayArgs, type ScenarioRequest, type Variant } from '../protocol/replay';

/** Findings whose race can be replayed: warnings and errors of the rules (not input diagnostics). */
export function replayable(f: Finding): boolean {
  return f.category !== 'input' && SEVERITY_RANK[f.severity] >= SEVERITY_RANK.warning && !!f.trace;
}

/** Why a replayable-looking finding has no replay, or undefined when it has one. */
export function noReplayReason(f: Finding): string | undefined {
  if (!replayable(f)) return undefined;
  const r = requestOf(f);
  return 'unavailable' in r ? r.unavailable : undefined;
}

/** The arguments of the replay command for a finding of document `uri`. */
export function replayArgsFor(f: Finding, uri: string, variant: Variant = 'buggy'): ReplayArgs {
  return { uri, rule: f.rule, range: f.range, variant };
}

/** The finding a command names: same rule, same start. */
export function findingNamed(findings: readonly Finding[], a: ReplayArgs): Finding | undefined {
  const s = a.range?.start;
  if (!s) return undefined;
  return findings.find((f) => f.rule === a.rule && f.range.start.line === s.line && f.range.start.character === s.character);
}

export type Resolved =
  | { kind: 'seed'; args: ReplayArgs & { scenario: string } }
  | { kind: 'finding'; request: ScenarioRequest }
  | { kind: 'error'; message: string };

/** Check the command's argument and, for a finding, build the request from the document's current analysis. */
export function resolveReplay(raw: unknown, findingsOf: (uri: string) => readonly Finding[] | undefined): Resolved {
  const a = checkReplayArgs(raw);
  if (typeof a === 'string') return { kind: 'error', message: a };
  if (a.scenario) return { kind: 'seed', args: a as ReplayArgs & { scenario: string } };
  const findings = findingsOf(a.uri!);
  if (!findings) return { kind: 'error', message: 'the document is not open or not analysed' };
  const f = findingNamed(findings, a);
  if (!f) return { kind: 'error', message: `no ${a.rule} finding at ${a.range!.start.line + 1}:${a.range!.start.character + 1} in the current analysis (the document changed?)` };
  const req = requestOf(f, a.variant ?? 'buggy');
  if ('unavailable' in req) return { kind: 'error', message: req.unavailable };
  return { kind: 'finding', request: req };
}
