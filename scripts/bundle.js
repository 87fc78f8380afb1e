#!/usr/bin/env node
// Bundles the extension client and the language server with esbuild into dist/
// for the .vsix. The native tree-sitter modules stay external: they are
// shipped as node_modules with their prebuilt binaries.
'use strict';
const esbuild = require('esbuild');
const path = require('node:path');
const fs = require('node:fs');

const root = path.join(__dirname, '..');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  // Smaller .vsix and faster start; names kept for readable stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  logLevel: 'warning',
  external: ['vscode', 'tree-sitter', 'tree-sitter-c'],
};
// The server and CLI modules export main(); their bundles call it, so that
// `node dist/server.js --node-ipc|--stdio` and `node dist/cli.js ...` run.
const entries = [
  { in: 'client/src/extension.ts', out: 'dist/extension.js' },
  { in: 'server/src/lsp/main.ts', out: 'dist/server.js', callMain: true },
  // the simulator's worker thread (server/src/lsp/simPort.ts starts it from beside server.js)
  { in: 'server/src/lsp/simWorker.ts', out: 'dist/simWorker.js' },
  // the document analysis workers (server/src/lsp/analysisPort.ts starts them from beside server.js)
  { in: 'server/src/lsp/analysisWorker.ts', out: 'dist/analysisWorker.js' },
  { in: 'server/src/cli/main.ts', out: 'dist/cli.js', callMain: true },
  // `mm-review litmus` (server/bin/mm-review.js loads it when it is newer than
  // the tsc build): the simulator alone in one file, so that a process running
  // many small tests resolves and reads one module instead of twenty. No
  // keepNames: it wraps every inner closure in a call, paid on each call of
  // the engine's functions.
  { in: 'server/src/cli/litmusMain.ts', out: 'dist/litmus.js', keepNames: false },
];
(async () => {
  for (const e of entries) {
    if (!fs.existsSync(path.join(root, e.in))) continue;
    const input = e.callMain
      ? { stdin: { contents: `require(${JSON.stringify('./' + path.basename(e.in, '.ts'))}).main();\n`, resolveDir: path.join(root, path.dirname(e.in)), sourcefile: e.in.replace(/\.ts$/, '.entry.js'), loader: 'js' } }
      : { entryPoints: [path.join(root, e.in)] };
    await esbuild.build({ ...common, ...input, outfile: path.join(root, e.out), ...(e.keepNames === false ? { keepNames: false } : {}) });
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
