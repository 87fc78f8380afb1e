/**
 * The one JSON shape of a litmus result, wherever it leaves the simulator:
 * `mm-review litmus --format json` and the language server's
 * `mmReview.runLitmus` answer give the same object for the same test. The
 * execution graphs stay out (large); a run that has not settled the verdict
 * says "Incomplete" (with the observations still possible), never the
 * partial count's.
 */
import type { LitmusResult } from './run';

export interface LitmusResultJson {
  name: string;
  /** herd7's Never/Sometimes/Always, or "Incomplete" when a bounded run has not settled it. */
  observation: LitmusResult['observation'] | 'Incomplete';
  /** The observations a bounded run has not ruled out (one element when the verdict is known). */
  possible: LitmusResult['possible'];
  complete: boolean;
  incompleteReason?: string;
  kind: LitmusResult['kind'];
  condition: string;
  positive: number;
  negative: number;
  states: LitmusResult['states'];
  flags: string[];
  /** How many witnesses (allowed executions satisfying the condition) were kept. */
  witnesses: number;
  /** For each forbidden candidate kept, the axioms it violates. */
  forbidden: string[][];
  stats: LitmusResult['stats'];
}

export function litmusResultJson(r: LitmusResult): LitmusResultJson {
  return {
    name: r.name,
    observation: r.possible.length === 1 ? r.possible[0] : 'Incomplete',
    possible: r.possible,
    complete: r.complete,
    ...(r.incompleteReason !== undefined ? { incompleteReason: r.incompleteReason } : {}),
    kind: r.kind,
    condition: r.condition,
    positive: r.positive,
    negative: r.negative,
    states: r.states,
    flags: r.flags,
    witnesses: r.witnesses.length,
    forbidden: r.forbidden.map((f) => f.violated),
    stats: r.stats,
  };
}
