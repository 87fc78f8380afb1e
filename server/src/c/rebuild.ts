/**
 * Public entry points of the C model: rebuild the functions a patch touches.
 *
 *   rebuildAll(doc)                 every C function touched by every message
 *   rebuildFunctions(msg, file)     the functions of one file patch
 *   functionsTouched(hunk)          names only, no parsing (for `mm-review parse`)
 *
 * In kernel-tree mode (`opts.treeFile` returns the real file) functions are
 * taken whole from the tree and the patched file; otherwise they are rebuilt
 * from the hunks alone (see docs/c-model.md).
 */
import { mapColumn } from '../patch/model';
import type { FilePatch, Hunk, HunkLine, Message, ParsedDocument } from '../patch/model';
import type { ConfigVariant, FunctionImage, RebuiltFunction } from './model';
import { draftImage, finishImage, ImageOptions } from './image';
import { groupFunctions, Part, scanSide, SrcLine } from './segment';
import { rebuildFromTree } from './tree';
import type { FunctionCache } from './treesitter';
import { variantRoot, type CNode } from './cnode';
import { AnalysisCancelled, RebuildBudget, sizeOf } from './budget';

export { functionsTouched, type TouchedFunction } from './segment';
export { FunctionCache, defaultCache, textHash } from './treesitter';

/** Where a position of an image (line/column in its text or in any variant's text) comes from. */
export type Location =
  | { kind: 'patch'; line: HunkLine; hunk: Hunk; /** UTF-16 offset in the original document, when the column maps. */ offset: number | undefined }
  | { kind: 'tree'; fileLine: number; column: number }
  | { kind: 'synthetic' };

/**
 * Map a 0-based line/column of a function image (or of any of its variants:
 * they share the layout) back to the patch document or the tree file.
 */
export function locate(img: FunctionImage, line: number, column: number): Location {
  const o = img.origin[line];
  if (!o || o.kind === 'synthetic') return { kind: 'synthetic' };
  if (o.kind === 'tree') return { kind: 'tree', fileLine: o.fileLine, column };
  return { kind: 'patch', line: o.line, hunk: o.hunk, offset: mapColumn(o.line.src, column) };
}

export interface RebuildOptions {
  /** Read a file of the kernel tree (path relative to the tree root); undefined when absent. */
  treeFile?: (path: string, msg?: import('../patch/model').Message) => string | undefined;
  /** Parse cache (default: the process-wide one). */
  cache?: FunctionCache;
  /** At most this many preprocessor configurations per image (default 8). */
  maxVariants?: number;
  /** Kernel-tree mode: how far (lines) from the hunk's stated position to look for it (default 2000). */
  treeSearch?: number;
  /** The document's budget (c/budget.ts): per-function caps, functions and work per document. */
  budget?: RebuildBudget;
}

const C_FILE = /\.(c|h)$/;

/** Is this path a C source or header the C model handles? */
export function isCFile(path: string | null | undefined): boolean {
  return !!path && C_FILE.test(path);
}

/**
 * The name a function image's tree declares (the patterns of
 * grammars/queries/c-functions.scm: a function_definition whose declarator
 * is a function_declarator of an identifier, through up to two pointer
 * declarators), when its opening line is real text (not a synthesized
 * heading) and parsed. Read from the variant's CNode copy, which the CFG
 * needs anyway: a tree-sitter query over the whole tree costs more than the
 * copy (issue 11).
 */
export function declaredName(img: FunctionImage | null): string | null {
  if (!img || img.origin[img.headerLine]?.kind === 'synthetic') return null;
  const v = img.variants[0];
  if (v.rewrites.some((r) => r.kind === 'syscall')) return null;
  const memo = declared.get(v);
  if (memo !== undefined) return memo;
  let found: string | null = null;
  // definitions in document order (nested ones, inside ERROR nodes, after their parent)
  const stack: CNode[] = [variantRoot(v)];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'function_definition') {
      const name = definedIdentifier(n);
      if (name && name.startPosition.row <= img.headerLine + 8) {
        found = v.text.slice(name.startIndex, name.endIndex);
        break;
      }
    }
    for (let i = n.children.length - 1; i >= 0; i--) if (n.children[i].children.length) stack.push(n.children[i]);
  }
  declared.set(v, found);
  return found;
}

/** `f` of `int f(...)`, `*f(...)`, `**f(...)`: the c-functions.scm patterns. */
function definedIdentifier(def: CNode): CNode | null {
  let d = def.childForFieldName('declarator');
  for (let i = 0; i < 2 && d?.type === 'pointer_declarator'; i++) d = d.childForFieldName('declarator');
  if (d?.type !== 'function_declarator') return null;
  const id = d.childForFieldName('declarator');
  return id?.type === 'identifier' ? id : null;
}

const declared = new WeakMap<ConfigVariant, string | null>();

export function makeImage(parts: Part[], heading: string, opts: ImageOptions): FunctionImage | null {
  if (parts.length === 0) return null;
  return finishImage(draftImage(parts, heading), opts);
}

/**
 * Both images of a function rebuilt from hunks. A block opened above a hunk whose `else` one side shows
 * (`} else {` added) was an `if` on both sides: its opener is the same line out of sight.
 */
export function makeImages(pre: Part[], post: Part[], heading: string, opts: ImageOptions): [FunctionImage | null, FunctionImage | null] {
  let a = pre.length ? draftImage(pre, heading) : null;
  let b = post.length ? draftImage(post, heading) : null;
  const ifs = new Set([...(a?.unseenIfs ?? []), ...(b?.unseenIfs ?? [])]);
  if (ifs.size) {
    if (a && [...ifs].some((k) => !a!.unseenIfs.has(k))) a = draftImage(pre, heading, ifs);
    if (b && [...ifs].some((k) => !b!.unseenIfs.has(k))) b = draftImage(post, heading, ifs);
  }
  return [a && finishImage(a, opts), b && finishImage(b, opts)];
}

export function describeProblems(fn: RebuiltFunction): void {
  for (const [side, img] of [
    ['pre', fn.pre],
    ['post', fn.post],
  ] as const) {
    if (!img) continue;
    for (const v of img.variants) {
      if (v.errorLines.length === 0) continue;
      const first = v.errorLines[0];
      const o = img.origin[first];
      fn.problems.push({
        message:
          `${fn.name} (${side}-image, ${v.label}): ${v.errorLines.length} line(s) do not parse` +
          ` (first: "${img.text.split('\n')[first]?.trim().slice(0, 60) ?? ''}"); analysis uses the parts that do`,
        line: o && o.kind === 'patch' ? o.line : undefined,
      });
    }
    if (img.uncoveredBranches.length > 0) {
      fn.problems.push({
        message: `${fn.name} (${side}-image): ${img.uncoveredBranches.length} #if branch(es) not analysed (too many configurations)`,
      });
    }
  }
}

/**
 * The image of a complete function given as text (one function definition;
 * lines get origin 'tree' with fileLine = firstLine + i). For callers that
 * have C text rather than a patch: rule tests, the race simulator.
 */
export function functionImage(text: string, opts: ImageOptions & { firstLine?: number } = {}): FunctionImage {
  const first = opts.firstLine ?? 1;
  const src: SrcLine[] = text.split('\n').map((t, i) => ({
    text: t,
    origin: { kind: 'tree', fileLine: first + i },
    changed: false,
    fileLine: first + i,
  }));
  const scanned = scanSide(src, 0, false);
  const last = scanned[scanned.length - 1];
  const part: Part = {
    lines: scanned,
    startDepth: 0,
    startsInComment: false,
    endsInComment: last ? last.scan.commentAfter : false,
    hasHeader: true,
    needsHeading: false,
    closed: last ? last.depthAfter <= 0 : true,
    touched: false,
    hunkIndex: 0,
  };
  return finishImage(draftImage([part], ''), opts);
}

/** Rebuild the functions one file patch touches. */
export function rebuildFunctions(msg: Message, file: FilePatch, opts: RebuildOptions = {}): RebuiltFunction[] {
  const path = file.newPath ?? file.oldPath;
  if (file.binary || file.hunks.length === 0 || !isCFile(path)) return [];
  const imgOpts: ImageOptions = { cache: opts.cache, maxVariants: opts.maxVariants };
  let treeProblem: string | undefined;
  if (opts.treeFile && file.status !== 'added' && file.oldPath && !opts.budget?.exhausted) {
    const tf = opts.treeFile;
    const res = rebuildFromTree(msg, file, (p) => tf(p, msg), imgOpts, opts.treeSearch, opts.budget);
    if (res.ok) {
      for (const fn of res.functions) describeProblems(fn);
      return res.functions;
    }
    treeProblem = res.problem;
  }
  const out: RebuiltFunction[] = [];
  for (const g of groupFunctions(file)) {
    if (opts.budget) {
      const a = sizeOf(g.pre.flatMap((p) => p.lines));
      const b = sizeOf(g.post.flatMap((p) => p.lines));
      const fn = { name: g.name, message: msg, file, hunk: file.hunks[g.hunks[0]], lines: Math.max(a.lines, b.lines), bytes: Math.max(a.bytes, b.bytes) };
      if (!opts.budget.admit(fn, a.lines + b.lines)) continue;
    }
    const [pre, post] = makeImages(g.pre, g.post, g.heading, imgOpts);
    const fn: RebuiltFunction = {
      name: declaredName(post) ?? declaredName(pre) ?? g.name,
      message: msg,
      file,
      hunks: g.hunks.map((i) => file.hunks[i]),
      pre,
      post,
      source: 'hunk',
      problems: treeProblem ? [{ message: treeProblem }] : [],
      change: pre && post ? 'modified' : pre ? 'deleted' : 'added',
      path: path!,
    };
    describeProblems(fn);
    opts.budget?.spend(fn);
    out.push(fn);
  }
  return out;
}

export interface DocumentRebuild {
  functions: RebuiltFunction[];
  /** Files that could not be rebuilt at all (an internal error; the rest of the document is still rebuilt). */
  problems: { file: FilePatch; message: string }[];
  /** What the document's budget allowed: counters, and the functions skipped (over a cap, or after it ran out). */
  budget: RebuildBudget;
}

/** Rebuild every C function touched by every patch in a parsed document, within the budget (a default one if none is given). */
export function rebuildDocument(doc: ParsedDocument, opts: RebuildOptions = {}): DocumentRebuild {
  const budget = opts.budget ?? new RebuildBudget();
  const res: DocumentRebuild = { functions: [], problems: [], budget };
  for (const msg of doc.messages) {
    for (const file of msg.files) {
      try {
        res.functions.push(...rebuildFunctions(msg, file, { ...opts, budget }));
      } catch (e) {
        if (e instanceof AnalysisCancelled) throw e;
        // bad input never takes the server down: report it and go on with the next file
        res.problems.push({ file, message: `internal error while rebuilding ${file.newPath ?? file.oldPath}: ${(e as Error).message}` });
      }
    }
  }
  return res;
}

/** The functions of rebuildDocument (files that failed are left out; see rebuildDocument for why). */
export function rebuildAll(doc: ParsedDocument, opts: RebuildOptions = {}): RebuiltFunction[] {
  return rebuildDocument(doc, opts).functions;
}
