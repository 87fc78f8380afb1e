/** ref-kind: the release does not match the acquire (kind, or a bias released by one). */
import type { RawFinding, Rule, Unit, RuleContext } from './api';
import { type ReleaseEvent } from './resources';
import { resourcesOf } from './summaries';
import { acquireApis, acquireRelated, isCatalogPrimitive } from './balance';
import { posOf, replaceNode } from './util';

function isBias(ev: ReleaseEvent): boolean {
  return ev.mismatch!.key.kind === 'pin-bias';
}

function kindFindings(unit: Unit, ctx: RuleContext, want: 'ref-kind/mismatched-release' | 'ref-kind/bias-mismatch'): RawFinding[] {
  if (isCatalogPrimitive(unit, ctx.catalog)) return [];
  const a = resourcesOf(unit, ctx);
  const out: RawFinding[] = [];
  for (const ev of a.events) {
    if (ev.t !== 'release' || !ev.mismatch || ev.mismatch.reason !== 'kind') continue;
    const k = ev.mismatch.key;
    if (k.family !== 'ref' || ctx.catalog.kind(ev.eff.kind).family !== 'ref') continue;
    const bias = isBias(ev);
    // A get on an object the function did not create (folio_get(folio) on a
    // caller's folio) may sit next to a reference of another kind that the
    // caller holds: folio_get + gup_put_folio(FOLL_PIN) converts a pin into a
    // ref. Only an acquire that produced the object itself (a GUP array
    // filled here, a returned folio) says which kind every ref on it is.
    if (!bias && !k.acquires.every((x) => x.eff.array !== undefined || x.eff.object === 'ret')) continue;
    const rule = bias ? 'ref-kind/bias-mismatch' : 'ref-kind/mismatched-release';
    if (rule !== want) continue;
    const acq = k.acquires[0];
    const acqLabel = ctx.catalog.kind(k.kind).label;
    const relLabel = ctx.catalog.kind(ev.eff.kind).label;
    // the catalog's pairing release of the acquire, with the same shape (one page / an array)
    const fixName = (acq.spec.pairsWith ?? []).find((n) =>
      ctx.catalog.releases(n).some((r) => ctx.catalog.compatible(k.kind, r.kind) && (r.array !== undefined) === (ev.eff.array !== undefined)),
    );
    const edit = fixName && !bias ? replaceNode(ev.op.calleeNode, fixName) : null;
    const obj = ev.element ? `${ev.objText} (an element of \`${k.obj}\`)` : `\`${ev.objText}\``;
    const message = bias
      ? `${ev.op.callee}() takes back one reference from ${obj}, but ${acq.op.callee}(${acq.op.args.map((x) => x.text).join(', ')}) at ${ctx.where(unit, acq.op.line)} added a bias (${acqLabel}): the bias is never removed${fixName ? `; use ${fixName}()` : ''}.`
      : `${ev.op.callee}() drops a ${relLabel} on ${obj}, but it holds a ${acqLabel} from ${acquireApis(k)}() (${ctx.where(unit, acq.op.line)})${fixName ? `: release it with ${fixName}()` : ''}.`;
    out.push({
      rule,
      message,
      at: posOf(ev.op, ev.op.node),
      related: acquireRelated(k),
      scenario: bias ? 'S2' : undefined,
      scenarioParams: { function: unit.cfg.name, object: k.obj, acquire: acq.op.name, release: ev.op.name },
      fixes: edit ? [{ title: `Replace ${ev.op.callee}() with ${fixName}()`, edits: [edit] }] : undefined,
      fingerprint: `${rule}|${k.kind}|${k.obj}|${acq.op.name}|${ev.op.name}`,
    });
  }
  return out;
}

export const REF_KIND_RULES: readonly Rule[] = [
  {
    id: 'ref-kind/mismatched-release',
    category: 'ref-kind',
    severity: 'error',
    title: 'Release does not match the acquire',
    description:
      'The object holds a reference of one kind (for example a FOLL_PIN pin from pin_user_pages) and is released with a call that drops another kind (put_page), or the reverse (get_user_pages pages dropped with unpin_user_page). The catalog decides which release kinds may drop which acquire kinds; arrays filled by GUP carry their kind to every element.',
    check: (unit, ctx) => kindFindings(unit, ctx, 'ref-kind/mismatched-release'),
  },
  {
    id: 'ref-kind/bias-mismatch',
    category: 'ref-kind',
    severity: 'error',
    title: 'Refcount bias added but only one reference dropped',
    description:
      'A bias was added to the refcount (page_ref_add(page, PAGE_PIN_BIAS), seed 000) and the release subtracts a single reference (put_page, page_ref_dec): the page can never be freed, and the "is it pinned" test stays true forever.',
    check: (unit, ctx) => kindFindings(unit, ctx, 'ref-kind/bias-mismatch'),
  },
];
