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
const entries = [
  { in: 'client/src/extension.ts', out: 'dist/extension.js' },
  { in: 'server/src/lsp/main.ts', out: 'dist/server.js' },
  { in: 'server/src/cli/main.ts', out: 'dist/cli.js' },
];
(async () => {
  for (const e of entries) {
    if (!fs.existsSync(path.join(root, e.in))) continue;
    await esbuild.build({ ...common, entryPoints: [path.join(root, e.in)], outfile: path.join(root, e.out) });
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
