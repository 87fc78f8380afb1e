/**
 * bracket: unbalanced or mismatched sections and locks, the saved-flags
 * variable of irqsave/restore, disable/enable mixed with save/restore, use of
 * a pte pointer or RCU-protected pointer after its section closed, and an
 * #ifdef on a Kconfig symbol the patch defines, spelled without CONFIG_.
 */
import type { RawFinding, Rule, Unit, RuleContext } from './api';
import type { CfgNode, Operation } from '../c/cfg';
import { solveForward } from '../c/dataflow';
import { definitelyHeld, maybeHeld, type AcquireEvent, type ReleaseEvent } from './resources';
import { resourcesOf } from './summaries';
import { leakFindings, releaseFindings, retryRelockFindings, isCatalogPrimitive, acquireRelated } from './balance';
import { posOf, replaceNode, mentions, astPos } from './util';

function unbalanced(unit: Unit, ctx: RuleContext): RawFinding[] {
  return [...leakFindings(unit, ctx, 'bracket/unbalanced'), ...releaseFindings(unit, ctx, 'bracket/unbalanced'), ...retryRelockFindings(unit, ctx)];
}

function flagsMismatch(unit: Unit, ctx: RuleContext): RawFinding[] {
  const a = resourcesOf(unit, ctx);
  const out: RawFinding[] = [];
  for (const ev of a.events) {
    if (ev.t === 'call') continue;
    const eff = ev.eff;
    if (eff.stateArg === undefined || !eff.stateByValue) continue;
    const arg = ev.op.args[eff.stateArg];
    if (!arg) continue;
    const t = arg.text.trim();
    const type = /^[A-Za-z_]\w*$/.test(t) ? a.types.get(t) : undefined;
    if (type && type.includes('*')) {
      const edit = replaceNode(arg.node, `*${t}`);
      out.push({
        rule: 'bracket/flags-mismatch',
        message: `${ev.op.callee}() takes the saved IRQ state by value (it is a macro), but \`${t}\` is a \`${type.trim()}\`: it ${ev.t === 'release' ? 'restores the pointer value instead of the saved flags' : 'overwrites the pointer instead of saving into the caller\'s flags'}; pass \`*${t}\`.`,
        at: astPos(arg.node),
        related: [],
        scenarioParams: { function: unit.cfg.name, object: t, release: ev.op.name },
        fixes: edit ? [{ title: `Pass *${t}`, edits: [edit] }] : undefined,
        fingerprint: `bracket/flags-mismatch|${ev.op.name}|${t}|pointer`,
      });
      continue;
    }
    if (t.startsWith('&')) {
      const edit = replaceNode(arg.node, t.slice(1).trim());
      out.push({
        rule: 'bracket/flags-mismatch',
        message: `${ev.op.callee}() takes the flags variable itself (it is a macro), not its address: \`${t}\`.`,
        at: astPos(arg.node),
        related: [],
        fixes: edit ? [{ title: `Pass ${t.slice(1).trim()}`, edits: [edit] }] : undefined,
        fingerprint: `bracket/flags-mismatch|${ev.op.name}|${t}|address`,
      });
      continue;
    }
    if (ev.t === 'release' && ev.key && ev.key.flags.size && !ev.mismatch && definitelyHeld(ev.bits)) {
      const norm = t.replace(/\s+/g, '');
      if (!ev.key.flags.has(norm)) {
        const saved = [...ev.key.flags].join(', ');
        out.push({
          rule: 'bracket/flags-mismatch',
          message: `${ev.op.callee}(${t}) restores a different flags variable than the one the IRQ state was saved in (${saved}).`,
          at: astPos(arg.node),
          related: acquireRelated(ev.key),
          fingerprint: `bracket/flags-mismatch|${ev.op.name}|${t}|${saved}`,
        });
      }
    }
  }
  return out;
}

function mixedStyle(unit: Unit, ctx: RuleContext): RawFinding[] {
  const a = resourcesOf(unit, ctx);
  const out: RawFinding[] = [];
  for (const ev of a.events) {
    if (ev.t !== 'release' || !ev.mismatch || ev.mismatch.reason !== 'style' || !definitelyHeld(ev.mismatch.bits)) continue;
    const k = ev.mismatch.key;
    const acq = k.acquires[0];
    if (!acq) continue;
    out.push({
      rule: 'bracket/mixed-irq-style',
      message: `${ev.op.callee}() closes a ${ctx.catalog.kind(k.kind).label} that ${acq.op.callee}() opened at ${ctx.where(unit, acq.op.line)}: the ${ev.eff.style ?? '?'} and ${k.style ?? '?'} styles do not pair${(acq.spec.pairsWith ?? []).length ? `; use ${acq.spec.pairsWith![0]}()` : ''}.`,
      at: posOf(ev.op, ev.op.node),
      related: acquireRelated(k),
      fixes:
        acq.spec.pairsWith?.length && ev.op.args.length === 0
          ? [{ title: `Use ${acq.spec.pairsWith[0]}()`, edits: [replaceNode(ev.op.calleeNode, acq.spec.pairsWith[0])!].filter(Boolean) }]
          : undefined,
      fingerprint: `bracket/mixed-irq-style|${acq.op.name}|${ev.op.name}`,
    });
  }
  return out;
}

/** Pointers that are only valid inside a section: the pte of pte_offset_map(_lock), an rcu_dereference()d pointer. */
function useAfterClose(unit: Unit, ctx: RuleContext): RawFinding[] {
  if (isCatalogPrimitive(unit, ctx.catalog)) return [];
  const a = resourcesOf(unit, ctx);
  const cat = ctx.catalog;
  // key id -> pointer variables valid only while it is held
  const guarded = new Map<string, Set<string>>();
  const add = (key: string, v: string) => {
    let s = guarded.get(key);
    if (!s) guarded.set(key, (s = new Set()));
    s.add(v);
  };
  const refObjects = new Set([...a.keys.values()].filter((k) => k.family === 'ref').map((k) => k.obj));
  const rcuKeys = [...a.keys.values()].filter((k) => cat.kind(k.kind).provides?.includes('rcu'));
  for (const ev of a.events) {
    if (ev.t === 'acquire' && ev.eff.object === 'ret' && ev.key.family !== 'ref') {
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
          fingerprint: `bracket/use-after-close|${used}|${rel.op.name}`,
        });
      }
      killIn(st, op);
      if (op.kind === 'call') for (const r of releases.get(n.id) ?? []) if (r.op === op) for (const v of guarded.get(r.key!.key)!) st.set(v, r);
    }
  }
  return out;
}

/** `#ifdef X` where the same patch adds `config X` to a Kconfig file: the C symbol is CONFIG_X. */
function kconfigPrefix(ctx: RuleContext): (RawFinding & { unit: Unit })[] {
  const configs = new Set<string>();
  for (const msg of ctx.doc.messages ?? []) {
    for (const file of msg.files ?? []) {
      const path = file.newPath ?? file.oldPath ?? '';
      if (!/(^|\/)Kconfig[^/]*$/.test(path)) continue;
      for (const h of file.hunks) for (const l of h.lines) if (l.kind === 'add') {
        const m = /^\s*(?:menu)?config\s+([A-Za-z0-9_]+)\s*$/.exec(l.text);
        if (m) configs.add(m[1]);
      }
    }
  }
  if (!configs.size) return [];
  const out: (RawFinding & { unit: Unit })[] = [];
  const seen = new Set<string>();
  for (const unit of ctx.units) {
    if (unit.side !== 'post') continue;
    const img = unit.image;
    const lines = img.text.split('\n');
    lines.forEach((text, i) => {
      const m = /^\s*#\s*(?:ifdef|ifndef|if|elif)\b(.*)$/.exec(text);
      if (!m) return;
      for (const c of configs) {
        const re = new RegExp(`(^|[^\\w])${c}($|[^\\w])`);
        if (!re.test(m[1]) || !mentions(m[1], c)) continue;
        const key = `${unit.fn.path}|${unit.fn.name}|${i}|${c}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const col = text.indexOf(c);
        out.push({
          unit,
          rule: 'bracket/kconfig-prefix',
          message: `\`${c}\` is a Kconfig symbol this patch adds (\`config ${c}\`); the preprocessor sees it as CONFIG_${c}, so this test is never true and the code it guards is never built.`,
          at: { line: i, col, endCol: col + c.length },
          fixes: [{ title: `Test CONFIG_${c}`, edits: [{ at: { line: i, col, endCol: col + c.length }, newText: `CONFIG_${c}` }] }],
          fingerprint: `bracket/kconfig-prefix|${c}`,
        });
      }
    });
  }
  return out;
}

export const BRACKET_RULES: readonly Rule[] = [
  {
    id: 'bracket/unbalanced',
    category: 'bracket',
    severity: 'error',
    title: 'Section or lock left open (or closed twice) on a path',
    description:
      'An RCU read section, IRQs-off or preempt-off section, spinlock, page lock, page-table lock (pte_offset_map_lock / pte_unmap_unlock) or lockless page-table walk is still held on an error / early return while other paths close it, or it is closed twice on one path, or closed after the conditional lock failed.',
    check: unbalanced,
  },
  {
    id: 'bracket/flags-mismatch',
    category: 'bracket',
    severity: 'error',
    title: 'IRQ flags: wrong variable or a pointer passed by value',
    description:
      'local_irq_save/restore and spin_lock_irqsave/unlock_irqrestore are macros that take the flags lvalue itself. Passing a `unsigned long *` (seed 003: local_irq_restore(flags) where flags is a pointer parameter) or `&flags`, or restoring from a different variable than the one saved into, restores garbage IRQ state.',
    check: flagsMismatch,
  },
  {
    id: 'bracket/mixed-irq-style',
    category: 'bracket',
    severity: 'warning',
    title: 'local_irq_disable/enable mixed with save/restore',
    description: 'An IRQs-off section opened with one style (disable, or save into flags) is closed with the other. local_irq_enable() after local_irq_save() unconditionally enables interrupts that the caller may have had disabled.',
    check: mixedStyle,
  },
  {
    id: 'bracket/use-after-close',
    category: 'bracket',
    severity: 'error',
    title: 'pte or RCU-protected pointer used after its section closed',
    description:
      'The pointer returned by pte_offset_map(_lock) is only valid until pte_unmap(_unlock); a pointer loaded with rcu_dereference() only until rcu_read_unlock() (unless a reference was taken). Using it afterwards races with page-table freeing or object reuse.',
    check: useAfterClose,
  },
  {
    id: 'bracket/kconfig-prefix',
    category: 'bracket',
    severity: 'warning',
    title: '#ifdef on a new Kconfig symbol without CONFIG_',
    description: 'The patch adds `config X` to a Kconfig file but tests `#ifdef X` in C: Kconfig symbols reach the preprocessor as CONFIG_X, so the guarded code (often the counting or barrier half of a bracket) is silently compiled out.',
    check: () => [],
    checkDocument: kconfigPrefix,
  },
];

export type { AcquireEvent };
