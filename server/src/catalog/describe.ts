/**
 * Markdown descriptions of catalog entries and resource kinds, for editor
 * hovers, `mm-review` output and docs. Everything shown comes from the data.
 */
import { catalog as defaultCatalog, type Catalog } from './index';
import type { AcquireEffect, ApiSpec, Conditional, Effect, Ordering, ReleaseEffect, ResourceKind } from './schema';

const COND: Record<Conditional, string> = {
  bool: 'only when it returns true / non-zero',
  nonnull: 'only when it returns non-NULL',
  count: 'returns how many (> 0) or -errno',
  zero: 'only when it returns 0',
  errptr: 'only when the result is not an ERR_PTR (test with IS_ERR)',
  null: 'only when it returns NULL',
};

const ORDERING: Record<Ordering, string> = {
  none: 'unordered (relaxed)',
  acquire: 'ACQUIRE (later accesses stay after it)',
  release: 'RELEASE (earlier accesses stay before it)',
  full: 'full barrier (orders everything, including store→load)',
  wmb: 'store→store only (smp_wmb)',
  rmb: 'load→load only (smp_rmb)',
  'before-atomic': 'full barrier with the following non-returning atomic',
  'after-atomic': 'full barrier with the preceding non-returning atomic',
};

function argName(ref: number | 'ret' | undefined): string {
  if (ref === undefined) return 'this context';
  return ref === 'ret' ? 'the return value' : `argument ${ref + 1}`;
}

function countText(c: AcquireEffect['count']): string {
  if (c === undefined) return '';
  return typeof c === 'number' ? ` ×${c}` : ` ×(argument ${c.arg + 1})`;
}

/** One line for an effect: "acquires a GUP pin (FOLL_PIN) on each page of argument 4 ×(argument 2), only when …". */
export function describeEffect(e: Effect, cat: Catalog = defaultCatalog): string {
  const label = cat.kind(e.kind).label;
  const target = e.array !== undefined ? `each element of the array in argument ${e.array + 1}` : argName(e.object);
  const parts = [`${e.op === 'acquire' ? 'acquires' : 'releases'} a **${label}** (\`${e.kind}\`) on ${target}${countText(e.count)}`];
  const cond = (e as AcquireEffect | ReleaseEffect).cond;
  if (cond) parts.push(COND[cond]);
  if (e.when) parts.push(`when argument ${e.when.arg + 1} mentions ${e.when.identifiers.map((i) => `\`${e.when!.sign === 'negative' ? '-' : ''}${i}\``).join(' / ')}`);
  if (e.fallback) parts.push('otherwise (default reading)');
  if (e.stateArg !== undefined) parts.push(`saved state in argument ${e.stateArg + 1}${e.stateByValue === false ? ' (a pointer to flags)' : e.stateByValue ? ' (flags by value)' : ''}`);
  if (e.style) parts.push(`style \`${e.style}\``);
  if (e.op === 'acquire' && e.replaces !== undefined) parts.push(`consumes the reference held in argument ${e.replaces + 1}`);
  if (e.op === 'release' && e.alsoDrops?.length) parts.push(`also drops a ${e.alsoDrops.map((k) => cat.kind(k).label).join(', ')} (old kernels)`);
  if (e.arrayByArity) parts.push(`array position by argument count: ${Object.entries(e.arrayByArity).map(([n, i]) => `${n} args → ${i + 1}`).join(', ')}`);
  return parts.join('; ');
}

function pairing(a: ApiSpec, cat: Catalog): string | undefined {
  if (a.pairsWith?.length) return a.pairsWith.map((p) => `\`${p}\``).join(', ');
  const kinds = new Set((a.effects ?? []).filter((e) => e.op === 'acquire').map((e) => e.kind));
  const names = [...kinds].flatMap((k) => cat.releasersOf(k)).slice(0, 6);
  return names.length ? names.map((p) => `\`${p}\``).join(', ') : undefined;
}

/** Hover markdown for a called name (or alias, or ops field name), or undefined when not catalogued. */
export function describeApi(name: string, cat: Catalog = defaultCatalog): string | undefined {
  const a = cat.api(name);
  if (!a) return undefined;
  const head = `**${a.name}**${a.name !== name ? ` (as \`${name}\`)` : ''}${a.indirect ? ' — ops field, matched on indirect calls' : ''}`;
  const lines = [head, '', a.summary, ''];
  for (const e of a.effects ?? []) lines.push(`- ${describeEffect(e, cat)}`);
  if (a.ordering) lines.push(`- ordering: ${ORDERING[a.ordering]}`);
  for (const acc of a.access ?? []) lines.push(`- ${acc.kind} of ${acc.field ? `argument ${acc.arg + 1}->${acc.field}` : `${acc.byAddress ? '*' : ''}argument ${acc.arg + 1}`}`);
  if (a.requires?.length) lines.push(`- requires: ${a.requires.map((r) => `\`${r}\` (${cat.kindsProviding(r).join(', ') || 'caller-held'})`).join(', ')}`);
  if (a.sleepsUnlessArg) lines.push(`- may sleep unless argument ${a.sleepsUnlessArg.arg + 1} is ${a.sleepsUnlessArg.atomicFlags.map((f) => `\`${f}\``).join(' / ')}`);
  else if (a.sleeps) lines.push('- **may sleep**: not in RCU, IRQs-off, spinlock or pagefault-disabled sections');
  if (a.speculative) lines.push('- **speculative**: fails on a zero refcount; safe on a lockless lookup, which must be re-validated afterwards');
  if (a.locklessLookup) lines.push(a.fixedLookup ? '- **lockless lookup** of a fixed object: it carries no reference; take a speculative one (nothing to re-check: the lookup cannot change)' : '- **lockless lookup**: the object found carries no reference; take a speculative one and re-check');
  if (a.revalidates) lines.push('- **re-validates** a lockless lookup');
  if (a.pgmapHook === 'skips') lines.push('- does not take the ZONE_DEVICE pgmap reference (seed 004)');
  if (a.pgmapHook === 'takes') lines.push('- takes the ZONE_DEVICE pgmap reference where the kernel has one (v4.5–v4.12)');
  if (a.macro) lines.push('- a macro: accesses argument 1 in place (not as a value)');
  if (a.publishes) lines.push(`- publishes argument ${a.publishes.arg + 1}: what was written to it before must be ordered first (\`smp_wmb()\`)`);
  if (a.allocates) lines.push('- returns a new object no other CPU can reach yet');
  if (a.internalSync) lines.push(`- orders memory through its own synchronisation (${a.internalSync})`);
  if (a.perCpu) lines.push("- returns this CPU's instance of per-CPU data");
  if (a.assertsHeld) lines.push(`- asserts that the lock in argument ${a.assertsHeld.arg + 1} is held`);
  if (a.racy) lines.push('- intentionally racy: pairs with nothing');
  const loc = cat.accessLocation(a.name);
  if (loc) {
    const p = cat.protocolWith(loc);
    lines.push(`- location: \`${loc}\`${p ? ` (protocol: ${p.name}; kernels: ${p.kernels})` : ''}`);
  }
  if (a.synchronizes) lines.push(`- waits out every pre-existing ${a.synchronizes.kinds.map((k) => cat.kind(k).label).join(', ')} on all CPUs${a.synchronizes.whenArgNonZero !== undefined ? ` (when argument ${a.synchronizes.whenArgNonZero + 1} is non-zero)` : ''}`);
  if (a.sleepsOnLastPut) lines.push('- sleeps only when it drops the **last** reference (the final free path sleeps)');
  if (a.nonSleepingForm) lines.push(`- non-sleeping alternative on the same object: \`${a.nonSleepingForm}\``);
  if (a.sleepingForm) lines.push(`- sleeping (synchronous) alternative: \`${a.sleepingForm}\``);
  if (a.debugOnly) lines.push(`- **debug-only**: the condition is not evaluated unless \`${a.debugOnly}\` is set; no side effects in it`);
  if (a.iteratorCursor !== undefined) lines.push(`- loop macro: argument ${a.iteratorCursor + 1} names a new object on every iteration`);
  if (a.releasesCallersRef) lines.push("- releases a reference its caller obtained (no single pairing acquire)");
  const p = pairing(a, cat);
  if (p) lines.push(`- pairs with: ${p}`);
  if (a.aliases?.length) lines.push(`- also spelled: ${a.aliases.map((x) => `\`${x}\``).join(', ')}`);
  if (a.kernels) lines.push(`- kernels: ${a.kernels}`);
  for (const h of a.history ?? []) lines.push(`- in ${h.kernels}: ${h.summary}`);
  if (a.source) lines.push(`- source: \`${a.source}\``);
  return lines.join('\n').replace(/\n\n$/, '\n');
}

/** Markdown for a resource kind: label, family, what releases it, context it provides. */
export function describeKind(kind: ResourceKind, cat: Catalog = defaultCatalog): string {
  const k = cat.kind(kind);
  const lines = [`**${k.label}** (\`${k.kind}\`, ${k.family})`, ''];
  const acq = cat.acquirersOf(kind);
  const rel = cat.compatibleReleasersOf(kind);
  if (acq.length) lines.push(`- taken by: ${acq.map((n) => `\`${n}\``).join(', ')}`);
  if (rel.length) lines.push(`- released by: ${rel.map((n) => `\`${n}\``).join(', ')}`);
  if (k.releases?.length) lines.push(`- its releases also drop: ${k.releases.map((r) => cat.kind(r).label).join(', ')}`);
  if (k.atomic) lines.push('- atomic context while held: no sleeping');
  if (k.provides?.length) lines.push(`- satisfies: ${k.provides.map((p) => `\`${p}\``).join(', ')}`);
  return lines.join('\n');
}
