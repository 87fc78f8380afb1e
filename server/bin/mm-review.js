#!/usr/bin/env -S node --expose-gc
'use strict';
// `mm-review litmus` does not need the patch-review engine: load only the simulator,
// from its one-file bundle (dist/litmus.js, `npm run build`) when that is newer
// than the last `tsc -b` of the server, else from the compiled modules.
if (process.argv[2] === 'litmus') require(litmusEntry()).main();
else require('../out/cli/main.js').main();

function litmusEntry() {
  const fs = require('node:fs');
  const path = require('node:path');
  const bundle = path.join(__dirname, '..', '..', 'dist', 'litmus.js');
  try {
    if (fs.statSync(bundle).mtimeMs >= fs.statSync(path.join(__dirname, '..', 'tsconfig.tsbuildinfo')).mtimeMs) return bundle;
  } catch {
    // no bundle (or no build info): the modules
  }
  return '../out/cli/litmusMain.js';
}
