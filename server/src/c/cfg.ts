/**
 * Control-flow graph of one function in one preprocessor configuration,
 * with the "operations" of each node in evaluation order. This is what the
 * rule engine interprets (with the kernel API catalog) for path analysis of
 * acquire/release pairs, brackets and barriers.
 *
 * Contract (see docs/c-model.md):
 * - Nodes are statements, or parts of statements where control splits
 *   inside them (each operand of `&&` / `||` / `?:` in a condition is its own
 *   'branch' node, so the truth of every operand is known on every edge).
 * - An edge out of a branch node carries `cond`: the atomic operand tested
 *   (with `!`, parentheses, likely()/unlikely(), `== NULL` / `!= 0` stripped)
 *   and its truth value on that edge.
 * - Operations carry their AST node (CNode) and 0-based line/column in the
 *   variant text; FunctionImage.origin[line] maps them back to the patch.
 */
import type { ConfigVariant, Rewrite } from './model';
import { CNode, variantRoot } from './cnode';
import { IDENTITY_WRAPPERS } from './kernelMacros';
import { catalog as defaultCatalog } from '../catalog';
import { GAP_MARKER } from './image';

export type CfgNodeKind = 'entry' | 'exit' | 'stmt' | 'branch' | 'return' | 'label' | 'goto' | 'switch';

/** How control leaves a node along an edge. */
export type EdgeKind =
  | 'seq' //          straight-line
  | 'true' //         the branch operand is true (see cond)
  | 'false' //        the branch operand is false
  | 'case' //         switch to a `case` label
  | 'default' //      switch to `default:` (or past the switch when there is none)
  | 'goto' //         goto to its label
  | 'return' //       return to the exit node
  | 'loop-body' //    a loop macro enters its body (trip count unknown)
  | 'loop-exit' //    a loop macro is done
  | 'unresolved'; //  a goto whose label is not in the text (hunk-only images): to the exit node

export interface EdgeCond {
  /** The atomic operand tested (`get_page_unless_zero(page)` for `if (!get_page_unless_zero(page))`). */
  expr: CNode;
  /** Truth value of `expr` on this edge. */
  value: boolean;
  /** The whole condition this operand belongs to (the if/while/for/do/?: condition). */
  whole: CNode;
}

export interface CfgEdge {
  from: CfgNode;
  to: CfgNode;
  kind: EdgeKind;
  cond?: EdgeCond;
  /** For 'case' / 'default' edges out of a switch node. value null: default. */
  switchCase?: { discriminant: CNode; value: CNode | null };
  /** Goes back to a loop head. */
  back?: boolean;
  /** Control reached this edge through a `break` / `continue` / case fallthrough. */
  via?: 'break' | 'continue' | 'fallthrough';
}

export type NodeRole =
  | 'loop-head' // a loop with no tested condition (`for (;;)`, `do`, a loop macro)
  | 'arm' //       one arm of a ?: or the right operand of && / || inside an expression
  | 'join' //      where the arms of a split expression meet again
  | 'gap' //       `/* [mm-review: N lines not shown] */`: code that the hunks do not show
  | 'case' //      a `case` label
  | 'default'; //  the `default` label

export interface CfgNode {
  id: number;
  kind: CfgNodeKind;
  /** The expression (branch/switch nodes) or statement (others) this node stands for. */
  ast: CNode | null;
  /** The statement the node belongs to. */
  stmt: CNode | null;
  ops: Operation[];
  succs: CfgEdge[];
  preds: CfgEdge[];
  /** 0-based line / column (UTF-16) in the variant text. */
  line: number;
  col: number;
  role?: NodeRole;
  /** Label name for 'label' and 'goto' nodes. */
  label?: string;
  /** Loop header information (on the node that decides whether to iterate). */
  loop?: { kind: 'for' | 'while' | 'do' | 'macro'; macro?: string };
}

// ---------------------------------------------------------------------------
// Operations

/** An lvalue (a storage location) as written in the source. */
export interface Lvalue {
  /** var: `x`; deref: `*p`; field: `p->f` / `s.f`; index: `a[i]`. */
  kind: 'var' | 'deref' | 'field' | 'index' | 'other';
  text: string;
  node: CNode;
  /** Root variable (`pages` in `pages[(*nr)++]`, `p` in `p->a.b`), or null. */
  base: string | null;
  /** Field name for 'field'. */
  field?: string;
  /** `->` (through a pointer) rather than `.` for 'field'. */
  arrow?: boolean;
  /** Index expression text for 'index'. */
  index?: string;
  /** The location is reached through a pointer (shared memory, not a local variable). */
  memory: boolean;
}

/** How the value of a call is used. */
export type ResultUse =
  | { kind: 'discarded' }
  /**
   * `to` receives the value; `chain` names the variables of enclosing plain
   * assignments that receive it too (`start_pte = pte = pte_offset_map_lock(...)`:
   * to `pte`, chain [`start_pte`]), outermost last.
   */
  | { kind: 'assigned'; to: string; toNode: CNode; op: string; declared: boolean; chain?: string[] }
  | { kind: 'returned' }
  /** The call (modulo `!`, likely()) is the operand a branch tests: see the edges' cond. */
  | { kind: 'condition' }
  | { kind: 'compared'; op: string; other: string; otherNode: CNode; negated: boolean }
  | { kind: 'argument'; callee: string; index: number }
  | { kind: 'other'; context: string };

interface OpBase {
  node: CNode;
  /** 0-based line / column (UTF-16) in the variant text. */
  line: number;
  col: number;
  /** Evaluated as part of a branch node's condition operand. */
  inCondition: boolean;
}

export interface CallOp extends OpBase {
  kind: 'call';
  /** The callee as written: `put_page`, `vma->vm_ops->fault`. */
  callee: string;
  /** The called name: the identifier, or the field name of an indirect call (`fault`). */
  name: string;
  indirect: boolean;
  calleeNode: CNode;
  args: { node: CNode; text: string }[];
  result: ResultUse;
  /** The header of a loop macro (`for_each_device_pfn(pfn, map)`): evaluated at every iteration. */
  loopMacro?: boolean;
  /** The header of a block macro (`scoped_guard(rcu)`). */
  blockMacro?: boolean;
  /**
   * A scope-based guard (`guard(mutex)(&m)`, `scoped_guard(spinlock, &l)`):
   * 'take' is the lock call its class runs (name and callee are that call's);
   * 'drop' the unlock its destructor runs where the scope ends in sequence
   * (a return or goto out of the scope drops it too, out of the CFG's sight).
   */
  guard?: 'take' | 'drop';
}

export interface AssignOp extends OpBase {
  kind: 'assign';
  /** `=`, `+=`, ..., or `++` / `--` for increments and decrements. */
  op: string;
  lhs: string;
  target: Lvalue;
  /** The assigned expression (null for ++ / --). */
  rhs: string | null;
  rhsNode: CNode | null;
  /** For ++ / --: prefix form. */
  prefix?: boolean;
}

export interface DeclOp extends OpBase {
  kind: 'decl';
  name: string;
  /** Type as written, with the declarator's pointer stars (`struct page *`). */
  type: string;
  nameNode: CNode;
  init: CNode | null;
  initText: string | null;
  /** A parameter (on the entry node). */
  param?: boolean;
}

export interface ReturnOp extends OpBase {
  kind: 'return';
  value: CNode | null;
  valueText: string | null;
}

/** A load or store of memory reached through a pointer (`*ptep`, `p->f`, `a[i]`), or through READ_ONCE/WRITE_ONCE. */
export interface AccessOp extends OpBase {
  kind: 'read' | 'write';
  lvalue: Lvalue;
  /** The accessor macro (`READ_ONCE`, `WRITE_ONCE`, `smp_load_acquire`), when there is one. */
  macro?: string;
  /** For writes: the value stored, when known. */
  value?: CNode;
}

export interface AsmOp extends OpBase {
  kind: 'asm';
  text: string;
  /** Has a "memory" clobber (a compiler barrier). */
  memoryClobber: boolean;
}

export type Operation = CallOp | AssignOp | DeclOp | ReturnOp | AccessOp | AsmOp;

export interface Cfg {
  name: string;
  /** The function_definition (or the body when the definition did not parse). */
  fn: CNode;
  variant: ConfigVariant;
  nodes: CfgNode[];
  entry: CfgNode;
  exit: CfgNode;
  params: DeclOp[];
  labels: Map<string, CfgNode>;
  /** goto nodes whose label is not in the text. */
  unresolvedGotos: CfgNode[];
  /** The function definition did not parse; the CFG was built from the first body found. */
  degraded: boolean;
}

export interface CfgOptions {
  /**
   * Whether a call is a macro that reads or writes its first argument in
   * place (READ_ONCE(x), WRITE_ONCE(x, v)): the catalog's `lvalueAccess`.
   * Default: the bundled catalog's; the engine passes its own catalog's.
   */
  lvalueAccess?: (callee: string) => 'read' | 'write' | undefined;
  /** The lock and unlock calls of a guard class (`guard(mutex)`): the catalog's `guardClass`. Default: the bundled catalog's. */
  guardClass?: (cls: string) => { lock: string; unlock: string } | undefined;
}

// ---------------------------------------------------------------------------
// Building

interface Pend {
  from: CfgNode;
  kind: EdgeKind;
  cond?: EdgeCond;
  switchCase?: CfgEdge['switchCase'];
  via?: CfgEdge['via'];
}

interface LoopCtx {
  breaks: Pend[];
  /** null for switch (continue goes to the enclosing loop). */
  continues: Pend[] | null;
}

interface ExprCtx {
  node: CfgNode;
  stmt: CNode;
  inCondition: boolean;
  /** The operand a branch node tests (for ResultUse 'condition'). */
  leaf: CNode | null;
}

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);
const LITERALS = new Set([
  'number_literal',
  'string_literal',
  'concatenated_string',
  'char_literal',
  'true',
  'false',
  'null',
  'identifier',
  'field_identifier',
  'statement_identifier',
  'type_identifier',
  'primitive_type',
  'comment',
]);
const UNEVALUATED = new Set(['sizeof_expression', 'alignof_expression', 'offsetof_expression', 'type_descriptor', 'macro_type_specifier']);

function operatorOf(n: CNode): string {
  const op = n.childForFieldName('operator');
  if (op) return op.type;
  // unary `!` etc. are the first anonymous child
  for (const c of n.children) if (!c.isNamed) return c.type;
  return '';
}

function unparen(n: CNode): CNode {
  while (n.type === 'parenthesized_expression') {
    const inner = n.codeChildren[0];
    if (!inner || inner.type === 'compound_statement') break;
    n = inner;
  }
  return n;
}

function calleeName(fn: CNode): string {
  const f = unparen(fn);
  if (f.type === 'identifier') return f.text;
  if (f.type === 'field_expression') return f.childForFieldName('field')?.text ?? f.text;
  return f.text;
}

function isNullish(n: CNode): boolean {
  const u = unparen(n);
  if (u.type === 'null') return true;
  if (u.type === 'identifier' && u.text === 'NULL') return true;
  if (u.type === 'number_literal' && /^0[uUlL]*$|^0x0+[uUlL]*$/.test(u.text)) return true;
  if (u.type === 'cast_expression') return isNullish(u.childForFieldName('value')!);
  return false;
}

/** Strip `!`, parentheses, likely()/unlikely() and comparisons with NULL/0. */
export function conditionAtom(e: CNode): { atom: CNode; negated: boolean } {
  let neg = false;
  for (;;) {
    const u = unparen(e);
    if (u !== e) {
      e = u;
      continue;
    }
    if (e.type === 'call_expression') {
      const fn = e.childForFieldName('function');
      const args = e.childForFieldName('arguments')?.codeChildren ?? [];
      if (fn && fn.type === 'identifier' && IDENTITY_WRAPPERS.has(fn.text) && args.length === 1) {
        e = args[0];
        continue;
      }
    }
    if (e.type === 'unary_expression' && operatorOf(e) === '!') {
      neg = !neg;
      e = e.childForFieldName('argument')!;
      continue;
    }
    if (e.type === 'binary_expression') {
      const op = operatorOf(e);
      if (op === '==' || op === '!=') {
        const l = e.childForFieldName('left')!;
        const r = e.childForFieldName('right')!;
        const other = isNullish(r) ? l : isNullish(l) ? r : null;
        if (other) {
          if (op === '==') neg = !neg;
          e = other;
          continue;
        }
      }
    }
    return { atom: e, negated: neg };
  }
}

function constantValue(e: CNode): boolean | null {
  const u = unparen(e);
  if (u.type === 'number_literal') {
    const v = parseInt(u.text, /^0x/i.test(u.text) ? 16 : 10);
    return Number.isNaN(v) ? null : v !== 0;
  }
  if (u.type === 'true') return true;
  if (u.type === 'false') return false;
  return null;
}

function hasSideEffects(n: CNode): boolean {
  if (n.type === 'call_expression' || n.type === 'assignment_expression' || n.type === 'update_expression') return true;
  if (n.type === 'compound_statement') return true;
  if (UNEVALUATED.has(n.type)) return false;
  for (const c of n.children) if (c.isNamed && hasSideEffects(c)) return true;
  return false;
}

function rootName(n: CNode): string | null {
  for (;;) {
    switch (n.type) {
      case 'identifier':
        return n.text;
      case 'field_expression':
      case 'subscript_expression':
      case 'pointer_expression':
      case 'cast_expression':
      case 'update_expression': {
        const a = n.childForFieldName('argument') ?? n.childForFieldName('value');
        if (!a) return null;
        n = a;
        continue;
      }
      case 'parenthesized_expression': {
        const c = n.codeChildren[0];
        if (!c) return null;
        n = c;
        continue;
      }
      default:
        return null;
    }
  }
}

export function lvalueOf(n: CNode): Lvalue {
  const u = unparen(n);
  const base = rootName(u);
  switch (u.type) {
    case 'identifier':
      return { kind: 'var', text: u.text, node: u, base, memory: false };
    case 'pointer_expression':
      return { kind: 'deref', text: u.text, node: u, base, memory: true };
    case 'field_expression': {
      const arrow = operatorOf(u) === '->';
      const inner = u.childForFieldName('argument');
      const memory = arrow || (inner ? lvalueOf(inner).memory : false);
      return { kind: 'field', text: u.text, node: u, base, field: u.childForFieldName('field')?.text, arrow, memory };
    }
    case 'subscript_expression':
      return { kind: 'index', text: u.text, node: u, base, index: u.childForFieldName('index')?.text, memory: true };
    default:
      return { kind: 'other', text: u.text, node: u, base, memory: false };
  }
}

/** Name and type text of a declarator (`*page` in `struct page *page = ...`). */
function declaratorInfo(decl: CNode, typeText: string): { name: CNode | null; type: string } {
  let d: CNode | null = decl;
  let stars = '';
  while (d) {
    if (d.type === 'identifier') return { name: d, type: (typeText + ' ' + stars).trim() };
    if (d.type === 'pointer_declarator') {
      stars += '*';
      d = d.childForFieldName('declarator');
    } else if (d.type === 'array_declarator') {
      d = d.childForFieldName('declarator');
      stars += '[]';
    } else if (d.type === 'init_declarator' || d.type === 'function_declarator' || d.type === 'attributed_declarator') {
      d = d.childForFieldName('declarator') ?? d.namedChildren[0] ?? null;
    } else if (d.type === 'parenthesized_declarator') d = d.namedChildren[0] ?? null;
    else return { name: null, type: typeText };
  }
  return { name: null, type: typeText };
}

function typeTextOf(declaration: CNode): string {
  const parts: string[] = [];
  for (const c of declaration.children) {
    if (c.field === 'declarator') break;
    if (c.type === 'storage_class_specifier' || c.type === 'comment') continue;
    if (c.isNamed) parts.push(c.text);
  }
  return parts.join(' ');
}

class Builder {
  nodes: CfgNode[] = [];
  entry: CfgNode;
  exit: CfgNode;
  labels = new Map<string, CfgNode>();
  private defined = new Set<string>();
  private loops: LoopCtx[] = [];
  private rewrites: Map<number, Rewrite>;
  private lvalueAccess: (callee: string) => 'read' | 'write' | undefined;
  private guardClass: (cls: string) => { lock: string; unlock: string } | undefined;
  /** Per open block: the guards taken in it, and where the loop jumps out of it were when it opened. */
  private scopes: { guards: { take: CallOp; unlock: string }[]; loop: LoopCtx | undefined; breaks: number; continues: number; block: CNode | null }[] = [];

  constructor(
    readonly fn: CNode,
    variant: ConfigVariant,
    opts: CfgOptions,
  ) {
    this.rewrites = new Map(variant.rewrites.filter((r) => r.kind === 'loop-macro' || r.kind === 'block-macro').map((r) => [r.index, r]));
    this.lvalueAccess = opts.lvalueAccess ?? defaultCatalog.lvalueAccess;
    this.guardClass = opts.guardClass ?? defaultCatalog.guardClass;
    this.entry = this.node('entry', fn, fn);
    this.exit = this.node('exit', null, null);
    const body = fn.type === 'compound_statement' ? fn : fn.childForFieldName('body');
    const end = body ? body.endIndex - 1 : fn.endIndex;
    const pos = fn.positionAt(end);
    this.exit.line = pos.row;
    this.exit.col = pos.column;
  }

  node(kind: CfgNodeKind, ast: CNode | null, stmt: CNode | null, role?: NodeRole): CfgNode {
    const p = ast ? ast.startPosition : { row: 0, column: 0 };
    const n: CfgNode = { id: this.nodes.length, kind, ast, stmt, ops: [], succs: [], preds: [], line: p.row, col: p.column };
    if (role) n.role = role;
    this.nodes.push(n);
    return n;
  }

  connect(pends: Pend[], to: CfgNode, back = false): void {
    for (const p of pends) {
      const e: CfgEdge = { from: p.from, to, kind: p.kind };
      if (p.cond) e.cond = p.cond;
      if (p.switchCase) e.switchCase = p.switchCase;
      if (p.via) e.via = p.via;
      if (back) e.back = true;
      p.from.succs.push(e);
      to.preds.push(e);
    }
  }

  label(name: string): CfgNode {
    let n = this.labels.get(name);
    if (!n) {
      n = this.node('label', null, null);
      n.label = name;
      this.labels.set(name, n);
    }
    return n;
  }

  // ---- operations -------------------------------------------------------

  private pos(n: CNode) {
    const p = n.startPosition;
    return { line: p.row, col: p.column };
  }

  private emit(ctx: ExprCtx, op: Operation): void {
    ctx.node.ops.push(op);
  }

  private resultUse(call: CNode, ctx: ExprCtx): ResultUse {
    let n = call;
    let negated = false;
    for (;;) {
      if (ctx.leaf && n === ctx.leaf) return { kind: 'condition' };
      const p = n.parent;
      if (!p) return { kind: 'other', context: '' };
      if (p.type === 'parenthesized_expression' || p.type === 'cast_expression') {
        n = p;
        continue;
      }
      if (p.type === 'argument_list') {
        const outer = p.parent!;
        const fn = outer.childForFieldName('function');
        const args = p.codeChildren;
        if (fn && fn.type === 'identifier' && IDENTITY_WRAPPERS.has(fn.text) && args.length === 1) {
          n = outer;
          continue;
        }
        return { kind: 'argument', callee: fn ? fn.text : '', index: args.indexOf(n) };
      }
      if (p.type === 'unary_expression' && operatorOf(p) === '!') {
        negated = !negated;
        n = p;
        continue;
      }
      if (p.type === 'conditional_expression' && n.field !== 'condition') {
        n = p;
        continue;
      }
      if (p.type === 'comma_expression' && n.field === 'right') {
        n = p;
        continue;
      }
      if (p.type === 'assignment_expression' && n.field === 'right') {
        const l = p.childForFieldName('left')!;
        const op = operatorOf(p);
        const chain = op === '=' ? assignmentChain(p) : [];
        return { kind: 'assigned', to: l.text, toNode: l, op, declared: false, ...(chain.length ? { chain } : {}) };
      }
      if (p.type === 'init_declarator' && n.field === 'value') {
        const d = declaratorInfo(p, '');
        const nm = d.name ?? p.childForFieldName('declarator')!;
        return { kind: 'assigned', to: nm.text, toNode: nm, op: '=', declared: true };
      }
      if (p.type === 'return_statement') return { kind: 'returned' };
      if (p.type === 'binary_expression') {
        const op = operatorOf(p);
        if (COMPARISONS.has(op)) {
          const other = n.field === 'left' ? p.childForFieldName('right')! : p.childForFieldName('left')!;
          return { kind: 'compared', op, other: other.text, otherNode: other, negated };
        }
        return { kind: 'other', context: op };
      }
      if (p.type === 'expression_statement') return { kind: 'discarded' };
      return { kind: 'other', context: p.type };
    }
  }

  /** Walk an expression in evaluation order, emitting operations; may split the flow. */
  walk(n: CNode, ctx: ExprCtx, mode: 'rvalue' | 'address' = 'rvalue'): void {
    const t = n.type;
    if (LITERALS.has(t) || UNEVALUATED.has(t) || !n.isNamed) return;
    switch (t) {
      case 'parenthesized_expression': {
        const inner = n.codeChildren[0];
        if (!inner) return;
        if (inner.type === 'compound_statement') {
          this.stmtExpr(inner, ctx);
          return;
        }
        this.walk(inner, ctx, mode);
        return;
      }
      case 'call_expression':
        this.call(n, ctx);
        return;
      case 'assignment_expression': {
        const left = n.childForFieldName('left')!;
        const right = n.childForFieldName('right')!;
        const op = operatorOf(n);
        this.walk(right, ctx);
        this.walkLvalue(left, ctx);
        const target = lvalueOf(left);
        if (op !== '=' && target.memory) this.emit(ctx, { kind: 'read', lvalue: target, node: left, ...this.pos(left), inCondition: ctx.inCondition });
        this.emit(ctx, { kind: 'assign', op, lhs: left.text, target, rhs: right.text, rhsNode: right, node: n, ...this.pos(n), inCondition: ctx.inCondition });
        if (target.memory) this.emit(ctx, { kind: 'write', lvalue: target, value: right, node: left, ...this.pos(left), inCondition: ctx.inCondition });
        return;
      }
      case 'update_expression': {
        const arg = n.childForFieldName('argument')!;
        const op = operatorOf(n);
        this.walkLvalue(arg, ctx);
        const target = lvalueOf(arg);
        const prefix = n.children[0] && !n.children[0].isNamed;
        if (target.memory) this.emit(ctx, { kind: 'read', lvalue: target, node: arg, ...this.pos(arg), inCondition: ctx.inCondition });
        this.emit(ctx, { kind: 'assign', op, lhs: arg.text, target, rhs: null, rhsNode: null, prefix, node: n, ...this.pos(n), inCondition: ctx.inCondition });
        if (target.memory) this.emit(ctx, { kind: 'write', lvalue: target, node: arg, ...this.pos(arg), inCondition: ctx.inCondition });
        return;
      }
      case 'pointer_expression': {
        const arg = n.childForFieldName('argument')!;
        if (operatorOf(n) === '&') {
          this.walkLvalue(arg, ctx);
          return;
        }
        this.walk(arg, ctx);
        if (mode === 'rvalue') this.emit(ctx, { kind: 'read', lvalue: lvalueOf(n), node: n, ...this.pos(n), inCondition: ctx.inCondition });
        return;
      }
      case 'field_expression': {
        const arg = n.childForFieldName('argument')!;
        const arrow = operatorOf(n) === '->';
        if (arrow) this.walk(arg, ctx);
        else this.walkLvalue(arg, ctx);
        const lv = lvalueOf(n);
        if (mode === 'rvalue' && lv.memory) this.emit(ctx, { kind: 'read', lvalue: lv, node: n, ...this.pos(n), inCondition: ctx.inCondition });
        return;
      }
      case 'subscript_expression': {
        const arg = n.childForFieldName('argument')!;
        const idx = n.childForFieldName('index');
        this.walk(arg, ctx, 'address');
        if (idx) this.walk(idx, ctx);
        if (mode === 'rvalue') this.emit(ctx, { kind: 'read', lvalue: lvalueOf(n), node: n, ...this.pos(n), inCondition: ctx.inCondition });
        return;
      }
      case 'cast_expression': {
        const v = n.childForFieldName('value');
        if (v) this.walk(v, ctx, mode);
        return;
      }
      case 'conditional_expression': {
        const c = n.childForFieldName('condition')!;
        const a = n.childForFieldName('consequence');
        const b = n.childForFieldName('alternative')!;
        if ((a && hasSideEffects(a)) || hasSideEffects(b)) {
          const C = this.cond(c, [{ from: ctx.node, kind: 'seq' }], n, ctx.stmt);
          const armA = this.node('stmt', a ?? c, ctx.stmt, 'arm');
          this.connect(C.t, armA);
          ctx.node = armA;
          if (a) this.walk(a, ctx);
          const endA = ctx.node;
          const armB = this.node('stmt', b, ctx.stmt, 'arm');
          this.connect(C.f, armB);
          ctx.node = armB;
          this.walk(b, ctx);
          const join = this.node('stmt', n, ctx.stmt, 'join');
          this.connect([{ from: endA, kind: 'seq' }, { from: ctx.node, kind: 'seq' }], join);
          ctx.node = join;
          return;
        }
        this.walk(c, ctx);
        if (a) this.walk(a, ctx);
        this.walk(b, ctx);
        return;
      }
      case 'binary_expression': {
        const op = operatorOf(n);
        const l = n.childForFieldName('left')!;
        const r = n.childForFieldName('right')!;
        if ((op === '&&' || op === '||') && hasSideEffects(r)) {
          const C = this.cond(l, [{ from: ctx.node, kind: 'seq' }], n, ctx.stmt);
          const arm = this.node('stmt', r, ctx.stmt, 'arm');
          this.connect(op === '&&' ? C.t : C.f, arm);
          ctx.node = arm;
          this.walk(r, ctx);
          const join = this.node('stmt', n, ctx.stmt, 'join');
          this.connect([{ from: ctx.node, kind: 'seq' }, ...(op === '&&' ? C.f : C.t)], join);
          ctx.node = join;
          return;
        }
        this.walk(l, ctx);
        this.walk(r, ctx);
        return;
      }
      case 'gnu_asm_expression': {
        const text = n.text;
        this.emit(ctx, { kind: 'asm', text, memoryClobber: /"memory"/.test(text), node: n, ...this.pos(n), inCondition: ctx.inCondition });
        return;
      }
      case 'compound_statement':
        this.stmtExpr(n, ctx);
        return;
      default:
        for (const c of n.children) if (c.isNamed) this.walk(c, ctx);
    }
  }

  /** The subexpressions of an lvalue that are evaluated (not the location itself). */
  private walkLvalue(n: CNode, ctx: ExprCtx): void {
    const u = unparen(n);
    switch (u.type) {
      case 'identifier':
        return;
      case 'pointer_expression':
        if (operatorOf(u) === '*') this.walk(u.childForFieldName('argument')!, ctx);
        else this.walk(u, ctx);
        return;
      case 'field_expression': {
        const arg = u.childForFieldName('argument')!;
        if (operatorOf(u) === '->') this.walk(arg, ctx);
        else this.walkLvalue(arg, ctx);
        return;
      }
      case 'subscript_expression': {
        this.walk(u.childForFieldName('argument')!, ctx, 'address');
        const idx = u.childForFieldName('index');
        if (idx) this.walk(idx, ctx);
        return;
      }
      default:
        this.walk(u, ctx);
    }
  }

  private call(n: CNode, ctx: ExprCtx): void {
    const fn = n.childForFieldName('function')!;
    const argList = n.childForFieldName('arguments');
    const args = argList ? argList.codeChildren : [];
    const name = calleeName(fn);
    const direct = unparen(fn).type === 'identifier';
    if (direct && IDENTITY_WRAPPERS.has(name) && args.length === 1) {
      this.walk(args[0], ctx);
      return;
    }
    // `guard(mutex)(&m)`: the class's lock call, dropped where the enclosing block's scope ends
    const guardCall = direct ? null : unparen(fn);
    const cls = guardCall?.type === 'call_expression' && calleeName(guardCall.childForFieldName('function')!) === 'guard' ? guardCall.childForFieldName('arguments')?.codeChildren : undefined;
    const gc = cls && cls.length === 1 && cls[0].type === 'identifier' ? this.guardClass(cls[0].text) : undefined;
    if (gc) {
      for (const a of args) this.walk(a, ctx);
      const op: CallOp = {
        kind: 'call',
        callee: gc.lock,
        name: gc.lock,
        indirect: false,
        calleeNode: fn,
        args: args.map((a) => ({ node: a, text: a.text })),
        result: { kind: 'discarded' },
        guard: 'take',
        node: n,
        ...this.pos(n),
        inCondition: ctx.inCondition,
      };
      this.emit(ctx, op);
      this.takeGuard(op, gc.unlock);
      return;
    }
    if (!direct) this.walk(fn, ctx);
    const access = direct ? this.lvalueAccess(name) : undefined;
    if (access && args[0]) {
      this.walkLvalue(args[0], ctx);
      for (let i = 1; i < args.length; i++) this.walk(args[i], ctx);
      const lv = lvalueOf(args[0]);
      this.emit(ctx, {
        kind: access,
        lvalue: { ...lv, memory: true },
        macro: name,
        value: access === 'write' ? args[1] : undefined,
        node: args[0],
        ...this.pos(args[0]),
        inCondition: ctx.inCondition,
      });
    } else for (const a of args) this.walk(a, ctx);
    this.emit(ctx, {
      kind: 'call',
      callee: fn.text,
      name,
      indirect: !direct,
      calleeNode: fn,
      args: args.map((a) => ({ node: a, text: a.text })),
      result: this.resultUse(n, ctx),
      node: n,
      ...this.pos(n),
      inCondition: ctx.inCondition,
    });
  }

  /** `({ ... })`: the block's statements in line, then continue in a join node. */
  private stmtExpr(block: CNode, ctx: ExprCtx): void {
    const out = this.block(block, [{ from: ctx.node, kind: 'seq' }]);
    const join = this.node('stmt', block.parent ?? block, ctx.stmt, 'join');
    this.connect(out, join);
    ctx.node = join;
  }

  // ---- conditions -------------------------------------------------------

  /**
   * Split a condition into branch nodes, one per atomic operand of && / || / ?:.
   * Returns the pending true and false exits and the first node (null for a constant).
   */
  cond(e: CNode, incoming: Pend[], whole: CNode, stmt: CNode | null): { t: Pend[]; f: Pend[]; entry: CfgNode | null } {
    const { atom, negated } = conditionAtom(e);
    const swap = (r: { t: Pend[]; f: Pend[]; entry: CfgNode | null }) => (negated ? { t: r.f, f: r.t, entry: r.entry } : r);
    if (atom.type === 'binary_expression') {
      const op = operatorOf(atom);
      if (op === '&&' || op === '||') {
        const L = this.cond(atom.childForFieldName('left')!, incoming, whole, stmt);
        const R = this.cond(atom.childForFieldName('right')!, op === '&&' ? L.t : L.f, whole, stmt);
        const res = op === '&&' ? { t: R.t, f: [...L.f, ...R.f], entry: L.entry ?? R.entry } : { t: [...L.t, ...R.t], f: R.f, entry: L.entry ?? R.entry };
        return swap(res);
      }
    }
    if (atom.type === 'conditional_expression') {
      const C = this.cond(atom.childForFieldName('condition')!, incoming, whole, stmt);
      const a = atom.childForFieldName('consequence');
      const A = a ? this.cond(a, C.t, whole, stmt) : { t: C.t, f: [] as Pend[], entry: null };
      const B = this.cond(atom.childForFieldName('alternative')!, C.f, whole, stmt);
      return swap({ t: [...A.t, ...B.t], f: [...A.f, ...B.f], entry: C.entry ?? A.entry ?? B.entry });
    }
    if (atom.type === 'comma_expression') {
      const pre = this.node('stmt', atom.childForFieldName('left')!, stmt);
      this.connect(incoming, pre);
      const ctx: ExprCtx = { node: pre, stmt: stmt ?? atom, inCondition: true, leaf: null };
      this.walk(atom.childForFieldName('left')!, ctx);
      const R = this.cond(atom.childForFieldName('right')!, [{ from: ctx.node, kind: 'seq' }], whole, stmt);
      return swap({ t: R.t, f: R.f, entry: pre });
    }
    const k = constantValue(atom);
    if (k !== null) {
      const v = negated ? !k : k;
      return { t: v ? incoming : [], f: v ? [] : incoming, entry: null };
    }
    const leaf = this.node('branch', atom, stmt);
    this.connect(incoming, leaf);
    const ctx: ExprCtx = { node: leaf, stmt: stmt ?? atom, inCondition: true, leaf: atom };
    this.walk(atom, ctx);
    const last = ctx.node;
    if (last !== leaf) {
      leaf.kind = 'stmt';
      last.kind = 'branch';
      last.ast = atom;
    }
    return swapLeaf(last, atom, whole, !negated, leaf);
  }

  // ---- statements -------------------------------------------------------

  block(b: CNode, incoming: Pend[]): Pend[] {
    const loop = this.loops[this.loops.length - 1];
    this.scopes.push({ guards: [], loop, breaks: loop?.breaks.length ?? 0, continues: loop?.continues?.length ?? 0, block: b });
    const out = this.blockBody(b, incoming);
    return this.closeScope(b, out);
  }

  /**
   * The end of a block's scope: the guards taken in it are dropped where it
   * ends in sequence and on the breaks and continues that leave it.
   */
  private closeScope(b: CNode, out: Pend[]): Pend[] {
    const scope = this.scopes.pop()!;
    if (!scope.guards.length) return out;
    const end = b.endIndex > b.startIndex ? b.positionAt(b.endIndex - 1) : b.startPosition;
    const drops = (): CfgNode => {
      const n = this.node('stmt', b, b);
      n.line = end.row;
      n.col = end.column;
      n.ops.push(...this.guardDrops(scope, null, end));
      return n;
    };
    const through = (p: Pend): Pend => {
      const n = drops();
      this.connect([p], n);
      return { from: n, kind: 'seq' };
    };
    if (scope.loop) {
      const { breaks, continues } = scope.loop;
      for (let i = scope.breaks; i < breaks.length; i++) breaks[i] = through(breaks[i]);
      if (continues) for (let i = scope.continues; i < continues.length; i++) continues[i] = through(continues[i]);
    }
    if (!out.length) return out;
    const n = drops();
    this.connect(out, n);
    return [{ from: n, kind: 'seq' }];
  }

  /** The unlock calls of a scope's guards, last taken first, placed at `at` (a statement leaving the scope) or `end`. */
  private guardDrops(scope: { guards: { take: CallOp; unlock: string }[] }, at: CNode | null, end?: { row: number; column: number }): CallOp[] {
    const p = at ? at.startPosition : end!;
    return [...scope.guards].reverse().map((g) => ({ ...g.take, name: g.unlock, callee: g.unlock, result: { kind: 'discarded' as const }, guard: 'drop' as const, line: p.row, col: p.column, inCondition: false }));
  }

  /** Take a guard in the innermost open block (`guard(mutex)(&m)`). */
  private takeGuard(op: CallOp, unlock: string): void {
    this.scopes[this.scopes.length - 1]?.guards.push({ take: op, unlock });
  }

  private blockBody(b: CNode, incoming: Pend[]): Pend[] {
    let cur = incoming;
    for (const c of b.children) {
      if (!c.isNamed) continue;
      if (c.type === 'comment') {
        if (c.text.includes(GAP_MARKER)) {
          const g = this.node('stmt', c, c, 'gap');
          this.connect(cur, g);
          cur = [{ from: g, kind: 'seq' }];
        }
        continue;
      }
      cur = this.stmt(c, cur);
    }
    return cur;
  }

  private simple(s: CNode, incoming: Pend[], exprs: CNode[]): Pend[] {
    const n = this.node('stmt', s, s);
    this.connect(incoming, n);
    const ctx: ExprCtx = { node: n, stmt: s, inCondition: false, leaf: null };
    for (const e of exprs) this.walk(e, ctx);
    return [{ from: ctx.node, kind: 'seq' }];
  }

  private declaration(s: CNode, incoming: Pend[]): Pend[] {
    const n = this.node('stmt', s, s);
    this.connect(incoming, n);
    const ctx: ExprCtx = { node: n, stmt: s, inCondition: false, leaf: null };
    const typeText = typeTextOf(s);
    for (const d of s.childrenForFieldName('declarator')) {
      const value = d.type === 'init_declarator' ? d.childForFieldName('value') : null;
      if (value) this.walk(value, ctx);
      const info = declaratorInfo(d, typeText);
      if (!info.name) continue;
      this.emit(ctx, {
        kind: 'decl',
        name: info.name.text,
        type: info.type,
        nameNode: info.name,
        init: value,
        initText: value ? value.text : null,
        node: d,
        ...this.pos(d),
        inCondition: false,
      });
    }
    return [{ from: ctx.node, kind: 'seq' }];
  }

  stmt(s: CNode, incoming: Pend[]): Pend[] {
    switch (s.type) {
      case 'compound_statement':
        return this.block(s, incoming);
      case 'expression_statement': {
        const e = s.codeChildren;
        if (e.length === 0) return incoming;
        return this.simple(s, incoming, e);
      }
      case 'declaration':
        return this.declaration(s, incoming);
      case 'if_statement': {
        const c = s.childForFieldName('condition')!;
        const C = this.cond(c, incoming, c, s);
        const cons = s.childForFieldName('consequence');
        const t = cons ? this.stmt(cons, C.t) : C.t;
        const alt = s.childForFieldName('alternative');
        const altStmt = alt ? alt.codeChildren[0] : null;
        const f = altStmt ? this.stmt(altStmt, C.f) : C.f;
        return [...t, ...f];
      }
      case 'while_statement':
        return this.whileLoop(s, incoming);
      case 'do_statement': {
        const head = this.node('stmt', s, s, 'loop-head');
        head.loop = { kind: 'do' };
        this.connect(incoming, head);
        const ctx: LoopCtx = { breaks: [], continues: [] };
        this.loops.push(ctx);
        const body = s.childForFieldName('body');
        const out = body ? this.stmt(body, [{ from: head, kind: 'seq' }]) : [{ from: head, kind: 'seq' as EdgeKind }];
        this.loops.pop();
        const c = s.childForFieldName('condition')!;
        const C = this.cond(c, [...out, ...ctx.continues!], c, s);
        this.connect(C.t, head, true);
        return [...C.f, ...ctx.breaks];
      }
      case 'for_statement':
        return this.forLoop(s, incoming);
      case 'switch_statement':
        return this.switchStmt(s, incoming);
      case 'return_statement': {
        const n = this.node('return', s, s);
        this.connect(incoming, n);
        const v = s.codeChildren[0] ?? null;
        const ctx: ExprCtx = { node: n, stmt: s, inCondition: false, leaf: null };
        if (v) this.walk(v, ctx);
        this.emit(ctx, { kind: 'return', value: v, valueText: v ? v.text : null, node: s, ...this.pos(s), inCondition: false });
        // a return leaves every open scope: their guards' destructors run after the value is computed
        for (let i = this.scopes.length - 1; i >= 0; i--) ctx.node.ops.push(...this.guardDrops(this.scopes[i], s));
        if (ctx.node !== n) {
          n.kind = 'stmt';
          ctx.node.kind = 'return';
        }
        this.connect([{ from: ctx.node, kind: 'return' }], this.exit);
        return [];
      }
      case 'goto_statement': {
        const n = this.node('goto', s, s);
        const name = s.childForFieldName('label')?.text ?? '';
        n.label = name;
        // a jump out of a scope runs its guards' destructors (the label is written outside the block)
        const at = labelOffset(this.fn.text, name);
        for (let i = this.scopes.length - 1; i >= 0; i--) {
          const sc = this.scopes[i];
          const block = sc.block;
          const abs = at < 0 ? -1 : this.fn.startIndex + at;
          // the label inside this block (or unknown: not written): the jump stays in its scope
          if (abs < 0 || (block && abs >= block.startIndex && abs < block.endIndex)) break;
          n.ops.push(...this.guardDrops(sc, s));
        }
        this.connect(incoming, n);
        this.connect([{ from: n, kind: 'goto' }], this.label(name));
        return [];
      }
      case 'labeled_statement': {
        const name = s.childForFieldName('label')?.text ?? '';
        const l = this.label(name);
        l.ast = s;
        l.stmt = s;
        const p = s.startPosition;
        l.line = p.row;
        l.col = p.column;
        this.defined.add(name);
        this.connect(incoming, l);
        const inner = s.codeChildren.filter((c) => c.field !== 'label');
        let cur: Pend[] = [{ from: l, kind: 'seq' }];
        for (const c of inner) cur = this.stmt(c, cur);
        return cur;
      }
      case 'break_statement': {
        const ctx = this.loops[this.loops.length - 1];
        if (!ctx) return this.outOfSight(s, incoming);
        for (const p of incoming) ctx.breaks.push({ ...p, via: 'break' });
        return [];
      }
      case 'continue_statement': {
        for (let i = this.loops.length - 1; i >= 0; i--) {
          const c = this.loops[i].continues;
          if (c) {
            for (const p of incoming) c.push({ ...p, via: 'continue' });
            return [];
          }
        }
        return this.outOfSight(s, incoming);
      }
      case 'case_statement': {
        // a case label outside a visible switch (hunk-only images)
        const value = s.childForFieldName('value');
        const l = this.node('label', s, s, value ? 'case' : 'default');
        this.connect(incoming, l);
        let cur: Pend[] = [{ from: l, kind: 'seq' }];
        for (const c of s.codeChildren) if (c !== value) cur = this.stmt(c, cur);
        return cur;
      }
      case 'attributed_statement': {
        const inner = s.codeChildren.filter((c) => c.type !== 'attribute_declaration');
        let cur = incoming;
        for (const c of inner) cur = this.stmt(c, cur);
        return cur;
      }
      case 'comment':
        return incoming;
      case 'type_definition':
      case 'struct_specifier':
      case 'union_specifier':
      case 'enum_specifier':
      case 'function_definition':
      case 'preproc_def':
      case 'preproc_function_def':
      case 'preproc_call':
        return incoming;
      default:
        // ERROR nodes and anything unexpected: keep its operations in one node
        return this.simple(s, incoming, s.codeChildren);
    }
  }

  private whileLoop(s: CNode, incoming: Pend[]): Pend[] {
    const c = s.childForFieldName('condition')!;
    const body = s.childForFieldName('body');
    const rw = this.rewrites.get(s.startIndex);
    const ctx: LoopCtx = { breaks: [], continues: [] };
    if (rw) {
      const head = this.node(rw.kind === 'loop-macro' ? 'branch' : 'stmt', c, s, rw.kind === 'loop-macro' ? 'loop-head' : undefined);
      if (rw.kind === 'loop-macro') head.loop = { kind: 'macro', macro: rw.name };
      this.connect(incoming, head);
      const ectx: ExprCtx = { node: head, stmt: s, inCondition: false, leaf: null };
      const inner = unparen(c);
      const args: CNode[] = [];
      const flat = (x: CNode) => {
        if (x.type === 'comma_expression') {
          flat(x.childForFieldName('left')!);
          flat(x.childForFieldName('right')!);
        } else args.push(x);
      };
      if (c.codeChildren.length) flat(inner);
      for (const a of args) this.walk(a, ectx);
      // `scoped_guard(spinlock, &l) { ... }`: the class's lock call, dropped where the block ends
      const gc = rw.kind === 'block-macro' && rw.name === 'scoped_guard' && args[0]?.type === 'identifier' ? this.guardClass(args[0].text) : undefined;
      const headOp: CallOp = {
        kind: 'call',
        callee: gc ? gc.lock : (rw.name ?? ''),
        name: gc ? gc.lock : (rw.name ?? ''),
        indirect: false,
        calleeNode: c,
        args: (gc ? args.slice(1) : args).map((a) => ({ node: a, text: a.text })),
        result: { kind: 'discarded' },
        loopMacro: rw.kind === 'loop-macro' || undefined,
        blockMacro: rw.kind === 'block-macro' || undefined,
        ...(gc ? { guard: 'take' as const } : {}),
        node: s,
        line: head.line,
        col: s.startPosition.column,
        inCondition: false,
      };
      this.emit(ectx, headOp);
      head.line = s.startPosition.row;
      head.col = s.startPosition.column;
      if (rw.kind === 'block-macro') {
        const loopCtx: LoopCtx = { breaks: ctx.breaks, continues: null };
        this.loops.push(loopCtx);
        if (gc) {
          this.scopes.push({ guards: [], loop: loopCtx, breaks: loopCtx.breaks.length, continues: 0, block: body ?? s });
          this.takeGuard(headOp, gc.unlock);
        }
        let out = body ? this.stmt(body, [{ from: head, kind: 'seq' }]) : [{ from: head, kind: 'seq' as EdgeKind }];
        if (gc) out = this.closeScope(body ?? s, out);
        this.loops.pop();
        return [...out, ...ctx.breaks];
      }
      this.loops.push(ctx);
      const out = body ? this.stmt(body, [{ from: head, kind: 'loop-body' }]) : [{ from: head, kind: 'loop-body' as EdgeKind }];
      this.loops.pop();
      this.connect([...out, ...ctx.continues!], head, true);
      return [{ from: head, kind: 'loop-exit' }, ...ctx.breaks];
    }
    const C = this.cond(c, [], c, s);
    let head = C.entry;
    let t = C.t;
    let f = C.f;
    if (!head) {
      // a constant condition: `while (1)` loops until a break, `while (0)` never enters
      head = this.node('stmt', s, s, 'loop-head');
      const always = C.t.length === 0 && C.f.length === 0 ? constantValue(conditionAtom(c).atom) !== false : C.t.length > 0;
      t = always ? [{ from: head, kind: 'seq' }] : [];
      f = always ? [] : [{ from: head, kind: 'seq' }];
    }
    head.loop = { kind: 'while' };
    this.connect(incoming, head);
    this.loops.push(ctx);
    const out = body ? this.stmt(body, t) : t;
    this.loops.pop();
    this.connect([...out, ...ctx.continues!], head, true);
    return [...f, ...ctx.breaks];
  }

  private forLoop(s: CNode, incoming: Pend[]): Pend[] {
    let cur = incoming;
    const init = s.childForFieldName('initializer');
    if (init) cur = init.type === 'declaration' ? this.declaration(init, cur) : this.simple(init, cur, [init]);
    const c = s.childForFieldName('condition');
    const C = c ? this.cond(c, [], c, s) : null;
    let head = C?.entry ?? null;
    let t: Pend[] = C ? C.t : [];
    if (!head) {
      head = this.node('stmt', s, s, 'loop-head');
      t = [{ from: head, kind: 'seq' }];
    }
    head.loop = { kind: 'for' };
    this.connect(cur, head);
    const ctx: LoopCtx = { breaks: [], continues: [] };
    this.loops.push(ctx);
    const body = s.childForFieldName('body');
    const out = body ? this.stmt(body, t) : t;
    this.loops.pop();
    const upd = s.childForFieldName('update');
    let back: Pend[] = [...out, ...ctx.continues!];
    if (upd) back = this.simple(upd, back, [upd]);
    this.connect(back, head, true);
    return [...(C && C.entry ? C.f : []), ...ctx.breaks];
  }

  private switchStmt(s: CNode, incoming: Pend[]): Pend[] {
    const c = s.childForFieldName('condition')!;
    const sw = this.node('switch', c, s);
    sw.line = s.startPosition.row;
    sw.col = s.startPosition.column;
    this.connect(incoming, sw);
    const ectx: ExprCtx = { node: sw, stmt: s, inCondition: false, leaf: null };
    this.walk(c, ectx);
    const from = ectx.node;
    const discriminant = unparen(c);
    const ctx: LoopCtx = { breaks: [], continues: null };
    this.loops.push(ctx);
    let prev: Pend[] = [];
    let hasDefault = false;
    const body = s.childForFieldName('body');
    for (const child of body ? body.children : []) {
      if (!child.isNamed || child.type === 'comment') continue;
      if (child.type === 'case_statement') {
        const value = child.childForFieldName('value');
        if (!value) hasDefault = true;
        const l = this.node('label', child, child, value ? 'case' : 'default');
        this.connect([{ from, kind: value ? 'case' : 'default', switchCase: { discriminant, value } }], l);
        this.connect(
          prev.map((p) => ({ ...p, via: p.via ?? 'fallthrough' })),
          l,
        );
        let cur: Pend[] = [{ from: l, kind: 'seq' }];
        for (const st of child.children) {
          if (!st.isNamed || st === value || st.type === 'comment') continue;
          cur = this.stmt(st, cur);
        }
        prev = cur;
      } else prev = this.stmt(child, prev);
    }
    this.loops.pop();
    const out = [...prev, ...ctx.breaks];
    if (!hasDefault) out.push({ from, kind: 'default', switchCase: { discriminant, value: null } });
    return out;
  }

  /**
   * A `break` / `continue` whose loop or switch the text does not show (hunk-only
   * images): control goes to code out of sight, never to the next statement.
   */
  outOfSight(s: CNode, incoming: Pend[]): Pend[] {
    const n = this.node('stmt', s, s);
    this.connect(incoming, n);
    this.connect([{ from: n, kind: 'unresolved' }], this.exit);
    return [];
  }

  finish(): { unresolved: CfgNode[] } {
    const unresolved: CfgNode[] = [];
    for (const [name, l] of this.labels) {
      if (this.defined.has(name)) continue;
      // the label is in the text but inside code that did not parse (`do { } for_each_x(..);`
      // before it, an unknown macro): what runs after it is unread, not absent
      if (labelWritten(this.fn.text, name)) {
        l.role = 'gap';
        for (const e of l.preds) e.from.role = 'gap';
      }
      this.connect([{ from: l, kind: 'unresolved' }], this.exit);
      for (const e of l.preds) unresolved.push(e.from);
    }
    return { unresolved };
  }
}

/** The offset in `text` of the line that starts with the label `name:`, or -1. */
function labelOffset(text: string, name: string): number {
  let off = 0;
  for (const line of text.split('\n')) {
    const t = line.trimStart();
    if (t.startsWith(name)) {
      const rest = t.slice(name.length).trimStart();
      if (rest.startsWith(':') && !rest.startsWith('::')) return off + (line.length - t.length);
    }
    off += line.length + 1;
  }
  return -1;
}

/** Does a line of `text` start with the label `name:` (indentation allowed)? */
function labelWritten(text: string, name: string): boolean {
  for (const line of text.split('\n')) {
    const t = line.trimStart();
    if (!t.startsWith(name)) continue;
    const rest = t.slice(name.length).trimStart();
    if (rest.startsWith(':') && !rest.startsWith('::')) return true;
  }
  return false;
}

function swapLeaf(
  last: CfgNode,
  atom: CNode,
  whole: CNode,
  value: boolean,
  entry: CfgNode,
): { t: Pend[]; f: Pend[]; entry: CfgNode | null } {
  const tEdge: Pend = { from: last, kind: 'true', cond: { expr: atom, value: true, whole } };
  const fEdge: Pend = { from: last, kind: 'false', cond: { expr: atom, value: false, whole } };
  // `value` is the truth of the atom that makes the (sub)condition true
  return value ? { t: [tEdge], f: [fEdge], entry } : { t: [fEdge], f: [tEdge], entry };
}

/** Find the function definition of a variant's tree. */
function findFunction(root: CNode): { fn: CNode; degraded: boolean } | null {
  for (const c of root.children) if (c.type === 'function_definition') return { fn: c, degraded: false };
  // the definition did not parse: take the first body we can find
  const bodies = root.descendantsOfType('compound_statement');
  if (bodies.length) return { fn: bodies[0], degraded: true };
  return null;
}

const cfgs = new WeakMap<ConfigVariant, Cfg | null>();

/**
 * Build the CFG of the function in a variant (cached per variant unless
 * options are given). Returns null when the variant holds no function body.
 */
export function buildCfg(variant: ConfigVariant, opts: CfgOptions = {}): Cfg | null {
  const useCache = opts.lvalueAccess === undefined || opts.lvalueAccess === defaultCatalog.lvalueAccess;
  if (useCache && cfgs.has(variant)) return cfgs.get(variant)!;
  const root = variantRoot(variant);
  const found = findFunction(root);
  if (!found) {
    if (useCache) cfgs.set(variant, null);
    return null;
  }
  const { fn, degraded } = found;
  const b = new Builder(fn, variant, opts);
  // parameters
  const params: DeclOp[] = [];
  if (!degraded) {
    let d: CNode | null = fn.childForFieldName('declarator');
    while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator') ?? d.namedChildren[0] ?? null;
    const plist = d?.childForFieldName('parameters');
    for (const p of plist ? plist.codeChildren : []) {
      if (p.type !== 'parameter_declaration') continue;
      const decl = p.childForFieldName('declarator');
      if (!decl) continue;
      const info = declaratorInfo(decl, typeTextOf(p));
      if (!info.name) continue;
      const pos = p.startPosition;
      params.push({
        kind: 'decl',
        name: info.name.text,
        type: info.type,
        nameNode: info.name,
        init: null,
        initText: null,
        param: true,
        node: p,
        line: pos.row,
        col: pos.column,
        inCondition: false,
      });
    }
  }
  b.entry.ops.push(...params);
  const body = degraded ? fn : fn.childForFieldName('body');
  const out = body ? b.block(body, [{ from: b.entry, kind: 'seq' }]) : [{ from: b.entry, kind: 'seq' as EdgeKind }];
  b.connect(out, b.exit);
  const { unresolved } = b.finish();
  // canonical successor order of a branch: the operand-true edge first
  const rank = (e: CfgEdge) => (e.kind === 'true' || e.kind === 'loop-body' ? 0 : e.kind === 'false' || e.kind === 'loop-exit' ? 1 : 0);
  for (const n of b.nodes) if (n.kind === 'branch' && n.succs.length > 1) n.succs.sort((x, y) => rank(x) - rank(y));
  let name = '';
  if (!degraded) {
    let d: CNode | null = fn.childForFieldName('declarator');
    while (d && d.type !== 'identifier') d = d.childForFieldName('declarator') ?? d.namedChildren[0] ?? null;
    name = d ? d.text : '';
  }
  const cfg: Cfg = {
    name,
    fn,
    variant,
    nodes: b.nodes,
    entry: b.entry,
    exit: b.exit,
    params,
    labels: b.labels,
    unresolvedGotos: unresolved,
    degraded,
  };
  if (useCache) cfgs.set(variant, cfg);
  return cfg;
}

/** Short human-readable dump (tests, debugging, `mm-review parse --cfg`). */
export function dumpCfg(cfg: Cfg): string {
  const lines: string[] = [];
  for (const n of cfg.nodes) {
    const what = n.kind === 'label' || n.kind === 'goto' ? `${n.kind} ${n.label ?? ''}` : n.kind;
    const ast = n.ast ? n.ast.text.replace(/\s+/g, ' ').slice(0, 50) : '';
    const ops = n.ops.map((o) => (o.kind === 'call' ? `call ${o.name}` : o.kind === 'assign' ? `${o.lhs} ${o.op}` : o.kind === 'decl' ? `decl ${o.name}` : o.kind === 'read' || o.kind === 'write' ? `${o.kind} ${o.lvalue.text}` : o.kind));
    const succ = n.succs.map((e) => `${e.to.id}${e.kind === 'seq' ? '' : ':' + e.kind}${e.cond ? `(${e.cond.expr.text}=${e.cond.value})` : ''}${e.back ? '^' : ''}`);
    lines.push(`${n.id} ${what}${n.role ? '/' + n.role : ''} L${n.line} [${ast}] {${ops.join('; ')}} -> ${succ.join(', ')}`);
  }
  return lines.join('\n');
}

/**
 * The variables that receive the value of a plain assignment through the
 * plain assignments (or the declaration) enclosing it: `a = b = x` seen from
 * `b = x` gives [`a`]; `int a = b = x` also [`a`].
 */
function assignmentChain(assign: CNode): string[] {
  const out: string[] = [];
  let n = assign;
  for (let p = n.parent; p; n = p, p = p.parent) {
    if (p.type === 'parenthesized_expression') continue;
    if (p.type === 'assignment_expression' && n.field === 'right' && operatorOf(p) === '=') {
      out.push(p.childForFieldName('left')!.text);
      continue;
    }
    if (p.type === 'init_declarator' && n.field === 'value') {
      const d = declaratorInfo(p, '');
      out.push((d.name ?? p.childForFieldName('declarator')!).text);
    }
    break;
  }
  return out;
}

const directCallees = new WeakMap<Cfg, readonly string[]>();
/** The names a CFG calls directly, each once, in the order of their first call (computed once per CFG). */
export function directCalleesOf(cfg: Cfg): readonly string[] {
  let names = directCallees.get(cfg);
  if (!names) {
    const seen = new Set<string>();
    for (const n of cfg.nodes) for (const o of n.ops) if (o.kind === 'call' && !o.indirect) seen.add(o.name);
    directCallees.set(cfg, (names = [...seen]));
  }
  return names;
}
