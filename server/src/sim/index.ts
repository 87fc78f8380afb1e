/**
 * The race simulator's public API: run LKMM C litmus tests and print the
 * result as herd7 does. See docs/simulator.md.
 */
import { LitmusSyntaxError, LitmusTest } from './litmus/ast';
import { parseLitmus } from './litmus/parse';
import { GEvent, RawExecution, runEngine } from './engine';

export { LitmusSyntaxError } from './litmus/ast';
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
  observation: 'Never' | 'Sometimes' | 'Always';
  complete: boolean;
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
  stats: { candidates: number; allowed: number; ms: number };
}

export interface RunOptions {
  maxExecutions?: number;
  timeoutMs?: number;
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
    if (e.value !== undefined && e.kind !== 'F') s.value = e.value;
    if (e.kind !== 'F') s.access = e.kind;
    if (e.rmwPartner !== undefined) s.rmwPartner = ext.get(e.rmwPartner);
    return s;
  });
  const rf = x.rf.map(([r, w]) => ({ read: ext.get(r)!, write: ext.has(w) ? ext.get(w)! : null }));
  const co: Record<string, number[]> = {};
  for (const [loc, order] of x.co) {
    const ws = order.filter((w) => ext.has(w)).map((w) => ext.get(w)!);
    if (ws.length) co[loc] = ws;
  }
  const final: Record<string, string | number> = {};
  for (const [k, v] of x.final) final[k] = v;
  return { events, rf, co, final };
}

/** Run a parsed test. */
export function runParsed(test: LitmusTest, opts: RunOptions = {}): LitmusResult {
  const t0 = Date.now();
  const r = runEngine(test, {
    maxExecutions: opts.maxExecutions ?? 200000,
    timeoutMs: opts.timeoutMs ?? 10000,
    maxWitnesses: 3,
    maxForbidden: 3,
  });
  const observation: LitmusResult['observation'] = r.positive === 0 ? 'Never' : r.negative === 0 ? 'Always' : 'Sometimes';
  const states = r.states
    .map((s) => {
      const values: Record<string, string | number> = {};
      for (const k of r.observed) values[k] = s.values.get(k) ?? 0;
      return { values, count: s.count };
    })
    .sort((a, b) => stateLine(a.values).localeCompare(stateLine(b.values)));
  return {
    name: test.name,
    observation,
    complete: r.complete,
    incompleteReason: r.incompleteReason,
    states,
    positive: r.positive,
    negative: r.negative,
    condition: `${test.kind} ${test.condText}`,
    kind: test.kind,
    witnesses: r.witnesses.map(toExecution),
    forbidden: r.forbidden.map((f) => ({ execution: toExecution(f.execution), violated: f.violated })),
    flags: r.flags,
    stats: { candidates: r.candidates, allowed: r.allowed, ms: Date.now() - t0 },
  };
}

/** Parse and run a litmus test. Throws LitmusSyntaxError on bad syntax. */
export function runLitmus(src: string, opts: RunOptions = {}): LitmusResult {
  return runParsed(parseLitmus(src), opts);
}

function stateLine(values: Record<string, string | number>): string {
  return Object.entries(values).map(([k, v]) => `${k}=${v};`).join(' ');
}

/** herd7-style output. */
export function formatHerd(r: LitmusResult): string {
  const kindWord = r.kind === 'exists' ? 'Allowed' : r.kind === '~exists' ? 'Forbidden' : 'Required';
  const out: string[] = [];
  out.push(`Test ${r.name} ${kindWord}`);
  out.push(`States ${r.states.length}`);
  for (const s of r.states) out.push(stateLine(s.values));
  if (!r.complete) {
    out.push('Incomplete');
    out.push(`Explored: ${r.stats.candidates} candidates, ${r.stats.allowed} allowed (${r.incompleteReason ?? 'bound hit'})`);
    out.push(`Condition ${r.condition}`);
    out.push(`Observation ${r.name} Incomplete ${r.positive} ${r.negative}`);
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

/** The expected verdict a test states in its header comment (`Result: Never`), if any. */
export function expectedResult(src: string): string | undefined {
  const m = /^[ \t]*(?:\*[ \t]*)?Result:\s*(\w+)/m.exec(src);
  return m ? m[1] : undefined;
}

// Scenario library and replay (server/src/sim/scenarios, server/src/sim/replay*) are re-exported below when present.
void LitmusSyntaxError;
export { listScenarios, exportLitmus } from './scenarios/index';
export { replay, renderReplayText, type Replay, type ReplayStep } from './replay';
