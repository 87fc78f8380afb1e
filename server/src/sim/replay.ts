/**
 * Replay: turn an execution of a scenario's litmus program into a
 * step-by-step story, one column per CPU, in the patch's own words.
 *
 *   replay(id, variant, params)  -> Replay (JSON for the webview and the CLI)
 *   renderReplayText(replay)     -> a terminal table
 *
 * For the buggy variant the story is LitmusResult.witnesses[0], an allowed
 * execution that reaches the bad outcome. For the fixed variant the bad
 * outcome is unreachable; the story then shows the closest forbidden
 * candidate (LitmusResult.forbidden[0]), labelled as impossible, and
 * `forbiddenBy` says in words which ordering rules rule it out.
 */
import { runLitmus, type Execution, type LitmusResult, type SimEvent } from './run';
import { instantiateScenario, type Instance, type Params, type Variant } from './scenarios/index';
import type { Replay, ReplayStep, ReplayUnavailable, ScenarioRequest } from '../protocol/replay';
import { instantiate } from './scenarios/instantiate';
import { buildFamily, FamilyUnavailable } from './families';

export type { Replay, ReplayStep } from '../protocol/replay';

export interface ReplayOptions {
  maxExecutions?: number;
  timeoutMs?: number;
}

export function replay(id: string, variant: Variant, params?: Params, opts?: ReplayOptions): Replay {
  const inst = instantiateScenario(id, variant, params);
  const result = runLitmus(inst.litmus, opts);
  return buildReplay(inst, result, exampleOf(inst, result, opts));
}

/**
 * A fixed variant whose outcome no candidate even reaches has no forbidden
 * candidate to show: its story is then one allowed execution (the program run
 * with the condition negated), so the view still shows the fix at work.
 */
function closestForbidden(result: LitmusResult): LitmusResult['forbidden'][number] | undefined {
  return [...result.forbidden].sort((a, b) => a.violated.length - b.violated.length)[0];
}

function plausible(f: LitmusResult['forbidden'][number]): boolean {
  return !f.violated.some((v) => /^(coherence|atomic)\b/.test(v));
}

function exampleOf(inst: Instance, result: LitmusResult, opts?: ReplayOptions): Execution | undefined {
  const best = closestForbidden(result);
  if (result.observation !== 'Never' || (best && plausible(best)) || !result.complete || result.negative === 0) return undefined;
  // the condition is the last line: `exists (...)`
  const at = inst.litmus.lastIndexOf('\nexists (');
  if (at < 0 || !inst.litmus.endsWith(')\n')) return undefined;
  const cond = inst.litmus.slice(at + '\nexists ('.length, -2);
  const negated = `${inst.litmus.slice(0, at)}\nexists (~(${cond}))\n`;
  try {
    return runLitmus(negated, opts).witnesses[0];
  } catch {
    return undefined;
  }
}

/** The instance of a finding's race: its family built from the request's trace. Throws FamilyUnavailable. */
export function instantiateRequest(req: ScenarioRequest): Instance {
  return instantiate(buildFamily(req), req.variant, {});
}

/** Replay a finding's own race (protocol/replay.ts), or say why there is none. */
export function replayRequest(req: ScenarioRequest, opts?: ReplayOptions): Replay | ReplayUnavailable {
  let inst: Instance;
  try {
    inst = instantiateRequest(req);
  } catch (e) {
    if (e instanceof FamilyUnavailable) return { unavailable: e.message };
    throw e;
  }
  const result = runLitmus(inst.litmus, opts);
  const r = buildReplay(inst, result, exampleOf(inst, result, opts));
  return { ...r, finding: { rule: req.rule, function: req.function, ...(req.line ? { line: req.line } : {}), ...(req.file ? { file: req.file } : {}) } };
}

/** The litmus test of a finding's race, exactly as the replay runs it. */
export function exportRequestLitmus(req: ScenarioRequest): string | ReplayUnavailable {
  try {
    return instantiateRequest(req).litmus;
  } catch (e) {
    if (e instanceof FamilyUnavailable) return { unavailable: e.message };
    throw e;
  }
}

/** Build the replay of an instantiated scenario from its litmus result (exposed for tests). */
export function buildReplay(inst: Instance, result: LitmusResult, example?: Execution): Replay {
  const witness = result.witnesses[0];
  // the closest forbidden candidate: the one that breaks the fewest axioms (the fix's own ordering, not a wild one);
  // one that breaks coherence or atomicity is no execution a machine could attempt: an allowed one tells more
  const best = closestForbidden(result);
  const forbidden = best && (plausible(best) || !example) ? best : undefined;
  const reachable = result.observation !== 'Never' && witness !== undefined;
  let steps: ReplayStep[] = [];
  let story: Replay['story'] = 'none';
  let brokenAtStep: number | undefined;
  if (reachable) {
    const s = tellStory(inst, witness);
    steps = s.steps;
    brokenAtStep = s.brokenAt;
    story = 'witness';
  } else if (forbidden) {
    const s = tellStory(inst, forbidden.execution, 1);
    steps = [
      {
        index: 1,
        cpu: 0,
        kind: 'note',
        text: 'IMPOSSIBLE: the closest candidate execution, which the LKMM forbids',
        explanation: `This interleaving would reach the bad outcome, but it violates: ${forbidden.violated.join('; ') || 'the model'}.`,
      },
      ...s.steps,
    ];
    story = 'forbidden-candidate';
  } else if (example) {
    const s = tellStory(inst, example, 1);
    steps = [
      {
        index: 1,
        cpu: 0,
        kind: 'note',
        text: 'SAFE: one execution the LKMM allows; none of them reaches the bad outcome',
        explanation: result.forbidden.length
          ? `${inst.reason ?? inst.fix ?? 'the fix'}: the executions that would reach the bad outcome are forbidden (see "forbidden by")`
          : inst.unreachableBecause ?? inst.reason ?? 'no candidate execution of this program reaches the outcome',
      },
      ...s.steps,
    ];
    story = 'example';
  }

  const forbiddenBy = reachable ? undefined : explainForbidden(inst, result);
  const v = result.observation;
  let explanation: string;
  if (reachable) {
    const stale = steps.filter((s) => s.stale);
    explanation =
      `Reachable under the LKMM (${v}: ${result.positive} of ${result.positive + result.negative} final states). ` +
      `${capitalise(inst.invariant)}${brokenAtStep ? ` (at step ${brokenAtStep})` : ''}.` +
      (stale.length ? ` ${stale.length === 1 ? 'Step' : 'Steps'} ${stale.map((s) => s.index).join(', ')} read a stale value: a newer write had not yet reached that CPU.` : '');
  } else if (!result.complete) {
    explanation = `No execution reaching the bad outcome was found, but the exploration hit its bound: this is not a verdict.`;
  } else {
    explanation = `Unreachable under the LKMM (Never). ${forbiddenBy?.length ? `Forbidden by ${forbiddenBy.join('; ')}.` : ''}`.trim();
  }
  return {
    scenario: inst.def.id,
    ...(inst.def.family ? { family: inst.def.family } : {}),
    title: inst.def.title,
    seed: inst.def.seed,
    variant: inst.variant,
    cpus: inst.cpus,
    steps,
    outcome: { reachable, condition: inst.condition, invariant: inst.invariant, brokenAtStep, forbiddenBy, explanation },
    verdict: { observation: result.observation, positive: result.positive, negative: result.negative, complete: result.complete },
    litmus: inst.litmus,
    params: { ...inst.given },
    invariant: inst.invariant,
    story,
    summary: inst.summary,
    ...(inst.variant === 'fixed' && (inst.reason ?? inst.fix) ? { fixReason: inst.reason ?? inst.fix } : {}),
    locations: inst.locations.map(({ name, ident, init, meaning }) => ({ name, ident, init, meaning })),
  };
}

function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

// ---------------------------------------------------------------------------
// Why the fixed variant is safe, in words.

/** The model's axiom names (linux-kernel.cat, lock.cat) in words. */
const AXIOMS: Record<string, string> = {
  propagation:
    'the propagation axiom (pb): with a full barrier between a store and a later load on each side, each store reaches every CPU before the later load runs, so the store-buffering cycle cannot close',
  rcu: 'the RCU axiom (rcu): a read-side critical section (here also an IRQ-off section waited for by a synchronous IPI) cannot span a whole grace period, so the reader sees either none or all of what follows it',
  'happens-before': 'the happens-before axiom (hb): the barriers, release/acquire, lock hand-overs and dependencies would make an event happen before itself',
  coherence: 'coherence: all CPUs agree on one order of the writes to each location',
  'plain-coherence': 'coherence of plain accesses',
  atomic: 'atomicity: no other write can come between the read and the write of an atomic read-modify-write',
  'lock-nest': 'lock semantics: a lock cannot be taken twice without an unlock in between',
  'nested-is-locked': 'lock semantics: spin_is_locked() on a held lock',
  'unmatched-locks': 'lock semantics: every lock acquisition is matched by a release of the previous holder',
};

function axiomWords(violated: string): string {
  const name = violated.split(':')[0].trim().toLowerCase();
  if (AXIOMS[name]) return AXIOMS[name];
  const key = Object.keys(AXIOMS).find((k) => name.includes(k));
  return key ? AXIOMS[key] : violated;
}

function explainForbidden(inst: Instance, result: LitmusResult): string[] {
  const fix = inst.fix ?? inst.summary;
  if (inst.reason) {
    // a family instance says in the kernel's terms which ordering or pairing forbids it; the model's axioms follow
    const axioms = [...new Set(result.forbidden.flatMap((f) => f.violated.map((v) => v.split(':')[0].trim())))];
    return [inst.reason + (axioms.length ? ` (LKMM: ${axioms.join(', ')})` : '')];
  }
  const out: string[] = [];
  const seen = new Set<string>();
  for (const f of result.forbidden) {
    for (const v of f.violated) {
      const words = axiomWords(v);
      if (seen.has(words)) continue;
      seen.add(words);
      // the fix once, then each further axiom in words
      out.push(out.length ? words : `${fix}: ${words}`);
    }
  }
  if (out.length === 0) {
    out.push(`${fix}: ${inst.unreachableBecause ?? 'no candidate execution of the program reaches the outcome'}`);
  }
  return out;
}

// ---------------------------------------------------------------------------
// The story: a linearisation of one execution.

interface Told {
  steps: ReplayStep[];
  brokenAt?: number;
}

const KIND: Record<SimEvent['kind'], ReplayStep['kind']> = {
  R: 'read',
  W: 'write',
  RMW: 'rmw',
  F: 'fence',
  LOCK: 'lock',
  UNLOCK: 'unlock',
  RCU_LOCK: 'rcu',
  RCU_UNLOCK: 'rcu',
  SYNC: 'rcu',
};

/**
 * Order the events of `exec` into a story.
 *
 * The order is a linearisation consistent with program order (each CPU's
 * column reads top-down in program order), reads-from (a read comes after the
 * write it reads) and coherence (writes to a location appear in co order):
 * these are "hard" edges. From-reads (a read comes before the writes that
 * overwrite the value it read) are "soft": a weak behaviour is precisely an
 * execution where po ∪ rf ∪ co ∪ fr has a cycle, and the place where the
 * cycle is cut is where the story shows a stale read: the newer write was
 * already executed (it sits in its CPU's store buffer, say) but had not yet
 * reached the reading CPU.
 *
 * Greedy choice: at each step take, among the CPUs' next events whose hard
 * predecessors are all done, one that makes the fewest future reads stale
 * (its unexecuted fr-predecessors); ties keep the current CPU running, then
 * the lowest CPU. When po ∪ rf ∪ co ∪ fr is acyclic this yields a full
 * topological order (a DAG always has a source, and every source is some
 * CPU's next event), so sequentially consistent witnesses read as plain
 * interleavings with no stale reads. When even po ∪ rf ∪ co is cyclic (load
 * buffering), the event with the fewest unmet hard edges goes first and its
 * read is described as satisfied before the write it reads from appears.
 */
function tellStory(inst: Instance, exec: Execution, offset = 0): Told {
  const byId = new Map<number, SimEvent>();
  for (const e of exec.events) byId.set(e.id, e);
  const rf = new Map<number, number | null>();
  for (const r of exec.rf) rf.set(r.read, r.write);
  const coPos = new Map<number, { loc: string; i: number }>();
  for (const [loc, ws] of Object.entries(exec.co)) ws.forEach((w, i) => coPos.set(w, { loc, i }));
  const isWriteEv = (e: SimEvent) => coPos.has(e.id) || (e.kind === 'W' && e.access !== 'R');
  const isReadEv = (e: SimEvent) => rf.has(e.id);

  // One story node per statement instance: the two halves of an RMW or a lock
  // acquisition (read + write, linked by rmwPartner) form one node, and fences
  // sharing a litmus line with an access (the implicit barriers of a fully
  // ordered RMW) fold into it.
  const accessLines = new Set(exec.events.filter((e) => e.kind !== 'F').map((e) => `${e.thread}:${e.line}`));
  const sorted = [...exec.events].sort((a, b) => a.thread - b.thread || a.poIndex - b.poIndex || a.id - b.id);
  interface SNode { key: number; thread: number; main: SimEvent; r?: SimEvent; w?: SimEvent }
  const nodeOf = new Map<number, SNode>();
  const threads = new Map<number, SNode[]>();
  for (const e of sorted) {
    if (e.kind === 'F' && accessLines.has(`${e.thread}:${e.line}`)) continue;
    const partner = e.rmwPartner !== undefined ? nodeOf.get(e.rmwPartner) : undefined;
    const node: SNode = partner ?? { key: e.id, thread: e.thread, main: e };
    if (isReadEv(e) && !node.r) node.r = e;
    else if (isWriteEv(e) && !node.w) node.w = e;
    nodeOf.set(e.id, node);
    if (!partner) {
      if (!threads.has(e.thread)) threads.set(e.thread, []);
      threads.get(e.thread)!.push(node);
    }
  }

  /** Writes co-after the source of read r (the writes r's value is older than). */
  const newerThanSource = (r: SimEvent): number[] => {
    const src = rf.get(r.id);
    const loc = src != null ? coPos.get(src)?.loc ?? r.loc : r.loc;
    if (loc === undefined) return [];
    const ws = exec.co[loc] ?? [];
    const from = src == null ? 0 : (coPos.get(src)?.i ?? -1) + 1;
    return ws.slice(from);
  };
  // fr-predecessors of each write: the reads whose value it overwrites.
  const frPred = new Map<number, SNode[]>();
  for (const [id, node] of nodeOf) {
    const e = byId.get(id)!;
    if (node.r !== e) continue;
    for (const w of newerThanSource(e)) {
      if (nodeOf.get(w) === node) continue; // an RMW's own write
      if (!frPred.has(w)) frPred.set(w, []);
      frPred.get(w)!.push(node);
    }
  }

  const done = new Set<SNode>();
  const order: SNode[] = [];
  const early = new Set<SNode>();
  const next = new Map<number, number>();
  const tids = [...threads.keys()].sort((a, b) => a - b);
  for (const t of tids) next.set(t, 0);
  let lastThread = -1;
  const hardUnmet = (n: SNode): number => {
    let k = 0;
    if (n.r) {
      const src = rf.get(n.r.id);
      const sn = src != null ? nodeOf.get(src) : undefined;
      if (sn && sn !== n && !done.has(sn)) k++;
    }
    if (n.w) {
      const p = coPos.get(n.w.id);
      if (p && p.i > 0) {
        const prev = nodeOf.get(exec.co[p.loc][p.i - 1]);
        if (prev && !done.has(prev)) k++;
      }
    }
    return k;
  };
  const softUnmet = (n: SNode): number => (n.w ? (frPred.get(n.w.id) ?? []).filter((r) => r !== n && !done.has(r)).length : 0);
  for (;;) {
    const cands = tids.filter((t) => next.get(t)! < threads.get(t)!.length).map((t) => threads.get(t)![next.get(t)!]);
    if (cands.length === 0) break;
    let best = cands[0];
    let bestKey: number[] | undefined;
    for (const c of cands) {
      const key = [hardUnmet(c), softUnmet(c), c.thread === lastThread ? 0 : 1, c.thread];
      if (!bestKey || lexLess(key, bestKey)) {
        best = c;
        bestKey = key;
      }
    }
    if (bestKey![0] > 0) early.add(best);
    order.push(best);
    done.add(best);
    next.set(best.thread, next.get(best.thread)! + 1);
    lastThread = best.thread;
  }

  // Notes (a return, a goto: steps with no memory effect) follow the statement before them on their CPU.
  type Item = { node: SNode } | { note: Instance['notes'][number] };
  const items: Item[] = [];
  const pending = new Map<string, Instance['notes']>();
  for (const nt of inst.notes) {
    const key = `${nt.cpu}:${nt.after ?? 'start'}`;
    pending.set(key, [...(pending.get(key) ?? []), nt]);
  }
  const started = new Set<number>();
  const flushNotes = (key: string) => {
    for (const nt of pending.get(key) ?? []) items.push({ note: nt });
    pending.delete(key);
  };
  for (const n of order) {
    if (!started.has(n.thread)) {
      started.add(n.thread);
      flushNotes(`${n.thread}:start`);
    }
    if (!inst.lines.get(n.main.line)?.padding) items.push({ node: n });
    flushNotes(`${n.thread}:${n.main.line}`);
    for (const e of [n.r, n.w]) if (e && e.line !== n.main.line) flushNotes(`${n.thread}:${e.line}`);
  }
  // Build the steps.
  const stepOfNode = new Map<SNode, number>();
  items.forEach((it, i) => {
    if ('node' in it) stepOfNode.set(it.node, i + 1 + offset);
  });
  const stepOf = (eventId: number): number | undefined => {
    const n = nodeOf.get(eventId);
    return n ? stepOfNode.get(n) : undefined;
  };
  const dispOfLit = new Map<string, string>();
  for (const [slot, lit] of Object.entries(inst.locName)) dispOfLit.set(lit, inst.display[slot] ?? lit);
  const locText = (loc: string | undefined) => (loc === undefined ? '?' : dispOfLit.get(loc) ?? loc);
  // a pointer value is the address of a location: `&x` (or `p` for a location shown as `*p`)
  const valText = (v: string | number | undefined): string | number => {
    if (typeof v !== 'string') return v ?? '?';
    const d = dispOfLit.get(v);
    if (d === undefined) return v;
    return d.startsWith('*') ? d.slice(1) : `&${d}`;
  };
  const cpuName = (t: number) => `CPU${t}`;
  const readValue = (e: SimEvent): string | number | undefined => {
    if (e.value !== undefined) return e.value;
    const src = rf.get(e.id);
    if (src == null) return e.loc !== undefined ? inst.init[e.loc] ?? 0 : undefined;
    return byId.get(src)?.value;
  };
  const textOf = (e: SimEvent) => inst.lines.get(e.line)?.text ?? e.text;

  const steps: ReplayStep[] = items.map((it, i) => {
    if ('note' in it) {
      const info = it.note.info;
      return {
        index: i + 1 + offset,
        cpu: it.note.cpu,
        text: info.text,
        kind: 'note' as const,
        ...(info.explain ? { explanation: info.explain } : {}),
        ...(info.patchLine ? { source: { line: 0, litmus: '', patchLine: info.patchLine } } : {}),
        ...(info.origin ? { origin: info.origin } : {}),
      };
    }
    const n = it.node;
    const e = n.main;
    const info = inst.lines.get(e.line);
    let kind: ReplayStep['kind'] = KIND[e.kind] ?? 'note';
    if (kind === 'rmw' && !n.w) kind = 'read'; // a failed conditional RMW only reads
    const here = i + 1 + offset;
    const step: ReplayStep = {
      index: here,
      cpu: e.thread,
      text: textOf(e),
      kind,
      litmusLine: e.line,
      explanation: info?.explain,
      source: { line: e.line, litmus: info?.litmus ?? e.text, ...(info?.patchLine ? { patchLine: info.patchLine } : {}) },
      ...(info?.origin ? { origin: info.origin } : {}),
    };
    const loc = n.r?.loc ?? n.w?.loc ?? e.loc;
    if (loc !== undefined) step.location = locText(loc);
    if (n.r) {
      const r = n.r;
      const value = valText(readValue(r));
      const src = rf.get(r.id) ?? null;
      const srcStep = src === null ? null : stepOf(src) ?? null;
      const w = src === null ? undefined : byId.get(src);
      let description: string;
      if (src === null || w === undefined) description = `reads the initial value ${locText(r.loc)} = ${value}`;
      else if (w.thread === r.thread) description = `reads ${value}, its own write at step ${srcStep}`;
      else if (early.has(n) && srcStep !== null && srcStep > here)
        description = `reads ${value}, the value ${cpuName(w.thread)} writes at step ${srcStep} (${textOf(w)}): satisfied before that write appears in this story (out of order)`;
      else description = `reads ${value}, written by ${cpuName(w.thread)} at step ${srcStep} (${textOf(w)})`;
      step.readsFrom = { step: srcStep, description };
      step.reads = { location: locText(r.loc), value, from: srcStep };
      step.value = value;
      // Stale: a co-later write was already executed earlier in the story.
      const newer = newerThanSource(r).filter((wid) => nodeOf.get(wid) !== n && (stepOf(wid) ?? Infinity) < here);
      if (newer.length) {
        const latest = byId.get(newer[newer.length - 1])!;
        const at = stepOf(latest.id)!;
        step.stale = {
          newerStep: at,
          description: `${cpuName(latest.thread)}'s write ${locText(latest.loc)} = ${valText(latest.value)} at step ${at} (${textOf(latest)}) had not yet reached ${cpuName(r.thread)}`,
        };
      }
    }
    if (n.w) {
      step.value = valText(n.w.value);
      step.writes = { location: locText(n.w.loc), value: valText(n.w.value) };
    }
    return step;
  });

  // Where the invariant breaks: the last step the condition depends on.
  let brokenAt: number | undefined;
  const bump = (k: number | undefined) => {
    if (k !== undefined && (brokenAt === undefined || k > brokenAt)) brokenAt = k;
  };
  for (const m of inst.condition.matchAll(/(?<!\d)(\d+):(r\d+)\s*=/g)) {
    const t = Number(m[1]);
    const assigns = new RegExp(`^${m[2]}\\s*=`);
    for (const n of order) if (n.thread === t && assigns.test(inst.lines.get(n.main.line)?.litmus ?? '')) bump(stepOfNode.get(n));
  }
  for (const m of inst.condition.matchAll(/(?:^|[^:\w])([A-Za-z_]\w*)\s*=/g)) {
    const ws = exec.co[m[1]];
    if (ws && ws.length) bump(stepOf(ws[ws.length - 1]));
    // a location nobody writes keeps its initial value: the outcome is settled when the last step has run
    else if (steps.length) bump(steps[steps.length - 1].index);
  }
  return { steps, brokenAt };
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

// ---------------------------------------------------------------------------
// Terminal rendering.

const COL = 46;

/** Word-wrap to `width`, keeping each paragraph's leading indentation on its continuation lines. */
function wrap(s: string, width: number): string[] {
  const out: string[] = [];
  for (const para of s.split('\n')) {
    const indent = /^\s*/.exec(para)![0];
    let line = indent;
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const room = width - indent.length;
      if (word.length > room) {
        if (line.trim()) out.push(line);
        let rest = word;
        while (rest.length > room) {
          out.push(indent + rest.slice(0, room));
          rest = rest.slice(room);
        }
        line = indent + rest;
        continue;
      }
      if (line.trim() && line.length + 1 + word.length > width) {
        out.push(line);
        line = indent + word;
      } else line = line.trim() ? `${line} ${word}` : indent + word;
    }
    out.push(line);
  }
  return out;
}

/** A terminal table: one column per CPU, arrows for reads-from, a marker for stale reads, then the verdict. */
export function renderReplayText(r: Replay): string {
  const n = Math.max(1, r.cpus.length);
  const width = Math.max(24, Math.min(COL, Math.floor(118 / n) - 3));
  const out: string[] = [];
  out.push(`${r.scenario}${r.seed ? ` (seed ${r.seed})` : ''}: ${r.title}`);
  out.push(`variant: ${r.variant} (${r.summary})`);
  out.push(`bad outcome: ${r.invariant}   [exists ${r.outcome.condition}]`);
  if (r.story === 'forbidden-candidate') out.push('The steps below are IMPOSSIBLE: the closest candidate execution, forbidden by the LKMM.');
  if (r.story === 'example') out.push('The steps below are one execution the LKMM allows: none reaches the bad outcome.');
  out.push('');
  const pad = (s: string) => s + ' '.repeat(Math.max(0, width - s.length));
  const header = r.cpus.map((c) => wrap(c.name, width));
  const hl = Math.max(...header.map((h) => h.length));
  for (let i = 0; i < hl; i++) out.push(`${i === 0 ? ' #  ' : '    '}| ${header.map((h) => pad(h[i] ?? '')).join(' | ')}`);
  const rule = `----+${r.cpus.map(() => '-'.repeat(width + 2)).join('+')}`;
  out.push(rule);
  for (const s of r.steps) {
    if (s.kind === 'note') {
      for (const [i, l] of wrap(`${s.text}${s.explanation ? ': ' + s.explanation : ''}`, width * n).entries())
        out.push(`${i === 0 ? String(s.index).padStart(3) + ' ' : '    '}| ${l}`);
      continue;
    }
    const cell: string[] = [];
    cell.push(...wrap(s.text, width));
    if (s.kind === 'write' || s.kind === 'rmw') {
      if (s.reads) cell.push(...wrap(`  ${s.reads.location}: ${s.reads.value} -> ${s.value}${s.reads.from !== null ? `  <- step ${s.reads.from}` : '  <- initial'}`, width));
      else cell.push(...wrap(`  ${s.location} := ${s.value}`, width));
    } else if (s.kind === 'read' && s.reads) {
      cell.push(...wrap(`  reads ${s.reads.location} = ${s.reads.value}  <- ${s.reads.from !== null ? `step ${s.reads.from}` : 'initial value'}`, width));
    }
    if (s.stale) cell.push(...wrap(`  !! STALE: misses step ${s.stale.newerStep}'s write`, width));
    if (r.outcome.brokenAtStep === s.index) cell.push(...wrap(`  ** invariant broken here`, width));
    if (s.source?.patchLine) cell.push(`  (patch line ${s.source.patchLine})`);
    cell.forEach((l, i) => {
      const cols = r.cpus.map((c) => (c.id === s.cpu ? pad(l) : ' '.repeat(width)));
      out.push(`${i === 0 ? String(s.index).padStart(3) + ' ' : '    '}| ${cols.join(' | ')}`.trimEnd());
    });
  }
  out.push(rule, '');
  const stale = r.steps.filter((s) => s.stale);
  for (const s of stale) out.push(`stale read at step ${s.index}: ${s.stale!.description}`);
  if (stale.length) out.push('');
  const v = r.verdict;
  const counts = `Positive: ${v.positive} Negative: ${v.negative}${v.complete ? '' : ' (incomplete)'}`;
  if (r.outcome.reachable) {
    out.push(`Verdict (LKMM): ${v.observation} - the bad outcome is REACHABLE${r.outcome.brokenAtStep ? ` (invariant broken at step ${r.outcome.brokenAtStep})` : ''}. ${counts}`);
    out.push(`  ${r.invariant}`);
  } else if (!v.complete) {
    out.push(`Verdict (LKMM): incomplete - exploration bound hit, no verdict. ${counts}`);
  } else {
    out.push(`Verdict (LKMM): ${v.observation} - the bad outcome is UNREACHABLE. ${counts}`);
    // a finding's race says why in the kernel's terms (the fix's ordering or pairing); a seed scenario names the fix
    const label = r.family ? '  why: ' : '  forbidden by ';
    for (const f of r.outcome.forbiddenBy ?? []) for (const [i, l] of wrap(f, 110).entries()) out.push(`${i === 0 ? label : '    '}${l}`);
  }
  return out.join('\n') + '\n';
}
