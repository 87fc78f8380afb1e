/**
 * Findings: what the engine reports. The same objects feed the CLI's
 * text/JSON/SARIF output and the language server's diagnostics.
 */
import type { ScenarioId } from '../protocol/scenarioIds';
import type { Trace } from '../protocol/replay';
import type { Range } from '../util/lineIndex';
import type { Severity } from '../patch/model';

import type { Category } from '../rules/api';
export { CATEGORIES, type Category } from '../rules/api';

export interface RelatedLocation {
  message: string;
  range: Range;
}

/** A mechanical repair: replace the text at `range` (in the input document) with `newText`. */
export interface TextEdit {
  range: Range;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
}

export interface Finding {
  /** Stable rule id, e.g. 'spec-ref/get-on-lockless-lookup'. */
  rule: string;
  category: Category;
  severity: Severity;
  message: string;
  /** 0-based, LSP-style, in the input document. */
  range: Range;
  related: RelatedLocation[];
  /** Scenario id for the race simulator, when a race explains the finding. */
  scenario?: ScenarioId;
  /** Names from the patch used to instantiate the scenario (function, variables, lines). */
  scenarioParams?: Record<string, string | number>;
  fixes?: QuickFix[];
  /** The race the finding allows: the rule's events mapped to 1-based document lines (protocol/replay.ts). */
  trace?: Trace;
  /** The patched file and function the finding is about, when known. */
  file?: string;
  function?: string;
  /** 1-based line of the finding in the patched (post-image) C file, for diagnostics on real kernel files. */
  fileLine?: number;
  /**
   * What the message leaves out: the message is kept to about 200 characters
   * (engine/message.ts); the rest of the explanation, or the whole text when
   * the message had to be abridged, is here (hover, related information, CLI notes).
   */
  detail?: string;
  /** Stable key: rule, file, function, normalised line text (engine/config.ts). Dismissals and SARIF use it. */
  fingerprint?: string;
  /** The normalised text of the finding's line (what the fingerprint hashed). */
  lineText?: string;
  /** The context the function was judged in: `hunk`, `tree (worktree file)` or `tree at <commit>` (the mail's base-commit). */
  judgedIn?: string;
}

export const SEVERITY_RANK: Record<Severity, number> = { hint: 0, info: 1, warning: 2, error: 3 };
