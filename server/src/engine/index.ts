/**
 * The engine: text in, findings out. The CLI and the language server are thin
 * shells over `analyze`.
 *
 *   text ─► patch/parseDocument ─► c/rebuildAll ─► units (side × variant × CFG)
 *        ─► rules (catalog-driven) ─► RawFindings in image coordinates
 *        ─► locate() back to the input document ─► differential / suppress / filter
 */
import { parseDocument } from '../patch/parse';
import { mapColumnEnd } from '../patch/model';
import type { HunkLine, Message, ParsedDocument, Severity, Span } from '../patch/model';
import type { ParseOptions } from '../patch/limits';
import { rebuildDocument, locate, type RebuildOptions } from '../c/rebuild';
import type { RebuiltFunction, FunctionImage, ConfigVariant } from '../c/model';
import { buildCfg, type Cfg } from '../c/cfg';
import { AnalysisCancelled, RebuildBudget, functionWork, type RebuildLimits, type SkippedFunction } from '../c/budget';
import { LineIndex, type Range } from '../util/lineIndex';
import { catalog as defaultCatalog, type Catalog } from '../catalog';
import { ALL_RULES } from '../rules';
import type { ImagePos, RawFinding, Rule, RuleContext, Side, Unit } from '../rules/api';
import { CATEGORIES, SEVERITY_RANK, type Category, type Finding, type TextEdit } from './findings';
import { ruleInfo } from '../rules/registry';
import { toPatchEdits } from './fixes';
import { fingerprint, normalizeLine } from './config';
import { shorten } from './message';
import { isMailDamage, summarizeRepairs } from './repairs';
import { mapTrace } from './trace';
import './inputRules';
import { reparse } from './incremental';
import { dependsOnDocument, dependsOnFunction, fileIdentity, idOf, tracked, untracked, type DepRecord, type Query } from '../analysis/deps';
import type { AnalysisContext } from '../analysis/unit';

export interface AnalyzeOptions {
  /** Show every post-image finding, not only what the patch introduces (CLI --all). */
  all?: boolean;
  /** Only these categories (default: all). */
  categories?: readonly Category[];
  /** Drop findings below this severity. */
  minSeverity?: Severity;
  /** Per-rule or per-category severity overrides ('off' disables). */
  severityOverrides?: Record<string, Severity | 'off'>;
  /** Kernel-tree mode: read a file of the tree (relative path; the message, for a base-commit read). */
  treeFile?: RebuildOptions['treeFile'];
  /**
   * The kernel version the patch targets (`6.19`, `4.11`): catalog facts of
   * that era apply, others do not. From the tree's Makefile, the user's
   * setting, or (default) current mainline.
   */
  kernelVersion?: string;
  /** Kernel-tree mode: what each message is judged against (engine/kernelTree documentTree()). */
  judgedIn?: (msg: import('../patch/model').Message) => import('./kernelTree').JudgedIn;
  parse?: ParseOptions;
  rules?: readonly Rule[];
  catalog?: Catalog;
  /** The document's budget (c/budget.ts; defaults: DEFAULT_LIMITS). */
  limits?: Partial<RebuildLimits>;
  /** Polled between functions and rules: true abandons the analysis (it throws AnalysisCancelled). */
  cancelled?: () => boolean;
  /** Fingerprints of findings the reviewer dismissed (engine/config.ts): not reported. */
  dismissed?: ReadonlySet<string>;
  /** Keep messages whole (no ~200-character message with the rest in `detail`). */
  fullMessages?: boolean;
  /** Report each repaired line of a mangled mail at its own severity, not one summary per message with the lines as hints. */
  repairDetails?: boolean;
  /**
   * Serve rule checks of unchanged functions from the rule cache (the
   * keystroke path, `reanalyze`; results identical to running the rules).
   */
  reuseRuleResults?: boolean;
  /**
   * `reanalyze` only: where the text differs from the previous analysis's, when the caller knows it
   * (the language server, from the editor's content changes): [start, oldEnd) of the previous text
   * became [start, newEnd) of this one. Any range that covers the change will do; without it the
   * two texts are compared.
   */
  edit?: { start: number; oldEnd: number; newEnd: number };
}

export interface Analysis {
  doc: ParsedDocument;
  index: LineIndex;
  functions: RebuiltFunction[];
  units: Unit[];
  findings: Finding[];
  /** Milliseconds per stage. */
  timings: { parse: number; rebuild: number; rules: number };
  /** What the budget allowed: functions and work counted, functions skipped. */
  budget: RebuildBudget;
}

const now = () => performance.now();

/**
 * CFGs by configuration variant. The C model's FunctionCache hands back the
 * same variant object for unchanged function text, so on a keystroke only the
 * edited function gets a new CFG; rule analyses cached per CFG (resources.ts)
 * are reused with it.
 */
const cfgCaches = new WeakMap<Catalog, WeakMap<ConfigVariant, Cfg | null>>();

/** The CFG of a variant, with the catalog's view of which macros access their argument in place. */
function cfgOf(variant: ConfigVariant, cat: Catalog): Cfg | null {
  let cfgCache = cfgCaches.get(cat);
  if (!cfgCache) cfgCaches.set(cat, (cfgCache = new WeakMap()));
  let cfg = cfgCache.get(variant);
  if (cfg !== undefined) return cfg;
  try {
    cfg = buildCfg(variant, { lvalueAccess: cat.lvalueAccess });
  } catch {
    cfg = null; // a CFG bug must not take the document down; the function is skipped
  }
  cfgCache.set(variant, cfg);
  return cfg;
}

/** The catalog the analysis reads: the facts of the target kernel version (default: current mainline). */
export function catalogFor(opts: Pick<AnalyzeOptions, 'catalog' | 'kernelVersion'>): Catalog {
  return (opts.catalog ?? defaultCatalog).forVersion(opts.kernelVersion);
}

/** Build every unit (function side × configuration) with its CFG. */
export function buildUnits(functions: readonly RebuiltFunction[], cat: Catalog = defaultCatalog, budget?: RebuildBudget): Unit[] {
  const units: Unit[] = [];
  for (const fn of functions) {
    budget?.check();
    for (const side of ['pre', 'post'] as const) {
      const image = fn[side];
      if (!image) continue;
      for (const variant of image.variants) {
        const cfg = cfgOf(variant, cat);
        if (cfg) units.push({ fn, side, image, variant, cfg });
      }
    }
  }
  return units;
}

export function ruleContext(doc: ParsedDocument, functions: readonly RebuiltFunction[], units: readonly Unit[], cat: Catalog): RuleContext {
  const bySide = new Map<string, Unit[]>();
  const ids = new Map<RebuiltFunction, number>();
  functions.forEach((f, i) => ids.set(f, i));
  for (const u of units) {
    const k = `${ids.get(u.fn)}:${u.side}`;
    let list = bySide.get(k);
    if (!list) bySide.set(k, (list = []));
    list.push(u);
  }
  // reads of document-wide data are recorded for the rule cache (analysis/deps.ts)
  return {
    get doc() {
      dependsOnDocument();
      return doc;
    },
    catalog: cat,
    get functions() {
      dependsOnDocument();
      return functions;
    },
    get units() {
      dependsOnDocument();
      return units;
    },
    unitsOf: (fn, side) => {
      dependsOnFunction(fn);
      return bySide.get(`${ids.get(fn)}:${side}`) ?? [];
    },
    where: (unit, line) => {
      const n = fileLineOf(unit.image, line, unit.side);
      return n !== undefined ? `${unit.fn.path}:${n}` : `${unit.fn.name}()`;
    },
  };
}

/** Map an image position to a range of the input document (null when it has no patch line). */
export function imageRange(index: LineIndex, img: FunctionImage, at: ImagePos): Range | null {
  const tryLine = (line: number, col: number, endCol: number | undefined): Range | null => {
    const loc = locate(img, line, col);
    if (loc.kind !== 'patch' || loc.offset === undefined) return null;
    const src = loc.line.src;
    const end = endCol !== undefined ? mapColumnEnd(src, endCol) : mapColumnEnd(src, loc.line.text.length);
    return index.rangeOf(loc.offset, end ?? loc.offset);
  };
  const exact = tryLine(at.line, at.col, at.endCol);
  if (exact) return exact;
  // A synthesized or tree line: anchor on the nearest real patch line above, then below.
  for (let d = 1; d < img.origin.length; d++) {
    for (const l of [at.line - d, at.line + d]) {
      if (l < 0 || l >= img.origin.length) continue;
      const text = linesOf(img)[l] ?? '';
      const first = Math.max(0, text.search(/\S/));
      const r = tryLine(l, first, undefined);
      if (r) return r;
    }
  }
  return null;
}

/** The post-image file line (1-based) of an image line, for findings on real C files. */
export function fileLineOf(img: FunctionImage, line: number, side: Side): number | undefined {
  const o = img.origin[line];
  if (!o) return undefined;
  if (o.kind === 'tree') return o.fileLine;
  if (o.kind === 'patch') return side === 'post' ? o.line.newLine : o.line.oldLine;
  return undefined;
}

const imageLines = new WeakMap<FunctionImage, string[]>();
function linesOf(img: FunctionImage): string[] {
  let l = imageLines.get(img);
  if (!l) imageLines.set(img, (l = img.text.split('\n')));
  return l;
}

function suppressed(img: FunctionImage, line: number, rule: string, category: string): boolean {
  const lines = linesOf(img);
  for (const l of [line, line - 1]) {
    const m = /mm-review:\s*ignore\b([^*\n]*)/.exec(lines[l] ?? '');
    if (!m) continue;
    const what = m[1].trim().split(/[\s,]+/).filter(Boolean);
    if (what.length === 0 || what.includes(rule) || what.includes(category)) return true;
  }
  return false;
}

function effectiveSeverity(rule: Rule | undefined, id: string, category: Category, raw: Severity | undefined, opts: AnalyzeOptions): Severity | 'off' {
  const o = opts.severityOverrides ?? {};
  return o[id] ?? o[category] ?? raw ?? rule?.severity ?? ruleInfo(id).severity;
}

/** One rule's raw findings on one unit, with what the check read outside the unit's function. */
interface CachedCheck {
  cat: Catalog;
  image: FunctionImage;
  variant: ConfigVariant;
  cfg: Cfg;
  found: RawFinding[];
  queries: DepRecord['queries'];
  /** Set when every query read only the unit's own file: that file's identity (analysis/deps.ts fileIdentity) then. */
  fileOnly?: string;
}

/**
 * The rule cache of the keystroke path: per function object (kept by the
 * incremental re-parse for every message the edit did not touch), per unit
 * (side × configuration) and rule, the raw findings of the last check and
 * the fingerprints of the cross-function queries it read (analysis/deps.ts).
 * A check is served from the cache only when its unit is the same (function
 * object, image, configuration, CFG, catalog) and every query it read gives
 * the same fingerprint in the new document; a check that read anything else
 * document-wide (the ordering analyses, other functions' units) is never
 * cached. Raw findings are in image coordinates: the mapping to the document
 * below runs again on every analysis.
 */
const ruleCache = new WeakMap<RebuiltFunction, Map<string, RuleSlot>>();

/** One unit's cached checks (one per rule), and what deciding their validity reads (made when first needed). */
interface RuleSlot {
  rules: readonly Rule[];
  checks: (CachedCheck | undefined)[];
  agg?: SlotQueries | null;
  /** The last results of checks that cannot be reused (they read the whole document), to keep their objects when they come out the same. */
  last?: (RawFinding[] | undefined)[];
}

const rawJson = new WeakMap<RawFinding, string | null>();
/**
 * A raw finding's content, with the units it points at named by function object, side and
 * configuration (the same function object has the same image): null when it holds something that
 * is not plain data.
 */
function rawJsonOf(f: RawFinding): string | null {
  let j = rawJson.get(f);
  if (j !== undefined) return j;
  try {
    j = JSON.stringify(f, (_k, v: unknown) => {
      const u = v as Partial<Unit> | null;
      return u && typeof u === 'object' && u.fn && u.variant && u.cfg && u.image && u.side ? `unit ${idOf(u.fn)} ${u.side} ${idOf(u.variant)}` : v;
    });
  } catch {
    j = null;
  }
  rawJson.set(f, j);
  return j;
}

/** Two runs of a check found the same (their raw findings are equal, in order). */
function sameRawFindings(a: readonly RawFinding[], b: readonly RawFinding[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const x = rawJsonOf(a[i]);
    if (x === null || x !== rawJsonOf(b[i])) return false;
  }
  return true;
}
/**
 * The queries of a slot's checks, deduplicated, split by whether the check read only its own file: a unit
 * whose every rule is cached is then decided by its few distinct queries, not by its ~24 checks' records
 * (a walk over every check of every unit was ~10 ms per keystroke on a 50k-line series).
 */
interface SlotQueries {
  cat: Catalog;
  image: FunctionImage;
  variant: ConfigVariant;
  cfg: Cfg;
  /** The file identity every file-only check recorded (null: none has one; undefined: they differ). */
  fileOnly: string | null | undefined;
  fileOnlyQueries: [string, Query][];
  otherQueries: [string, Query][];
  /** The rules (indexes) whose cached check found something: runRules visits only those of a valid unit. */
  nonEmpty: number[];
}
function slotQueries(slot: RuleSlot): SlotQueries | null {
  if (slot.agg !== undefined) return slot.agg;
  const first = slot.checks[0];
  if (slot.checks.length !== slot.rules.length || !first) return (slot.agg = null);
  const agg: SlotQueries = { cat: first.cat, image: first.image, variant: first.variant, cfg: first.cfg, fileOnly: null, fileOnlyQueries: [], otherQueries: [], nonEmpty: [] };
  slot.checks.forEach((e, r) => e && e.found.length > 0 && agg.nonEmpty.push(r));
  const seenOnly = new Set<Query>();
  const seenOther = new Set<Query>();
  for (const e of slot.checks) {
    if (!e || e.cat !== agg.cat || e.image !== agg.image || e.variant !== agg.variant || e.cfg !== agg.cfg) return (slot.agg = null);
    if (e.fileOnly !== undefined) {
      if (agg.fileOnly === null) agg.fileOnly = e.fileOnly;
      else if (agg.fileOnly !== e.fileOnly) return (slot.agg = null);
    }
    const [list, seen] = e.fileOnly !== undefined ? [agg.fileOnlyQueries, seenOnly] : [agg.otherQueries, seenOther];
    for (const kq of e.queries) {
      if (seen.has(kq[1])) continue;
      seen.add(kq[1]);
      list.push(kq);
    }
  }
  return (slot.agg = agg);
}

/**
 * The rule cache of a function re-parsed with its message but unchanged (sameFunction): its
 * predecessor's slots, each check made the check of the new function's unit (same configuration and
 * CFG; the image of the new function, whose lines are the re-parsed ones), its raw findings pointing
 * at the new function's units. Undefined when there is nothing to carry over.
 */
function reboundSlots(fn: RebuiltFunction, old: RebuiltFunction | undefined, units: readonly Unit[]): Map<string, RuleSlot> | undefined {
  const before = old && ruleCache.get(old);
  if (!old || !before) return undefined;
  const mine = units.filter((u) => u.fn === fn);
  const unitFor = (u: Unit): Unit | undefined => (u.fn === old ? mine.find((m) => m.side === u.side && m.variant === u.variant) : u);
  let lost = false;
  const remap = (f: RawFinding): RawFinding => {
    const refs = f.related?.some((r) => r.unit?.fn === old) || f.trace?.events.some((e) => e.at.unit?.fn === old);
    if (!refs) return f;
    const related = f.related?.map((r) => {
      if (!r.unit) return r;
      const unit = unitFor(r.unit);
      if (!unit) lost = true;
      return { ...r, unit };
    });
    const trace = f.trace && {
      ...f.trace,
      events: f.trace.events.map((e) => {
        if (!e.at.unit) return e;
        const unit = unitFor(e.at.unit);
        if (!unit) lost = true;
        return { ...e, at: { ...e.at, unit } };
      }),
    };
    return { ...f, ...(related ? { related } : {}), ...(trace ? { trace } : {}) };
  };
  const out = new Map<string, RuleSlot>();
  for (const [uk, slot] of before) {
    const image = fn[uk.startsWith('pre|') ? 'pre' : 'post'];
    if (!image) return undefined;
    out.set(uk, { rules: slot.rules, checks: slot.checks.map((e) => e && { ...e, image, found: e.found.map(remap) }) });
  }
  return lost ? undefined : out;
}

/**
 * The cached checks of a document: `check(r, u)` is rule r's result on unit u (from the cache or run
 * again); `visit[r]` the units (indexes, ascending) runRules must ask for rule r: all but the valid
 * units whose cached check found nothing (on a keystroke, most of the document's rule x unit pairs).
 */
interface CachedChecks {
  check: (r: number, u: number) => RawFinding[];
  visit: number[][];
}

function ruleCacheFor(cat: Catalog, ctx: RuleContext, rules: readonly Rule[], units: readonly Unit[], rebind?: ReadonlyMap<RebuiltFunction, RebuiltFunction>): CachedChecks {
  const fps = new Map<string, string>(); // query fingerprints in this document
  const fpIn = (key: string, again: (c: AnalysisContext) => string) => {
    let fp = fps.get(key);
    if (fp === undefined) fps.set(key, (fp = untracked(() => again(ctx))));
    return fp;
  };
  const valid = (e: CachedCheck, unit: Unit, fileNow: string) => {
    if (e.cat !== cat || e.image !== unit.image || e.variant !== unit.variant || e.cfg !== unit.cfg) return false;
    // every query read only the unit's own file, whose functions are the same objects: the same answers
    if (e.fileOnly !== undefined && e.fileOnly === fileNow) return true;
    for (const [key, q] of e.queries) {
      if (q.path !== undefined && q.ident === fileIdentity(ctx, q.path)) continue;
      if (fpIn(key, q.again) !== q.fp) return false;
    }
    return true;
  };
  // each unit's slots (one per rule), looked up once per document
  const slots = units.map((unit) => {
    let perFn = ruleCache.get(unit.fn);
    if (!perFn) ruleCache.set(unit.fn, (perFn = reboundSlots(unit.fn, rebind?.get(unit.fn), units) ?? new Map()));
    const uk = `${unit.side}|${unit.image.variants.indexOf(unit.variant)}`;
    let slot = perFn.get(uk);
    if (!slot || slot.rules !== rules) perFn.set(uk, (slot = { rules, checks: [] }));
    return slot;
  });
  const fileNow = units.map((unit) => fileIdentity(ctx, unit.fn.path));
  // A unit whose every rule has a cached result that is still valid (most units of an edited document) is
  // decided once, not per rule: the same queries recur in its rules' records (its callees' summaries, its
  // side's ordering facts).
  const same = (list: [string, Query][]) => {
    for (const [key, q] of list) {
      if (q.path !== undefined && q.ident === fileIdentity(ctx, q.path)) continue;
      if (fpIn(key, q.again) !== q.fp) return false;
    }
    return true;
  };
  const unitOk = units.map((unit, u) => {
    const agg = slotQueries(slots[u]);
    if (!agg || agg.cat !== cat || agg.image !== unit.image || agg.variant !== unit.variant || agg.cfg !== unit.cfg) return false;
    // the file-only checks' queries need no asking while the file's functions are the same objects
    if ((agg.fileOnly === null || agg.fileOnly !== fileNow[u]) && !same(agg.fileOnlyQueries)) return false;
    return same(agg.otherQueries);
  });
  const visit: number[][] = rules.map(() => []);
  for (let u = 0; u < units.length; u++) {
    if (unitOk[u]) for (const r of slots[u].agg!.nonEmpty) visit[r].push(u);
    else for (let r = 0; r < rules.length; r++) visit[r].push(u);
  }
  const check = (r: number, u: number): RawFinding[] => {
    const slot = slots[u];
    const checks = slot.checks;
    if (unitOk[u]) return checks[r]!.found;
    const unit = units[u];
    const rule = rules[r];
    const hit = checks[r];
    if (hit && valid(hit, unit, fileNow[u])) return hit.found;
    const { result: found, deps } = tracked(unit.fn, () => rule.check(unit, ctx));
    slot.agg = undefined;
    // the same findings as the check's last run: its objects (the findings mapped from them are then the
    // same objects too, and the server sends and converts only the others)
    const last = hit?.found ?? slot.last?.[r];
    const result = last && sameRawFindings(last, found) ? last : found;
    if (slot.last) slot.last[r] = undefined;
    if (deps.document) {
      checks[r] = undefined;
      (slot.last ??= [])[r] = result;
    } else {
      let fileOnly: string | undefined = fileNow[u];
      for (const [key, q] of deps.queries) {
        fps.set(key, q.fp);
        if (q.path !== unit.fn.path || q.ident !== fileNow[u]) fileOnly = undefined;
      }
      checks[r] = { cat, image: unit.image, variant: unit.variant, cfg: unit.cfg, found: result, queries: deps.queries, fileOnly };
    }
    return result;
  };
  return { check, visit };
}

/**
 * The keystroke path's mapped findings, per raw finding (kept by the rule
 * cache for unchanged functions): the Finding object itself is reused while
 * its function, image, severity, context and the line its message starts on
 * are the same, and so are the lines the other messages it points at start
 * on (the messages' texts are then the same, and so is every range inside
 * them), so unchanged findings stay the same objects from one edit to
 * the next (the language server sends and converts only the others).
 */
const mappedCache = new WeakMap<RawFinding, { sig: string; finding: Finding }>();
/** Findings finish() has completed (message shortened, fingerprint set): a reused one is not processed again. */
const finished = new WeakSet<Finding>();

/** Run the rules over the units, map to the document, apply differential mode and filters. */
export function runRules(doc: ParsedDocument, index: LineIndex, functions: readonly RebuiltFunction[], units: readonly Unit[], opts: AnalyzeOptions = {}, budget?: RebuildBudget, rebind?: ReadonlyMap<RebuiltFunction, RebuiltFunction>): Finding[] {
  const rules = opts.rules ?? ALL_RULES;
  const cat = catalogFor(opts);
  // user-space programs in the tree (tools/, scripts/): kernel API facts do not apply to them
  if (units.some((u) => cat.isUserSpacePath(u.fn.path))) units = units.filter((u) => !cat.isUserSpacePath(u.fn.path));
  const ctx = ruleContext(doc, functions, units, cat);
  const raw: { f: RawFinding; unit: Unit; rule: Rule }[] = [];
  const internal: Finding[] = [];
  const cached = opts.reuseRuleResults ? ruleCacheFor(cat, ctx, rules, units, rebind) : undefined;
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r];
    try {
      // the keystroke path skips the valid cached checks that found nothing (same order of findings)
      const visit = cached?.visit[r];
      const n = visit ? visit.length : units.length;
      for (let i = 0; i < n; i++) {
        const u = visit ? visit[i] : i;
        const unit = units[u];
        budget?.check();
        const found = cached ? cached.check(r, u) : rule.check(unit, ctx);
        for (const f of found) raw.push({ f, unit, rule });
      }
      for (const f of rule.checkDocument?.(ctx) ?? []) raw.push({ f, unit: f.unit, rule });
    } catch (e) {
      if (e instanceof AnalysisCancelled) throw e;
      internal.push({
        rule: 'input/internal-error',
        category: 'input',
        severity: 'info',
        message: `rule ${rule.id} failed on this document and was skipped: ${(e as Error).message}`,
        range: index.rangeOf(0, 0),
        related: [],
      });
    }
  }

  // Differential: a post-image defect whose fingerprint the pre-image of the same function also has is not new.
  // Fingerprints are line-independent, so they are counted by site (distinct lines, over all configurations):
  // when the post-image has the defect at more places than the pre-image had, the places on lines the patch
  // adds, or on patch lines where the pre-image did not have it, are new (a second `return NULL` leaking the
  // same lock is a second defect). Lines outside the hunks (from the kernel tree) are never new.
  const preKeys = new Set<string>();
  const sites = new Map<string, { pre: Set<number>; post: Set<number>; preLines: Set<object> }>();
  const siteOf = (k: string) => sites.get(k) ?? (sites.set(k, { pre: new Set(), post: new Set(), preLines: new Set() }), sites.get(k)!);
  for (const r of raw) {
    if (r.unit.side !== 'pre' && r.unit.side !== 'post') continue;
    const k = `${r.unit.fn.path}|${r.unit.fn.name}|${r.f.fingerprint}`;
    const s = siteOf(k);
    s[r.unit.side].add(r.f.at.line);
    if (r.unit.side === 'pre') {
      preKeys.add(k);
      const o = r.unit.image.origin[r.f.at.line];
      if (o?.kind === 'patch') s.preLines.add(o.line);
    }
  }
  const isNewIn = (unit: Unit, k: string, line: number): boolean => {
    const s = sites.get(k);
    if (!s || s.post.size <= s.pre.size) return false;
    const o = unit.image.origin[line];
    return !!o && o.kind === 'patch' && (o.line.kind === 'add' || !s.preLines.has(o.line));
  };

  const out: Finding[] = [];
  const seen = new Set<string>();
  const reuse = !!cached;
  // the line each message starts on, and the places in other messages a finding points at (related
  // locations, trace events: another function's units), for the signature of a mapped finding
  const starts = new Map<Message, number>();
  const startLine = (m: Message) => {
    let l = starts.get(m);
    if (l === undefined) starts.set(m, (l = index.positionAt(m.span.start).line));
    return l;
  };
  const elsewhere = (f: RawFinding, unit: Unit): string => {
    let out = '';
    const at = (u: Unit | undefined) => {
      if (u && u.fn.message !== unit.fn.message) out += `|${idOf(u.image)}@${startLine(u.fn.message)}`;
    };
    for (const r of f.related ?? []) at(r.unit);
    for (const e of f.trace?.events ?? []) at(e.at.unit);
    return out;
  };
  for (const { f, unit, rule } of raw) {
    if (unit.side !== 'post') continue; // pre-image findings only serve as the baseline
    const dk = `${unit.fn.path}|${unit.fn.name}|${f.fingerprint}`;
    if (!opts.all && preKeys.has(dk) && !isNewIn(unit, dk, f.at.line)) continue;
    const sev = effectiveSeverity(rule, f.rule, rule.category, f.severity, opts);
    if (sev === 'off') continue;
    const judgedIn = judgedInText(unit, opts);
    // a raw finding served from the rule cache maps to the same finding while its message starts on the same line
    const sig = reuse ? `${idOf(unit.fn)}|${idOf(unit.image)}|${startLine(unit.fn.message)}|${sev}|${judgedIn}|${!!opts.fullMessages}${elsewhere(f, unit)}` : '';
    const was = reuse ? mappedCache.get(f) : undefined;
    if (was && was.sig === sig) {
      const key = `${f.rule}|${was.finding.range.start.line}:${was.finding.range.start.character}|${f.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(was.finding);
      continue;
    }
    // (a finding reused above was not suppressed: same image, line and rule)
    if (suppressed(unit.image, f.at.line, f.rule, rule.category)) continue;
    const range = imageRange(index, unit.image, f.at);
    if (!range) continue;
    const key = `${f.rule}|${range.start.line}:${range.start.character}|${f.message}`;
    if (seen.has(key)) continue; // the same defect in several configurations
    seen.add(key);
    const related = (f.related ?? [])
      .map((r) => ({ message: r.message, range: imageRange(index, (r.unit ?? unit).image, r.at) }))
      .filter((r): r is { message: string; range: Range } => r.range !== null);
    const fixes = f.fixes
      ?.map((fx) => ({ title: fx.title, edits: toPatchEdits(doc.text, index, unit, fx.edits) }))
      .filter((fx): fx is { title: string; edits: TextEdit[] } => fx.edits !== null && fx.edits.length > 0);
    out.push({
      rule: f.rule,
      category: rule.category,
      severity: sev,
      message: f.message,
      range,
      related,
      scenario: f.scenario,
      scenarioParams: f.scenario ? { function: unit.fn.name, ...f.scenarioParams, line: range.start.line + 1 } : f.scenarioParams,
      fixes: fixes && fixes.length ? fixes : undefined,
      ...(f.trace ? { trace: mapTrace(f.trace, unit, (img, at) => imageRange(index, img, at), fileLineOf) } : {}),
      file: unit.fn.path,
      function: unit.fn.name,
      fileLine: fileLineOf(unit.image, f.at.line, unit.side),
      fingerprint: fingerprint(f.rule, unit.fn.path, unit.fn.name, linesOf(unit.image)[f.at.line] ?? ''),
      lineText: normalizeLine(linesOf(unit.image)[f.at.line] ?? ''),
      judgedIn,
    });
    if (reuse) mappedCache.set(f, { sig, finding: out[out.length - 1] });
  }
  return [...internal, ...out];
}

/** Which context a finding was judged in: the hunk alone, the tree's worktree file, or the file at the mail's base commit. */
function judgedInText(unit: Unit, opts: AnalyzeOptions): string {
  if (unit.fn.source !== 'tree') return 'hunk';
  const j = opts.judgedIn?.(unit.fn.message);
  if (j?.kind === 'commit') return `tree at ${j.commit.slice(0, 12)}`;
  return 'tree (worktree file)';
}

/** Repairs of mail-client damage: summarised once per message (engine/repairs.ts). */
export function inputFindings(doc: ParsedDocument, index: LineIndex, functions: readonly RebuiltFunction[], repairDetails = false): Finding[] {
  const out: Finding[] = doc.diagnostics.map((d) => diagnosticFinding(index, d));
  summarizeRepairs(doc, index, out, repairDetails);
  out.push(...placementFindings(doc, index), ...parseProblemFindings(index, functions));
  return out;
}

function diagnosticFinding(index: LineIndex, d: ParsedDocument['diagnostics'][number]): Finding {
  return {
    rule: d.code.startsWith('input/') ? d.code : `input/${d.code}`,
    category: 'input' as const,
    severity: d.severity,
    message: d.message,
    range: index.rangeOf(d.span.start, d.span.end),
    related: [],
  };
}

/** Hunks placed where git am places them, not where their headers say (input/hunk-offset). */
function placementFindings(doc: ParsedDocument, index: LineIndex): Finding[] {
  const out: Finding[] = [];
  for (const m of doc.messages)
    for (const f of m.files)
      f.hunks.forEach((h, i) => {
        const p = h.placement;
        if (!p) return;
        const at = h.lines.find((l) => l.oldLine !== undefined)?.oldLine ?? h.oldStart + p.offset;
        const on = doc.messages[p.against];
        const patch = on?.series ? `patch ${on.series.index}/${on.series.total}` : 'the earlier patch';
        const how = [p.offset ? `offset ${p.offset > 0 ? '+' : ''}${p.offset} line${Math.abs(p.offset) === 1 ? '' : 's'}` : '', p.fuzz ? `fuzz ${p.fuzz}` : ''].filter(Boolean).join(', ');
        out.push({
          rule: 'input/hunk-offset',
          category: 'input',
          severity: 'hint',
          message: `Hunk #${i + 1} of ${f.newPath ?? f.oldPath} applies at line ${at} on top of ${patch} (${how}), as git am places it; its header says line ${h.oldStart}.`,
          range: index.rangeOf(h.headerSpan.start, h.headerSpan.end),
          related: [],
        });
      });
  return out;
}

/** C the rebuild could not parse (input/c-parse). */
function parseProblemFindings(index: LineIndex, functions: readonly RebuiltFunction[]): Finding[] {
  const out: Finding[] = [];
  for (const fn of functions) {
    for (const p of fn.problems) {
      const span = p.line?.span ?? fn.hunks[0]?.headerSpan;
      out.push({
        rule: 'input/c-parse',
        category: 'input',
        severity: 'info',
        message: `${fn.name}: ${p.message}`,
        range: span ? index.rangeOf(span.start, span.end) : index.rangeOf(0, 0),
        related: [],
        file: fn.path,
        function: fn.name,
      });
    }
  }
  return out;
}

function keep(f: Finding, opts: AnalyzeOptions): boolean {
  if (opts.categories && !opts.categories.includes(f.category)) return false;
  if (opts.dismissed && f.fingerprint && opts.dismissed.has(f.fingerprint)) return false;
  if (opts.minSeverity && SEVERITY_RANK[f.severity] < SEVERITY_RANK[opts.minSeverity]) return false;
  const o = opts.severityOverrides ?? {};
  if ((o[f.rule] ?? o[f.category]) === 'off') return false;
  return true;
}

export function byPosition(a: Finding, b: Finding): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.rule.localeCompare(b.rule);
}

/** Analyse one document. Never throws on bad input (only AnalysisCancelled, when `opts.cancelled` says so). */
export function analyze(text: string, uri = '', opts: AnalyzeOptions = {}): Analysis {
  const t0 = now();
  const doc = parseDocument(text, uri, opts.parse);
  const t1 = now();
  const rebuilt = rebuildDocument(doc, { treeFile: opts.treeFile, budget: new RebuildBudget(opts.limits, opts.cancelled) });
  return finish(doc, rebuilt.functions, opts, t0, t1, rebuilt.budget);
}

/**
 * At most this many functions are rebuilt and analysed per document: a bound on
 * memory (parse trees and CFGs are kept for the rules). All of mm/*.c as one
 * document is under 5,000; a 50 MB synthetic patch would be 600,000.
 */
export const MAX_FUNCTIONS = 10_000;

/**
 * Analyse an edited document, reusing a previous analysis (the language
 * server's keystroke path): only the messages the edit touched are parsed and
 * rebuilt again (engine/incremental.ts); unchanged functions keep their parse
 * trees and CFGs. The result equals `analyze(text)`, budgets included: the
 * unchanged messages' functions and skips are carried over and counted, and
 * when the document comes near its budget (where the order of the functions
 * decides what is skipped) it is rebuilt from scratch.
 */
export function reanalyze(prev: Analysis | undefined, text: string, uri = '', opts: AnalyzeOptions = {}): Analysis & { incremental: boolean } {
  const t0 = now();
  const r = opts.parse ? { doc: parseDocument(text, uri, opts.parse), changed: null, full: true } : reparse(prev?.doc, text, uri, opts.edit);
  const t1 = now();
  const fresh = () => rebuildDocument(r.doc, { treeFile: opts.treeFile, budget: new RebuildBudget(opts.limits, opts.cancelled) });
  let functions: RebuiltFunction[] | undefined;
  let budget: RebuildBudget | undefined;
  let rebind: Map<RebuiltFunction, RebuiltFunction> | undefined;
  if (!r.full && prev && r.changed && !prev.budget.exhausted) {
    const byMessage = new Map<Message, RebuiltFunction[]>();
    for (const f of prev.functions) {
      let l = byMessage.get(f.message);
      if (!l) byMessage.set(f.message, (l = []));
      l.push(f);
    }
    const kept = new Set(r.doc.messages.filter((m) => !r.changed!.has(m)));
    budget = new RebuildBudget(opts.limits, opts.cancelled);
    for (const m of kept) for (const f of byMessage.get(m) ?? []) {
      budget.functions++;
      budget.work += functionWork(f);
    }
    budget.skipped.push(...prev.budget.skipped.filter((x) => kept.has(x.message)));
    const rebuilt = new Map<Message, RebuiltFunction[]>();
    for (const msg of r.doc.messages) {
      if (kept.has(msg)) continue;
      rebuilt.set(msg, rebuildDocument({ ...r.doc, messages: [msg] }, { treeFile: opts.treeFile, budget }).functions);
    }
    if (budget.exhausted || budget.work > budget.limits.maxWork || budget.functions > budget.limits.maxFunctions) budget = undefined; // near the budget: from scratch
    else {
      functions = r.doc.messages.flatMap((m) => rebuilt.get(m) ?? byMessage.get(m) ?? []);
      // the functions of the re-parsed message that the edit left as they were keep their rule results
      if ('edit' in r && r.edit) rebind = unchangedFunctions(prev.doc, rebuilt, byMessage, r.edit);
    }
  }
  if (!functions || !budget) {
    const all = fresh();
    functions = all.functions;
    budget = all.budget;
    rebind = undefined;
  }
  // the line index: the previous one with the edited region scanned again
  const index = prev && 'edit' in r && r.edit ? LineIndex.edited(prev.index, r.doc.text, r.edit.start, r.edit.oldEnd, r.edit.newEnd) : undefined;
  return { ...finish(r.doc, functions, { ...opts, reuseRuleResults: true }, t0, t1, budget, prev?.doc, index, rebind), incremental: !r.full };
}

/**
 * The functions of a message the edit re-parsed that are what they were (sameFunction), by their
 * predecessors: when the edit lies inside one hunk's lines (the message's headers and commit text, and
 * so everything a rule may read of the message, are unchanged). A keystroke then re-runs the rules of
 * the edited function only, not of every function of its message.
 */
function unchangedFunctions(
  prevDoc: ParsedDocument,
  rebuilt: ReadonlyMap<Message, RebuiltFunction[]>,
  byMessage: ReadonlyMap<Message, RebuiltFunction[]>,
  edit: { start: number; newEnd: number },
): Map<RebuiltFunction, RebuiltFunction> | undefined {
  let out: Map<RebuiltFunction, RebuiltFunction> | undefined;
  for (const [msg, fns] of rebuilt) {
    const was = prevDoc.messages[msg.index];
    if (!was || was === msg) continue;
    const inHunk = msg.files.some((f) => f.hunks.some((h) => h.lines.length > 0 && h.lines[0].span.start <= edit.start && edit.newEnd <= h.lines[h.lines.length - 1].span.end));
    const olds = byMessage.get(was) ?? [];
    if (!inHunk || olds.length !== fns.length) continue;
    fns.forEach((fn, i) => {
      if (sameFunction(olds[i], fn)) (out ??= new Map()).set(fn, olds[i]);
    });
  }
  return out;
}

/** Two rebuilds of one function with the same text, lines, hunks and configurations (the same variant objects). */
function sameFunction(a: RebuiltFunction, b: RebuiltFunction): boolean {
  if (a.name !== b.name || a.path !== b.path || a.change !== b.change || a.source !== b.source) return false;
  if (a.file.oldPath !== b.file.oldPath || a.file.newPath !== b.file.newPath || a.file.status !== b.file.status) return false;
  if (a.problems.length !== b.problems.length || a.problems.some((p, i) => p.message !== b.problems[i].message)) return false;
  const sameLine = (x: HunkLine, y: HunkLine) => x.kind === y.kind && x.text === y.text && x.oldLine === y.oldLine && x.newLine === y.newLine && !!x.noNewlineAtEof === !!y.noNewlineAtEof && !!x.repaired === !!y.repaired;
  if (a.hunks.length !== b.hunks.length) return false;
  for (let i = 0; i < a.hunks.length; i++) {
    const x = a.hunks[i];
    const y = b.hunks[i];
    if (x.oldStart !== y.oldStart || x.oldCount !== y.oldCount || x.newStart !== y.newStart || x.newCount !== y.newCount || x.section !== y.section) return false;
    if (JSON.stringify(x.placement ?? null) !== JSON.stringify(y.placement ?? null) || x.repairs.length !== y.repairs.length || x.lines.length !== y.lines.length) return false;
    for (let k = 0; k < x.lines.length; k++) if (!sameLine(x.lines[k], y.lines[k])) return false;
  }
  for (const side of ['pre', 'post'] as const) {
    const x = a[side];
    const y = b[side];
    if (!x || !y) {
      if (x || y) return false;
      continue;
    }
    if (x.text !== y.text || x.headerLine !== y.headerLine || x.complete !== y.complete || x.variants.length !== y.variants.length || x.origin.length !== y.origin.length) return false;
    if (x.variants.some((v, i) => v !== y.variants[i])) return false;
    if (JSON.stringify([x.maskedLines, x.symbols, x.uncoveredBranches]) !== JSON.stringify([y.maskedLines, y.symbols, y.uncoveredBranches])) return false;
    for (let i = 0; i < x.origin.length; i++) {
      const o = x.origin[i];
      const p = y.origin[i];
      if (o.kind !== p.kind) return false;
      if (o.kind === 'patch' && p.kind === 'patch') {
        if (!sameLine(o.line, p.line) || a.hunks.indexOf(o.hunk) !== b.hunks.indexOf(p.hunk)) return false;
      } else if (o.kind === 'tree' && p.kind === 'tree') {
        if (o.fileLine !== p.fileLine) return false;
      } else if (o.kind === 'synthetic' && p.kind === 'synthetic' && o.why !== p.why) return false;
    }
  }
  return true;
}

/** The budget's skips as located input findings (one per function over a cap; one for the rest when the document budget ran out). */
function budgetFindings(index: LineIndex, budget: RebuildBudget): Finding[] {
  const out: Finding[] = [];
  const at = (x: SkippedFunction) => {
    const span = x.hunk?.headerSpan ?? x.file.headerSpan;
    return index.rangeOf(span.start, span.end);
  };
  const l = budget.limits;
  const rest = budget.skipped.filter((x) => x.reason === 'functions' || x.reason === 'work');
  for (const x of budget.skipped) {
    if (x.reason === 'function-lines' || x.reason === 'function-bytes') {
      const what = x.reason === 'function-lines' ? `${x.lines.toLocaleString('en-US')} lines (the limit is ${l.maxFunctionLines.toLocaleString('en-US')})` : `${x.bytes.toLocaleString('en-US')} characters (the limit is ${l.maxFunctionBytes.toLocaleString('en-US')})`;
      out.push({
        rule: 'input/function-too-large',
        category: 'input',
        severity: 'warning',
        message: `${x.name}() in ${x.file.newPath ?? x.file.oldPath} was not analysed: it has ${what}. No real kernel function is that large; the rest of the document was analysed.`,
        range: at(x),
        related: [],
        file: x.file.newPath ?? x.file.oldPath ?? undefined,
        function: x.name,
      });
    }
  }
  if (rest.length) {
    const first = rest[0];
    const files = new Set(rest.map((x) => x.file)).size;
    const more = rest.length - 1;
    const skipped = `${first.name}()${more ? ` and the ${more.toLocaleString('en-US')} function${more === 1 ? '' : 's'} after it (in ${files} file${files === 1 ? '' : 's'})` : ''} were not analysed`;
    out.push(
      first.reason === 'functions'
        ? {
            rule: 'input/too-many-functions',
            category: 'input',
            severity: 'warning',
            message: `This document touches more than ${l.maxFunctions.toLocaleString('en-US')} C functions: only the first ${l.maxFunctions.toLocaleString('en-US')} were analysed; ${skipped}. Split the series to review the rest.`,
            range: at(first),
            related: [],
          }
        : {
            rule: 'input/work-budget',
            category: 'input',
            severity: 'warning',
            message: `The analysis budget of this document (${l.maxWork.toLocaleString('en-US')} units: lines of C times preprocessor configurations) is spent: ${skipped}. Split the series to review the rest.`,
            range: at(first),
            related: [],
          },
    );
  }
  return out;
}

/**
 * The keystroke path's input findings (budget, parse, repairs, placement,
 * C parse problems, rule failures) of each analysis, by content and the mail
 * line they are on: the next analysis reuses the finished object of an
 * identical one (the language server then sends and converts only the
 * others). Keyed by the analysis's document.
 */
const inputsByContent = new WeakMap<ParsedDocument, Map<string, Finding>>();

/** Input findings the previous analysis had with the same content (and mail line) replaced by its objects. */
function sameByContent(inputs: Finding[], prevDoc: ParsedDocument | undefined, doc: ParsedDocument, keyOf: (f: Finding) => string): Finding[] {
  const before = prevDoc ? inputsByContent.get(prevDoc) : undefined;
  const now = new Map<string, Finding>();
  const out = inputs.map((f) => {
    const key = keyOf(f);
    const same = before?.get(key) ?? now.get(key);
    if (!same) now.set(key, f);
    else now.set(key, same);
    return same ?? f;
  });
  inputsByContent.set(doc, now);
  return out;
}

/**
 * One message's parse notes and repair summaries (most input findings: the hints of every repaired
 * line of a mangled mail), finished, with their content keys; kept while the message is the same
 * object (the incremental re-parse keeps untouched messages) starting on the same line, so its ranges
 * are the same.
 */
interface MessageInputs {
  line: number;
  details: boolean;
  full: boolean;
  /** Its parse diagnostics. */
  count: number;
  /** The diagnostics' findings, then the repair summaries. */
  found: Finding[];
  split: number;
  keys: string[];
}
const messageInputs = new WeakMap<Message, MessageInputs>();
const spansInside = new WeakMap<Message, boolean>();
/** Every span summarizeRepairs() gives to the message lies inside it (shifting moves them together). */
function messageSpansInside(m: Message): boolean {
  let v = spansInside.get(m);
  if (v === undefined) {
    const inside = (start: number, end: number) => m.span.start <= start && end <= m.span.end;
    v = m.files.every((f) => inside(f.headerSpan.start, f.headerSpan.end) && f.hunks.every((h) => inside(h.headerSpan.start, h.lines.length ? h.lines[h.lines.length - 1].span.end : h.headerSpan.end)));
    spansInside.set(m, v);
  }
  return v;
}

/**
 * The keystroke path's input findings, message by message: an edit recomputes those of the messages it
 * re-parsed (or moved by lines) and reuses the others' finished objects; the same list, in the same
 * order, as inputFindings() (diagnostics, repair summaries, placements, C parse problems) after the
 * budget's. Making and keying all of them (2,705 on a 50k-line series) was ~12 ms per keystroke.
 * Undefined when the document is not laid out message after message (then all are made again).
 */
function perMessageInputs(
  doc: ParsedDocument,
  index: LineIndex,
  functions: readonly RebuiltFunction[],
  budget: RebuildBudget,
  opts: AnalyzeOptions,
  prevDoc: ParsedDocument | undefined,
  keyOf: (f: Finding) => string,
): Finding[] | undefined {
  const msgs = doc.messages;
  const details = !!opts.repairDetails;
  const full = !!opts.fullMessages;
  // summarizeRepairs() then finds each repair's message among its neighbours only (engine/repairs.ts)
  for (let i = 0; i < msgs.length; i++) {
    if (i > 0 && msgs[i - 1].span.end > msgs[i].span.start) return undefined;
    if (!messageSpansInside(msgs[i])) return undefined;
  }
  // the diagnostics of each message, in the document's order
  const parts: ParsedDocument['diagnostics'][] = msgs.map(() => []);
  let k = 0;
  for (const d of doc.diagnostics) {
    while (k < msgs.length && d.span.start >= msgs[k].span.end) k++;
    if (k >= msgs.length || d.span.start < msgs[k].span.start || d.span.end > msgs[k].span.end) return undefined;
    parts[k].push(d);
  }
  const diagnosticsOf: Finding[] = [];
  const summaries: Finding[] = [];
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    const line = index.positionAt(m.span.start).line;
    let e = messageInputs.get(m);
    if (!e || e.line !== line || e.details !== details || e.full !== full || e.count !== parts[i].length) {
      const a = parts[i].map((d) => diagnosticFinding(index, d));
      // a repair on the message's first character may belong to the message before it (repairs.ts ownerOf)
      for (const f of a) {
        if (!isMailDamage(f.rule) || f.severity !== 'info') continue;
        const off = index.offsetAt(f.range.start);
        if (off < m.span.start || off >= m.span.end || (i > 0 && off === m.span.start)) return undefined;
      }
      const found = a.slice();
      summarizeRepairs({ ...doc, messages: [m] }, index, found, details);
      // the previous version of the message (same place in the series): unchanged findings keep their objects
      const old = prevDoc?.messages[i] ? messageInputs.get(prevDoc.messages[i]) : undefined;
      const before = new Map<string, Finding>();
      if (old) old.found.forEach((f, j) => before.has(old.keys[j]) || before.set(old.keys[j], f));
      const now = new Map<string, Finding>();
      const keys = found.map(keyOf);
      const kept = found.map((f, j) => {
        const same = before.get(keys[j]) ?? now.get(keys[j]) ?? f;
        now.set(keys[j], same);
        return same;
      });
      messageInputs.set(m, (e = { line, details, full, count: parts[i].length, found: kept, split: a.length, keys }));
    }
    for (let j = 0; j < e.found.length; j++) (j < e.split ? diagnosticsOf : summaries).push(e.found[j]);
  }
  // the few others (budget, placements, C parse problems) are made again and kept by content
  const spent = budgetFindings(index, budget);
  const rest = sameByContent([...spent, ...placementFindings(doc, index), ...parseProblemFindings(index, functions)], prevDoc, doc, keyOf);
  return [...rest.slice(0, spent.length), ...diagnosticsOf, ...summaries, ...rest.slice(spent.length)];
}

function finish(doc: ParsedDocument, functions: RebuiltFunction[], opts: AnalyzeOptions, t0: number, t1: number, budget: RebuildBudget, prevDoc?: ParsedDocument, edited?: LineIndex, rebind?: ReadonlyMap<RebuiltFunction, RebuiltFunction>): Analysis {
  const index = edited ?? new LineIndex(doc.text);
  const units = buildUnits(functions, catalogFor(opts), budget);
  const t2 = now();
  const lineOf = (f: Finding) => doc.text.slice(index.offsetAt({ line: f.range.start.line, character: 0 }), index.offsetAt({ line: f.range.start.line + 1, character: 0 })).replace(/^[-+ ]/, '');
  const keyOf = (f: Finding) => `${opts.fullMessages ? 1 : 0}|${lineOf(f)}|${JSON.stringify(f)}`;
  let inputs = opts.reuseRuleResults ? perMessageInputs(doc, index, functions, budget, opts, prevDoc, keyOf) : undefined;
  if (!inputs) {
    inputs = [...budgetFindings(index, budget), ...inputFindings(doc, index, functions, opts.repairDetails)];
    if (opts.reuseRuleResults) inputs = sameByContent(inputs, prevDoc, doc, keyOf);
  }
  const rules = runRules(doc, index, functions, units, opts, budget, rebind);
  const all = [...inputs, ...rules];
  for (const f of all) {
    if (finished.has(f)) continue;
    if (opts.reuseRuleResults) finished.add(f);
    if (!f.fingerprint) {
      // input findings: the line of the mail, without its diff marker
      const line = lineOf(f);
      f.fingerprint = fingerprint(f.rule, f.file, f.function, line);
      f.lineText = normalizeLine(line);
    }
    if (!opts.fullMessages) shorten(f);
  }
  const findings = all.filter((f) => keep(f, opts)).sort(byPosition);
  const t3 = now();
  return { doc, index, functions, units, findings, timings: { parse: t1 - t0, rebuild: t2 - t1, rules: t3 - t2 }, budget };
}

export { CATEGORIES };
export { AnalysisCancelled, DEFAULT_LIMITS, type RebuildLimits } from '../c/budget';
