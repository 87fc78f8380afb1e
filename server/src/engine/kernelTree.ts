/**
 * Read files from a kernel tree (the workspace), for the C model's kernel-tree
 * mode. Paths from the patch are confined to the tree by their real paths: a
 * patch naming `../../etc/passwd`, or a path through a symlink that leads out
 * of the tree, reads nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

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
