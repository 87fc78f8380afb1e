/**
 * The kernel API catalog: the one place where kernel knowledge lives.
 *
 * Data modules under ./data export ApiSpec[] / KindSpec[] tables; this module
 * indexes them. Rules never spell kernel API names: they ask the catalog what
 * a call acquires, releases, orders, needs or forbids.
 */
import type {
  ApiSpec, KindSpec, ResourceKind, Effect, AcquireEffect, ReleaseEffect, ArgCondition,
  RevalidationPattern, LocklessIdiom, ContextRequirement, OrderingFacts, SbProtocol, GotoLabelConvention, ReturnContract, GuardClass, KindSpec as KindSpecT, FlagGroup,
} from './schema';
import { KINDS } from './data/kinds';
import { MAINLINE, inRange, parseVersion, type Version } from './era';
import { DATA, DOMAINS, GUP_FLAG_GROUPS, TRY_GET_NAMING, REVALIDATION_PATTERNS, LOCKLESS_IDIOMS, IRQ_OFF_HOLDS_PAGES, ORDERING_FACTS, GOTO_LABEL_CONVENTIONS, RETURN_CONTRACTS, GUARD_CLASSES, NON_BLOCKING_GFP, BLOCKING_GFP, FIRST_ARG_TYPES, FOLIO_FORMS, USER_SPACE_TREES, type FirstArgType } from './data';

/**
 * Does the argument text satisfy the condition? Identifiers are matched as
 * whole words; `sign` looks for a unary minus right before the identifier
 * (`-PAGE_PIN_BIAS`, `- GUP_PIN_COUNTING_BIAS`).
 */
export function argMatches(cond: ArgCondition, args: readonly string[]): boolean {
  const text = args[cond.arg];
  if (text === undefined) return false;
  for (const id of cond.identifiers) {
    // blanks only after the `-` or the `(` they follow: `(^|\W)(-\s*)?\(?\s*` let a run of blanks be split in n^2 ways
    const re = new RegExp(`(^|[^A-Za-z0-9_])(-\\s*)?(?:\\(\\s*)?${id.replace(/[^A-Za-z0-9_]/g, '')}(?![A-Za-z0-9_])`);
    const m = re.exec(text);
    if (!m) continue;
    // A leading minus sign of the whole argument also negates (`-(PAGE_PIN_BIAS)`).
    const negative = m[2] !== undefined || /^\s*-/.test(text);
    if (cond.sign === 'negative' && !negative) continue;
    if (cond.sign === 'positive' && negative) continue;
    return true;
  }
  return false;
}

/** Resolve `when` / `fallback` effects against the call's argument texts (undefined = unknown). */
export function resolveEffects(effects: readonly Effect[], args?: readonly string[]): Effect[] {
  const plain = effects.filter((e) => !e.when && !e.fallback);
  const conditional = effects.filter((e) => e.when);
  const fallback = effects.filter((e) => e.fallback);
  if (!args) return [...plain, ...fallback];
  const matched = conditional.filter((e) => argMatches(e.when!, args));
  return [...plain, ...(matched.length ? matched : fallback)];
}

export * from './schema';
export type { FirstArgType } from './data';

export class Catalog {
  private readonly byName = new Map<string, ApiSpec>();
  private kindList: readonly KindSpec[] = [];
  private readonly views = new Map<string, Catalog>();

  /**
   * The catalog as it holds for one kernel version: era facts of that version
   * applied, those of other eras left out (`4.11`: get_page() takes the
   * ZONE_DEVICE pgmap reference and put_page() drops it; `6.19`: neither).
   */
  forVersion(version: string | undefined): Catalog {
    const v = version && parseVersion(version) ? version : MAINLINE;
    if (v === this.version) return this;
    let c = this.views.get(v);
    if (!c) this.views.set(v, (c = new Catalog(this.source, this.kindList, this.patterns, this.idioms, this.domainList, this.orderingData, v, this.source)));
    return c;
  }
  private readonly kinds = new Map<ResourceKind, KindSpec>();

  constructor(
    apis: readonly ApiSpec[],
    kinds: readonly KindSpec[],
    private readonly patterns: readonly RevalidationPattern[] = REVALIDATION_PATTERNS,
    private readonly idioms: readonly LocklessIdiom[] = LOCKLESS_IDIOMS,
    private readonly domainList: readonly { id: string; title: string }[] = DOMAINS,
    private readonly orderingData: OrderingFacts = ORDERING_FACTS,
    /** The kernel version whose facts this catalog states (`6.19`). */
    readonly version: string = MAINLINE,
    /** The entries before era facts were applied (for forVersion()). */
    private readonly source: readonly ApiSpec[] = apis,
  ) {
    // Maps, not the records: a call named `constructor` is not catalogued.
    this.locations = new Map(Object.entries(orderingData.locations));
    this.entryClasses = new Map(Object.entries(orderingData.entryClasses));
    this.generic = new Set(orderingData.genericLocations);
    for (const k of kinds) this.kinds.set(k.kind, k);
    this.kindList = kinds;
    const v = parseVersion(version) ?? parseVersion(MAINLINE)!;
    for (const a0 of apis) {
      const a = withEra(a0, v);
      if (this.byName.has(a.name)) throw new Error(`catalog: duplicate entry ${a.name}`);
      this.byName.set(a.name, a);
      for (const alias of a.aliases ?? []) {
        if (this.byName.has(alias)) throw new Error(`catalog: duplicate alias ${alias}`);
        this.byName.set(alias, a);
      }
    }
  }

  /** The spec for a called name (identifier, or the field name of an indirect call), if catalogued. */
  api(name: string): ApiSpec | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  kind(kind: ResourceKind): KindSpec {
    const k = this.kinds.get(kind);
    if (!k) throw new Error(`catalog: unknown resource kind ${kind}`);
    return k;
  }

  /** Every distinct spec, sorted by name (for docs and tests). */
  all(): ApiSpec[] {
    // The catalog is immutable after construction: sort once (rules ask in hot paths).
    this.sorted ??= [...new Set(this.byName.values())].sort((a, b) => a.name.localeCompare(b.name));
    return this.sorted.slice();
  }

  private sorted: ApiSpec[] | undefined;
  private readonly locations: ReadonlyMap<string, string>;
  private readonly entryClasses: ReadonlyMap<string, string>;
  private readonly generic: ReadonlySet<string>;

  allKinds(): KindSpec[] {
    return [...this.kinds.values()];
  }

  /**
   * The acquire effects of a call. Pass the argument texts when known:
   * effects that depend on a constant argument (page_ref_add(page,
   * PAGE_PIN_BIAS), try_grab_folio(.., FOLL_PIN)) are then resolved; without
   * them the default (`fallback`) reading is returned.
   */
  acquires(name: string, args?: readonly string[]): AcquireEffect[] {
    return this.effects(name, args).filter((e): e is AcquireEffect => e.op === 'acquire');
  }

  releases(name: string, args?: readonly string[]): ReleaseEffect[] {
    return this.effects(name, args).filter((e): e is ReleaseEffect => e.op === 'release');
  }

  effects(name: string, args?: readonly string[]): Effect[] {
    return resolveEffects(this.api(name)?.effects ?? [], args);
  }

  /** Every effect of a call, conditional ones included (for docs and integrity checks). */
  allEffects(name: string): Effect[] {
    return this.api(name)?.effects ?? [];
  }

  /**
   * Does the call sleep? true / false when known; for GFP-dependent calls the
   * flags argument decides (kmalloc(n, GFP_ATOMIC) does not sleep). Unknown
   * arguments give the spec's `sleeps`.
   */
  maySleep(name: string, args?: readonly string[]): boolean {
    const a = this.api(name);
    if (!a) return false;
    if (a.sleepsUnlessArg && args && args[a.sleepsUnlessArg.arg] !== undefined) {
      return !argMatches({ arg: a.sleepsUnlessArg.arg, identifiers: a.sleepsUnlessArg.atomicFlags }, args);
    }
    return a.sleeps === true;
  }

  /** Index of the pages/folios array of an array-filling effect, given the call's argument count. */
  arrayArg(effect: AcquireEffect | ReleaseEffect, argc?: number): number | undefined {
    if (argc !== undefined && effect.arrayByArity && effect.arrayByArity[argc] !== undefined) return effect.arrayByArity[argc];
    return effect.array;
  }

  /** Section kinds a call waits out on all CPUs (synchronize_rcu, IPI broadcasts with wait=1). */
  synchronizes(name: string, args?: readonly string[]): ResourceKind[] {
    const s = this.api(name)?.synchronizes;
    if (!s) return [];
    if (s.whenArgNonZero !== undefined && args) {
      const t = args[s.whenArgNonZero]?.trim();
      if (t === undefined || t === '0' || t === 'false') return [];
    }
    return [...s.kinds];
  }

  /** Kinds whose sections satisfy a context requirement (e.g. 'rcu-or-irq-off' -> rcu, rcu-sched, irq-off). */
  kindsProviding(req: ContextRequirement): ResourceKind[] {
    return this.allKinds().filter((k) => k.provides?.includes(req)).map((k) => k.kind);
  }

  /** Kinds whose holding makes the context atomic (no sleeping). */
  atomicKinds(): ResourceKind[] {
    return this.allKinds().filter((k) => k.atomic).map((k) => k.kind);
  }

  /** Names of the APIs whose effects acquire `kind` (conditional effects included). */
  acquirersOf(kind: ResourceKind): string[] {
    return this.all()
      .filter((a) => a.effects?.some((e) => e.op === 'acquire' && e.kind === kind))
      .map((a) => a.name);
  }

  /** Every alias and name that resolves to a spec (for grammars / completion). */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  /** Names of the indirect-call fields (vm_ops->fault) the catalog knows. */
  indirectNames(): string[] {
    return this.all().filter((a) => a.indirect).flatMap((a) => [a.name, ...(a.aliases ?? [])]);
  }

  /** Domains, in documentation order, with their specs. */
  domains(): { id: string; title: string; apis: ApiSpec[] }[] {
    return this.domainList.map((d) => ({ id: d.id, title: d.title, apis: this.all().filter((a) => a.domain === d.id) }));
  }

  revalidationPatterns(): readonly RevalidationPattern[] {
    return this.patterns;
  }

  locklessIdioms(): readonly LocklessIdiom[] {
    return this.idioms;
  }

  /**
   * Does disabling IRQs keep mapped pages alive in this source file (TLB-flush
   * IPIs held off: a plain get_page on a lockless pte lookup is safe there)?
   */
  irqOffHoldsPages(path: string): boolean {
    const v = parseVersion(this.version) ?? parseVersion(MAINLINE)!;
    return IRQ_OFF_HOLDS_PAGES.some((x) => inRange(x.kernels, v) && (path.startsWith(x.pathPrefix) || path.includes('/' + x.pathPrefix)));
  }

  /**
   * The declared type of a page or folio API's first argument, by the name
   * called (`folio_put` → `struct folio *`; aliases may differ: set_page_dirty
   * takes a page, folio_mark_dirty a folio), or undefined.
   */
  firstArgType(name: string): FirstArgType | undefined {
    if (!Object.prototype.hasOwnProperty.call(FIRST_ARG_TYPES, name)) return undefined;
    const t = FIRST_ARG_TYPES[name];
    if (typeof t === 'string') return t;
    return inRange(t.kernels, parseVersion(this.version) ?? parseVersion(MAINLINE)!) ? t.type : undefined;
  }

  /** The user-space trees (docs). */
  userSpaceTrees(): readonly { prefix: string; why: string }[] {
    return USER_SPACE_TREES;
  }

  /** The first-argument types with their eras, and the other type's form of each call (docs). */
  firstArgTypeFacts(): { name: string; type: string; kernels: string; otherForm: string }[] {
    return Object.entries(FIRST_ARG_TYPES).map(([name, t]) => ({
      name,
      type: typeof t === 'string' ? t : t.type,
      kernels: typeof t === 'string' ? '' : t.kernels,
      otherForm: this.otherTypeForm(name) ?? '',
    }));
  }

  /** Is `path` (as the patch names it, `a/`/`b/` prefixes allowed) user-space code, where no kernel API fact applies? */
  isUserSpacePath(path: string): boolean {
    const p = path.replace(/^[ab]\//, '');
    return USER_SPACE_TREES.some((t) => p.startsWith(t.prefix));
  }

  /** The APIs that return the pointer of the lock `acquirer` takes (pmd_lock → pmd_lockptr). */
  lockPointersOf(acquirer: string): readonly string[] {
    if (!this.lockPointerIndex) {
      const m = new Map<string, string[]>();
      for (const a of this.all()) if (a.lockPointerOf) m.set(a.lockPointerOf, [...(m.get(a.lockPointerOf) ?? []), a.name]);
      this.lockPointerIndex = m;
    }
    return this.lockPointerIndex.get(acquirer) ?? [];
  }
  private lockPointerIndex: Map<string, string[]> | undefined;

  /**
   * The same operation for the other type of object: `put_page` → `folio_put`
   * and back, when the catalog knows one.
   */
  otherTypeForm(name: string): string | undefined {
    const own = (o: Readonly<Record<string, string>>, k: string) => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
    const to = own(FOLIO_FORMS, name) ?? Object.keys(FOLIO_FORMS).find((k) => FOLIO_FORMS[k] === name);
    return to;
  }

  /**
   * Is `plain` the unconditional form of the conditional getter `tryName` by the
   * kernel's naming (`kvm_try_get_pfn` / `kvm_get_pfn`)? Only for names the
   * catalog does not describe as references (it may know them for something
   * else: `atomic_inc_not_zero` / `atomic_inc` for their ordering).
   */
  plainFormByName(tryName: string, plain: string): boolean {
    if (this.describesReference(tryName) || this.describesReference(plain)) return false;
    return TRY_GET_NAMING.some((n) => tryName.includes(n.marker) && tryName.replace(n.marker, n.plain) === plain);
  }

  /** Does the catalog say what `name` does to a counted reference, lock or section (an acquire or release effect)? */
  describesReference(name: string): boolean {
    return !!this.api(name)?.effects?.some((e) => e.op === 'acquire' || e.op === 'release');
  }

  /** Flag groups whose members a test must take together (FOLL_GET | FOLL_PIN), of the target kernel's era. */
  flagGroups(): readonly FlagGroup[] {
    const v = parseVersion(this.version) ?? parseVersion(MAINLINE)!;
    return GUP_FLAG_GROUPS.filter((g) => inRange(g.kernels, v));
  }

  /** The source trees where IRQs off keeps mapped pages alive, with their eras (docs, tests). */
  irqOffHoldsPagesFacts(): readonly { pathPrefix: string; kernels: string; source: string }[] {
    return IRQ_OFF_HOLDS_PAGES;
  }

  /** Called names that appear on the recomputing side of a re-validation comparison. */
  revalidationCallees(): string[] {
    return [...new Set(this.patterns.flatMap((p) => p.recompute ?? []))].sort();
  }

  /** Can a release of kind `rel` legitimately drop an acquire of kind `acq`? */
  compatible(acq: ResourceKind, rel: ResourceKind): boolean {
    if (acq === rel) return true;
    return this.kinds.get(rel)?.releases?.includes(acq) ?? false;
  }

  /** Names of the APIs whose effects release `kind` (for messages and quick fixes). */
  releasersOf(kind: ResourceKind): string[] {
    return this.all()
      .filter((a) => a.effects?.some((e) => e.op === 'release' && e.kind === kind))
      .map((a) => a.name);
  }

  /** Names of the APIs that may legitimately release an acquire of `kind` (same kind or a compatible one). */
  compatibleReleasersOf(kind: ResourceKind): string[] {
    return this.all()
      .filter((a) => a.effects?.some((e) => e.op === 'release' && this.compatible(kind, e.kind)))
      .map((a) => a.name);
  }

  // ---- memory ordering -----------------------------------------------------

  /**
   * Whether the call is a macro that reads or writes its first argument in
   * place (READ_ONCE(x), WRITE_ONCE(x, v), smp_load_acquire(&x)): what the C
   * model passes as CfgOptions.lvalueAccess. Bound: usable as a callback.
   */
  readonly lvalueAccess = (name: string): 'read' | 'write' | undefined => {
    const a = this.api(name);
    if (!a?.macro) return undefined;
    const acc = a.access?.find((x) => x.arg === 0);
    if (!acc) return undefined;
    return acc.kind === 'load' ? 'read' : 'write';
  };

  /** The location a call touches when its argument does not name it (page_ref_add -> `_refcount`). */
  accessLocation(name: string): string | undefined {
    return this.locations.get(name);
  }

  /** The page-table entry class of `*p` for a pointer named `p` (`ptep` -> `pte`). */
  entryClass(pointerName: string): string | undefined {
    return this.entryClasses.get(pointerName);
  }

  /** Is this location key one of the entry classes (`pte`, `pmd`, ...)? */
  isEntryClass(loc: string): boolean {
    for (const v of this.entryClasses.values()) if (v === loc) return true;
    return false;
  }

  /** Too generic to pair two functions by name alone (`flags`, `_refcount`). */
  isGenericLocation(loc: string): boolean {
    return this.generic.has(loc);
  }

  protocols(): readonly SbProtocol[] {
    return this.orderingData.protocols;
  }

  /** The store-buffering protocol with `a` on one side and `b` on the other (either order). */
  protocolFor(a: string | undefined, b: string | undefined): SbProtocol | undefined {
    if (!a || !b) return undefined;
    return this.orderingData.protocols.find((p) => !p.conditionStore && ((p.a.includes(a) && p.b.includes(b)) || (p.a.includes(b) && p.b.includes(a))));
  }

  /** The protocol whose side A holds `loc`. */
  protocolOf(loc: string | undefined): SbProtocol | undefined {
    if (!loc) return undefined;
    return this.orderingData.protocols.find((p) => p.a.includes(loc));
  }

  /** The protocol with `loc` on either side. */
  protocolWith(loc: string | undefined): SbProtocol | undefined {
    if (!loc) return undefined;
    return this.orderingData.protocols.find((p) => p.a.includes(loc) || p.b.includes(loc));
  }

  /** Does some protocol name this location? */
  inProtocol(loc: string): boolean {
    return this.orderingData.protocols.some((p) => p.a.includes(loc) || p.b.includes(loc));
  }

  /** The names repairs use (smp_mb, smp_mb__after_atomic, ...). */
  repairs(): OrderingFacts['repairs'] {
    return this.orderingData.repairs;
  }

  /** Task states that are not sleeping states (`TASK_RUNNING`). */
  runningStates(): readonly string[] {
    return this.orderingData.runningStates;
  }

  /** The protocol location an acquisition of this kind stores to (a FOLL_PIN pin: `_pincount`). */
  acquireStore(kind: ResourceKind): string | undefined {
    return this.orderingData.acquireStores[kind];
  }

  /** The argument a publishing call makes reachable (pmd_populate -> 2). */
  publishedArg(name: string): number | undefined {
    return this.api(name)?.publishes?.arg;
  }

  /** Returns a freshly initialised object (pte_alloc_one). */
  initialisesResult(name: string): boolean {
    return this.api(name)?.initialisesResult === true;
  }

  /** Returns a new object nobody else can reach yet (kmalloc). */
  allocates(name: string): boolean {
    const a = this.api(name);
    return a?.allocates === true || a?.initialisesResult === true;
  }

  /** A barrier checkpatch wants commented. */
  wantsComment(name: string): boolean {
    return this.api(name)?.checkpatchComment === true;
  }

  /** The call orders memory through its own synchronisation (percpu_ref_kill, complete). */
  internalSync(name: string): ApiSpec['internalSync'] {
    return this.api(name)?.internalSync;
  }

  /** Returns this CPU's instance of per-CPU data. */
  returnsPerCpu(name: string): boolean {
    return this.api(name)?.perCpu === true;
  }

  /** A section annotation of boot-only code (`__init`). */
  isBootOnly(annotation: string): boolean {
    return this.orderingData.bootOnly.includes(annotation);
  }

  /** The ordering facts as data (docs, integrity tests). */
  orderingFacts(): OrderingFacts {
    return this.orderingData;
  }
  /** The goto-label naming conventions (a weak signal: see data/labels.ts). */
  gotoLabelConventions(): readonly GotoLabelConvention[] {
    return GOTO_LABEL_CONVENTIONS;
  }
  /** The scope-based lock guard classes (data/guards.ts). */
  /**
   * Does a call's argument spell a GFP mask that allows direct reclaim
   * (`GFP_KERNEL`, `GFP_NOFS | __GFP_ZERO`), with no non-blocking mask and no
   * flag taken away (`GFP_KERNEL & ~__GFP_DIRECT_RECLAIM`)? Then the mask it
   * names, else undefined.
   */
  blockingGfp(argText: string): string | undefined {
    if (argText.includes('~')) return undefined;
    const ids = argText.match(/[A-Za-z_]\w*/g) ?? [];
    if (ids.some((x) => nonBlockingGfp.has(x))) return undefined;
    return ids.find((x) => blockingGfp.has(x));
  }

  /** The non-blocking GFP mask (`GFP_ATOMIC`, `GFP_NOWAIT`) an argument names, else undefined. */
  nonBlockingGfp(argText: string): string | undefined {
    return (argText.match(/[A-Za-z_]\w*/g) ?? []).find((x) => nonBlockingGfp.has(x));
  }

  guardClasses(): readonly GuardClass[] {
    return GUARD_CLASSES;
  }
  /** The lock and unlock calls of a guard class (`guard(mutex)`), or undefined. Bound: usable as a callback. */
  readonly guardClass = (cls: string): GuardClass | undefined => guardIndex.get(cls);
  /** Return values that hand a held lock or reference to the caller (data/returnContracts.ts). */
  returnContracts(): readonly ReturnContract[] {
    return RETURN_CONTRACTS;
  }

  /**
   * What the code under a goto label conventionally releases, by its name:
   * the union of every matching convention's families and kinds, minus the
   * families a matching convention excludes (`out_unlocked`). `matched` is
   * empty for a label no convention describes (`out`, `retry`): nothing is
   * known then, which is not the same as "releases nothing" (`free`).
   */
  /** The kinds a return of `valueText` hands to the caller held, by the contract of a constant in it (data/returnContracts.ts). */
  returnHandsOver(valueText: string): ResourceKind[] {
    const words = new Set(valueText.split(/[^A-Za-z0-9_]+/));
    return RETURN_CONTRACTS.filter((c) => words.has(c.value)).flatMap((c) => c.holds);
  }

  gotoLabelReleases(label: string): { families: KindSpecT['family'][]; kinds: ResourceKind[]; matched: GotoLabelConvention[] } {
    const l = label.trim().replace(/:$/, '');
    const matched = GOTO_LABEL_CONVENTIONS.filter((c) => labelRegex(c).test(l));
    const excluded = new Set(matched.flatMap((c) => c.excludes ?? []));
    const families = [...new Set(matched.flatMap((c) => c.releases))].filter((f) => !excluded.has(f));
    const kinds = [...new Set(matched.flatMap((c) => c.kinds ?? []))].filter((k) => !excluded.has(this.kind(k).family));
    return { families, kinds, matched };
  }
}

const guardIndex = new Map(GUARD_CLASSES.map((x) => [x.cls, x]));
const blockingGfp: ReadonlySet<string> = new Set(BLOCKING_GFP);
const nonBlockingGfp: ReadonlySet<string> = new Set(NON_BLOCKING_GFP);

const labelRegexes = new WeakMap<GotoLabelConvention, RegExp>();
function labelRegex(c: GotoLabelConvention): RegExp {
  let r = labelRegexes.get(c);
  if (!r) labelRegexes.set(c, (r = new RegExp(`${c.pattern}`, 'i')));
  return r;
}

/** The catalog built from the bundled data. */
/** An entry with the facts of the eras `v` falls in merged over its own. */
function withEra(a: ApiSpec, v: Version): ApiSpec {
  if (!a.eras?.length) return a;
  let out = a;
  for (const e of a.eras) if (inRange(e.kernels, v)) out = { ...out, ...e.facts };
  return out;
}

/** The catalog built from the bundled data, for current mainline (see forVersion()). */
export const catalog = new Catalog(DATA, KINDS);

export { MAINLINE, parseVersion, inRange, makefileVersion } from './era';
