import type { RawFinding, Rule, RuleContext, Unit } from '../api';
import type { CfgNode, Operation } from '../../c/cfg';
import { solveForward } from '../../c/dataflow';
import { posOf } from '../../c/facts';
import { maybeHeld, type ReleaseEvent } from '../../analysis/resources';
import { acquireRelated, isPrimitive } from '../common/report';
import { analysisOf } from '../common/resources';
import { useAfterCloseTrace } from '../common/trace';

/** Pointers that are only valid inside a section: the pte of pte_offset_map(_lock), an rcu_dereference()d pointer. */
function useAfterCloseFindings(unit: Unit, ctx: RuleContext): RawFinding[] {
  if (isPrimitive(unit, ctx)) return [];
  const a = analysisOf(unit, ctx);
  const cat = ctx.catalog;
  // key id -> pointer variables valid only while it is held
  const guarded = new Map<string, Set<string>>();
  const add = (key: string, v: string) => {
    let s = guarded.get(key);
    if (!s) guarded.set(key, (s = new Set()));
    s.add(v);
  };
  const refObjects = new Set([...a.keys.values()].filter((k) => k.family === 'ref').map((k) => k.obj));
  // an object whose own counter the function updates atomically (`refcount_dec_and_test(&cd->refcount)`,
  // `refcount_inc_not_zero(&obj->ref)`): it manages the object's lifetime itself, whatever the section
  for (const ev of a.events) {
    if (ev.t !== 'call' || !ev.spec.access?.some((x) => x.kind === 'rmw')) continue;
    for (const arg of ev.op.args) {
      const t = arg.text.replace(/\s+/g, '');
      if (!t.startsWith('&')) continue;
      const head = t.slice(1).split('->')[0];
      if (t.slice(1).startsWith(head + '->') && /^[A-Za-z_]\w*$/.test(head)) refObjects.add(head);
    }
  }
  const rcuKeys = [...a.keys.values()].filter((k) => cat.kind(k.kind).provides?.includes('rcu'));
  for (const ev of a.events) {
    if (ev.t === 'acquire' && ev.eff.object === 'ret' && ev.key.family === 'bracket') {
      for (const o of ev.node.ops) if (o.kind === 'assign' && o.target.kind === 'var') add(ev.key.key, o.target.text);
      for (const o of ev.node.ops) if (o.kind === 'decl' && o.init) add(ev.key.key, o.name);
    }
    if (ev.t === 'call' && ev.spec.requires?.includes('rcu') && ev.spec.access?.some((x) => x.kind === 'load') && ev.op.result.kind === 'assigned') {
      const v = ev.op.result.to.trim();
      if (/^[A-Za-z_]\w*$/.test(v) && !refObjects.has(v)) for (const k of rcuKeys) if (maybeHeld(ev.before.get(k.key) ?? 1)) add(k.key, v);
    }
  }
  if (!guarded.size) return [];
  const releases = new Map<number, ReleaseEvent[]>();
  for (const ev of a.events) if (ev.t === 'release' && ev.key && guarded.has(ev.key.key)) {
    const l = releases.get(ev.node.id) ?? [];
    l.push(ev);
    releases.set(ev.node.id, l);
  }
  type S = ReadonlyMap<string, ReleaseEvent>; // closed variable -> the release that closed it
  const killIn = (st: Map<string, ReleaseEvent>, op: Operation) => {
    if (op.kind === 'assign' && op.target.kind === 'var') st.delete(op.target.text);
    if (op.kind === 'decl') st.delete(op.name);
  };
  const transfer = (n: CfgNode, input: S): S => {
    const st = new Map(input);
    for (const op of n.ops) {
      killIn(st, op);
      if (op.kind === 'call') for (const r of releases.get(n.id) ?? []) if (r.op === op) for (const v of guarded.get(r.key!.key)!) st.set(v, r);
    }
    return st;
  };
  const res = solveForward<S>(unit.cfg, {
    lattice: {
      join: (x, y) => new Map([...x].filter(([k]) => y.has(k))),
      equals: (x, y) => x.size === y.size && [...x.keys()].every((k) => y.has(k)),
    },
    entry: new Map(),
    transfer,
  });
  const out: RawFinding[] = [];
  const reported = new Set<string>();
  for (const n of unit.cfg.nodes) {
    const input = res.in[n.id];
    if (!input || !input.size) continue;
    const st = new Map(input);
    for (const op of n.ops) {
      let used: string | null = null;
      if ((op.kind === 'read' || op.kind === 'write') && op.lvalue.base && st.has(op.lvalue.base) && op.lvalue.kind !== 'var') used = op.lvalue.base;
      if (op.kind === 'call' && !(releases.get(n.id) ?? []).some((r) => r.op === op) && !cat.releases(op.name).length && !cat.acquires(op.name).length)
        for (const arg of op.args) {
          const t = arg.text.replace(/\s+/g, '');
          for (const v of st.keys()) if (t === v || t === `*${v}`) used = v;
        }
      if (used && !reported.has(used)) {
        const rel = st.get(used)!;
        reported.add(used);
        const k = rel.key!;
        const ptr = k.kind === 'rcu' || cat.kind(k.kind).provides?.includes('rcu') ? 'RCU-protected pointer' : 'pte pointer';
        out.push({
          rule: 'bracket/use-after-close',
          message: `\`${used}\` is used after ${rel.op.callee}() at ${ctx.where(unit, rel.op.line)} closed the ${cat.kind(k.kind).label} that keeps this ${ptr} valid: the page table or object may already be freed or reused.`,
          at: posOf(op, op.node),
          related: [{ message: `${cat.kind(k.kind).label} closed here`, at: posOf(rel.op, rel.op.node) }, ...acquireRelated(k)],
          scenario: 'S4',
          scenarioParams: { function: unit.cfg.name, object: used, release: rel.op.name, acquire: k.acquires[0]?.op.name ?? '' },
          trace: useAfterCloseTrace(unit, ctx, a, used, rel, op),
          fingerprint: `bracket/use-after-close|${used}|${rel.op.name}`,
        });
      }
      killIn(st, op);
      if (op.kind === 'call') for (const r of releases.get(n.id) ?? []) if (r.op === op) for (const v of guarded.get(r.key!.key)!) st.set(v, r);
    }
  }
  return out;
}

export const useAfterClose: Rule = {
  id: 'bracket/use-after-close',
  category: 'bracket',
  severity: 'error',
  title: 'pte or RCU-protected pointer used after its section closed',
  description:
    'The pointer returned by pte_offset_map(_lock) is only valid until pte_unmap(_unlock); a pointer loaded with rcu_dereference() only until rcu_read_unlock() (unless a reference was taken). Using it afterwards races with page-table freeing or object reuse.',
  scenario: 'S4',
  check: useAfterCloseFindings,
};
