#!/usr/bin/env node
// Builds the .vsix with @vscode/vsce from a staging folder (run `npm run build` first).
//
// Why a staging folder: the .vsix must carry, from node_modules, only the native
// tree-sitter modules (with their prebuilt binaries for every platform they ship)
// and node-gyp-build, which loads them; everything else is bundled into dist/ by
// esbuild. The staging folder holds exactly that, plus one substitution: the
// upstream linux-x64 prebuild of tree-sitter needs GLIBCXX_3.4.31 (GCC 13's
// libstdc++), which Debian 12 / Ubuntu 22.04 do not have. When node_modules has a
// tree-sitter built from source on linux-x64 (its install script does that when
// the prebuild does not load), that binary, built against an older libstdc++ and
// so loadable on more systems, replaces the upstream linux-x64 prebuild.
//
//   node scripts/package.js [--out mm-patch-review.vsix]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const argv = process.argv.slice(2);
const out = path.resolve(root, argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : 'mm-patch-review.vsix');

const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-review-vsix-'));
const copy = (rel, to = rel) => {
  const src = path.join(root, rel);
  if (!fs.existsSync(src)) return false;
  const dst = path.join(stage, to);
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.cpSync(src, dst, { recursive: true, dereference: true });
  return true;
};
const must = (rel) => {
  if (!copy(rel)) throw new Error(`missing ${rel}: run \`npm run build\` first`);
};

try {
  // The manifest, without what only matters in the repository.
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  for (const k of ['workspaces', 'devDependencies', 'scripts', 'bin', 'private']) delete pkg[k];
  fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');

  must('dist/extension.js');
  must('dist/server.js');
  must('dist/simWorker.js');
  must('dist/analysisWorker.js');
  copy('dist/cli.js');
  must('media');
  must('grammars/syntaxes');
  must('grammars/queries');
  copy('docs/rules');
  copy('docs/mm-review.schema.json');
  // Only the screenshots the README shows (the Extensions view renders it from the .vsix).
  const readme = fs.existsSync(path.join(root, 'README.md')) ? fs.readFileSync(path.join(root, 'README.md'), 'utf8') : '';
  for (const m of readme.matchAll(/\]\((docs\/screenshots\/[\w.-]+\.png)\)/g)) copy(m[1]);
  copy('README.md');
  copy('LICENSE');
  copy('CHANGELOG.md');

  const nm = (name, files) => {
    const dir = path.join('node_modules', name);
    if (!fs.existsSync(path.join(root, dir, 'package.json'))) throw new Error(`missing ${dir}: run \`npm ci\` first`);
    for (const f of files) copy(path.join(dir, f));
  };
  nm('tree-sitter', ['package.json', 'index.js', 'LICENSE', 'prebuilds']);
  nm('tree-sitter-c', ['package.json', 'LICENSE', 'bindings/node/index.js', 'src/node-types.json', 'prebuilds']);
  nm('node-gyp-build', ['package.json', 'index.js', 'node-gyp-build.js', 'LICENSE']);
  // tree-sitter declares node-addon-api (build time only); its manifest keeps
  // `npm ls` (used by vsce) happy, and .vscodeignore leaves it out of the .vsix.
  nm('node-addon-api', ['package.json']);

  const local = path.join(root, 'node_modules/tree-sitter/build/Release/tree_sitter_runtime_binding.node');
  if (process.platform === 'linux' && process.arch === 'x64' && fs.existsSync(local)) {
    fs.copyFileSync(local, path.join(stage, 'node_modules/tree-sitter/prebuilds/linux-x64/tree-sitter.node'));
    console.log('package: linux-x64 tree-sitter binary = the one built from source in node_modules (see the header of scripts/package.js)');
  }

  fs.writeFileSync(path.join(stage, '.vscodeignore'), [
    'node_modules/node-addon-api/**',
    '**/*.map',
    '.vscodeignore',
  ].join('\n') + '\n');

  const vsce = require.resolve('@vscode/vsce/vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--dependencies', '--no-rewrite-relative-links',
    '--allow-missing-repository', '--skip-license', '--out', out], { cwd: stage, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`vsce package exited with ${r.status}`);
  console.log(`package: ${path.relative(process.cwd(), out)} (${(fs.statSync(out).size / 1024 / 1024).toFixed(2)} MB)`);
} catch (e) {
  console.error(`package: ${e.message}`);
  process.exitCode = 1;
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
