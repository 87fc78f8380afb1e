/**
 * The C model's output: the functions a patch touches, rebuilt as C text
 * before (pre-image) and after (post-image) the patch, parsed with
 * tree-sitter-c, with every line traced back to the patch line it came from.
 *
 * See docs/c-model.md for how images are rebuilt, how preprocessor
 * configurations are chosen, and the CFG / operations contract.
 */
import type Parser from 'tree-sitter';
import type { FilePatch, Hunk, HunkLine, Message } from '../patch/model';

/** Why a synthetic line was added to an image. */
export type SyntheticWhy =
  | 'heading'       // the function's signature, from the hunk's `@@ ... @@ section`
  | 'open-brace'    // an opening brace for a block whose opening line is not shown
  | 'close-brace'   // a closing brace for a block whose end is not shown
  | 'gap'           // `/* [mm-review: N lines not shown] */` between two hunks
  | 'masked'        // (reserved) a line replaced by blanks
  | 'stub'          // `;` completing a statement cut by the end of the hunk (`if (x)` + `;`)
  | 'comment-open'  // `/*` before a hunk that starts inside a block comment
  | 'comment-close'; // `*/` after a hunk that ends inside a block comment

/** Where one line of a rebuilt function image came from. */
export type LineOrigin =
  | { kind: 'patch'; line: HunkLine; hunk: Hunk }
  /** From the real file in the kernel tree (not shown in the patch). fileLine is 1-based in that side's file. */
  | { kind: 'tree'; fileLine: number }
  /** Synthesized to make a partial function parse (braces, a gap marker, a heading). */
  | { kind: 'synthetic'; why: SyntheticWhy };

/**
 * A column-stable edit made to a variant's text before tree-sitter sees it
 * (`parseText`): the replaced range has exactly the same length, so every
 * line/column of the tree is a line/column of `text`.
 */
export interface Rewrite {
  kind:
    | 'annotation'   // `__user`, `noinline`, `__acquires(x)` blanked with spaces
    | 'loop-macro'   // `for_each_foo(a, b)` -> `while      (a, b)`: a loop of unknown trip count
    | 'block-macro'  // `scoped_guard(rcu)` -> `while       (rcu)`: a block run once
    | 'type-arg'     // `container_of(p, struct x, m)` -> `struct` blanked; `min_t(unsigned long,` -> `unsigned_long`
    | 'fragment'     // a statement cut by the start/end of a hunk: its code blanked (braces kept)
    | 'else'         // an `else` whose `if` is not shown: blanked
    | 'syscall';     // `SYSCALL_DEFINEn(name, t, a, ...)` -> `long name(t  a, ...)`
  /** 0-based line and UTF-16 column in `text`. */
  line: number;
  col: number;
  /** Offset in `text` (UTF-16) and length of the replaced range. */
  index: number;
  length: number;
  /** The original text of the range. For macros: the macro name is `name`. */
  original: string;
  /** For loop/block macros and syscalls: the macro name (`for_each_device_pfn`). */
  name?: string;
}

/**
 * One preprocessor configuration of a function image: the same number of
 * lines as the image text, with the lines of inactive #if branches and the
 * directive lines themselves blanked out (replaced by empty lines), so line
 * numbers stay the same across configurations.
 */
export interface ConfigVariant {
  /** e.g. "CONFIG_SPECULATIVE_PAGE_FAULT=y" or "default". */
  label: string;
  /** Symbol -> assumed truth value for the conditionals that were decided. */
  assumptions: Record<string, boolean>;
  /** The configured C text (inactive lines and directives blanked). */
  text: string;
  /**
   * `text` after column-stable rewrites (annotations blanked, loop macros
   * turned into `while`, ...): what `tree` was parsed from. Same length and
   * line/column layout as `text`.
   */
  parseText: string;
  /** The rewrites that turned `text` into `parseText`, in text order. */
  rewrites: Rewrite[];
  /** Parsed from `parseText`. Shared through the FunctionCache: treat as immutable. */
  tree: Parser.Tree;
  /** 0-based line numbers (in text) of ERROR / MISSING nodes. */
  errorLines: number[];
}

export interface FunctionImage {
  /** The function's C text (all configurations, directives included). */
  text: string;
  /** origin[i] is where line i of text came from. */
  origin: LineOrigin[];
  /** At least one. Every variant has text with the same line count as `text`. */
  variants: ConfigVariant[];
  /** 0-based line in `text` of the function's opening line (the declarator). */
  headerLine: number;
  /** True when the whole body is known (from the tree, or the hunk covers it all). */
  complete: boolean;
  /** 0-based lines whose code was blanked for parsing in every variant (statement fragments). */
  maskedLines: number[];
  /** Preprocessor conditional symbols found in the function (all variants together). */
  symbols: string[];
  /** #if branches that no variant activates (variant cap reached), as 0-based directive lines. */
  uncoveredBranches: number[];
}

export interface RebuiltFunction {
  /** Function name (identifier of the declarator), or the section heading when unknown. */
  name: string;
  message: Message;
  file: FilePatch;
  /** The hunks that touch this function, in order. */
  hunks: Hunk[];
  /** null when the function does not exist before the patch (added). */
  pre: FunctionImage | null;
  /** null when the function is deleted by the patch. */
  post: FunctionImage | null;
  /** 'tree' when built from the real file in the workspace, else 'hunk'. */
  source: 'hunk' | 'tree';
  /** Problems met while rebuilding (parse errors that could not be fixed, ...). */
  problems: { message: string; line?: HunkLine }[];
  /** 'added' (pre null), 'deleted' (post null) or 'modified'. */
  change: 'added' | 'deleted' | 'modified';
  /** The file path the function lives in (new path, or old path for deletions). */
  path: string;
  /**
   * Kernel-tree mode: the functions of the same tree file that the patch does
   * not touch, for the summaries of same-file helpers (shared by every
   * function of the file).
   */
  treeHelpers?: TreeHelpers;
}

/** The untouched functions of a kernel-tree file, by name (images built on first use). */
export interface TreeHelpers {
  /** The image of `name` on one side: undefined when the file defines none, null when several (#ifdef alternatives). */
  image(name: string, side: 'pre' | 'post'): FunctionImage | null | undefined;
}
