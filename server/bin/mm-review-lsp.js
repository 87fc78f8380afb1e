#!/usr/bin/env -S node --expose-gc
'use strict';
require('../out/lsp/main.js').main();
