/**
 * `mm-review litmus` loads the simulator's bundle with V8's code cache
 * (server/src/cli/litmusLoader.ts, made by scripts/litmus-code-cache.js at
 * `npm run build`): the cache is accepted when the CLI runs through its #!
 * line, the results are byte-identical with and without it, and a stale or
 * damaged cache is never used for a bundle it was not made from.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadBundle, writeCodeCache, LITMUS_BUNDLE } from 'mm-review-server/cli/litmusLoader';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'server', 'bin', 'mm-review.js');
const KERNEL = path.join(ROOT, 'test', 'sim', 'fixtures', 'kernel-litmus', 'tools-memory-model');
const kernelTests = (): string[] => fs.readdirSync(KERNEL).filter((f) => f.endsWith('.litmus')).sort().map((f) => path.join(KERNEL, f));

/** The bin script run as a user runs it: executed, so its #! line picks Node and its flags. */
function runBin(args: string[], env: Record<string, string>) {
  const r = spawnSync(BIN, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('mm-review litmus: the bundle and its V8 code cache', () => {
  it('the build made a cache that the CLI uses through its #! line, with identical output', (t) => {
    if (!fs.existsSync(`${LITMUS_BUNDLE}.v8cache`)) return t.skip('no dist/litmus.js.v8cache: npm run build makes it');
    const files = kernelTests();
    assert.ok(files.length >= 10, 'kernel litmus fixtures present');
    const cached = runBin(['litmus', ...files], { MM_REVIEW_CODE_CACHE: 'report' });
    const plain = runBin(['litmus', ...files], { MM_REVIEW_CODE_CACHE: '0' });
    assert.equal(cached.code, 0, cached.err);
    assert.match(cached.err, /^mm-review: code cache used$/m);
    assert.equal(plain.code, 0, plain.err);
    assert.equal(cached.out, plain.out);
    // V8 refuses a cache made under other flags (here: Node without the #! line's --expose-gc); same results
    const r = spawnSync(process.execPath, [BIN, 'litmus', ...files], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, MM_REVIEW_CODE_CACHE: 'report' } });
    assert.match(r.stderr, /^mm-review: code cache rejected$/m);
    assert.equal(r.stdout, plain.out);
    assert.match(cached.out, /^Observation \S+ (Never|Sometimes|Always) \d+ \d+$/m);
    const json = runBin(['litmus', '--format', 'json', files[0]], { MM_REVIEW_CODE_CACHE: 'report' });
    const jsonPlain = runBin(['litmus', '--format', 'json', files[0]], { MM_REVIEW_CODE_CACHE: '0' });
    // the JSON carries each run's time in milliseconds: everything else is the same
    const untimed = (s: string): string => s.replace(/"ms": \d+/g, '"ms": 0');
    assert.match(json.out, /"observation"/);
    assert.equal(untimed(json.out), untimed(jsonPlain.out));
  });

  describe('a copy of the bundle in a scratch directory', () => {
    let dir: string;
    let bundle: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-litmus-cache-'));
      bundle = path.join(dir, 'litmus.js');
      // a small CommonJS bundle of our own: what loadBundle does does not depend on the simulator
      fs.writeFileSync(bundle, `'use strict';\nconst path = require('node:path');\nexports.answer = (x) => x * 2 + 1;\nexports.where = () => path.basename(__filename) + ' ' + path.basename(__dirname) + ' ' + (typeof module);\n`);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('loads like require: exports, its own require, __filename, __dirname', () => {
      const { exports, use } = loadBundle(bundle);
      assert.equal(use, 'absent');
      assert.equal((exports.answer as (x: number) => number)(20), 41);
      assert.equal((exports.where as () => string)(), `litmus.js ${path.basename(dir)} object`);
    });

    it('uses a cache made from the same bytes; never one made from another bundle of the same length', () => {
      const first = loadBundle(bundle);
      (first.exports.answer as (x: number) => number)(1);
      assert.ok(writeCodeCache(bundle, first.script) > 0);
      assert.equal(loadBundle(bundle).use, 'used');
      // same length, other code: V8 alone would accept the cache (it checks the length only)
      const text = fs.readFileSync(bundle, 'utf8');
      const { mtime } = fs.statSync(bundle);
      fs.writeFileSync(bundle, text.replace('x * 2 + 1', 'x * 3 + 1'));
      // a rewrite gets a new modification time (set one second on, so that a coarse clock cannot hide it)
      fs.utimesSync(bundle, mtime, new Date(mtime.getTime() + 1000));
      const other = loadBundle(bundle);
      assert.equal(other.use, 'stale');
      assert.equal((other.exports.answer as (x: number) => number)(20), 61);
      fs.writeFileSync(bundle, text);
    });

    it('a damaged cache never reaches V8, and the bundle still runs', () => {
      const first = loadBundle(bundle);
      writeCodeCache(bundle, first.script);
      const cache = `${bundle}.v8cache`;
      const bytes = fs.readFileSync(cache);
      const { mtime } = fs.statSync(cache);
      for (let i = 16; i < bytes.length; i += 7) bytes[i] ^= 0x5a;
      fs.writeFileSync(cache, bytes);
      fs.utimesSync(cache, mtime, new Date(mtime.getTime() + 1000));
      const damaged = loadBundle(bundle);
      assert.equal(damaged.use, 'damaged');
      assert.equal((damaged.exports.answer as (x: number) => number)(20), 41);
      assert.equal(loadBundle(bundle, false).use, 'off');
    });
  });
});
