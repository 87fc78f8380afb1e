/**
 * Running litmus tests: parse, run, and print the result as herd7 does.
 * The simulator's public API (./index.ts) re-exports all of it with the
 * scenario library and the replays; `mm-review litmus` imports this module
 * alone, so that running tests loads only the front end and the engine
 * (see docs/simulator.md, "Speed").
 */
import type { LitmusTest } from './litmus/ast';
import { parseLitmus } from './litmus/parse';
import { GEvent, Observation, RawExecution, runEngine } from './engine';
import { publicValue } from './values';

export { LitmusSyntaxError, LitmusUnsupportedError } from './litmus/ast';
export type { Observation } from './engine';
export { parseLitmus } from './litmus/parse';

export interface SimEvent {
  id: number;
  thread: number;
  kind: 'R' | 'W' | 'F' | 'RMW' | 'LOCK' | 'UNLOCK' | 'RCU_LOCK' | 'RCU_UNLOCK' | 'SYNC';
  loc?: string;
  value?: string | number;
  /** once, acquire, release, mb, noreturn, plain, rmb, wmb, rcu-lock, sync-rcu, ... */
  annotation: string;
  line: number;
  column: number;
  /** The source statement. */
  text: string;
  poIndex: number;
  /** Whether the event reads or writes memory (RMW, LOCK and SRCU events are one or the other half). */
  access?: 'R' | 'W';
  /** The other half of an RMW or lock pair. */
  rmwPartner?: number;
}

export interface Execution {
  events: SimEvent[];
  rf: { read: number; write: number | null /* null = initial value */ }[];
  co: Record<string, number[]>;
  final: Record<string, string | number>;
}

export interface LitmusResult {
  name: string;
  /**
   * herd7's observation. Exact when `possible` has one element (always when
   * `complete`); otherwise the one the partial counts suggest, not a verdict.
   */
  observation: Observation;
  /** The enumeration finished: states and Positive/Negative counts are exact. */
  complete: boolean;
  /**
   * The observations a bounded run has not ruled out: one element when the
   * verdict is known (a complete run, or a verdict-directed search that
   * settled it); e.g. ['Sometimes', 'Always'] when a witness of an `exists`
   * was found before the bound.
   */
  possible: Observation[];
  /** Why exploration stopped early (when !complete). */
  incompleteReason?: string;
  states: { values: Record<string, string | number>; count: number }[];
  positive: number;
  negative: number;
  condition: string;
  kind: 'exists' | '~exists' | 'forall';
  /** A few allowed executions satisfying the condition. */
  witnesses: Execution[];
  /**
   * A few candidates that satisfy the condition but that the model forbids,
   * with the violated axioms as "name: detail", name being the cat's axiom
   * name: coherence, atomic, happens-before, propagation, rcu,
   * plain-coherence, lock-nest, nested-is-locked, unmatched-locks.
   */
  forbidden: { execution: Execution; violated: string[] }[];
  /** herd7 flags raised by allowed executions, e.g. "data-race". */
  flags: string[];
  stats: {
    candidates: number;
    allowed: number;
    ms: number;
    /** Each visited execution stood for this many (symmetry reduction of identical threads; 1: none). */
    symmetry: number;
    /** The time bound's own counters: clock reads, work units, the largest stretch of work between two clock reads. */
    bound: { polls: number; units: number; maxGapUnits: number; maxGapMs: number };
  };
}

export interface RunOptions {
  maxExecutions?: number;
  timeoutMs?: number;
  /** Look for forbidden candidates explaining a Never verdict (default true; herd7-style text output does not show them). */
  explain?: boolean;
  /** How many witnesses to keep (default 3; herd7-style text output shows none). */
  witnesses?: number;
  /** The clock the time bound reads (default Date.now; tests inject a fake one). */
  clock?: () => number;
}

function simKind(e: GEvent): SimEvent['kind'] {
  if (e.kind === 'F') {
    if (e.ann === 'rcu-lock') return 'RCU_LOCK';
    if (e.ann === 'rcu-unlock') return 'RCU_UNLOCK';
    if (e.ann === 'sync-rcu' || e.ann === 'sync-srcu') return 'SYNC';
    return 'F';
  }
  if (e.lock === 'LKR' || e.lock === 'LKW') return 'LOCK';
  if (e.lock === 'UL') return 'UNLOCK';
  if (e.ann === 'srcu-lock') return 'RCU_LOCK';
  if (e.ann === 'srcu-unlock') return 'RCU_UNLOCK';
  if (e.rmwClass) return 'RMW';
  return e.kind;
}

function annotation(e: GEvent): string {
  if (e.lock === 'LF') return 'trylock-failed';
  if (e.lock === 'RL') return 'is-locked';
  if (e.lock === 'RU') return 'is-unlocked';
  if (e.lock) return e.lock === 'LKR' ? 'acquire lock-read' : e.lock === 'LKW' ? 'lock-write' : 'release';
  if (e.kind === 'F') return e.ann === 'MB' ? 'mb' : e.ann;
  return e.ann.toLowerCase();
}

/**
 * Set a property named by the user (a location or register name): an own
 * data property even for `__proto__`, which plain assignment would turn into
 * a prototype change (and the name would vanish from the output).
 */
function put<T>(o: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/** Convert an engine execution to the public shape (thread events only, renumbered from 0). */
export function toExecution(x: RawExecution): Execution {
  const ext = new Map<number, number>();
  const evs = x.events.filter((e) => !e.init);
  evs.forEach((e, i) => ext.set(e.id, i));
  const events: SimEvent[] = evs.map((e) => {
    const s: SimEvent = {
      id: ext.get(e.id)!, thread: e.thread, kind: simKind(e), annotation: annotation(e),
      line: e.line, column: e.column, text: e.text, poIndex: e.po,
    };
    if (e.loc !== undefined) s.loc = e.loc;
    if (e.value !== undefined && e.kind !== 'F') s.value = publicValue(e.value);
    if (e.kind !== 'F') s.access = e.kind;
    if (e.rmwPartner !== undefined) s.rmwPartner = ext.get(e.rmwPartner);
    return s;
  });
  const rf = x.rf.map(([r, w]) => ({ read: ext.get(r)!, write: ext.has(w) ? ext.get(w)! : null }));
  const co: Record<string, number[]> = {};
  for (const [loc, order] of x.co) {
    const ws = order.filter((w) => ext.has(w)).map((w) => ext.get(w)!);
    if (ws.length) put(co, loc, ws);
  }
  const final: Record<string, string | number> = {};
  for (const [k, v] of x.final) put(final, k, publicValue(v));
  return { events, rf, co, final };
}

/** Run a parsed test. */
export function runParsed(test: LitmusTest, opts: RunOptions = {}): LitmusResult {
  const r = runEngine(test, {
    maxExecutions: opts.maxExecutions ?? 200000,
    timeoutMs: opts.timeoutMs ?? 10000,
    maxWitnesses: opts.witnesses ?? 3,
    maxForbidden: 3,
    explain: opts.explain,
    clock: opts.clock,
  });
  const observation: Observation = r.possible.length === 1 ? r.possible[0] : r.positive === 0 ? 'Never' : r.negative === 0 ? 'Always' : 'Sometimes';
  const states = r.states
    .map((s) => {
      const values: Record<string, string | number> = {};
      for (const k of r.observed) put(values, k, publicValue(s.values.get(k) ?? 0));
      return { values, count: s.count };
    })
    .map((s) => ({ s, key: stateLine(s.values) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((x) => x.s);
  return {
    name: test.name,
    observation,
    complete: r.complete,
    possible: r.possible,
    incompleteReason: r.incompleteReason,
    states,
    positive: r.positive,
    negative: r.negative,
    condition: `${test.kind} ${test.condText}`,
    kind: test.kind,
    witnesses: r.witnesses.map(toExecution),
    forbidden: r.forbidden.map((f) => ({ execution: toExecution(f.execution), violated: f.violated })),
    flags: r.flags,
    stats: {
      candidates: r.candidates, allowed: r.allowed, ms: r.budget.ms, symmetry: r.symmetry,
      bound: { polls: r.budget.polls, units: r.budget.units, maxGapUnits: r.budget.maxGapUnits, maxGapMs: r.budget.maxGapMs },
    },
  };
}

/** Parse and run a litmus test. Throws LitmusSyntaxError on bad syntax. */
export function runLitmus(src: string, opts: RunOptions = {}): LitmusResult {
  return runParsed(parseLitmus(src), opts);
}

function stateLine(values: Record<string, string | number>): string {
  const keys = Object.keys(values);
  let s = '';
  for (let i = 0; i < keys.length; i++) s += `${i ? ' ' : ''}${keys[i]}=${values[keys[i]]};`;
  return s;
}

/** herd7-style output. */
export function formatHerd(r: LitmusResult): string {
  const kindWord = r.kind === 'exists' ? 'Allowed' : r.kind === '~exists' ? 'Forbidden' : 'Required';
  const out: string[] = [];
  out.push(`Test ${r.name} ${kindWord}`);
  out.push(`States ${r.states.length}`);
  for (const s of r.states) out.push(stateLine(s.values));
  if (!r.complete) {
    // Counts and states are lower bounds; say exactly what is known of the verdict.
    out.push('Incomplete');
    out.push(`Explored: ${r.stats.candidates} candidates, ${r.stats.allowed} allowed (${r.incompleteReason ?? 'bound hit'})`);
    out.push(`Verdict: ${knownVerdict(r.possible)}`);
    out.push(`Condition ${r.condition}`);
    const exact = r.possible.length === 1;
    const p = exact && r.possible[0] === 'Never' ? '0' : `${r.positive}+`;
    const n = exact && r.possible[0] === 'Always' ? '0' : `${r.negative}+`;
    out.push(`Observation ${r.name} ${exact ? r.possible[0] : 'Incomplete'} ${p} ${n}`);
    return out.join('\n') + '\n';
  }
  const ok = r.kind === 'exists' ? r.positive > 0 : r.kind === '~exists' ? r.positive === 0 : r.negative === 0;
  out.push(ok ? 'Ok' : 'No');
  out.push('Witnesses');
  out.push(`Positive: ${r.positive} Negative: ${r.negative}`);
  for (const f of r.flags) out.push(`Flag ${f}`);
  out.push(`Condition ${r.condition}`);
  out.push(`Observation ${r.name} ${r.observation} ${r.positive} ${r.negative}`);
  return out.join('\n') + '\n';
}

/** What a bounded run established about the verdict, in words. */
export function knownVerdict(possible: readonly Observation[]): string {
  const has = (o: Observation) => possible.includes(o);
  if (possible.length === 1) return `${possible[0]} (exact; the enumeration of states and counts did not finish)`;
  if (possible.length === 3) return 'unknown (no verdict: nothing was ruled out before the bound)';
  if (!has('Never')) return 'Sometimes or Always, incomplete (an allowed execution satisfying the condition was found: Never is ruled out)';
  if (!has('Always')) return 'Never or Sometimes, incomplete (an allowed execution not satisfying the condition was found: Always is ruled out)';
  return 'Never or Always, incomplete (no allowed execution both passes the filter and fails the condition: Sometimes is ruled out)';
}

/** The expected verdict a test states in its header comment (`Result: Never`), if any. */
export function expectedResult(src: string): string | undefined {
  const m = /^[ \t]*(?:\*[ \t]*)?Result:\s*(\w+)/m.exec(src);
  return m ? m[1] : undefined;
}
