/** ref-kind: a release that cannot drop the kind of reference the object holds. */
import { posOf, replaceNode } from '../../c/facts';
import type { ReleaseEvent } from '../../analysis/resources';
import type { RawFinding, RuleContext, Unit } from '../api';
import { acquireApis, acquireRelated, isPrimitive } from '../common/report';
import { analysisOf } from '../common/resources';
import { kindTrace } from '../common/trace';

/** Is the mismatched acquire a bias added to the refcount (the catalog's bias-counted kind)? */
function isBias(ctx: RuleContext, ev: ReleaseEvent): boolean {
  return !!ctx.catalog.kind(ev.mismatch!.key.kind).biasCounted;
}

export function kindFindings(unit: Unit, ctx: RuleContext, want: 'ref-kind/mismatched-release' | 'ref-kind/bias-mismatch'): RawFinding[] {
  if (isPrimitive(unit, ctx)) return [];
  const a = analysisOf(unit, ctx);
  const out: RawFinding[] = [];
  for (const ev of a.events) {
    if (ev.t !== 'release' || !ev.mismatch || ev.mismatch.reason !== 'kind') continue;
    const k = ev.mismatch.key;
    if (k.family !== 'ref' || ctx.catalog.kind(ev.eff.kind).family !== 'ref') continue;
    const bias = isBias(ctx, ev);
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
    // a helper of the document, summarised (not a catalogued call): renaming the call would not fix it
    const helper = !ctx.catalog.api(ev.op.name);
    const edit = fixName && !bias && !helper ? replaceNode(ev.op.calleeNode, fixName) : null;
    const obj = ev.element ? (ev.objText === k.obj ? `the entries of \`${k.obj}\`` : `${ev.objText} (an element of \`${k.obj}\`)`) : `\`${ev.objText}\``;
    const message = bias
      ? `${ev.op.callee}() takes back one reference from ${obj}, but ${acq.op.callee}(${acq.op.args.map((x) => x.text).join(', ')}) at ${ctx.where(unit, acq.op.line)} added a bias (${acqLabel}): the bias is never removed${fixName ? `; use ${fixName}()` : ''}.`
      : helper
        ? `${ev.op.callee}() (defined in this document) drops a ${relLabel} on ${obj}, but ${ev.element ? 'they hold' : 'it holds'} a ${acqLabel} from ${acquireApis(k)}() (${ctx.where(unit, acq.op.line)})${fixName ? `: ${ev.op.callee}() must release ${ev.element ? 'them' : 'it'} with ${fixName}()` : ''}.`
        : `${ev.op.callee}() drops a ${relLabel} on ${obj}, but it holds a ${acqLabel} from ${acquireApis(k)}() (${ctx.where(unit, acq.op.line)})${fixName ? `: release it with ${fixName}()` : ''}.`;
    out.push({
      rule,
      message,
      at: posOf(ev.op, ev.op.node),
      related: acquireRelated(k),
      scenario: bias ? 'S2' : undefined,
      scenarioParams: { function: unit.cfg.name, object: k.obj, acquire: acq.op.name, release: ev.op.name },
      fixes: edit ? [{ title: `Replace ${ev.op.callee}() with ${fixName}()`, edits: [edit] }] : undefined,
      trace: kindTrace(unit, ctx, ev, bias, fixName),
      fingerprint: `${rule}|${k.kind}|${k.obj}|${acq.op.name}|${ev.op.name}`,
    });
  }
  return out;
}
