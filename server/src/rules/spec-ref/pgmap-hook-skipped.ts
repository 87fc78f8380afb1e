import type { RawFinding, Rule } from '../api';
import type { Cfg, CfgNode } from '../../c/cfg';
import type { Catalog } from '../../catalog';
import { posOf, nonDeviceEdge } from '../../c/facts';
import { reachableAvoiding } from '../../analysis/leaks';
import { specView } from './common';
import { pgmapTrace } from '../common/trace';

/** Is `target` reached only through the non-device side of device-page tests (never on a device page)? */
function onlyNonDevice(cat: Catalog, cfg: Cfg, target: CfgNode): boolean {
  const seen = new Set<number>([target.id]);
  const work = [target];
  while (work.length) {
    const n = work.pop()!;
    if (n === cfg.entry) return false;
    for (const e of n.preds) {
      if (nonDeviceEdge(cat, e) || seen.has(e.from.id)) continue;
      seen.add(e.from.id);
      work.push(e.from);
    }
  }
  return true;
}

export const pgmapHookSkipped: Rule = {
  id: 'spec-ref/pgmap-hook-skipped',
  category: 'spec-ref',
  severity: 'error',
  title: 'Page ref taken without the ZONE_DEVICE pgmap reference (seed 004)',
  description:
    'In the v4.11 era get_page() took a dev_pagemap reference for ZONE_DEVICE pages and put_page() dropped one. page_cache_get_speculative()/get_page_unless_zero() skip that hook, so switching GUP-fast to them for pte_devmap pages made every put_page() drop a pgmap reference that was never taken (the percpu_ref underflow of the seed-004 regression).',
  scenario: 'S6',
  check(unit, ctx) {
    const v = specView(unit, ctx);
    if (!v) return [];
    const cat = ctx.catalog;
    const out: RawFinding[] = [];
    for (const { ev, lookup } of v.gets) {
      if (ev.spec.pgmapHook !== 'skips') continue;
      const k = ev.key;
      const dropsPgmap = (ev.spec.pairsWith ?? []).some((n) => cat.releases(n).some((r) => r.alsoDrops?.includes('pgmap-ref')));
      // device-page handling counts only where it can lead to this get (memory_failure: the
      // get_dev_pagemap() branch for pfns without an online page never reaches the buddy-page get)
      const devmap = v.a.events.filter((e) => e.t !== 'call' && e.eff.kind === 'pgmap-ref' && reachableAvoiding(e.node, ev.node));
      if (!dropsPgmap || !devmap.length || onlyNonDevice(cat, unit.cfg, ev.node)) continue;
      const rel = (ev.spec.pairsWith ?? []).find((n) => cat.releases(n).some((r) => r.alsoDrops?.includes('pgmap-ref')))!;
      const takes = cat.all().find((s) => s.pgmapHook === 'takes' && s.effects?.some((e) => e.op === 'acquire' && e.kind === k.kind));
      out.push({
        rule: this.id,
        message: `${ev.op.callee}(${k.obj}) does not take the ZONE_DEVICE dev_pagemap reference, but the matching ${rel}() drops one for device pages, and this code handles device pages (${devmap[0].op.callee}() at ${ctx.where(unit, devmap[0].op.line)}): every put of a device page taken this way underflows the pgmap refcount.${takes ? ` Use ${takes.name}() for device pages.` : ''}`,
        at: posOf(ev.op, ev.op.node),
        related: devmap.slice(0, 2).map((e) => ({ message: `device-page handling: ${e.op.callee}()`, at: posOf(e.op, e.op.node) })),
        scenario: 'S6',
        scenarioParams: { function: v.fn, object: k.obj, acquire: ev.op.name, release: rel },
        trace: pgmapTrace(unit, ctx, ev, v.a, rel, takes?.name, devmap, lookup),
        fingerprint: `${this.id}|${k.obj}|${ev.op.name}`,
      });
    }
    return out;
  },
};
