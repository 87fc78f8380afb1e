#!/usr/bin/env -S node --expose-gc --max-semi-space-size=2
'use strict';
require('../out/lsp/main.js').main();
