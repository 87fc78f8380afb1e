/**
 * Where things are, as facts: image positions of operations, nodes and
 * statements, and the shape of the statement around an exit (for quick fixes
 * that must insert a line in kernel style). Rules report positions through
 * these, never through syntax nodes.
 */
import type { CNode } from '../cnode';
import type { CfgNode } from '../cfg';

/** A position in a variant's text: 0-based line and UTF-16 column, end column on the same line when known. */
export interface Pos {
  line: number;
  col: number;
  endCol?: number;
}

/** Position of an operation (or node) for a finding, ending at the end of its text on the same line. */
export function posOf(x: { line: number; col: number; node?: CNode }, n?: CNode): Pos {
  const node = n ?? x.node;
  let endCol: number | undefined;
  if (node) {
    const s = node.startPosition;
    const e = node.endPosition;
    if (s.row === x.line && e.row === x.line) endCol = e.column;
  }
  return { line: x.line, col: x.col, endCol };
}

/** Position of a CFG node's statement. */
export function nodePos(n: CfgNode): Pos {
  const ast = n.stmt ?? n.ast;
  if (ast) return astPos(ast);
  return { line: n.line, col: n.col };
}

/** Position of a syntax node (single-line end when it fits). */
export function astPos(n: CNode): Pos {
  const s = n.startPosition;
  const e = n.endPosition;
  return { line: s.row, col: s.column, endCol: e.row === s.row ? e.column : undefined };
}

/** An edit replacing the text of a single-line syntax node. */
export function replaceNode(n: CNode, newText: string): { at: Pos & { endCol: number }; newText: string } | null {
  const s = n.startPosition;
  const e = n.endPosition;
  if (s.row !== e.row) return null;
  return { at: { line: s.row, col: s.column, endCol: e.column }, newText };
}

/**
 * The shape of the statement a CFG node stands for, as a quick fix needs it:
 * its one-line extent, whether it sits directly in a `{ }` block, or is the
 * braceless body of an `if` on the line above (kernel style `if (x)\n\treturn -E;`).
 */
export interface StatementShape {
  line: number;
  col: number;
  endCol: number;
  text: string;
  inBlock: boolean;
  /** The braceless `if` whose only body this statement is, with no else, its condition ending the line above. */
  bracelessIfAbove: boolean;
}

export function statementShape(n: CfgNode): StatementShape | null {
  const stmt = n.stmt ?? n.ast;
  if (!stmt) return null;
  const s = stmt.startPosition;
  const e = stmt.endPosition;
  if (s.row !== e.row) return null;
  const parent = stmt.parent;
  const inBlock = parent?.type === 'compound_statement';
  const bracelessIfAbove =
    !inBlock &&
    parent?.type === 'if_statement' &&
    parent.childForFieldName('consequence') === stmt &&
    !parent.childForFieldName('alternative') &&
    parent.startPosition.row === s.row - 1;
  return { line: s.row, col: s.column, endCol: e.column, text: stmt.text, inBlock, bracelessIfAbove };
}
