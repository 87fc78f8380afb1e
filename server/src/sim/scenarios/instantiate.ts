/**
 * Instantiating a scenario with a finding's names, and rendering it as an LKMM
 * C litmus test (the format of tools/memory-model/litmus-tests, accepted by
 * herd7 with the model in ../shared/lkmm).
 *
 * Parameters: the generic keys of a finding's `scenarioParams` (function,
 * object, location, other, acquire, release, line) bind through the scenario's
 * `bind` table; any of the scenario's own display params ("writer",
 * "splitter", ...) or location slots may also be set by name. Unknown keys are
 * ignored (a finding may carry keys a scenario has no use for). Names that end
 * up in the litmus text are sanitised into fresh C identifiers; names that only
 * appear in step texts are cleaned of control characters and capped in length.
 */
import { isIf, type IfDef, type Node, type ScenarioDef, type StmtDef, type Variant } from './types';
import type { StepOrigin } from '../../protocol/replay';

export type Params = Record<string, string | number>;

export interface LineInfo {
  cpu: number;
  /** The instantiated kernel-language text. */
  text: string;
  explain?: string;
  /** The instantiated litmus statement (or the `if (...)` line). */
  litmus: string;
  kind: 'stmt' | 'if';
  /** This is the finding's own line in the patch. */
  patchLine?: number;
  origin?: StepOrigin;
  /** A `barrier();` only there because herd7 rejects an empty body: not a step of the story. */
  padding?: boolean;
}

export interface Instance {
  def: ScenarioDef;
  variant: Variant;
  /** The parameters as given (echoed in the replay). */
  given: Params;
  /** Display dictionary after binding (params + location display names). */
  display: Record<string, string>;
  /** Location slot -> litmus identifier. */
  locName: Record<string, string>;
  /** Litmus identifier -> initial value (numbers, or the litmus name a pointer points to). */
  init: Record<string, number | string>;
  cpus: { id: number; name: string; origin?: 'patch' | 'counterpart' | 'seed'; fn?: string; protocol?: string }[];
  litmus: string;
  /** Steps with no memory effect (a return, a goto), each shown after the litmus line `after` of its CPU (null: first). */
  notes: { cpu: number; after: number | null; info: LineInfo }[];
  testName: string;
  /** litmus line (1-based) -> statement info. */
  lines: Map<number, LineInfo>;
  condition: string;
  invariant: string;
  summary: string;
  fix?: string;
  unreachableBecause?: string;
  reason?: string;
  /** Shared locations as the replay lists them. */
  locations: { name: string; ident: string; init: string | number; meaning: string; context?: boolean }[];
}

const GENERIC_KEYS = ['function', 'object', 'location', 'other', 'acquire', 'release'] as const;

const C_RESERVED = new Set(
  (
    'auto break case char const continue default do double else enum extern float for goto if inline int long register restrict return short signed ' +
    'sizeof static struct switch typedef union unsigned void volatile while exists forall filter locations true false C atomic_t spinlock_t NULL'
  ).split(' '),
);

/** A valid, unsurprising litmus identifier for `raw` (used for shared locations). */
export function litmusIdent(raw: string, fallback: string): string {
  let id = String(raw)
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/_+/g, '_');
  if (id.startsWith('_')) id = id.slice(1); // runs are single now: what /^_+|_+$/g removed
  if (id.endsWith('_')) id = id.slice(0, -1);
  if (!id) id = fallback;
  if (/^[0-9]/.test(id)) id = 'v_' + id;
  // Registers (r0, r1, ...), thread names (P0), and anything that could read as
  // a primitive or keyword get a prefix so the litmus parser never confuses them.
  if (C_RESERVED.has(id) || /^[rP]\d+$/.test(id) || /^(atomic|smp|rcu|srcu|spin|xchg|cmpxchg|synchronize|READ_ONCE|WRITE_ONCE|barrier)/.test(id)) id = 'v_' + id;
  return id.slice(0, 48);
}

/** A display string: one line, no control characters, at most 80 characters. */
export function displayText(raw: string | number): string {
  // eslint-disable-next-line no-control-regex
  const t = String(raw).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return t.length > 80 ? t.slice(0, 79) + '…' : t;
}

function fill(template: string, display: Record<string, string>): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, k: string) => (k in display ? display[k] : m));
}

/** Litmus templates: `$slot` -> location identifier, `{key}` -> an integer param. */
function fillLitmus(template: string, locName: Record<string, string>, ints: Record<string, number>): string {
  return template
    .replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, k: string) => {
      if (!(k in locName)) throw new Error(`scenario template names unknown location $${k}`);
      return locName[k];
    })
    .replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, k: string) => {
      if (!(k in ints)) throw new Error(`scenario template names unknown integer parameter {${k}}`);
      return String(ints[k]);
    });
}

function commentSafe(s: string): string {
  return s.replace(/\(\*/g, '( *').replace(/\*\)/g, '* )');
}

/** Does a block hold a litmus statement (not only notes)? */
function hasCode(nodes: Node[]): boolean {
  return nodes.some((n) => (isIf(n) ? hasCode(n.then) || (!!n.else && hasCode(n.else)) : !(n as StmtDef).note));
}

function walk(nodes: Node[], f: (n: Node) => void): void {
  for (const n of nodes) {
    f(n);
    if (isIf(n)) {
      walk(n.then, f);
      if (n.else) walk(n.else, f);
    }
  }
}

export function instantiate(def: ScenarioDef, variant: Variant, given: Params = {}): Instance {
  const v = def.variants[variant];
  // 1. Display params and location names.
  const params: Record<string, string | number> = { ...def.params };
  const locDisplay: Record<string, string> = {};
  for (const [slot, l] of Object.entries(def.locations)) locDisplay[slot] = l.name;
  const setLoc = (slot: string, value: string | number) => {
    if (slot in def.locations && String(value).trim()) locDisplay[slot] = displayText(value);
  };
  for (const key of GENERIC_KEYS) {
    const value = given[key];
    const target = def.bind[key];
    if (value === undefined || value === '' || target === undefined) continue;
    const targets = Array.isArray(target) ? target : [target];
    const values = key === 'other' ? String(value).split(',').map((x) => x.trim()).filter(Boolean) : [String(value)];
    targets.forEach((t, i) => {
      const val = values[i];
      if (val === undefined) return;
      if (t.startsWith('$')) {
        setLoc(t.slice(1), val);
        if (i === 0) params[key] = displayText(val);
      } else params[t] = displayText(val);
    });
  }
  // Direct names: a scenario's own display params and location slots.
  for (const [k, value] of Object.entries(given)) {
    if ((GENERIC_KEYS as readonly string[]).includes(k) || k === 'line') continue;
    if (k in def.locations) setLoc(k, value);
    // Integer params (PAGE_PIN_BIAS) are baked into initial values and
    // conditions, so they stay fixed; only names are renamed.
    else if (k in def.params && typeof def.params[k] === 'string') params[k] = displayText(value);
  }
  const display: Record<string, string> = {};
  for (const [slot, name] of Object.entries(locDisplay)) display[slot] = name;
  for (const [k, val] of Object.entries(params)) display[k] = String(val);
  const ints: Record<string, number> = {};
  for (const [k, val] of Object.entries(params)) if (typeof val === 'number') ints[k] = val;

  // 2. Which locations this variant uses, and their litmus identifiers.
  const used = new Set<string>();
  const note = (t: string) => {
    for (const m of t.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)) used.add(m[1]);
  };
  for (const c of v.cpus) walk(c.body, (n) => note(isIf(n) ? n.if : n.litmus));
  note(def.condition);
  for (const slot of [...used]) {
    const init = def.locations[slot]?.init;
    if (typeof init === 'string') used.add(init);
  }
  const locName: Record<string, string> = {};
  const taken = new Set<string>();
  for (const slot of Object.keys(def.locations)) {
    let id = litmusIdent(locDisplay[slot], slot);
    if (taken.has(id)) {
      let i = 2;
      while (taken.has(`${id}_${i}`)) i++;
      id = `${id}_${i}`;
    }
    taken.add(id);
    locName[slot] = id;
  }

  // 3. Render.
  const lines: string[] = [];
  const lineInfo = new Map<number, LineInfo>();
  const testName = `${def.id}-${variant}`;
  const cpus = v.cpus.map((c, i) => ({ id: i, name: `CPU${i}: ${fill(c.role, display)}`, ...(c.origin ? { origin: c.origin } : {}), ...(c.fn ? { fn: c.fn } : {}), ...(c.protocol ? { protocol: c.protocol } : {}) }));
  const invariant = fill(def.invariant, display);
  const expected = variant === 'buggy' ? 'Sometimes' : 'Never';
  lines.push(`C ${testName}`, '', '(*');
  lines.push(` * Result: ${expected}`, ' *');
  lines.push(commentSafe(` * ${def.id}${def.seed ? ` (seed ${def.seed})` : ''}: ${def.title}`));
  lines.push(commentSafe(` * ${variant} variant: ${fill(v.summary, display)}`));
  lines.push(commentSafe(` * Bad outcome: ${invariant}`));
  for (const c of cpus) {
    lines.push(commentSafe(` * P${c.id} = ${c.name}`));
    // a finding's race: each CPU's steps with where they come from (a line of the patch, the fix, a counterpart)
    if (def.family) {
      walk(v.cpus[c.id].body, (n) => {
        if (isIf(n)) return;
        const st = n as StmtDef;
        const o = st.origin;
        const where = o?.kind === 'patch' ? ` [line ${o.line}${o.fn ? ` in ${o.fn}()` : ''}]` : o?.kind === 'fix' ? ' [the fix]' : '';
        lines.push(commentSafe(` *   ${(st.literal ? st.text : fill(st.text, display)).replace(/\s+/g, ' ').slice(0, 100)}${where}`));
      });
    }
  }
  lines.push(' *)', '', '{');
  const init: Record<string, number | string> = {};
  for (const slot of Object.keys(def.locations)) {
    if (!used.has(slot)) continue;
    const l = def.locations[slot];
    if (l.type === 'spinlock_t') continue;
    const value = typeof l.init === 'string' ? locName[l.init] : l.init;
    init[locName[slot]] = value;
    lines.push(`${locName[slot]}=${value};`);
  }
  lines.push('}', '');
  const subject = def.subjectCpu ?? 0;
  const notes: Instance['notes'] = [];
  const patchLine = Number.isSafeInteger(Number(given.line)) && Number(given.line) > 0 ? Number(given.line) : undefined;
  v.cpus.forEach((c, cpu) => {
    const slots = new Set<string>();
    const regs = new Map<string, boolean>(); // reg -> pointer?
    walk(c.body, (n) => {
      const t = isIf(n) ? n.if : n.litmus;
      for (const m of t.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)) slots.add(m[1]);
      for (const m of t.matchAll(/\b(r\d+)\b/g)) if (!regs.has(m[1])) regs.set(m[1], false);
      if (!isIf(n)) for (const r of n.ptrRegs ?? []) regs.set(r, true);
    });
    for (const slot of [...slots]) {
      const init = def.locations[slot]?.init;
      if (typeof init === 'string') slots.add(init);
    }
    const args = Object.keys(def.locations)
      .filter((s) => slots.has(s))
      .map((s) => {
        const t = def.locations[s].type;
        return t === 'int *' ? `int **${locName[s]}` : `${t} *${locName[s]}`;
      });
    lines.push(`P${cpu}(${args.join(', ')})`, '{');
    const sortedRegs = [...regs.keys()].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    for (const r of sortedRegs) lines.push(`\t${regs.get(r) ? 'int *' : 'int '}${r};`);
    if (sortedRegs.length) lines.push('');
    let lastStmt: number | null = null;
    const emit = (nodes: Node[], depth: number) => {
      const ind = '\t'.repeat(depth);
      for (const n of nodes) {
        if (isIf(n)) {
          const cond = fillLitmus((n as IfDef).if, locName, ints);
          const thenCode = hasCode(n.then);
          const elseCode = !!n.else && hasCode(n.else);
          // an arm with no statements (only notes) is left out: herd7 rejects an empty block
          if (!thenCode && !elseCode) {
            emit(n.then, depth);
            if (n.else) emit(n.else, depth);
            continue;
          }
          const head = thenCode ? cond : `!(${cond})`;
          lines.push(`${ind}if (${head}) {`);
          lineInfo.set(lines.length, { cpu, text: fill(n.text, display), litmus: `if (${head})`, kind: 'if' });
          emit(thenCode ? n.then : n.else!, depth + 1);
          if (thenCode && elseCode) {
            lines.push(`${ind}} else {`);
            emit(n.else!, depth + 1);
          } else if (!thenCode) emit(n.then, depth + 1);
          lines.push(`${ind}}`);
        } else {
          const st = n as StmtDef;
          const text = st.literal ? st.text : fill(st.text, display);
          const explain = st.explain ? (st.literal ? st.explain : fill(st.explain, display)) : undefined;
          const pl = st.patchLine && cpu === subject ? patchLine : st.origin?.kind === 'patch' ? st.origin.line : undefined;
          if (st.note) {
            notes.push({ cpu, after: lastStmt, info: { cpu, text, explain, litmus: '', kind: 'stmt', patchLine: pl, origin: st.origin } });
            continue;
          }
          const code = fillLitmus(st.litmus, locName, ints);
          lines.push(ind + code);
          lastStmt = lines.length;
          lineInfo.set(lines.length, { cpu, text, explain, litmus: code, kind: 'stmt', patchLine: pl, ...(st.origin ? { origin: st.origin } : {}) });
        }
      }
    };
    emit(c.body, 1);
    // a CPU whose steps are all notes still needs a statement (herd7 rejects an empty body)
    if (lastStmt === null) {
      lines.push('\tbarrier();');
      lineInfo.set(lines.length, { cpu, text: '(no memory access)', litmus: 'barrier();', kind: 'stmt', padding: true });
    }
    lines.push('}', '');
  });
  const condition = fillLitmus(v.condition ?? def.condition, locName, ints);
  lines.push(`exists (${condition})`, '');
  return {
    def,
    variant,
    given: { ...given },
    display,
    locName,
    init,
    cpus,
    litmus: lines.join('\n'),
    testName,
    lines: lineInfo,
    notes,
    condition,
    invariant,
    summary: fill(v.summary, display),
    fix: v.fix ? fill(v.fix, display) : undefined,
    unreachableBecause: v.unreachableBecause ? fill(v.unreachableBecause, display) : undefined,
    reason: v.reason ? fill(v.reason, display) : undefined,
    locations: Object.keys(def.locations)
      .filter((slot) => used.has(slot))
      .map((slot) => {
        const l = def.locations[slot];
        return { name: locDisplay[slot], ident: locName[slot], init: typeof l.init === 'string' ? locDisplay[l.init] ?? l.init : l.type === 'spinlock_t' ? 'unlocked' : l.init, meaning: l.meaning, ...(l.context ? { context: true } : {}) };
      }),
  };
}
