#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node --expose-gc --max-semi-space-size=2 --heap-growing-percent=50 --interrupt-budget=540672
'use strict';
// The #! line starts Node without NODE_EXTRA_CA_CERTS: Node 20 reads and parses
// that certificate file at every start-up (about 35 ms of a 65 ms floor on a
// machine that sets it), and mm-review never opens a network connection.
// --heap-growing-percent=50: V8 starts its own (incremental, concurrent) full collection
// when the old generation has grown by half over what was live after the last one, instead of
// letting it grow two- to fourfold; with a batch of whole files the heap stays near the largest
// document's working set (issue 11: 24 v6.19 files ~164 -> ~143 MB peak RSS, median of paired
// runs, at up to ~10 % more CPU; docs/performance.md "i11b"). --max-semi-space-size=2: 2 x 2 MB young generation.
// --interrupt-budget=540672 (8x V8's default): the tier-up budget of every command. `mm-review litmus`
// first (server/src/cli/tiering.ts: short runs stay out of TurboFan); `check` keeps it too: on whole files
// TurboFan compiled ~680 engine functions (big closures: the resource dataflow, the ordering events, the
// CFG builder) on V8's background threads, and with 8x the budget only the really hot ones get there:
// issue 11's 24 v6.19 files took ~28 % less CPU (user+sys), same findings (docs/performance.md, `cli`).
// Given here rather than set at run time: node:v8 would load Node's stream modules, and with any V8
// option on the command line Node compiles its own modules from source (its code cache of them holds
// only without V8 options), about 8 ms per process (docs/simulator.md, "Speed").
// `mm-review litmus` does not need the patch-review engine: load only the simulator,
// from its one-file bundle (dist/litmus.js, `npm run build`) when that is newer
// than the last `tsc -b` of the server, else from the compiled modules.
// The other commands likewise from dist/cli.js (one file to resolve and compile instead of ~150
// modules: about 0.05-0.1 s of start-up CPU on the one-line patch of issue 11), which runs main()
// when loaded.
if (process.argv[2] === 'litmus') require(fresh('litmus.js') ?? '../out/cli/litmusMain.js').main();
else {
  const bundle = fresh('cli.js');
  if (bundle) require(bundle);
  else require('../out/cli/main.js').main();
}

/** dist/NAME when it is at least as new as the last `tsc -b` of the server, else undefined. */
function fresh(name) {
  const fs = require('node:fs');
  const path = require('node:path');
  const bundle = path.join(__dirname, '..', '..', 'dist', name);
  try {
    if (fs.statSync(bundle).mtimeMs >= fs.statSync(path.join(__dirname, '..', 'tsconfig.tsbuildinfo')).mtimeMs) return bundle;
  } catch {
    // no bundle (or no build info): the modules
  }
  return undefined;
}
