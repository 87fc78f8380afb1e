/**
 * The replay protocol: finding -> scenario request -> replay.
 *
 * One module shared by the server (rules, engine, simulator, LSP, CLI) and
 * the VS Code client (imported through the build): the types that cross the
 * wire, and the checks that guard them. No imports, no Node APIs: it is
 * bundled into the extension as is.
 *
 *  1. A rule that finds a defect records the events it found on its path, in
 *     order, with their own expressions and positions (a Trace), and binds the
 *     roles those expressions play (the object, its counter, the lock, the
 *     flag, the published pointer).
 *  2. The engine maps the positions to lines of the document (a Finding's
 *     trace has 1-based document lines).
 *  3. A ScenarioRequest is the trace plus the variant to replay; the
 *     simulator's family for the trace builds a litmus program whose subject
 *     CPU runs the patch's events and whose other CPU comes from the
 *     catalogue of counterpart protocols, runs it, and answers a Replay.
 */
import { FAMILY_IDS, isFamilyId, isScenarioId, type FamilyId } from './scenarioIds';

export type Variant = 'buggy' | 'fixed';

/**
 * The part an expression of the patch plays in a race. A role is bound only
 * to an expression of its kind (see ROLE_KINDS); an expression that does not
 * fit leaves the role unbound, and a replay that needs it is not built.
 */
export type Role =
  | 'object' // a reference-counted object: `folio`, `pages`, `pgmap` (a pointer expression)
  | 'counter' // a shared counter or field written by an RMW: `mm->context.lockless_pgtbl_walk_count`
  | 'lock' // a lock: `resv->lock`, `ptl`, the page lock of `page`
  | 'section' // a section with no object: RCU read side, IRQs off (the opening call's name, for texts)
  | 'flag' // a shared location read or written: `PG_writeback of head`, `*pmdp`
  | 'pointer' // a published or protected pointer: `pn->shrinker_info`, `p->mempolicy`, `*pmd`
  | 'slot'; // where a lockless lookup finds the object: `mapping->i_pages[index]`, `*ptep`

export const ROLES: readonly Role[] = ['object', 'counter', 'lock', 'section', 'flag', 'pointer', 'slot'];

/** What happens at a point of the finding's path. */
export type TraceEventKind =
  | 'lookup' // a lockless lookup returns the object
  | 'acquire' // a reference, pin, lock or section is taken
  | 'release' // ... and dropped
  | 'exit' // the path leaves the function
  | 'load'
  | 'store'
  | 'rmw'
  | 'barrier' // a fence or ordering primitive (possibly too weak)
  | 'no-barrier' // the place where a barrier is missing
  | 'open' // a section opens (rcu_read_lock, local_irq_save, spin_lock)
  | 'close' // ... and closes
  | 'use' // the object is used
  | 'sleep' // a call that may sleep
  | 'init' // an object is initialised
  | 'publish' // ... and made reachable
  | 'recheck'; // a lockless lookup is re-validated

export const TRACE_EVENT_KINDS: readonly TraceEventKind[] = [
  'lookup', 'acquire', 'release', 'exit', 'load', 'store', 'rmw', 'barrier', 'no-barrier', 'open', 'close', 'use', 'sleep', 'init', 'publish', 'recheck',
];

/** A position in the document the finding is in: 1-based line; the function it is in when not the finding's own. */
export interface TracePos {
  line: number;
  /** 1-based line in the patched C file, when known. */
  fileLine?: number;
  /** The function the event is in, when it is another function of the document (the other side of a protocol). */
  fn?: string;
}

export interface TraceEvent<P = TracePos> {
  kind: TraceEventKind;
  /** The expression or statement as written in the patch: `folio_try_get(folio)`, `return -EFAULT`. */
  expr: string;
  at: P;
  /** The role the event acts on. */
  role?: Role;
  /** The catalogued call, when the event is one: names texts and eras, never a variable. */
  api?: string;
  /** Memory-ordering strength of a barrier or access: 'full', 'wmb', 'rmb', 'release', 'acquire', 'after-atomic', 'before-atomic', 'none', 'plain'. */
  ordering?: string;
  /** Free-form qualifier: 'speculative', 'bias', 'failed', 'deleted' (a line the patch removes), 'other' (the other side's event). */
  note?: string;
}

/** The rule's own repair, which the fixed variant applies. */
export interface TraceFix {
  /** What the fix does, in the kernel's words: "folio_put(folio) before `return -EFAULT`". */
  title: string;
  /** The code the fix adds or puts instead, when it is one expression: `folio_put(folio)`, `smp_mb()`. */
  expr?: string;
}

/** A rule's account of the race a finding allows. `P` is an image position in a rule's RawFinding, a TracePos in a Finding. */
export interface Trace<P = TracePos> {
  family: FamilyId;
  events: TraceEvent<P>[];
  /** Role -> the patch expression bound to it. */
  roles: Partial<Record<Role, string>>;
  /** Names the other CPU's texts use (the catalogued pairing release, the lookup's remover ...): texts only. */
  names?: Record<string, string>;
  fix?: TraceFix;
  /** Set when a role could not be bound: there is no replay, and this says why. */
  unbound?: string;
}

/** What the simulator is asked to replay. */
export interface ScenarioRequest extends Trace<TracePos> {
  variant: Variant;
  rule: string;
  /** The function the finding is in. */
  function: string;
  file?: string;
  /** 1-based document line of the finding. */
  line?: number;
}

// ---------------------------------------------------------------------------
// Replays

/** Where a step comes from: a line of the patch, the rule's fix, or a catalogued counterpart protocol. */
export type StepOrigin =
  | { kind: 'patch'; line: number; fileLine?: number; fn?: string }
  | { kind: 'fix'; line?: number; fn?: string }
  | { kind: 'counterpart'; protocol: string }
  | { kind: 'seed'; seed: string };

export type StepKind = 'read' | 'write' | 'rmw' | 'fence' | 'lock' | 'unlock' | 'rcu' | 'note';

export interface ReplayStep {
  index: number;
  cpu: number;
  /** The step in the kernel's words: the patch's own expression for the patch's events. */
  text: string;
  kind: StepKind;
  litmusLine?: number;
  /** The location the step reads or writes (its display name: an object or field of the patch). */
  location?: string;
  /** For writes and RMWs: the value written; for plain reads: the value read. */
  value?: string | number;
  readsFrom?: { step: number | null; description: string };
  stale?: { newerStep: number; description: string };
  explanation?: string;
  /** The litmus line and statement; patchLine (1-based) when the step is a line of the patch. */
  source?: { line: number; litmus: string; patchLine?: number };
  /** What the step read: the value, and the step whose write it read (null: the initial value). */
  reads?: { location: string; value: string | number; from: number | null };
  /** What the step wrote (for an RMW: the new value; `reads` has the old one). */
  writes?: { location: string; value: string | number };
  origin?: StepOrigin;
}

export interface ReplayLane {
  id: number;
  name: string;
  /** 'patch': the finding's function (or the other side of it in the document); 'counterpart': a catalogued protocol. */
  origin?: 'patch' | 'counterpart' | 'seed';
  /** The function of the patch the lane runs, or the counterpart protocol's name. */
  fn?: string;
  protocol?: string;
}

export interface ReplayOutcome {
  reachable: boolean;
  condition: string;
  invariant: string;
  brokenAtStep?: number;
  forbiddenBy?: string[];
  explanation: string;
}

export interface ReplayVerdict {
  observation: 'Never' | 'Sometimes' | 'Always';
  positive: number;
  negative: number;
  complete: boolean;
}

export interface Replay {
  /** The seed scenario id (S1..S9) or the family id. */
  scenario: string;
  family?: FamilyId;
  title: string;
  seed: string;
  variant: Variant;
  cpus: ReplayLane[];
  steps: ReplayStep[];
  outcome: ReplayOutcome;
  verdict: ReplayVerdict;
  litmus: string;
  params: Record<string, string | number>;
  invariant: string;
  /** What the steps show: the race (a witness), the closest forbidden candidate, or (when no candidate reaches the outcome) one allowed execution. */
  story: 'witness' | 'forbidden-candidate' | 'example' | 'none';
  summary: string;
  /** Fixed variant: the ordering or pairing that forbids the outcome, in the kernel's terms. */
  fixReason?: string;
  /** The finding the replay is derived from (rule, function, document line). */
  finding?: { rule: string; function: string; line?: number; file?: string };
  /** Shared locations: display name (an object or field of the patch), litmus identifier, initial value, meaning. */
  locations?: { name: string; ident: string; init: string | number; meaning: string }[];
}

/** A replay that could not be built: the reason, in words. */
export interface ReplayUnavailable {
  unavailable: string;
}

export function isReplay(x: unknown): x is Replay {
  const r = x as Replay | null;
  return !!r && typeof r === 'object' && typeof r.scenario === 'string' && Array.isArray(r.cpus) && Array.isArray(r.steps) && !!r.outcome && typeof r.outcome === 'object';
}

// ---------------------------------------------------------------------------
// Finding -> request

/** The parts of a Finding a request is made from. */
export interface FindingLike {
  rule: string;
  function?: string;
  file?: string;
  severity?: string;
  range?: { start: { line: number } };
  trace?: Trace<TracePos>;
}


/** An object or field of the patch: `folio`, `*ptep`, `vma->vm_mm`, `buf.pages[i]`. */
const ROLE_PATH = /^\*?[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*|\[[^[\]]{1,40}\])*$/;
/** A flag of an object: `PG_locked of folio`. */
const ROLE_FLAG = /^[A-Za-z_]\w* of \*?[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*|\[[^[\]]{1,40}\])*$/;

/**
 * Why `expr` cannot play `role`, or undefined when it can: a role is bound
 * only to an object or field of the patch (a flag role also to `FLAG of
 * object`), never to a call, a statement or free text.
 */
export function roleError(role: Role, expr: string): string | undefined {
  const t = expr.trim();
  // a section has no object: its role is a label for texts (`RCU read-side section`), never a variable
  if (role === 'section') return t.length > 0 && t.length <= 80 && /^[\w ()'-]+$/.test(t) ? undefined : 'the section is not named';
  if (t.length > 0 && t.length <= 160 && !/\w\s+\w/.test(t) && ROLE_PATH.test(t.replace(/\s+/g, ''))) return undefined;
  if ((role === 'flag' || role === 'counter' || role === 'pointer') && t.length <= 160 && ROLE_FLAG.test(t)) return undefined;
  return `\`${t.slice(0, 60)}\` cannot play the ${role} (it is not an object or field of the patch)`;
}

/** The request that replays a finding's race, or why there is none. */
export function requestOf(f: FindingLike, variant: Variant = 'buggy'): ScenarioRequest | ReplayUnavailable {
  const t = f.trace;
  if (!t) return { unavailable: `${f.rule} has no race to replay for this finding` };
  if (t.unbound) return { unavailable: t.unbound };
  for (const [role, expr] of Object.entries(t.roles)) {
    const why = roleError(role as Role, expr);
    if (why) return { unavailable: why };
  }
  return {
    family: t.family,
    events: t.events,
    roles: t.roles,
    ...(t.names ? { names: t.names } : {}),
    ...(t.fix ? { fix: t.fix } : {}),
    variant,
    rule: f.rule,
    function: f.function ?? '',
    ...(f.file ? { file: f.file } : {}),
    ...(f.range ? { line: f.range.start.line + 1 } : {}),
  };
}

// ---------------------------------------------------------------------------
// Checks on what crosses a trust boundary (a command argument that came,
// through the server, from a patch; a request from any LSP client).

const MAX_TEXT = 400;
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
const RULE = /^[a-z][a-z-]*\/[a-z][a-z-]*$/;

function str(x: unknown, max = MAX_TEXT): x is string {
  return typeof x === 'string' && x.length <= max;
}

function posOk(p: unknown): p is TracePos {
  const x = p as TracePos | null;
  return !!x && typeof x === 'object' && Number.isSafeInteger(x.line) && x.line > 0 &&
    (x.fileLine === undefined || (Number.isSafeInteger(x.fileLine) && x.fileLine > 0)) && (x.fn === undefined || str(x.fn, 200));
}

/** A ScenarioRequest in `x`, field by field, or a message saying what is wrong. */
export function checkRequest(x: unknown): ScenarioRequest | string {
  if (!x || typeof x !== 'object' || Array.isArray(x)) return 'the request must be an object';
  const r = x as Record<string, unknown>;
  if (!isFamilyId(r.family)) return `unknown scenario family (known: ${FAMILY_IDS.join(', ')})`;
  if (r.variant !== 'buggy' && r.variant !== 'fixed') return 'variant must be buggy or fixed';
  if (!str(r.rule, 80) || !RULE.test(r.rule)) return 'bad rule id';
  if (!str(r.function, 200)) return 'bad function name';
  if (r.file !== undefined && !str(r.file, 1024)) return 'bad file';
  if (r.line !== undefined && !(Number.isSafeInteger(r.line) && (r.line as number) > 0)) return 'bad line';
  if (!Array.isArray(r.events) || r.events.length > 64) return 'events must be an array of at most 64';
  const events: TraceEvent[] = [];
  for (const e of r.events as unknown[]) {
    const v = e as Record<string, unknown>;
    if (!v || typeof v !== 'object') return 'bad event';
    if (typeof v.kind !== 'string' || !(TRACE_EVENT_KINDS as readonly string[]).includes(v.kind)) return 'bad event kind';
    if (!str(v.expr)) return 'bad event expression';
    if (!posOk(v.at)) return 'bad event position';
    if (v.role !== undefined && !(ROLES as readonly string[]).includes(v.role as string)) return 'bad event role';
    for (const k of ['api', 'ordering', 'note'] as const) if (v[k] !== undefined && !str(v[k], 80)) return `bad event ${k}`;
    const at = v.at as TracePos;
    events.push({
      kind: v.kind as TraceEventKind,
      expr: v.expr as string,
      at: { line: at.line, ...(at.fileLine ? { fileLine: at.fileLine } : {}), ...(at.fn ? { fn: at.fn } : {}) },
      ...(v.role ? { role: v.role as Role } : {}),
      ...(v.api ? { api: v.api as string } : {}),
      ...(v.ordering ? { ordering: v.ordering as string } : {}),
      ...(v.note ? { note: v.note as string } : {}),
    });
  }
  const roles: Partial<Record<Role, string>> = {};
  if (!r.roles || typeof r.roles !== 'object' || Array.isArray(r.roles)) return 'roles must be an object';
  for (const [k, v] of Object.entries(r.roles as Record<string, unknown>)) {
    if (!(ROLES as readonly string[]).includes(k)) return `unknown role ${k.slice(0, 40)}`;
    if (!str(v, 200)) return `bad expression for role ${k}`;
    roles[k as Role] = v;
  }
  const names: Record<string, string> = {};
  if (r.names !== undefined) {
    if (!r.names || typeof r.names !== 'object' || Array.isArray(r.names)) return 'names must be an object';
    const entries = Object.entries(r.names as Record<string, unknown>);
    if (entries.length > 32) return 'too many names';
    for (const [k, v] of entries) {
      if (!NAME.test(k)) return 'bad name key';
      if (!str(v, 200)) return `bad name ${k}`;
      names[k] = v;
    }
  }
  let fix: TraceFix | undefined;
  if (r.fix !== undefined) {
    const f = r.fix as Record<string, unknown>;
    if (!f || typeof f !== 'object' || !str(f.title) || (f.expr !== undefined && !str(f.expr))) return 'bad fix';
    fix = { title: f.title as string, ...(f.expr !== undefined ? { expr: f.expr as string } : {}) };
  }
  return {
    family: r.family,
    variant: r.variant,
    rule: r.rule,
    function: r.function,
    ...(r.file !== undefined ? { file: r.file as string } : {}),
    ...(r.line !== undefined ? { line: r.line as number } : {}),
    events,
    roles,
    ...(r.names !== undefined ? { names } : {}),
    ...(fix ? { fix } : {}),
  };
}

/**
 * The arguments of the `mmReview.replay` / `mmReview.exportLitmus` commands:
 * a seed scenario (`scenario` S1..S9, with `params`), or a finding of an open
 * document (`uri` + `rule` + `range`: the server looks the finding up in its
 * own analysis, so nothing a patch says travels in the command), with the
 * variant.
 */
export interface ReplayArgs {
  uri?: string;
  scenario?: string;
  variant?: Variant;
  params?: Record<string, string | number>;
  range?: { start: { line: number; character: number }; end: { line: number; character: number } };
  rule?: string;
}

function position(x: unknown): { line: number; character: number } | undefined {
  const p = x as { line?: unknown; character?: unknown } | null;
  if (!p || typeof p !== 'object') return undefined;
  const { line, character } = p;
  return Number.isInteger(line) && Number.isInteger(character) && (line as number) >= 0 && (character as number) >= 0 ? { line: line as number, character: character as number } : undefined;
}

/** The replay arguments in `x`, or a message saying what is wrong with them. */
export function checkReplayArgs(x: unknown): ReplayArgs | string {
  if (!x || typeof x !== 'object' || Array.isArray(x)) return 'the argument must be an object';
  const a = x as Record<string, unknown>;
  const out: ReplayArgs = {};
  if (a.scenario !== undefined && a.scenario !== null) {
    if (!isScenarioId(a.scenario)) return 'unknown scenario';
    out.scenario = a.scenario;
  }
  if (a.variant !== undefined) {
    if (a.variant !== 'buggy' && a.variant !== 'fixed') return 'variant must be buggy or fixed';
    out.variant = a.variant;
  }
  if (a.params !== undefined && a.params !== null) {
    if (typeof a.params !== 'object' || Array.isArray(a.params)) return 'params must be an object';
    const entries = Object.entries(a.params as Record<string, unknown>);
    if (entries.length > 32) return 'too many params';
    const params: Record<string, string | number> = {};
    for (const [k, v] of entries) {
      if (!NAME.test(k)) return 'bad param name';
      if (typeof v === 'string' && v.length <= 256) params[k] = v;
      else if (typeof v === 'number' && Number.isFinite(v)) params[k] = v;
      else return `bad value for param ${k}`;
    }
    out.params = params;
  }
  if (a.uri !== undefined && a.uri !== null) {
    if (typeof a.uri !== 'string' || a.uri.length > 4096 || !/^(file|untitled|vscode-[a-z-]+):/.test(a.uri)) return 'bad uri';
    out.uri = a.uri;
  }
  if (a.rule !== undefined && a.rule !== null) {
    if (typeof a.rule !== 'string' || !RULE.test(a.rule)) return 'bad rule id';
    out.rule = a.rule;
  }
  if (a.range !== undefined && a.range !== null) {
    const r = a.range as { start?: unknown; end?: unknown };
    const start = position(r.start);
    const end = position(r.end);
    if (!start || !end) return 'bad range';
    out.range = { start, end };
  }
  if (!out.scenario && !(out.uri && out.rule && out.range)) return 'name a scenario, or a finding (uri, rule and range)';
  return out;
}

/** A rule id as the docs folder names it (`ref-balance/leak`). */
export function isRuleId(x: unknown): x is string {
  return typeof x === 'string' && RULE.test(x);
}
