/**
 * The scenario library's data model.
 *
 * A scenario is a small LKMM litmus program, written as data: per CPU a list
 * of statements, each with
 *   - `litmus`: the LKMM C statement (a template: `$slot` names a shared
 *     location, `{key}` a display parameter),
 *   - `text`: the same step in the kernel's own words (a template over the
 *     display parameters: "page_cache_get_speculative({object})"),
 *   - `explain`: one line saying what the step means for the race.
 * Statements may nest under `if` nodes (control flow that depends on the
 * values read). Instantiation (instantiate.ts) fills the templates with a
 * finding's names and renders the litmus text, remembering which litmus line
 * each statement landed on, so a replay can map events back to steps.
 */
import type { FamilyId, ScenarioId } from '../../protocol/scenarioIds';
import type { StepOrigin } from '../../protocol/replay';

export type Variant = 'buggy' | 'fixed';

/** One statement of a CPU's program. */
export interface StmtDef {
  /** LKMM C statement, without the trailing newline. `$slot` = location, `{key}` = param. */
  litmus: string;
  /** The step in the kernel's language. */
  text: string;
  /** Why the step matters. */
  explain?: string;
  /** Registers this statement assigns that hold pointers (declared `int *rN`). */
  ptrRegs?: string[];
  /** This statement is the patch's own line (gets `line` from the finding's params). */
  patchLine?: boolean;
  /** Where the step comes from (a line of the patch, the fix, a counterpart protocol). */
  origin?: StepOrigin;
  /** A step with no memory effect (a return, a goto): no litmus statement; the story shows it after the statement before it. */
  note?: boolean;
  /** `text` and `explain` are final (patch expressions): no `{key}` filling. */
  literal?: boolean;
}

/** `if (cond) { then } else { else }`: cond is a litmus expression template. */
export interface IfDef {
  if: string;
  /** The check in the kernel's language ("if (!pgmap)"). */
  text: string;
  then: Node[];
  else?: Node[];
}

export type Node = StmtDef | IfDef;

export function isIf(n: Node): n is IfDef {
  return (n as IfDef).if !== undefined;
}

/** One CPU of a variant. */
export interface CpuDef {
  /** Role name template, e.g. "{function} (get_user_pages_fast)". */
  role: string;
  body: Node[];
  /** Whose code the lane runs: the patch's function, or a catalogued counterpart protocol. */
  origin?: 'patch' | 'counterpart' | 'seed';
  fn?: string;
  protocol?: string;
}

export interface VariantDef {
  /** What this variant does, in words ("smp_wmb() between the pin and the flag check"). */
  summary: string;
  cpus: CpuDef[];
  /**
   * For the fixed variant: which code change forbids the bad outcome, in words
   * ("smp_mb() on both CPUs"); combined with the model's violated axioms.
   */
  fix?: string;
  /** For the fixed variant: why no candidate even reaches the outcome, when the model has nothing to forbid. */
  unreachableBecause?: string;
  /** For the fixed variant: the ordering or pairing that forbids the outcome, in the kernel's terms. */
  reason?: string;
  /** The bad outcome of this variant when its registers differ from the other's (family instances). */
  condition?: string;
}

/** A shared location of the scenario. */
export interface LocationDef {
  /** Default name, used for the litmus variable and in texts (`{loc:slot}`). */
  name: string;
  /** Model state rather than memory of the patch (the CPU's IRQ state, the task running on a CPU): named by the counterpart catalogue. */
  context?: boolean;
  /** Initial value; a string names another location (a pointer to it). */
  init: number | string;
  /** C type for the Pn parameter list. */
  type: 'int' | 'atomic_t' | 'spinlock_t' | 'int *';
  /** What it stands for ("page->_refcount"). */
  meaning: string;
}

export interface ScenarioDef {
  id: ScenarioId | FamilyId;
  /** A family instance built from a finding's trace (server/src/sim/families). */
  family?: FamilyId;
  title: string;
  /** Seed thread id ("000") or "" when the scenario is generic. */
  seed: string;
  /** The race in words (docs and the replay header). */
  race: string;
  /** The broken invariant in plain words (template over params). */
  invariant: string;
  /** Rule ids whose findings link to this scenario. */
  rules: string[];
  /** Shared locations, by slot name. */
  locations: Record<string, LocationDef>;
  /** Display parameters with defaults (function names, object names, API names). */
  params: Record<string, string | number>;
  /**
   * How a finding's generic keys (function, object, location, other, acquire,
   * release, line) bind to this scenario: a display param name, or
   * `$slot` for a location (its litmus name and display name both change).
   * `other` may bind to several slots (comma-separated values fill them in order).
   */
  bind: Partial<Record<'function' | 'object' | 'location' | 'other' | 'acquire' | 'release', string | string[]>>;
  /** The CPU whose code the finding is about (gets `line`); default 0. */
  subjectCpu?: number;
  /**
   * The bad outcome, as a litmus `exists` condition template
   * (`0:r0=0 /\ $refcount=1`). Same for both variants.
   */
  condition: string;
  /** Registers / locations the condition reads (to find the step where it breaks). */
  variants: Record<Variant, VariantDef>;
}
