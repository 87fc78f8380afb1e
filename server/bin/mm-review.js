#!/usr/bin/env -S node --expose-gc
'use strict';
// `mm-review litmus` does not need the patch-review engine: load only the simulator.
if (process.argv[2] === 'litmus') require('../out/cli/litmusMain.js').main();
else require('../out/cli/main.js').main();
