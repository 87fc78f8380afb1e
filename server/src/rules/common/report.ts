/**
 * Shared pieces of the resource rules' findings: naming the acquire, related
 * locations, the leak message, and the quick fix that inserts the release a
 * function already uses elsewhere (or the catalog's pairing release).
 */
import type { Catalog, ResourceKind } from '../../catalog';
import type { CfgNode } from '../../c/cfg';
import { posOf, nodePos, statementShape, errorishValue, statementText } from '../../c/facts';
import type { KeyInfo, ResourceAnalysis, ReleaseEvent } from '../../analysis/resources';
import type { Leak } from '../../analysis/leaks';
import { isCatalogPrimitive } from '../../analysis/leaks';
import { asExplained, removalExplained, replacementExplained } from './explained';
import { replacementsOf } from './replacements';
import { ladderSkips } from '../../analysis/continuations';
import { movedOutOfBlocks } from '../../analysis/moves';
import { cursorReleases, debugOnlyReleases, deletedReleases, discardedAcquires, retargetedGotos } from '../../analysis/deletions';
import { preUnitOf } from '../../analysis/diff';
import { resourcesOf } from '../../analysis/summaries';
import type { RawEdit, RawFinding, RawRelated, RuleContext, Unit } from '../api';
import { ineffectiveReleaseTrace, deletedReleaseTrace, discardedAcquireTrace, leakTrace, movedAcquireTrace } from './trace';

export function acquireApis(k: KeyInfo): string {
  return [...new Set(k.acquires.map((e) => e.op.name))].join('/');
}

export function acquireRelated(k: KeyInfo): RawRelated[] {
  return k.acquires.slice(0, 3).map((e) => ({ message: `${e.op.callee}() acquires ${k.obj ? '`' + k.obj + '`' : 'the section'} here`, at: posOf(e.op, e.op.node) }));
}

export function isPrimitive(unit: Unit, ctx: RuleContext): boolean {
  return isCatalogPrimitive(unit.fn.name, unit.cfg.name, ctx.catalog);
}

/**
 * In a catalogued function's own body, may a release the patch took away
 * from the way to `exit` be judged? Its catalogued effects are its contract
 * with its callers: an object of another kind (the RCU section a lookup opens
 * and closes inside) is its own business like anybody's; an object of its own
 * kinds is handed to the caller on success, but when every acquire the
 * catalog gives it is conditional (NULL / false when it fails), a way out that
 * returns failure hands over nothing.
 */
export function primitiveMayJudge(unit: Unit, ctx: RuleContext, exit: CfgNode, kind: ResourceKind): boolean {
  const cat = ctx.catalog;
  const spec = cat.api(unit.fn.name) ?? cat.api(unit.cfg.name);
  const effects = spec?.effects ?? [];
  if (!primitiveOwnsKind(unit, ctx, kind)) return true;
  const acquires = effects.filter((e) => e.op === 'acquire');
  return acquires.length > 0 && acquires.every((e) => !!e.cond) && returnsFailure(exit);
}

/** Is `kind` (or a compatible one) among what the catalog says this catalogued function acquires or releases for its callers? */
export function primitiveOwnsKind(unit: Unit, ctx: RuleContext, kind: ResourceKind): boolean {
  const cat = ctx.catalog;
  const spec = cat.api(unit.fn.name) ?? cat.api(unit.cfg.name);
  return (spec?.effects ?? []).some((e) => e.kind === kind || cat.compatible(e.kind, kind) || cat.compatible(kind, e.kind));
}

/** Does `exit` (a return, or a goto followed to the return it runs into without a test) return NULL, false, -E...? */
function returnsFailure(exit: CfgNode): boolean {
  let n = exit;
  for (let i = 0; i < 32; i++) {
    if (n.kind === 'return') {
      const ret = n.ops.find((o) => o.kind === 'return');
      return !!ret && ret.kind === 'return' && !!ret.valueText && errorishValue(ret.valueText);
    }
    const next = n.succs.filter((e) => !e.back || n.kind === 'goto');
    if (next.length !== 1 || next[0].cond) return false;
    n = next[0].to;
  }
  return false;
}

/** How a leak's exit is named in messages. */
export function whereExit(l: Pick<Leak, 'exit' | 'exitText'>): string {
  if (l.exit.kind === 'goto') return `on the path through \`${l.exitText}\``;
  return l.exitText === 'end of function' ? 'when the function ends' : `at \`${l.exitText}\``;
}

/** A mechanical repair: the release this function already uses elsewhere, or the catalog's pairing release. */
export function releaseFix(a: ResourceAnalysis, cat: Catalog, k: KeyInfo, exit: CfgNode, known?: ReleaseEvent): { title: string; edits: RawEdit[] } | undefined {
  if (exit.kind !== 'return') return undefined;
  const sh = statementShape(exit);
  if (!sh) return undefined;
  // 1. a release of this key written elsewhere in the function
  let call: string | undefined = known ? known.op.node.text : undefined;
  if (!call)
    for (const ev of a.events) {
      if (ev.t === 'release' && ev.key === k && !ev.mismatch) {
        call = ev.op.node.text;
        break;
      }
    }
  // 2. the catalog's pairing release, when its arguments are just the object
  const acq = k.acquires[0];
  if (!call && acq) {
    for (const name of acq.spec.pairsWith ?? []) {
      const rel = cat.releases(name).find((r) => cat.compatible(k.kind, r.kind));
      if (!rel) continue;
      if (rel.object === 0 && rel.stateArg === undefined && rel.count === undefined && rel.array === undefined && acq.objText) call = `${name}(${acq.objText})`;
      else if (rel.object === undefined && rel.array === undefined && rel.stateArg === undefined) call = `${name}()`;
      if (call) break;
    }
  }
  if (!call) return undefined;
  const lines = a.cfg.variant.text.split('\n');
  const line = lines[sh.line] ?? '';
  const indent = /^\s*/.exec(line)![0];
  const ret = sh.text;
  const name = call.replace(/\(.*$/s, '');
  const title = `Release with ${name}() before returning`;
  // `if (cond)\n\treturn -E;` (kernel style, no else): brace the if on its own line
  const ifLine = lines[sh.line - 1] ?? '';
  if (sh.bracelessIfAbove && sh.col === indent.length && /\)\s*$/.test(ifLine) && !/\/[*/]/.test(ifLine)) {
    const ifIndent = /^\s*/.exec(ifLine)![0];
    const end = ifLine.trimEnd().length;
    return {
      title,
      edits: [
        { at: { line: sh.line - 1, col: end, endCol: ifLine.length }, newText: ' {' },
        { at: { line: sh.line, col: sh.col, endCol: sh.endCol }, newText: `${call};\n${indent}${ret}\n${ifIndent}}` },
      ],
    };
  }
  if (!sh.inBlock && sh.col !== indent.length) {
    // `if (x) return -E;` on one line: keep it on one line
    return { title, edits: [{ at: { line: sh.line, col: sh.col, endCol: sh.endCol }, newText: `{ ${call}; ${ret} }` }] };
  }
  const newText = sh.inBlock ? `${call};\n${indent}${ret}` : `{\n${indent}\t${call};\n${indent}\t${ret}\n${indent}}`;
  return { title, edits: [{ at: { line: sh.line, col: sh.col, endCol: sh.endCol }, newText }] };
}

/** The finding for one leak (any family); `rule` is the reporting rule's id. */
export function leakFinding(rule: string, unit: Unit, ctx: RuleContext, a: ResourceAnalysis, l: Leak): RawFinding {
  const k = l.key;
  const cat = ctx.catalog;
  const label = cat.kind(k.kind).label;
  const obj = k.obj ? ' `' + k.obj + '`' : '';
  const where = whereExit(l);
  let message: string;
  const related: RawRelated[] = [...acquireRelated(k)];
  if (l.joins) {
    const rel = l.siblingRelease;
    const other = oneLineText(statementText(l.joins)).replace(/;$/, '');
    message = `\`${l.exitText}\` (added) goes on into code the patch does not show holding ${label}${obj}; \`${other}\` at ${ctx.where(unit, l.joins.line)} enters the same code with it ${rel ? `released (${rel.op.callee}())` : 'not held'}, so that code does not release it.`;
    if (rel) related.push({ message: `released here on the way to \`${other}\``, at: posOf(rel.op, rel.op.node) });
    else related.push({ message: `\`${other}\` enters the same code not holding it`, at: nodePos(l.joins) });
  } else if (l.how === 'sibling') {
    const rel = l.siblingRelease;
    message =
      k.family === 'ref'
        ? `${label} on${obj} is not released ${where}, although the other path from the test at ${ctx.where(unit, l.branch!.line)} drops it${rel ? ` with ${rel.op.callee}()` : ''}.`
        : `${label}${obj} is still held ${where}, although the other path from the test at ${ctx.where(unit, l.branch!.line)} releases it${rel ? ` with ${rel.op.callee}()` : ''}.`;
    if (rel) related.push({ message: `released here on the other path (${rel.op.callee})`, at: posOf(rel.op, rel.op.node) });
  } else {
    const apis = acquireApis(k);
    const pr = l.partnerRelease;
    const pairs = k.acquires[0]?.spec.pairsWith ?? [];
    const why = pr
      ? `${pr.op.callee}() at ${ctx.where(unit, pr.op.line)} releases the lock it was taken with, not the section${pairs.length ? ` (${pairs[0]}() releases both)` : ''}`
      : l.reason
        ? l.reason
        : l.error
          ? 'this error path'
          : 'this path, although other paths release it';
    message =
      k.family === 'ref'
        ? `${label} on \`${k.obj}\` taken by ${apis}() (${ctx.where(unit, k.acquires[0].op.line)}) is not released ${where} (${why}).`
        : k.acquires[0]
          ? `${label}${obj} taken by ${apis}() (${ctx.where(unit, k.acquires[0].op.line)}) is still held ${where}: ${why}.`
          : `${label}${obj}, held on entry (its header is annotated \`__releases()\`), is still held ${where}: ${why}.`;
    const rel = a.events.find((e): e is ReleaseEvent => e.t === 'release' && e.key === k);
    if (rel) related.push({ message: `released here on another path (${rel.op.callee})`, at: posOf(rel.op, rel.op.node) });
    if (pr) related.push({ message: `${pr.op.callee}() releases the lock only`, at: posOf(pr.op, pr.op.node) });
  }
  const fix = releaseFix(a, cat, k, l.exit, l.siblingRelease);
  const apis = acquireApis(k) || l.siblingRelease?.op.name || '';
  return {
    rule,
    message,
    at: nodePos(l.exit),
    related,
    scenarioParams: { function: unit.cfg.name, object: k.obj, acquire: acquireApis(k), release: (k.acquires[0]?.spec.pairsWith ?? [])[0] ?? l.siblingRelease?.op.name ?? '' },
    fixes: fix ? [fix] : undefined,
    trace: leakTrace(unit, ctx, a, l),
    fingerprint: `${rule}|${k.kind}|${k.obj}|${apis}|${l.exitText}`,
  };
}

export type LeakRule = 'ref-balance/leak' | 'spec-ref/pgmap-leak' | 'bracket/unbalanced';

/** Which rule reports an unreleased key. */
export function leakRuleFor(cat: Catalog, k: KeyInfo): LeakRule {
  const f = cat.kind(k.kind);
  if (f.reportAs) return f.reportAs as LeakRule;
  if (k.family === 'ref') return 'ref-balance/leak';
  return 'bracket/unbalanced';
}

/** The leak findings of one rule: acquires in view, and leaks shown by sibling exits. */
export function leakFindings(unit: Unit, ctx: RuleContext, want: LeakRule, a: ResourceAnalysis, all: { leaks: Leak[] }): RawFinding[] {
  if (isPrimitive(unit, ctx)) return [];
  const out: RawFinding[] = [];
  const once = new Set<string>();
  // locks before the mappings and sections the same call opens (pte_offset_map_lock: report the PTL)
  const rank = (k: KeyInfo) => (k.family === 'lock' ? 0 : k.family === 'ref' ? 1 : 2);
  for (const l of [...all.leaks].sort((x, y) => rank(x.key) - rank(y.key))) {
    if (leakRuleFor(ctx.catalog, l.key) !== want) continue;
    // one call acquiring two things (pte_offset_map_lock: the mapping and the PTL) is one defect
    const acq = l.key.acquires[0];
    const site = `${l.exit.id}|${acq ? `${acq.op.line}:${acq.op.col}` : l.siblingRelease ? `r${l.siblingRelease.op.line}:${l.siblingRelease.op.col}` : l.key.key}`;
    if (once.has(site)) continue;
    once.add(site);
    out.push(leakFinding(want, unit, ctx, a, l));
  }
  return out;
}

/** Releases the patch deleted from a path that still reaches an exit holding the object (post units only). */
export function deletedReleaseFindings(unit: Unit, ctx: RuleContext, want: LeakRule, reported: readonly RawFinding[] = []): RawFinding[] {
  if (unit.side !== 'post') return [];
  // a catalogued primitive's own body: only deleted releases, judged as primitiveMayJudge() allows
  const primitive = isPrimitive(unit, ctx);
  const postA = resourcesOf(unit, ctx);
  const out: RawFinding[] = [];
  // a release inside a debug-only assertion: gone from production kernels
  for (const d of primitive ? [] : debugOnlyReleases(postA, ctx.catalog)) {
    const kind = d.ev.key?.kind ?? d.ev.eff.kind;
    const fam = ctx.catalog.kind(kind).family;
    const spec = ctx.catalog.kind(kind);
    const rule: LeakRule = spec.reportAs ? (spec.reportAs as LeakRule) : fam === 'ref' ? 'ref-balance/leak' : 'bracket/unbalanced';
    if (rule !== want) continue;
    const call = d.ev.op.node.text.replace(/\s+/g, ' ');
    const what = d.ev.obj ? `${spec.label} \`${d.ev.obj}\`` : `the ${spec.label}`;
    out.push({
      rule,
      message: `\`${call}\` is written inside ${d.macro}(), which does not evaluate its condition without ${d.config}: production kernels never release ${what} here.`,
      at: posOf(d.ev.op, d.ev.op.node),
      related: d.ev.key ? acquireRelated(d.ev.key) : [],
      scenarioParams: { function: unit.cfg.name, object: d.ev.obj, release: d.ev.op.name, acquire: d.ev.key ? acquireApis(d.ev.key) : '' },
      trace: ineffectiveReleaseTrace(unit, ctx, d.ev, `${oneLineText(d.ev.op.node.text)} outside ${d.macro}()`),
      fingerprint: `${rule}|debug-only|${kind}|${d.ev.obj}|${d.ev.op.name}|${d.macro}`,
    });
  }
  // a release given the loop cursor minus one, after a loop a break can leave before advancing it
  for (const c of primitive ? [] : cursorReleases(postA, preUnitOf(unit, ctx.unitsOf), unit)) {
    const kind = c.ev.key?.kind ?? c.ev.eff.kind;
    const spec = ctx.catalog.kind(kind);
    const rule: LeakRule = spec.reportAs ? (spec.reportAs as LeakRule) : spec.family === 'ref' ? 'ref-balance/leak' : 'bracket/unbalanced';
    if (rule !== want) continue;
    const call = oneLineText(c.ev.op.node.text);
    out.push({
      rule,
      message:
        c.brkLine < 0
          ? `This patch gives \`${call}\` \`${c.cursor} - 1\` instead of \`${c.replaced}\`, the pointer kept from the acquire: \`${c.cursor} - 1\` lies in the ${spec.label} taken only if a loop advanced \`${c.cursor}\`, and before it when the loop stops at its first entry.`
          : `\`${call}\` is given \`${c.cursor} - 1\`, but a \`break\` (${ctx.where(unit, c.brkLine)}) can leave the loop above before it advances \`${c.cursor}\`: on a break at the first entry that points before the ${spec.label} taken. Keep the pointer the acquire returned.`,
      at: posOf(c.ev.op, c.ev.op.node),
      related: [...(c.brkLine >= 0 ? [{ message: 'the loop can stop here without advancing', at: { line: c.brkLine, col: 0 } }] : []), ...(c.ev.key ? acquireRelated(c.ev.key) : [])],
      scenarioParams: { function: unit.cfg.name, object: c.ev.obj, release: c.ev.op.name, acquire: c.ev.key ? acquireApis(c.ev.key) : '' },
      trace: ineffectiveReleaseTrace(unit, ctx, c.ev, `release the pointer the acquire returned, not ${c.cursor} - 1`),
      fingerprint: `${rule}|cursor-minus-one|${kind}|${c.cursor}|${c.ev.op.name}`,
    });
  }
  // an acquire whose result (the object) is thrown away: nothing can release it
  for (const d of primitive ? [] : discardedAcquires(postA)) {
    const ks = ctx.catalog.kind(d.eff.kind);
    const rule: LeakRule = ks.reportAs ? (ks.reportAs as LeakRule) : ks.family === 'ref' ? 'ref-balance/leak' : 'bracket/unbalanced';
    if (rule !== want) continue;
    const exitText = statementText(d.node).replace(/;$/, '');
    out.push({
      rule,
      message: `The result of ${d.op.callee}() is discarded: it is the ${ks.label} the call takes, and with no pointer kept nothing can release it.`,
      at: posOf(d.op, d.op.node),
      related: [],
      scenarioParams: { function: unit.cfg.name, object: '', acquire: d.op.name, release: (d.op.name && ctx.catalog.api(d.op.name)?.pairsWith?.[0]) || '' },
      trace: discardedAcquireTrace(unit, ctx, d.op, d.node, d.eff.kind),
      fingerprint: `${rule}|discarded|${d.eff.kind}|${d.op.name}|${exitText}`,
    });
  }
  const pre = preUnitOf(unit, ctx.unitsOf);
  if (!pre) return out;
  const preA = resourcesOf(pre, ctx);
  for (const d of deletedReleases(pre, preA, unit, postA, ctx.catalog, ctx)) {
    if (primitive && !primitiveMayJudge(unit, ctx, d.exit, d.kind)) continue;
    const k = d.deleted.key;
    const fam = ctx.catalog.kind(d.kind).family;
    const rule: LeakRule = ctx.catalog.kind(d.kind).reportAs ? (ctx.catalog.kind(d.kind).reportAs as LeakRule) : fam === 'ref' ? 'ref-balance/leak' : 'bracket/unbalanced';
    if (rule !== want) continue;
    const label = ctx.catalog.kind(k?.kind ?? d.kind).label;
    // an element's release: the array was filled by one call, the deleted code dropped some of its entries
    const what = d.deleted.element ? `${label} on the entries of \`${d.obj}\` that it released (\`${d.deleted.objText.replace(/\s+/g, '')}\`)` : d.obj ? `${label} \`${d.obj}\`` : `the ${label}`;
    const call = d.deleted.op.node.text.replace(/\s+/g, ' ');
    // the same defect already reported as a leak of a visible acquire at this exit
    if (reported.some((f) => f.at.line === nodePos(d.exit).line && f.scenarioParams?.object === d.obj)) continue;
    const ex = whereExit({ exit: d.exit, exitText: d.exitText });
    const message =
      d.how === 'partial'
        ? `This patch moves \`${call}\` (${ctx.where(pre, d.deleted.op.line)} before the patch) into some of the paths that reach here: on the others ${what} is no longer released.`
        : d.how === 'retake'
        ? `This patch removes \`${call}\` (${ctx.where(pre, d.deleted.op.line)} before the patch), and the path now goes back through \`${d.exitText}\` to code that takes ${what} again (${ctx.where(unit, d.exit.line)}) without releasing it first.`
        : d.how === 'unseen'
        ? `This patch removes \`${call}\` (${ctx.where(pre, d.deleted.op.line)} before the patch), and the path goes on into code the patch does not show (from \`${oneLineText(statementText(d.exit)).replace(/;$/, '')}\`, ${ctx.where(unit, d.exit.line)}) holding ${what}: that code ran with it released before the patch, so it does not release it unless the old code released it twice.`
        : `This patch removes \`${call}\` (${ctx.where(pre, d.deleted.op.line)} before the patch), and nothing on the path to the exit ${ex} releases ${what} any more.`;
    // the changelog says why it goes (`... instead of mmdrop()`, `... drops it already`)
    const added = replacementsOf(unit, ctx).find((r) => r.del.op === d.deleted.op)?.add.op.name;
    const why = (added && replacementExplained(ctx, unit, d.deleted.op.name, added)) || removalExplained(ctx, unit, d.deleted.op.name);
    out.push(asExplained({
      rule,
      message,
      at: nodePos(d.how === 'exit' ? d.exit : d.at),
      related: [
        { message: `\`${call}\` removed here`, at: nodePos(d.at) },
        ...(k ? acquireRelated(k) : []),
      ],
      scenarioParams: { function: unit.cfg.name, object: d.obj, release: d.deleted.op.name, acquire: k ? acquireApis(k) : '' },
      fixes: undefined,
      trace: deletedReleaseTrace(unit, pre, ctx, d),
      fingerprint: `${rule}|deleted|${d.kind}|${d.obj}|${d.deleted.op.name}|${d.exitText}`,
    }, why));
  }
  // a goto the patch retargeted past the release its old label's name promises
  for (const r of primitive ? [] : retargetedGotos(pre, unit, postA, ctx.catalog)) {
    if (leakRuleFor(ctx.catalog, r.key) !== want) continue;
    if ([...reported, ...out].some((f) => f.at.line === nodePos(r.goto).line)) continue;
    const f = leakFinding(want, unit, ctx, postA, { key: r.key, exit: r.goto, exitText: `goto ${r.newLabel}`, error: true, how: 'held' });
    const label = ctx.catalog.kind(r.key.kind).label;
    const obj = r.key.obj ? ` \`${r.key.obj}\`` : '';
    f.message = `This patch retargets \`goto ${r.oldLabel}\` to \`goto ${r.newLabel}\` with ${label}${obj} held (taken by ${acquireApis(r.key)}() at ${ctx.where(unit, r.key.acquires[0].op.line)}): the old label's name says it releases it, the new one's does not.`;
    f.fingerprint = `${want}|retarget|${r.key.kind}|${r.key.obj}|${r.oldLabel}|${r.newLabel}`;
    out.push(f);
  }
  // an acquire the patch moved out of a block: it now runs on the paths that skipped the block too
  for (const m of primitive ? [] : movedOutOfBlocks(pre, preA, unit, postA, ctx.catalog)) {
    if (m.t !== 'acquire' || m.to.t !== 'acquire') continue;
    const ks = ctx.catalog.kind(m.kind);
    const rule: LeakRule = ks.reportAs ? (ks.reportAs as LeakRule) : ks.family === 'ref' ? 'ref-balance/leak' : 'bracket/unbalanced';
    if (rule !== want || [...reported, ...out].some((f) => f.at.line === m.to.op.line)) continue;
    const call = oneLineText(m.to.op.node.text);
    const what = m.obj ? `${ks.label} \`${m.obj}\`` : `the ${ks.label}`;
    const where =
      m.block === 'unseen'
        ? `out of the block that closes at ${ctx.where(pre, m.blockLine)} (its opening line is above the hunk)`
        : m.block === 'case'
        ? `out of the \`case\` at ${ctx.where(pre, m.blockLine)}`
        : `out of the ${m.block === 'else' ? '`else` arm' : 'body'} of \`if (${m.test ?? '...'})\` (${ctx.where(pre, m.blockLine)})`;
    const others = m.block === 'unseen' ? 'the paths that did not enter that block' : m.block === 'else' ? `the paths where \`${m.test ?? 'the test'}\` holds` : m.block === 'if' ? `the paths where \`${m.test ?? 'the test'}\` does not hold` : 'the other cases';
    const why = removalExplained(ctx, unit, m.from.op.name);
    out.push(asExplained({
      rule,
      severity: m.block === 'unseen' ? 'warning' : undefined,
      message: `This patch moves \`${call}\` (${ctx.where(pre, m.from.op.line)} before the patch) ${where}: it now also takes ${what} on ${others}, which did not take it before, and the patch adds no release for them.`,
      at: posOf(m.to.op, m.to.op.node),
      related: [{ message: `\`${oneLineText(m.from.op.node.text)}\` was here, inside the block`, at: { line: m.from.op.line, col: 0 }, unit: pre }],
      scenarioParams: { function: unit.cfg.name, object: m.obj, acquire: m.to.op.name, release: ctx.catalog.api(m.to.op.name)?.pairsWith?.[0] ?? '' },
      trace: movedAcquireTrace(unit, ctx, m.to.op, m.to.node, m.kind, m.obj),
      fingerprint: `${rule}|moved-out|${m.kind}|${m.obj}|${m.to.op.name}`,
    }, why));
  }
  // an added goto to a later rung of the ladder its kept sibling jumps into
  for (const l of primitive ? [] : ladderSkips(unit, postA, ctx.catalog)) {
    const rule: LeakRule = l.families.includes('ref') && !l.families.some((f) => f !== 'ref') ? 'ref-balance/leak' : 'bracket/unbalanced';
    if (rule !== want || [...reported, ...out].some((f) => f.at.line === nodePos(l.jump).line)) continue;
    const what = l.kinds.length ? l.kinds.map((k) => ctx.catalog.kind(k as never).label).join(' / ') : l.families.map((f) => (f === 'ref' ? 'a reference' : f === 'lock' ? 'a lock' : 'a mapping or section')).join(' and ');
    out.push({
      rule,
      message: `\`goto ${l.newLabel}\` (added) skips what \`goto ${l.oldLabel}\` at ${ctx.where(unit, l.sibling.line)}, taken from the same place with nothing released between, goes through: by the error-ladder naming, \`${l.oldLabel}:\` releases ${what} that \`${l.newLabel}:\` does not.`,
      at: nodePos(l.jump),
      related: [{ message: `the kept jump: goto ${l.oldLabel}`, at: nodePos(l.sibling) }],
      scenarioParams: { function: unit.cfg.name, object: '', acquire: '', release: '' },
      fingerprint: `${rule}|ladder|${l.oldLabel}|${l.newLabel}`,
    });
  }
  return out;
}

function oneLineText(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
