/**
 * How `mm-review litmus` loads the simulator (server/bin/mm-review.js comes
 * here for that command), and the V8 code cache that makes a run of many
 * small tests cheap from the first one.
 *
 * A run of the kernel's 47 litmus tests is over in about a tenth of a second,
 * and without a cache a noticeable part of it is V8 compiling the engine's
 * functions to bytecode the first time each runs (lazy compilation), in every
 * process. `npm run build` therefore runs the bundle once over the
 * repository's own litmus tests (scripts/litmus-code-cache.js: a training
 * run, not the tests a user runs) and keeps V8's code cache of everything that
 * run compiled next to the bundle (`dist/litmus.js.v8cache`, with a small JSON
 * key). Later processes hand that cache to V8 when they compile the bundle.
 *
 * Why by hand: Node 20's `require` has no code cache (Node 22's
 * `module.enableCompileCache()` is the built-in form of this), and the
 * npm packages that add one write caches under the temporary directory at run
 * time and only of what is compiled eagerly. Here the bundle — our own file,
 * read from beside this one, never text from the input — is compiled with
 * `vm.Script`, exactly as Node's CommonJS loader compiles any module (the same
 * wrapper, its own `require`); only the cached bytecode is added.
 *
 * The cache is used only when its key matches: the size and modification
 * time of the bundle it was made from (V8 itself checks only the source
 * length, so a rebuilt bundle of the same length must not get the old
 * bytecode), the V8 version, and the size and modification time the cache
 * file had when it was written (release builds of V8 do not verify a cache's
 * checksum: a cache file changed since must never reach the deserialiser).
 * Stamps, not content hashes: hashing the two files would cost a few
 * milliseconds of every run (loading node:crypto), a tenth of what the cache
 * saves. V8 then checks its own version and flags and may still reject it. Whatever happens, the
 * results are the same: a missing, stale or rejected cache only costs the
 * compilation it would have saved. `MM_REVIEW_CODE_CACHE=0` turns it off;
 * `MM_REVIEW_CODE_CACHE=report` says on stderr whether it was used.
 */
// first: the tier-up budget is a V8 flag, part of what V8 checks in a cache
import './tiering';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { createRequire } from 'node:module';

/** The one-file bundle of the simulator and the litmus command (scripts/bundle.js). */
export const LITMUS_BUNDLE = path.join(__dirname, '..', '..', '..', 'dist', 'litmus.js');

/** What the cache was made from, and the cache file as it was written. */
interface CacheKey {
  bundle: FileStamp;
  cache: FileStamp;
  v8: string;
}
interface FileStamp {
  size: number;
  mtimeMs: number;
}

export type CacheUse = 'used' | 'rejected' | 'stale' | 'damaged' | 'absent' | 'off';

const cacheFile = (bundle: string): string => `${bundle}.v8cache`;
const keyFile = (bundle: string): string => `${bundle}.v8cache.json`;

function stampOf(file: string): FileStamp {
  const st = fs.statSync(file);
  return { size: st.size, mtimeMs: st.mtimeMs };
}
const sameStamp = (a: FileStamp | undefined, b: FileStamp): boolean => a?.size === b.size && a?.mtimeMs === b.mtimeMs;

/** The module wrapper of Node's CommonJS loader. */
const wrap = (source: string): string => `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;

interface Loaded {
  exports: Record<string, unknown>;
  script: vm.Script;
  use: CacheUse;
}

/** Compile and run a CommonJS bundle as `require` would, with its code cache when that is valid. */
export function loadBundle(bundle: string, useCache = process.env.MM_REVIEW_CODE_CACHE !== '0'): Loaded {
  const source = fs.readFileSync(bundle, 'utf8');
  let cachedData: Buffer | undefined;
  let use: CacheUse = useCache ? 'absent' : 'off';
  if (useCache) {
    try {
      const key = JSON.parse(fs.readFileSync(keyFile(bundle), 'utf8')) as CacheKey;
      if (!sameStamp(key.bundle, stampOf(bundle)) || key.v8 !== process.versions.v8) use = 'stale';
      else if (!sameStamp(key.cache, stampOf(cacheFile(bundle)))) use = 'damaged';
      else cachedData = fs.readFileSync(cacheFile(bundle));
    } catch {
      // no cache (or an unreadable key): compile without one
    }
  }
  const script = new vm.Script(wrap(source), { filename: bundle, cachedData });
  if (cachedData) use = script.cachedDataRejected ? 'rejected' : 'used';
  const module = { exports: {} as Record<string, unknown> };
  const fn = script.runInThisContext() as (e: unknown, r: NodeRequire, m: unknown, f: string, d: string) => void;
  fn.call(module.exports, module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  return { exports: module.exports, script, use };
}

/**
 * After a training run in this process: write the code cache of everything
 * the run compiled, and its key.
 */
export function writeCodeCache(bundle: string, script: vm.Script): number {
  const data = script.createCachedData();
  fs.writeFileSync(cacheFile(bundle), data);
  const key: CacheKey = { bundle: stampOf(bundle), cache: stampOf(cacheFile(bundle)), v8: process.versions.v8 };
  fs.writeFileSync(keyFile(bundle), JSON.stringify(key) + '\n');
  return data.length;
}

/** Whether the bundle is at least as new as the last `tsc -b` of the server (else it is stale). */
function bundleIsCurrent(bundle: string): boolean {
  try {
    return fs.statSync(bundle).mtimeMs >= fs.statSync(path.join(__dirname, '..', '..', 'tsconfig.tsbuildinfo')).mtimeMs;
  } catch {
    return false;
  }
}

/**
 * `mm-review litmus ...`: the bundle (with its code cache) when it is
 * current, else the compiled modules.
 */
export function litmusMain(): void {
  if (bundleIsCurrent(LITMUS_BUNDLE)) {
    const loaded = loadBundle(LITMUS_BUNDLE);
    if (process.env.MM_REVIEW_CODE_CACHE === 'report') process.stderr.write(`mm-review: code cache ${loaded.use}\n`);
    (loaded.exports.main as () => void)();
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./litmusMain') as { main(): void }).main();
}
