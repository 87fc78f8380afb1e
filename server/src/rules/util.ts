/**
 * Small helpers shared by the rules: object normalisation, effect selection
 * by argument conditions, error-return recognition, positions and messages.
 */
import type { CNode } from '../c/cnode';
import type { CallOp, CfgNode } from '../c/cfg';
import type { ApiSpec, Effect, ArgCondition } from '../catalog';
import type { ImagePos, RawEdit } from './api';

/** Strip parentheses around an expression node. */
export function stripParens(n: CNode): CNode {
  let c = n;
  while (c.type === 'parenthesized_expression' && c.namedChildren.length === 1) c = c.namedChildren[0];
  return c;
}

/**
 * Normalise an object expression: whitespace, outer parentheses, casts and a
 * leading `&` removed; an array element `pages[i]` becomes the array `pages`
 * with element = true.
 */
export function normObject(text: string): { obj: string; element: boolean } {
  let t = text.replace(/\s+/g, '');
  for (let i = 0; i < 4; i++) {
    const before = t;
    // (struct page *)x -> x
    t = t.replace(/^\((?:const)?(?:struct|union)?[A-Za-z_]\w*\**\)(?=[A-Za-z_&*(])/, '');
    if (t.startsWith('&')) t = t.slice(1);
    if (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1))) t = t.slice(1, -1);
    if (t === before) break;
  }
  const m = /^([A-Za-z_][\w.>-]*)\[[^\]]*\]$/.exec(t);
  if (m && !m[1].endsWith('-')) return { obj: m[1], element: true };
  return { obj: t, element: false };
}

/** Are the parentheses of `s` balanced (no `)` before its `(`)? */
export function balanced(s: string): boolean {
  let d = 0;
  for (const c of s) {
    if (c === '(') d++;
    else if (c === ')' && --d < 0) return false;
  }
  return d === 0;
}

/**
 * How `text` uses `obj`: 'whole' (the object itself: `page`, `&page`, `(void *)page`),
 * 'member' (only through a member or element: `page->mapping`, `pages[i]`, `&page->lru`), or null.
 */
export function usage(text: string, obj: string): 'whole' | 'member' | null {
  if (!obj) return null;
  const t = text.replace(/\s+/g, '');
  let found: 'whole' | 'member' | null = null;
  let i = t.indexOf(obj);
  while (i !== -1) {
    const before = i > 0 ? t[i - 1] : '';
    const after = t[i + obj.length] ?? '';
    const okBefore = !/[\w.>]/.test(before) || (before === '>' && t[i - 2] !== '-');
    if (okBefore && !/\w/.test(after)) {
      if (after === '-' && t[i + obj.length + 1] === '>') found = found ?? 'member';
      else if (after === '.' || after === '[') found = found ?? 'member';
      else return 'whole';
    }
    i = t.indexOf(obj, i + 1);
  }
  return found;
}

/** Does `text` mention the object `obj` (as a whole identifier / access path)? */
export function mentions(text: string, obj: string): boolean {
  if (!obj) return false;
  const t = text.replace(/\s+/g, '');
  let i = t.indexOf(obj);
  while (i !== -1) {
    const before = i > 0 ? t[i - 1] : '';
    const after = t[i + obj.length] ?? '';
    const okBefore = !/[\w.>]/.test(before) || (before === '>' && t[i - 2] !== '-');
    const okAfter = !/\w/.test(after);
    if (okBefore && okAfter) return true;
    i = t.indexOf(obj, i + 1);
  }
  return false;
}

function argMatches(call: CallOp, c: ArgCondition): boolean {
  const a = call.args[c.arg]?.text;
  if (a === undefined) return false;
  if (!c.identifiers.some((id) => new RegExp(`(^|[^\\w])${id.replace(/[^\w]/g, '')}($|[^\\w])`).test(a))) return false;
  const neg = /^\s*-/.test(a);
  if (c.sign === 'negative' && !neg) return false;
  if (c.sign === 'positive' && neg) return false;
  return true;
}

/**
 * The effects of one call: effects with a `when` argument condition apply only
 * when it holds; `fallback` effects only when no conditional sibling matched.
 */
export function callEffects(spec: ApiSpec, call: CallOp): Effect[] {
  const effs = spec.effects ?? [];
  if (!effs.some((e) => (e as { when?: ArgCondition }).when || (e as { fallback?: boolean }).fallback)) return effs;
  const matched = effs.filter((e) => {
    const w = (e as { when?: ArgCondition }).when;
    return w ? argMatches(call, w) : false;
  });
  const plain = effs.filter((e) => !(e as { when?: ArgCondition }).when && !(e as { fallback?: boolean }).fallback);
  if (matched.length) return [...plain, ...matched];
  return [...plain, ...effs.filter((e) => (e as { fallback?: boolean }).fallback)];
}

/** A returned value that reports failure: -EFAULT, -1, NULL, false, ERR_PTR(...). */
export function errorishValue(text: string): boolean {
  const t = text.replace(/\s+/g, '').replace(/^\((.*)\)$/, '$1');
  return /^-E[A-Z0-9]+$/.test(t) || /^-[1-9]\d*$/.test(t) || t === 'NULL' || t === 'false' || /^ERR_PTR\(/.test(t) || /^ERR_CAST\(/.test(t);
}

/** Position of an operation (or node) for a finding, ending at the end of its text on the same line. */
export function posOf(x: { line: number; col: number; node?: CNode }, n?: CNode): ImagePos {
  const node = n ?? x.node;
  let endCol: number | undefined;
  if (node) {
    const s = node.startPosition;
    const e = node.endPosition;
    if (s.row === x.line && e.row === x.line) endCol = e.column;
  }
  return { line: x.line, col: x.col, endCol };
}

export function nodePos(n: CfgNode): ImagePos {
  const ast = n.stmt ?? n.ast;
  if (ast) {
    const s = ast.startPosition;
    const e = ast.endPosition;
    return { line: s.row, col: s.column, endCol: e.row === s.row ? e.column : undefined };
  }
  return { line: n.line, col: n.col };
}

/** Replace the text of `n` (single line only). */
export function replaceNode(n: CNode, newText: string): RawEdit | null {
  const s = n.startPosition;
  const e = n.endPosition;
  if (s.row !== e.row) return null;
  return { at: { line: s.row, col: s.column, endCol: e.column }, newText };
}

/** 1-based line for messages. */
export function lineNo(p: { line: number }): number {
  return p.line + 1;
}

export function statementText(n: CfgNode): string {
  const t = (n.stmt ?? n.ast)?.text ?? '';
  return t.replace(/\s+/g, ' ').trim();
}

/** Position of a syntax node (single-line end when it fits). */
export function astPos(n: CNode): ImagePos {
  const s = n.startPosition;
  const e = n.endPosition;
  return { line: s.row, col: s.column, endCol: e.row === s.row ? e.column : undefined };
}

/** Can `to` be reached from `from` without passing one of the `avoid` nodes? */
export function reachableAvoiding(from: CfgNode, to: CfgNode, avoid: ReadonlySet<number> = new Set()): boolean {
  const seen = new Set<number>([from.id]);
  const work = [from];
  while (work.length) {
    const n = work.pop()!;
    if (n === to) return true;
    for (const e of n.succs) {
      if (seen.has(e.to.id) || avoid.has(e.to.id)) continue;
      seen.add(e.to.id);
      work.push(e.to);
    }
  }
  return false;
}
