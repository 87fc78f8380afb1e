/**
 * The contract between the engine and the rules.
 *
 * A rule looks at the rebuilt functions of one document (both sides of the
 * patch, every preprocessor configuration) through a RuleContext, asks the
 * kernel API catalog what calls mean, and returns RawFindings located in
 * function-image coordinates. The engine maps them to the input document,
 * applies differential mode (post-image findings whose fingerprint also
 * exists in the pre-image are dropped), suppressions and the user's filters.
 */
import type { ScenarioId } from '../protocol/scenarioIds';
import type { Trace } from '../protocol/replay';
import type { Severity } from '../patch/model';
import type { AnalysisContext, Unit } from '../analysis/unit';
export type { Unit, Side } from '../analysis/unit';

/** Rule categories: the first part of a rule id (`ref-balance/leak`). */
export type Category = 'ref-balance' | 'ref-kind' | 'spec-ref' | 'barrier' | 'bracket' | 'atomic-sleep' | 'input';

export const CATEGORIES: readonly Category[] = ['ref-balance', 'ref-kind', 'spec-ref', 'barrier', 'bracket', 'atomic-sleep', 'input'];

/** A position in a unit's image: 0-based line and UTF-16 column of the variant text. */
export interface ImagePos {
  line: number;
  col: number;
  /** End column on the same line (exclusive); defaults to the end of the token/statement the rule knows. */
  endCol?: number;
}

export interface RawRelated {
  message: string;
  at: ImagePos;
  /** The unit `at` is in, when it is not the finding's own (e.g. the mirror side of a store-buffering pair in another function). */
  unit?: Unit;
}

/** A position of a trace event: in the finding's unit, or in `unit` (the other side of a protocol in another function). */
export type RawTracePos = ImagePos & { unit?: Unit };

/** The race a finding allows, as the rule found it on its path (server/src/protocol/replay.ts). */
export type RawTrace = Trace<RawTracePos>;

export interface RawEdit {
  at: ImagePos & { endCol: number };
  newText: string;
}

export interface RawFinding {
  rule: string;
  /** Defaults to the rule's severity. */
  severity?: Severity;
  message: string;
  at: ImagePos;
  related?: RawRelated[];
  scenario?: ScenarioId;
  scenarioParams?: Record<string, string | number>;
  fixes?: { title: string; edits: RawEdit[] }[];
  /** The events of the race this finding allows, with the roles they play: what its replay is built from. */
  trace?: RawTrace;
  /**
   * Identity of the defect independent of line numbers, for differential mode:
   * e.g. `ref-balance/leak|page|get_page|return -EFAULT`. Same fingerprint in
   * the pre-image and the post-image = not introduced by the patch.
   */
  fingerprint: string;
}

export interface RuleContext extends AnalysisContext {
  /**
   * How to name an image line in a message: `mm/gup.c:177` (the line in the
   * patched file, or the pre-image file for the pre side). Never use image
   * line numbers in messages: the user cannot see the image.
   */
  where(unit: Unit, imageLine: number): string;
}

export interface Rule {
  id: string;
  category: Category;
  severity: Severity;
  title: string;
  /** One paragraph for `mm-review rules` and the docs page. */
  description: string;
  /** The race scenario this rule's findings replay, when it has one. */
  scenario?: ScenarioId;
  /** Why this rule's findings have no race to replay (a build error, one CPU's mistake), when they have none. */
  notARace?: string;
  /** Runs on one unit. Must not throw on odd code (the engine catches and reports if it does). */
  check(unit: Unit, ctx: RuleContext): RawFinding[];
  /** Optional whole-document pass (cross-function pairing, e.g. store-buffering between two functions). */
  checkDocument?(ctx: RuleContext): (RawFinding & { unit: Unit })[];
}
