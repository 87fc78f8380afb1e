#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node --expose-gc
'use strict';
// The #! line starts Node without NODE_EXTRA_CA_CERTS: Node 20 reads and parses
// that certificate file at every start-up (about 35 ms of a 65 ms floor on a
// machine that sets it), and mm-review never opens a network connection.
// `mm-review litmus` does not need the patch-review engine: it loads only the
// simulator, from its one-file bundle with V8's code cache (dist/litmus.js,
// `npm run build`) when that is current, else from the compiled modules
// (server/src/cli/litmusLoader.ts).
if (process.argv[2] === 'litmus') require('../out/cli/litmusLoader.js').litmusMain();
else require('../out/cli/main.js').main();
