/**
 * A configured variant whose tree-sitter tree is held only as long as it is
 * needed (issue 11). The tree is native memory that V8 does not see: a
 * document of a few thousand functions kept every tree alive for as long as
 * its analysis lived. The engine reads a tree once, to copy it into CNodes
 * (cnode.ts), and then drops it (`releaseTree`); `tree` parses `parseText`
 * again if anyone asks later (tests, `CNode.syntax()`), so the contract of
 * `ConfigVariant.tree` is unchanged.
 */
import type Parser from 'tree-sitter';
import type { ConfigVariant, Rewrite } from './model';
import { cParser } from './treesitter';

export class ParsedVariant implements ConfigVariant {
  private held: Parser.Tree | undefined;
  constructor(
    readonly label: string,
    readonly assumptions: Record<string, boolean>,
    readonly text: string,
    readonly parseText: string,
    readonly rewrites: Rewrite[],
    tree: Parser.Tree,
    readonly errorLines: number[],
  ) {
    this.held = tree;
  }
  get tree(): Parser.Tree {
    if (!this.held) this.held = cParser().parse(this.parseText);
    return this.held;
  }
  /** Drop the tree (it is parsed again on demand). */
  releaseTree(): void {
    this.held = undefined;
  }
  /** Is the tree in memory now (for tests and statistics)? */
  get treeHeld(): boolean {
    return this.held !== undefined;
  }
}

/** Drop a variant's tree if it can be parsed again on demand. */
export function releaseTree(v: ConfigVariant): void {
  if (v instanceof ParsedVariant) v.releaseTree();
}
