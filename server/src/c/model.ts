/**
 * The C model's output: the functions a patch touches, rebuilt as C text
 * before (pre-image) and after (post-image) the patch, parsed with
 * tree-sitter-c, with every line traced back to the patch line it came from.
 */
import type Parser from 'tree-sitter';
import type { FilePatch, Hunk, HunkLine, Message } from '../patch/model';

/** Where one line of a rebuilt function image came from. */
export type LineOrigin =
  | { kind: 'patch'; line: HunkLine; hunk: Hunk }
  /** From the real file in the kernel tree (not shown in the patch). */
  | { kind: 'tree'; fileLine: number }
  /** Synthesized to make a partial function parse (braces, a gap marker, a heading). */
  | { kind: 'synthetic'; why: 'heading' | 'open-brace' | 'close-brace' | 'gap' | 'masked' };

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
  text: string;
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
}
