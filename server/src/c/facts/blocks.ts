/**
 * Statement structure the deletion and move analyses read: `if` statements
 * and their parts, the blocks around a statement and what opened each, the
 * comparisons and calls inside a condition. The analyses work on these facts;
 * only this file walks the syntax tree for them (test/rules/boundaries).
 */
import type { CNode } from '../cnode';

/** An `if` statement's parts; `key` identifies the statement (its start offset). */
export interface IfParts {
  node: CNode;
  cond: CNode;
  /** The condition as written, without its outer parentheses, on one line. */
  condText: string;
  body: CNode;
  orelse: CNode | null;
  key: number;
  /** First and last line of the statement. */
  startRow: number;
  endRow: number;
}

const EXPRESSION_PARENTS = /^(?:parenthesized_expression|binary_expression|unary_expression|call_expression|argument_list|condition_clause)$/;
const EXITS = ['goto_statement', 'return_statement', 'break_statement', 'continue_statement'];

function oneLine(text: string): string {
  return text.replace(/^\(|\)$/g, '').replace(/\s+/g, ' ').trim();
}

/** The parts of `n` when it is an `if` statement. */
export function ifParts(n: CNode | null): IfParts | null {
  if (!n || n.type !== 'if_statement') return null;
  const cond = n.childForFieldName('condition');
  const body = n.childForFieldName('consequence');
  if (!cond || !body) return null;
  return { node: n, cond, condText: oneLine(cond.text), body, orelse: n.childForFieldName('alternative'), key: n.startIndex, startRow: n.startPosition.row, endRow: n.endPosition.row };
}

/** The `if` whose condition holds the test `n` (an operand of `||` / `&&` is a test of its own). */
export function ifOfTest(n: CNode): IfParts | null {
  let p: CNode | null = n.parent;
  while (p && EXPRESSION_PARENTS.test(p.type)) p = p.parent;
  return ifParts(p);
}

/** The nearest `if` statement around `n`, or null. */
export function innermostIf(n: CNode): IfParts | null {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'function_definition') return null;
    if (p.type === 'if_statement') return ifParts(p);
  }
  return null;
}

/** Does the statement leave (goto, return, break, continue) on some path? */
export function leaves(n: CNode | null): boolean {
  return !!n && (EXITS.includes(n.type) || n.descendantsOfType(EXITS).length > 0);
}

/** Is `n` inside `outer` (or `outer` itself)? */
export function inside(n: CNode, outer: CNode | null): boolean {
  return !!outer && outer.startIndex <= n.startIndex && n.endIndex <= outer.endIndex;
}

/** The `{ ... }` blocks around `n`, innermost first, the function body excluded. */
export function blocksAround(n: CNode): CNode[] {
  const out: CNode[] = [];
  for (let p = n.parent; p && p.type !== 'function_definition'; p = p.parent) {
    if (p.type === 'compound_statement' && p.parent?.type !== 'function_definition') out.push(p);
  }
  return out;
}

/**
 * What opened a block: the body of an `if` (`other` = its else arm), an
 * `else` arm (`other` = the if's body), a `case`, a block inside another
 * block (`bare`: the rebuilt image's stand-in for an opener out of sight, or a
 * real bare block), or anything else. `scope` is the statement the block
 * belongs to (its tests are outside the block); `line` the opener's line.
 */
export interface BlockRole {
  kind: 'if' | 'else' | 'case' | 'bare' | 'other';
  line: number;
  test?: string;
  other?: CNode;
  scope: CNode;
}

export function blockRole(b: CNode): BlockRole {
  const p = b.parent;
  if (!p) return { kind: 'other', line: b.startPosition.row, scope: b };
  if (p.type === 'if_statement' && p.childForFieldName('consequence') === b) {
    const parts = ifParts(p);
    return { kind: 'if', line: p.startPosition.row, test: parts?.condText, other: parts?.orelse ?? undefined, scope: p };
  }
  if (p.type === 'else_clause') {
    const parts = ifParts(p.parent);
    return { kind: 'else', line: p.startPosition.row, test: parts?.condText, other: parts?.body, scope: p.parent ?? p };
  }
  if (p.type === 'case_statement') return { kind: 'case', line: p.startPosition.row, scope: p };
  if (p.type === 'compound_statement') return { kind: 'bare', line: b.startPosition.row, scope: b };
  return { kind: 'other', line: p.startPosition.row, scope: p };
}

/** The conditions of the `if` statements whose body holds `n` (not their else arms), innermost first. */
export function conditionsAround(n: CNode): string[] {
  const out: string[] = [];
  for (let p = n.parent; p && p.type !== 'function_definition'; p = p.parent) {
    const parts = ifParts(p);
    if (parts && inside(n, parts.body)) out.push(parts.cond.text);
  }
  return out;
}

/** Does the expression call a function? */
export function hasCall(n: CNode): boolean {
  return n.type === 'call_expression' || n.descendantsOfType('call_expression').length > 0;
}

/** The names of the functions an expression calls. */
export function calledNames(n: CNode): string[] {
  return [...(n.type === 'call_expression' ? [n] : []), ...n.descendantsOfType('call_expression')].map((c) => c.childForFieldName('function')?.text ?? '').filter(Boolean);
}

/** The `==` / `!=` comparisons in an expression, with their two sides. */
export function equalities(n: CNode): { left: CNode | null; right: CNode | null }[] {
  return [n, ...n.descendantsOfType('binary_expression')]
    .filter((x) => {
      if (x.type !== 'binary_expression') return false;
      const op = x.childForFieldName('operator')?.text;
      return op === '!=' || op === '==';
    })
    .map((x) => ({ left: x.childForFieldName('left'), right: x.childForFieldName('right') }));
}

/** Does evaluating the expression read memory again (a call, a dereference, a field)? */
export function readsMemory(n: CNode | null): boolean {
  const kinds = ['call_expression', 'pointer_expression', 'field_expression'];
  return !!n && (kinds.includes(n.type) || n.descendantsOfType(kinds).length > 0);
}
