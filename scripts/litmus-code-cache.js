#!/usr/bin/env node
// Writes V8's code cache of the litmus bundle (dist/litmus.js.v8cache and its
// key; server/src/cli/litmusLoader.ts explains why and how it is used).
// Run by scripts/bundle.js after the bundle is built, with the V8 flags of
// `mm-review`'s #! line, so that V8 accepts the cache there: a training run
// of `mm-review litmus` over the repository's own tests (test/litmus; not the
// kernel's tests that bench/litmus times), in text and in JSON, then the
// cache of everything that run compiled.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const { loadBundle, writeCodeCache, LITMUS_BUNDLE } = require(path.join(root, 'server', 'out', 'cli', 'litmusLoader.js'));
const dir = path.join(root, 'test', 'litmus');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.litmus')).sort().map((f) => path.join(dir, f));
if (files.length === 0) {
  console.error(`litmus-code-cache: no litmus tests in ${dir}`);
  process.exit(1);
}
const { exports: bundle, script } = loadBundle(LITMUS_BUNDLE, false);
// the training run's output is not wanted: the command writes through process.stdout
process.stdout.write = (_s, cb) => {
  if (typeof cb === 'function') cb();
  return true;
};
const runs = [['litmus', ...files], ['litmus', '--format', 'json', ...files.slice(0, 8)]];
(async () => {
  for (const argv of runs) {
    process.argv = [process.argv[0], 'mm-review', ...argv];
    // the command reads its files synchronously: the tests have run when
    // main() returns; its output and exit code follow in the next turns
    bundle.main();
    await new Promise((resolve) => setImmediate(resolve));
  }
  process.exitCode = 0;
  const bytes = writeCodeCache(LITMUS_BUNDLE, script);
  process.stderr.write(`litmus code cache: ${(bytes / 1024).toFixed(0)} KiB (${files.length} training tests)\n`);
})();
