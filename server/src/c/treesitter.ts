/**
 * The one tree-sitter Parser of the process, the parse cache, and the query
 * loader. Parsing is the language server's hot path: function texts that did
 * not change since the last keystroke are not parsed again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Parser from 'tree-sitter';
import CGrammar from 'tree-sitter-c';

/** tree-sitter-c's own typing describes node types only; Parser wants its Language type. */
const CLanguage = CGrammar as unknown as Parser.Language;

let parser: Parser | null = null;

/** The shared Parser (tree-sitter-c). */
export function cParser(): Parser {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(CLanguage);
  }
  return parser;
}

export function cLanguage(): Parser.Language {
  return CLanguage;
}

export interface ParsedText {
  tree: Parser.Tree;
  /** 0-based lines holding ERROR or MISSING nodes. */
  errorLines: number[];
}

/** FNV-1a over UTF-16 code units: a short key for statistics and logs. */
export function textHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0') + text.length.toString(16);
}

/**
 * LRU caches of parses and of configured images, bounded by entries and by
 * the characters of text they hold (issue 11: an image holds its variants,
 * and through them their CNode copies, CFGs and facts, ~100 bytes per
 * character of function text; a count alone let a document of long functions
 * keep hundreds of megabytes).
 *
 * Keys are the exact text (a Map hashes strings once and compares them
 * exactly, so there are no collisions); `textHash` is available for callers
 * that want a short id.
 */
export class FunctionCache {
  private map = new Map<string, ParsedText>();
  private images = new Map<string, { value: unknown; chars: number }>();
  private imageChars = 0;
  /** Parse cache statistics. */
  hits = 0;
  misses = 0;
  /** Image cache statistics (a whole configured, parsed image reused). */
  imageHits = 0;
  imageMisses = 0;
  constructor(
    readonly capacity = 4096,
    /** At most this many characters of image text are kept (default 128 Ki: about 4,000 lines of C). */
    readonly maxChars = 128 * 1024,
  ) {}
  /** @internal configured images (variants and their parses), keyed by image text and masks. */
  getImage<T>(key: string): T | undefined {
    const e = this.images.get(key);
    if (e !== undefined) {
      this.imageHits++;
      this.images.delete(key);
      this.images.set(key, e);
      return e.value as T;
    }
    this.imageMisses++;
    return undefined;
  }
  /** @internal */
  putImage<T>(key: string, value: T): void {
    const old = this.images.get(key);
    if (old) {
      this.images.delete(key);
      this.imageChars -= old.chars;
    }
    if (key.length > this.maxChars) return;
    this.images.set(key, { value, chars: key.length });
    this.imageChars += key.length;
    while (this.images.size > this.capacity || this.imageChars > this.maxChars) {
      const k = this.images.keys().next().value as string;
      this.imageChars -= this.images.get(k)!.chars;
      this.images.delete(k);
    }
  }
  /** Characters of image text held. */
  get imageSize(): number {
    return this.imageChars;
  }
  get(text: string): ParsedText | undefined {
    const v = this.map.get(text);
    if (v) {
      this.hits++;
      // refresh recency
      this.map.delete(text);
      this.map.set(text, v);
    } else this.misses++;
    return v;
  }
  put(text: string, value: ParsedText): void {
    if (this.map.has(text)) this.map.delete(text);
    this.map.set(text, value);
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }
  get size(): number {
    return this.map.size + this.images.size;
  }
  clear(): void {
    this.map.clear();
    this.images.clear();
    this.imageChars = 0;
  }
}

/** The process-wide cache used when the caller passes none. */
export const defaultCache = new FunctionCache();

/** Lines of ERROR / MISSING nodes, visiting only subtrees that contain errors. */
export function errorLinesOf(tree: Parser.Tree): number[] {
  const lines = new Set<number>();
  const cur = tree.walk();
  if (!tree.rootNode.hasError) return [];
  const visit = (): void => {
    const node = cur.currentNode;
    if (node.isError || node.isMissing) {
      const a = node.startPosition.row;
      const b = node.isMissing ? a : Math.max(a, node.endPosition.row - (node.endPosition.column === 0 ? 1 : 0));
      for (let r = a; r <= b && r - a < 200; r++) lines.add(r);
      if (node.isMissing) return;
    }
    if (!node.hasError && !node.isMissing) return;
    if (cur.gotoFirstChild()) {
      do visit();
      while (cur.gotoNextSibling());
      cur.gotoParent();
    }
  };
  visit();
  return [...lines].sort((a, b) => a - b);
}

/** Parse without the cache (the caller keeps what it needs). */
export function parseFresh(text: string): ParsedText {
  const tree = cParser().parse(text);
  return { tree, errorLines: errorLinesOf(tree) };
}

export function parseText(text: string, cache: FunctionCache = defaultCache): ParsedText {
  const hit = cache.get(text);
  if (hit) return hit;
  const tree = cParser().parse(text);
  const res = { tree, errorLines: errorLinesOf(tree) };
  cache.put(text, res);
  return res;
}

// ---------------------------------------------------------------------------
// Queries (grammars/queries/*.scm)

let queriesDir: string | null | undefined;

/**
 * Find `grammars/queries` by walking up from this file: works from
 * server/out/c/ (tsc), server/src/c/ (ts-node) and dist/ (the esbuild
 * bundle, where __dirname is dist/).
 */
export function findQueriesDir(start: string = __dirname): string | null {
  let dir = start;
  for (let i = 0; i < 8; i++) {
    const cand = path.join(dir, 'grammars', 'queries');
    if (fs.existsSync(cand)) return cand;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

const queries = new Map<string, Parser.Query>();

/** Load and compile `grammars/queries/<name>.scm` once. */
export function loadQuery(name: string): Parser.Query {
  const hit = queries.get(name);
  if (hit) return hit;
  if (queriesDir === undefined) queriesDir = findQueriesDir();
  if (!queriesDir) throw new Error(`grammars/queries not found above ${__dirname}`);
  const file = path.join(queriesDir, name + '.scm');
  const src = fs.readFileSync(file, 'utf8');
  const q = new Parser.Query(CLanguage, src);
  queries.set(name, q);
  return q;
}
