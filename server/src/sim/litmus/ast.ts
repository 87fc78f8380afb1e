/** AST of an LKMM C litmus test (tools/memory-model/litmus-tests format). */

export interface Pos {
  line: number; // 1-based
  column: number; // 1-based
}

import type { Int, Value } from '../values';
export type { Int, Value } from '../values';

export type Expr =
  | { k: 'num'; v: Int; pos: Pos }
  | { k: 'id'; name: string; pos: Pos }
  | { k: 'call'; name: string; args: Expr[]; pos: Pos }
  | { k: 'un'; op: '!' | '~' | '-' | '*' | '&' | '+'; e: Expr; pos: Pos }
  | { k: 'bin'; op: string; a: Expr; b: Expr; pos: Pos }
  | { k: 'cond'; c: Expr; a: Expr; b: Expr; pos: Pos }
  | { k: 'assign'; op: string; lhs: Expr; rhs: Expr; pos: Pos };

export type Stmt =
  | { k: 'decl'; name: string; init?: Expr; pos: Pos; text: string }
  | { k: 'expr'; e: Expr; pos: Pos; text: string }
  | { k: 'if'; c: Expr; then: Stmt; else?: Stmt; pos: Pos; text: string }
  | { k: 'block'; body: Stmt[]; pos: Pos; text: string };

export interface Proc {
  index: number;
  params: { name: string; pointerDepth: number; type: string }[];
  body: Stmt[];
  pos: Pos;
}

export type InitItem =
  | { k: 'loc'; name: string; value?: Value; type?: string; pos: Pos }
  | { k: 'reg'; thread: number; name: string; value: Value; pos: Pos };

/** A state atom's left-hand side: `0:r0` or `x`. */
export type CondVar = { thread: number | null; name: string };

export type Cond =
  | { k: 'true' }
  | { k: 'false' }
  | { k: 'atom'; v: CondVar; op: '=' | '!='; value: Value; pos: Pos }
  /** `a = b` between two registers or locations (herd7's LL atom). */
  | { k: 'eqvar'; a: CondVar; b: CondVar; pos: Pos }
  | { k: 'not'; c: Cond }
  | { k: 'and'; a: Cond; b: Cond }
  | { k: 'or'; a: Cond; b: Cond }
  | { k: 'imp'; a: Cond; b: Cond };

export interface LitmusTest {
  name: string;
  /** herd7's optional `(texname)` after the test name. */
  texname?: string;
  doc?: string;
  /** diy7 metadata lines between the header and the init block (`Cycle=...`, `Relax=...`), in order. */
  info: { key: string; value: string }[];
  /** Text of the header comments, e.g. for `Result: Never`. */
  comments: string[];
  init: InitItem[];
  procs: Proc[];
  locations: CondVar[];
  filter?: Cond;
  kind: 'exists' | '~exists' | 'forall';
  cond: Cond;
  condText: string;
  /** The source lines, for event text. */
  lines: string[];
}

export class LitmusSyntaxError extends Error {
  /** True when the text is valid herd7 litmus but uses a construct this engine does not implement. */
  readonly unsupported: boolean = false;
  constructor(message: string, readonly line: number, readonly column: number) {
    super(message);
    this.name = 'LitmusSyntaxError';
  }
}

/**
 * A construct herd7 accepts (or might) that this engine does not implement:
 * the test gets the verdict "unsupported", never a guess.
 */
export class LitmusUnsupportedError extends LitmusSyntaxError {
  override readonly unsupported = true;
  constructor(message: string, line: number, column: number) {
    super(message, line, column);
    this.name = 'LitmusUnsupportedError';
  }
}
