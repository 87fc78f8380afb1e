/**
 * Read files from a kernel tree (the workspace), for the C model's kernel-tree
 * mode. Paths from the patch are confined to the tree by their real paths: a
 * patch naming `../../etc/passwd`, or a path through a symlink that leads out
 * of the tree, reads nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Message, ParsedDocument } from '../patch/model';
import { makefileVersion } from '../catalog/era';

const MAX_FILE = 8 * 1024 * 1024;

export function isKernelTree(root: string): boolean {
  try {
    return fs.existsSync(path.join(root, 'mm')) && fs.existsSync(path.join(root, 'include', 'linux'));
  } catch {
    return false;
  }
}

export function kernelTreeReader(root: string): (p: string) => string | undefined {
  let base: string;
  try {
    base = fs.realpathSync(path.resolve(root));
  } catch {
    return () => undefined;
  }
  const inside = (p: string) => p === base || p.startsWith(base + path.sep);
  const cache = new Map<string, { mtimeMs: number; text: string | undefined }>();
  return (p: string) => {
    if (!inside(path.resolve(base, p))) return undefined;
    try {
      // every file by its real path: a symlink inside the tree may point anywhere
      const abs = fs.realpathSync(path.resolve(base, p));
      if (!inside(abs)) return undefined;
      const st = fs.statSync(abs);
      if (!st.isFile() || st.size > MAX_FILE) return undefined;
      const hit = cache.get(abs);
      if (hit && hit.mtimeMs === st.mtimeMs) return hit.text;
      const text = fs.readFileSync(abs, 'utf8');
      cache.set(abs, { mtimeMs: st.mtimeMs, text });
      return text;
    } catch {
      return undefined;
    }
  };
}

/**
 * Where a function's whole text came from, for the finding's data: the hunk
 * alone, the tree's worktree file (after the pre-image check), or the file at
 * the commit the mail says it applies to (`base-commit:`).
 */
export type JudgedIn = { kind: 'hunk' } | { kind: 'worktree'; root: string } | { kind: 'commit'; root: string; commit: string };

/** The `base-commit:` a message (or, for a series, its cover letter) names. */
export function baseCommitOf(doc: ParsedDocument, msg: Message): string | undefined {
  const own = BASE.exec(doc.text.slice(msg.span.start, msg.span.end));
  if (own) return own[1].toLowerCase();
  // a series: the cover letter (or any message of the document) names the base for all
  for (const m of doc.messages) {
    const b = BASE.exec(doc.text.slice(m.span.start, m.span.end));
    if (b) return b[1].toLowerCase();
  }
  return undefined;
}
const BASE = /^base-commit:[ \t]*([0-9a-fA-F]{7,40})[ \t]*$/m;

export interface DocumentTree {
  /** Reads a file of the tree for a message: at its base commit when there is one, else from the worktree. */
  treeFile: (path: string, msg?: Message) => string | undefined;
  /** What each message is judged against. */
  judgedIn: (msg: Message) => JudgedIn;
}

/**
 * The kernel tree as a document sees it. When the tree is a git repository
 * and a message says `base-commit: SHA`, the files it touches are read at
 * that commit from the object store (isomorphic-git: no process spawned,
 * nothing checked out); otherwise (no base, or the commit is not in the
 * repository) from the worktree, which the C model only uses after checking
 * that the patch's pre-image matches it. Reading is prepared up front
 * because the object store is read asynchronously and the analysis is not.
 */
export async function documentTree(doc: ParsedDocument, root: string): Promise<DocumentTree> {
  const worktree = kernelTreeReader(root);
  let base: string;
  try {
    base = fs.realpathSync(path.resolve(root));
  } catch {
    return { treeFile: () => undefined, judgedIn: () => ({ kind: 'hunk' }) };
  }
  const atCommit = new Map<string, string | undefined>(); // `${commit}\n${path}` -> text
  const resolved = new Map<string, string | undefined>(); // abbreviated -> full sha
  const isRepo = fs.existsSync(path.join(base, '.git'));
  if (isRepo) {
    const git = await import('isomorphic-git');
    const wanted = new Map<string, Set<string>>();
    for (const msg of doc.messages) {
      const b = baseCommitOf(doc, msg);
      if (!b) continue;
      let set = wanted.get(b);
      if (!set) wanted.set(b, (set = new Set()));
      for (const f of msg.files) if (f.oldPath && /\.(c|h)$/.test(f.oldPath)) set.add(f.oldPath);
    }
    for (const [abbrev, paths] of wanted) {
      let oid: string | undefined;
      try {
        oid = abbrev.length === 40 ? abbrev : await git.expandOid({ fs, dir: base, oid: abbrev });
        await git.readCommit({ fs, dir: base, oid });
      } catch {
        oid = undefined;
      }
      resolved.set(abbrev, oid);
      if (!oid) continue;
      for (const p of paths) {
        try {
          const { blob } = await git.readBlob({ fs, dir: base, oid, filepath: p });
          atCommit.set(`${oid}\n${p}`, blob.length > 8 * 1024 * 1024 ? undefined : Buffer.from(blob).toString('utf8'));
        } catch {
          atCommit.set(`${oid}\n${p}`, undefined);
        }
      }
    }
  }
  const commitOf = (msg?: Message): string | undefined => {
    if (!msg) return undefined;
    const b = baseCommitOf(doc, msg);
    return b ? resolved.get(b) : undefined;
  };
  return {
    treeFile: (p, msg) => {
      const c = commitOf(msg);
      if (c) return atCommit.get(`${c}\n${p}`);
      return worktree(p);
    },
    judgedIn: (msg) => {
      const c = commitOf(msg);
      return c ? { kind: 'commit', root: base, commit: c } : { kind: 'worktree', root: base };
    },
  };
}

/** The kernel version of a tree, from its top Makefile (`6.19`), or undefined. */
export function treeVersion(root: string): string | undefined {
  try {
    return makefileVersion(fs.readFileSync(path.join(root, 'Makefile'), 'utf8').slice(0, 4096));
  } catch {
    return undefined;
  }
}
