/**
 * A plain-JavaScript copy of a tree-sitter tree ("CNode"), built with one
 * TreeCursor walk.
 *
 * Why: every property read on a tree-sitter SyntaxNode crosses into native
 * code (~1.5 us per node for `.children`), and the CFG and the rules read
 * every node of a function several times. A CNode tree costs one cursor walk
 * (~0.4 us per node) and then reads at JavaScript speed. CNode keeps the
 * SyntaxNode names (type, text, startIndex, startPosition, children,
 * namedChildren, childForFieldName, parent), so code written against either
 * reads the same; `syntax()` returns the real tree-sitter node when needed
 * (e.g. to run a query).
 *
 * `text` is taken from the variant's text, not from the rewritten parse text:
 * a loop macro reads `for_each_device_pfn(pfn, page_map)` although tree-sitter
 * saw `while              (pfn, page_map)`.
 */
import type Parser from 'tree-sitter';
import type { ConfigVariant } from './model';
import { cLanguage } from './treesitter';
import { releaseTree } from './variant';

export interface Point {
  row: number;
  column: number;
}

class Source {
  private lineStarts: number[] | null = null;
  constructor(
    readonly text: string,
    /** The tree, on demand (a variant parses it again once it has dropped it). */
    private readonly treeOf: () => Parser.Tree,
  ) {}
  get tree(): Parser.Tree {
    return this.treeOf();
  }
  position(index: number): Point {
    if (!this.lineStarts) {
      const ls = [0];
      const t = this.text;
      for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) ls.push(i + 1);
      this.lineStarts = ls;
    }
    const ls = this.lineStarts;
    let lo = 0;
    let hi = ls.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ls[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: index - ls[lo] };
  }
}

const EMPTY: CNode[] = [];

export class CNode {
  parent: CNode | null = null;
  children: CNode[] = EMPTY;
  isMissing = false;
  /** @internal */
  constructor(
    readonly type: string,
    readonly isNamed: boolean,
    /** Field name under the parent (`condition`, `operator`, ...), or null. */
    readonly field: string | null,
    readonly startIndex: number,
    public endIndex: number,
    private readonly src: Source,
  ) {}

  get text(): string {
    return this.src.text.slice(this.startIndex, this.endIndex);
  }
  get startPosition(): Point {
    return this.src.position(this.startIndex);
  }
  get endPosition(): Point {
    return this.src.position(this.endIndex);
  }
  /** Line/column of any offset of the same text. */
  positionAt(index: number): Point {
    return this.src.position(index);
  }
  get isError(): boolean {
    return this.type === 'ERROR';
  }
  get namedChildren(): CNode[] {
    return this.children.filter((c) => c.isNamed);
  }
  get namedChildCount(): number {
    let n = 0;
    for (const c of this.children) if (c.isNamed) n++;
    return n;
  }
  get firstNamedChild(): CNode | null {
    for (const c of this.children) if (c.isNamed) return c;
    return null;
  }
  get lastNamedChild(): CNode | null {
    for (let i = this.children.length - 1; i >= 0; i--) if (this.children[i].isNamed) return this.children[i];
    return null;
  }
  namedChild(i: number): CNode | null {
    let k = 0;
    for (const c of this.children) if (c.isNamed && k++ === i) return c;
    return null;
  }
  childForFieldName(name: string): CNode | null {
    for (const c of this.children) if (c.field === name) return c;
    return null;
  }
  childrenForFieldName(name: string): CNode[] {
    return this.children.filter((c) => c.field === name);
  }
  /** Named, non-comment children. */
  get codeChildren(): CNode[] {
    return this.children.filter((c) => c.isNamed && c.type !== 'comment');
  }
  /** Depth-first descendants of the given types (this node included). */
  descendantsOfType(types: string | string[]): CNode[] {
    const set = typeof types === 'string' ? new Set([types]) : new Set(types);
    const out: CNode[] = [];
    const visit = (n: CNode) => {
      if (set.has(n.type)) out.push(n);
      for (const c of n.children) visit(c);
    };
    visit(this);
    return out;
  }
  /** The tree-sitter node with the same range and type. */
  syntax(): Parser.SyntaxNode {
    let n: Parser.SyntaxNode | null = this.src.tree.rootNode.descendantForIndex(this.startIndex, this.endIndex);
    while (n && n.type !== this.type && n.parent && n.parent.startIndex === this.startIndex && n.parent.endIndex === this.endIndex) n = n.parent;
    return n!;
  }
  toString(): string {
    if (this.children.length === 0) return this.isNamed ? `(${this.type})` : JSON.stringify(this.type);
    const kids = this.children.filter((c) => c.isNamed).map((c) => (c.field ? `${c.field}: ` : '') + c.toString());
    return `(${this.type}${kids.length ? ' ' + kids.join(' ') : ''})`;
  }
}

/**
 * Subtrees whose inside nothing reads (only their text): not copied. Keeps
 * the copy ~15% smaller on kernel code (types, literals, asm).
 */
const OPAQUE = new Set([
  'string_literal',
  'char_literal',
  'concatenated_string',
  'sized_type_specifier',
  'primitive_type',
  'type_qualifier',
  'storage_class_specifier',
  'struct_specifier',
  'union_specifier',
  'enum_specifier',
  'type_descriptor',
  'gnu_asm_expression',
  'attribute_specifier',
  'comment',
]);

// per-language caches: node type id -> name / named-ness, field id -> name
const typeNames: string[] = [];
const typeNamed: boolean[] = [];
const fieldNames: (string | null)[] = [];
const opaque: boolean[] = [];

/** Node types that have fields (from the grammar's node-types): only their children need a field lookup. */
let withFields: Set<string> | null = null;
function typesWithFields(): Set<string> {
  if (!withFields) {
    withFields = new Set();
    const info = (cLanguage() as unknown as { nodeTypeInfo?: { type: string; fields?: Record<string, unknown> }[] }).nodeTypeInfo;
    if (info) for (const t of info) if (t.fields && Object.keys(t.fields).length) withFields.add(t.type);
    withFields.add('ERROR');
  }
  return withFields;
}

/**
 * Copy a tree (or the subtree at `node`) into CNodes. Every cursor property
 * is a native call, so the walk reads as few as it can: no field lookup under
 * parents that have no fields, and the end of an anonymous token is its start
 * plus the token's length (its type is its text).
 */
export function mirror(tree: Parser.Tree, text: string, node?: Parser.SyntaxNode, parsedText: string = text, plain = false, treeOf: () => Parser.Tree = () => tree): CNode {
  const src = new Source(text, treeOf);
  const cur = node ? node.walk() : tree.walk();
  const withErrors = (node ?? tree.rootNode).hasError;
  if (!withErrors && !node && !plain) return mirrorClean(src, cur, parsedText);
  const fielded = typesWithFields();
  const pt = parsedText;
  const skipSpace = (i: number) => skipSpaceIn(pt, i);
  const build = (parent: CNode | null, parentFields: boolean, prevEnd: number): CNode => {
    const tid = cur.nodeTypeId;
    let type = typeNames[tid];
    if (type === undefined) {
      type = typeNames[tid] = cur.nodeType;
      typeNamed[tid] = cur.nodeIsNamed;
      opaque[tid] = OPAQUE.has(type) && cur.nodeIsNamed;
    }
    let field: string | null = null;
    if (parentFields) {
      const fid = cur.currentFieldId;
      if (fid) {
        field = fieldNames[fid];
        if (field === undefined) field = fieldNames[fid] = cur.currentFieldName || null;
      }
    }
    const named = typeNamed[tid];
    if (!named && !withErrors && prevEnd >= 0) {
      // an anonymous token (`(`, `;`, `->`, `if`): its text is its type
      const start = skipSpace(prevEnd);
      if (pt.startsWith(type, start)) {
        const t = new CNode(type, false, field, start, start + type.length, src);
        t.parent = parent;
        return t;
      }
    }
    const start = cur.startIndex;
    const n = new CNode(type, named, field, start, 0, src);
    n.parent = parent;
    if (withErrors && cur.nodeIsMissing) n.isMissing = true;
    if (!opaque[tid] && cur.gotoFirstChild()) {
      copyChildren(cur, n, fielded.has(type), start, build);
      n.endIndex = cur.endIndex;
    } else n.endIndex = named || withErrors ? cur.endIndex : start + type.length;
    return n;
  };
  return build(null, false, -1);
}

/**
 * Named node types that are one token, a word: they never have children
 * (not even anonymous ones: `null` has its `NULL` token as a child), and
 * their end is found in the text.
 */
const WORD_LEAVES = new Set(['identifier', 'field_identifier', 'type_identifier', 'statement_identifier', 'primitive_type', 'true', 'false']);
// per node type id: 1 anonymous, 2 named token of one word, 4 opaque, 5 may have children
const kindOf: number[] = [];
const isWordStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isWord = (c: number) => isWordStart(c) || (c >= 48 && c <= 57);

/**
 * Copies the children under the cursor (which is on the first child) into
 * `n.children` with `build`, returns to the parent, and gives the end offset
 * of the last child.
 */
function copyChildren(cur: Parser.TreeCursor, n: CNode, fields: boolean, from: number, build: (parent: CNode, parentFields: boolean, prevEnd: number) => CNode): number {
  const kids: CNode[] = [];
  let end = from;
  do {
    const k = build(n, fields, end);
    kids.push(k);
    end = k.endIndex;
  } while (cur.gotoNextSibling());
  cur.gotoParent();
  n.children = kids;
  return end;
}

/** Where the next token of `pt` starts from `i`: after whitespace and line continuations (comments are nodes of their own). */
function skipSpaceIn(pt: string, i: number): number {
  for (;;) {
    const c = pt.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) i++;
    else if (c === 92 /* \ */ && (pt.charCodeAt(i + 1) === 10 || pt.charCodeAt(i + 1) === 13)) i += 2;
    else return i;
  }
}

/**
 * The copy of a tree without errors, with as few native calls as the tree
 * allows (each costs ~0.25 us, and a function has thousands of nodes): one
 * move per node, its type, and its field under a parent that has fields.
 * Positions come from the text, not from tree-sitter: in a tree without
 * errors every character is whitespace or belongs to a token (comments are
 * nodes), so a token starts at the first non-blank character after the end of
 * the one before; an anonymous token's text is its type, a one-word named
 * leaf ends with the word, and a node with children spans them. Other leaves
 * and opaque subtrees ask tree-sitter. Any doubt (a token that does not start
 * where the text says) falls back to asking tree-sitter; test/c/cnode.test.ts
 * checks the copy equal to the plain walk's.
 */
function mirrorClean(src: Source, cur: Parser.TreeCursor, pt: string): CNode {
  const fielded = typesWithFields();
  const skipSpace = (i: number) => skipSpaceIn(pt, i);
  const build = (parent: CNode | null, parentFields: boolean, prevEnd: number): CNode => {
    const tid = cur.nodeTypeId;
    let kind = kindOf[tid];
    if (kind === undefined) {
      const type = (typeNames[tid] = cur.nodeType);
      const named = (typeNamed[tid] = cur.nodeIsNamed);
      opaque[tid] = OPAQUE.has(type) && named;
      kind = kindOf[tid] = !named ? 1 : opaque[tid] ? 4 : WORD_LEAVES.has(type) ? 2 : 5;
    }
    const type = typeNames[tid];
    let field: string | null = null;
    if (parentFields) {
      const fid = cur.currentFieldId;
      if (fid) {
        field = fieldNames[fid];
        if (field === undefined) field = fieldNames[fid] = cur.currentFieldName || null;
      }
    }
    const guess = prevEnd >= 0 ? skipSpace(prevEnd) : -1;
    if (kind === 1 && guess >= 0 && pt.startsWith(type, guess)) {
      const t = new CNode(type, false, field, guess, guess + type.length, src);
      t.parent = parent;
      return t;
    }
    if (kind === 2 && guess >= 0 && isWordStart(pt.charCodeAt(guess))) {
      let e = guess + 1;
      while (isWord(pt.charCodeAt(e))) e++;
      const c = pt.charCodeAt(e);
      if (!(c > 127 || c === 92 || c === 36)) {
        const t = new CNode(type, true, field, guess, e, src);
        t.parent = parent;
        return t;
      }
    }
    if (kind === 5 && cur.gotoFirstChild()) {
      const n = new CNode(type, true, field, 0, 0, src);
      n.parent = parent;
      const end = copyChildren(cur, n, fielded.has(type), prevEnd, build);
      (n as { startIndex: number }).startIndex = n.children[0].startIndex;
      n.endIndex = end;
      return n;
    }
    // anything else: ask tree-sitter (other leaves, opaque subtrees, a token not where the text says)
    const start = cur.startIndex;
    const n = new CNode(type, typeNamed[tid], field, start, cur.endIndex, src);
    n.parent = parent;
    return n;
  };
  const root = build(null, false, -1);
  // the root spans the whole text, trailing blanks included: ask (the cursor is back on it)
  (root as { startIndex: number }).startIndex = cur.startIndex;
  root.endIndex = cur.endIndex;
  return root;
}

const roots = new WeakMap<ConfigVariant, CNode>();

/** The CNode root of a variant (built once, cached). */
export function variantRoot(v: ConfigVariant): CNode {
  let r = roots.get(v);
  if (!r) {
    r = mirror(v.tree, v.text, undefined, v.parseText, false, () => v.tree);
    roots.set(v, r);
    // the copy is all the engine reads: the native tree goes (variant.ts)
    releaseTree(v);
  }
  return r;
}
