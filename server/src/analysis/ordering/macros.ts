/**
 * Function-like macros the document itself defines, read as the catalogued
 * call they wrap: in mm/slub.c `#define local_lock_cpu_slab(s, flags)
 * local_lock_irqsave(&(s)->cpu_slab->lock, flags)` takes a per-CPU local
 * lock, and `#define slub_get_cpu_ptr(var) get_cpu_ptr(var)` returns this
 * CPU's instance. Like the summaries of helpers the patch defines, these are
 * keyed by name and come only from the document's own text (context, added
 * and deleted lines of its hunks, each side on its own).
 *
 * A macro resolves to the first call in its body that the catalog knows
 * (through at most a few other macros of the document), with the macro's
 * parameters replaced by the invocation's argument texts.
 */
import type { Catalog } from '../../catalog';
import type { Message, ParsedDocument } from '../../patch/model';
import type { Side } from './types';
import { createHash } from 'node:crypto';

export interface MacroDef {
  name: string;
  params: string[];
  body: string;
}

/** A call as the catalog sees it: a name and argument texts. */
export interface EffectiveCall {
  name: string;
  args: string[];
  /** The document macro it was reached through. */
  via?: string;
}

/** `#define NAME(params)`: the body is the rest of the line after the match. */
const DEFINE = /^\s*#\s*define\s+([A-Za-z_]\w*)\(([^)]*)\)/;

const cache = new WeakMap<ParsedDocument, Map<Side, Map<string, MacroDef>>>();
/** Per message (kept across keystrokes by the incremental re-parse): its definitions, first wins. */
const messageCache = new WeakMap<Message, Map<Side, Map<string, MacroDef>>>();

/** The function-like macros the document defines on one side (first definition wins). */
export function documentMacros(doc: ParsedDocument, side: Side): ReadonlyMap<string, MacroDef> {
  let per = cache.get(doc);
  if (!per) cache.set(doc, (per = new Map()));
  const hit = per.get(side);
  if (hit) return hit;
  const out = new Map<string, MacroDef>();
  for (const m of doc.messages) for (const [name, def] of messageMacros(m, side)) if (!out.has(name)) out.set(name, def);
  per.set(side, out);
  return out;
}

function messageMacros(m: Message, side: Side): Map<string, MacroDef> {
  let per = messageCache.get(m);
  if (!per) messageCache.set(m, (per = new Map()));
  const hit = per.get(side);
  if (hit) return hit;
  const out = new Map<string, MacroDef>();
  const skip = side === 'post' ? 'del' : 'add';
  for (const f of m.files)
    for (const h of f.hunks) {
      const lines = h.lines.filter((l) => l.kind !== skip);
      for (let i = 0; i < lines.length; i++) {
        const d = DEFINE.exec(lines[i].text);
        if (!d) continue;
        // continuation lines end in a backslash (trailing blanks trimmed first: no regex scan of blanks)
        const cont = (t: string) => t.trimEnd().endsWith('\\');
        const uncont = (t: string) => (cont(t) ? t.trimEnd().slice(0, -1) : t);
        let body = lines[i].text.slice(d[0].length).trim();
        let j = i;
        while (cont(body) && j + 1 < lines.length && j - i < 40) {
          body = uncont(body) + ' ' + lines[++j].text;
        }
        body = uncont(body);
        if (!out.has(d[1])) out.set(d[1], { name: d[1], params: d[2].split(',').map((p) => p.trim()).filter(Boolean), body });
      }
    }
  per.set(side, out);
  return out;
}

/**
 * A number that changes exactly when the document's macros (one side)
 * change: the key under which per-function results that read them are kept
 * across keystrokes (events.ts).
 */
export function macrosToken(doc: ParsedDocument, side: Side): number {
  return docToken(doc, `m${side}`, () => {
    let out = '';
    for (const d of documentMacros(doc, side).values()) out += `${d.name}(${d.params.join(',')}) ${d.body}\n`;
    return out;
  });
}

/** The same for the document's file-scope names (one side). */
export function globalsToken(doc: ParsedDocument, side: Side): number {
  return docToken(doc, `g${side}`, () => [...documentGlobals(doc, side)].join('\n'));
}

const docTokens = new WeakMap<ParsedDocument, Map<string, number>>();
function docToken(doc: ParsedDocument, what: string, fp: () => string): number {
  let per = docTokens.get(doc);
  if (!per) docTokens.set(doc, (per = new Map()));
  let t = per.get(what);
  if (t === undefined) per.set(what, (t = tokenOf(`${what}|${fp()}`)));
  return t;
}

const tokens = new Map<string, number>();
let nextToken = 0;
/** A number per distinct fingerprint; never reused (the table is cleared when it grows: old keys then miss). */
export function tokenOf(fp: string): number {
  const key = fp.length > 200 ? digest(fp) : fp; // the table keeps short keys
  let t = tokens.get(key);
  if (t === undefined) {
    if (tokens.size > 256) tokens.clear();
    tokens.set(key, (t = ++nextToken));
  }
  return t;
}

/** A collision-resistant digest of a long fingerprint. */
export function digest(fp: string): string {
  return '#' + createHash('sha256').update(fp).digest('base64');
}

/** Split the balanced argument list starting at `open` (the index of `(`) into top-level argument texts. */
function argsAt(text: string, open: number): { args: string[]; end: number } | undefined {
  let depth = 0;
  let cur = '';
  const args: string[] = [];
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') {
      if (depth++ > 0) cur += c;
    } else if (c === ')' || c === ']' || c === '}') {
      if (--depth === 0) {
        if (cur.trim() || args.length) args.push(cur.trim());
        return { args, end: i };
      }
      cur += c;
    } else if (c === ',' && depth === 1) {
      args.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  return undefined;
}

function substitute(text: string, params: readonly string[], actual: readonly string[]): string {
  let out = text;
  params.forEach((p, i) => {
    if (!/^[A-Za-z_]\w*$/.test(p)) return;
    out = out.replace(new RegExp(`(?<![A-Za-z0-9_])${p}(?![A-Za-z0-9_])`, 'g'), () => actual[i] ?? p);
  });
  return out;
}

/**
 * The catalogued call a document macro invocation stands for, or undefined
 * when the name is not a document macro or its body calls nothing the
 * catalog knows.
 */
export function resolveMacroCall(cat: Catalog, macros: ReadonlyMap<string, MacroDef>, name: string, args: readonly string[], depth = 0): EffectiveCall | undefined {
  const def = macros.get(name);
  if (!def || depth > 3) return undefined;
  const body = substitute(def.body, def.params, args);
  const found: EffectiveCall[] = [];
  const re = /(?<![A-Za-z0-9_])([A-Za-z_]\w*)\s*\(/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const callee = m[1];
    if (callee === name) continue;
    const a = argsAt(body, m.index + m[0].length - 1);
    if (!a) continue;
    if (cat.has(callee)) found.push({ name: callee, args: a.args, via: name });
    else {
      const inner = resolveMacroCall(cat, macros, callee, a.args, depth + 1);
      if (inner) found.push({ ...inner, via: name });
    }
  }
  if (!found.length) return undefined;
  // A body that opens and closes a section (lock ... unlock) is neither: not one call.
  const ops = new Set(found.flatMap((c) => cat.effects(c.name, c.args).map((e) => e.op)));
  if (ops.has('acquire') && ops.has('release')) return undefined;
  return found[0];
}

const globalsCache = new WeakMap<ParsedDocument, Map<Side, Set<string>>>();
/** A file-scope variable declaration at the start of a line: `static struct cfg *active_cfg;`, `int table[16] = { 0 };`. */
/**
 * A file-scope variable declaration at the start of a line (`static struct cfg *active_cfg;`,
 * `int table[16] = { 0 };`): the declared name, read token by token (a single regex over the
 * qualifier list backtracks quadratically).
 */
function fileScopeDecl(text: string): string | null {
  const t = text.trimEnd();
  if (!t.endsWith(';')) return null;
  const cut = Math.min(...['=', ';'].map((c) => (t.indexOf(c) < 0 ? t.length : t.indexOf(c))));
  const head = t.slice(0, cut);
  if (head.includes('(')) return null;
  const words = head.replace(/\[[^[\]]*\]/g, ' ').split(/[\s*]+/).filter(Boolean);
  if (words.length < 2 || !words.every((w) => /^[A-Za-z_]\w*$/.test(w))) return null;
  return words[words.length - 1];
}
const DEFINE_GLOBAL = /^(?:static\s+)?(?:DEFINE_[A-Z_]+|DECLARE_WAIT_QUEUE_HEAD|DEFINE_SPINLOCK|DEFINE_MUTEX|LIST_HEAD)\(\s*([A-Za-z_]\w*)/;

/**
 * Names the document declares at file scope (one side): the variables a
 * partly shown function may store to as globals. A name the visible text
 * does not declare anywhere is unknown (a local declared above the hunk).
 */
export function documentGlobals(doc: ParsedDocument, side: Side): ReadonlySet<string> {
  let per = globalsCache.get(doc);
  if (!per) globalsCache.set(doc, (per = new Map()));
  const hit = per.get(side);
  if (hit) return hit;
  const out = new Set<string>();
  for (const m of doc.messages) for (const name of messageGlobals(m, side)) out.add(name);
  per.set(side, out);
  return out;
}

const messageGlobalsCache = new WeakMap<Message, Map<Side, string[]>>();
function messageGlobals(m: Message, side: Side): string[] {
  let per = messageGlobalsCache.get(m);
  if (!per) messageGlobalsCache.set(m, (per = new Map()));
  const hit = per.get(side);
  if (hit) return hit;
  const out: string[] = [];
  const skip = side === 'post' ? 'del' : 'add';
  for (const f of m.files)
    for (const h of f.hunks)
      for (const l of h.lines) {
        const tail = l.text.trimEnd();
        if (l.kind === skip || /^\s/.test(l.text) || tail.endsWith(')') || (tail.endsWith('{') && tail.slice(0, -1).trimEnd().endsWith(')'))) continue;
        const name = fileScopeDecl(l.text) ?? DEFINE_GLOBAL.exec(l.text)?.[1];
        if (name && !/^(?:return|goto|else|case|typedef)\b/.test(l.text)) out.push(name);
      }
  per.set(side, out);
  return out;
}
