// The .vsix: built by scripts/package.js from dist/ (run after `npm run build`),
// it must carry the bundles, the webview assets, the grammars, the rule docs,
// and from node_modules only tree-sitter / tree-sitter-c with their prebuilt
// binaries for every platform they ship, plus node-gyp-build that loads them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';

const root = path.resolve(__dirname, '..', '..', '..');
let tmp = '';
let vsix = '';
let entries: ZipEntry[] = [];

interface ZipEntry { name: string; method: number; compressedSize: number; size: number; localOffset: number }

/** Central directory of a zip file (no zip64: a .vsix is far below 4 GB). */
function readZip(buf: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  assert.ok(eocd >= 0, 'not a zip file (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'bad central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    out.push({ name: buf.toString('utf8', p + 46, p + 46 + nameLen), method, compressedSize, size, localOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

function extract(buf: Buffer, e: ZipEntry): Buffer {
  const nameLen = buf.readUInt16LE(e.localOffset + 26);
  const extraLen = buf.readUInt16LE(e.localOffset + 28);
  const start = e.localOffset + 30 + nameLen + extraLen;
  const data = buf.subarray(start, start + e.compressedSize);
  return e.method === 0 ? Buffer.from(data) : zlib.inflateRawSync(data);
}

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-vsix-test-'));
  vsix = path.join(tmp, 'test.vsix');
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'package.js'), '--out', vsix], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `scripts/package.js failed:\n${r.stdout}\n${r.stderr}`);
  entries = readZip(fs.readFileSync(vsix));
});

after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const names = () => entries.map((e) => e.name);
const ext = (p: string) => `extension/${p}`;

test('carries the bundles, the manifest, the webview assets, the grammars and the rule docs', () => {
  const n = new Set(names());
  for (const f of ['package.json', 'dist/extension.js', 'dist/server.js', 'media/replay.js', 'media/replay.css',
    'grammars/syntaxes/patch-mail.tmLanguage.json', 'grammars/syntaxes/litmus.tmLanguage.json', 'grammars/queries/c-functions.scm']) {
    assert.ok(n.has(ext(f)), `missing ${f}`);
  }
  const docs = names().filter((x) => x.startsWith(ext('docs/rules/')) && x.endsWith('.md'));
  if (fs.existsSync(path.join(root, 'docs', 'rules'))) {
    const want = fs.readdirSync(path.join(root, 'docs', 'rules')).filter((f) => f.endsWith('.md'));
    assert.equal(docs.length, want.length, 'every docs/rules/*.md is shipped');
  }
});

test('every grammar and language configuration the manifest names is in the .vsix', () => {
  const buf = fs.readFileSync(vsix);
  const manifest = JSON.parse(extract(buf, entries.find((e) => e.name === ext('package.json'))!).toString('utf8'));
  const refs: string[] = [manifest.main];
  for (const g of manifest.contributes.grammars) refs.push(g.path);
  for (const l of manifest.contributes.languages) if (l.configuration) refs.push(l.configuration);
  refs.push(manifest.icon);
  for (const j of manifest.contributes.jsonValidation) refs.push(j.url);
  for (const v of Object.values(manifest.contributes.viewsContainers as Record<string, { icon: string }[]>).flat()) refs.push(v.icon);
  const n = new Set(names());
  for (const r of refs) assert.ok(n.has(ext(path.posix.normalize(r))), `manifest points at ${r}, which is not packaged`);
  assert.equal(manifest.devDependencies, undefined, 'no devDependencies in the shipped manifest');
});

test('from node_modules: only tree-sitter, tree-sitter-c and node-gyp-build', () => {
  const pkgs = new Set(names().filter((x) => x.startsWith(ext('node_modules/'))).map((x) => x.split('/')[2]));
  assert.deepEqual([...pkgs].sort(), ['node-gyp-build', 'tree-sitter', 'tree-sitter-c']);
  // No sources, build trees or source maps.
  for (const x of names()) {
    assert.ok(!/\/(src|build|vendor)\/.*\.(c|cc|h)$/.test(x), `source file shipped: ${x}`);
    assert.ok(!x.endsWith('.map'), `source map shipped: ${x}`);
    assert.ok(!x.includes('/build/Release/'), `local build tree shipped: ${x}`);
  }
});

test('the prebuilt binaries for every platform tree-sitter and tree-sitter-c ship', () => {
  for (const [mod, file] of [['tree-sitter', 'tree-sitter.node'], ['tree-sitter-c', 'tree-sitter-c.node']]) {
    const platforms = fs.readdirSync(path.join(root, 'node_modules', mod, 'prebuilds'));
    assert.ok(platforms.length >= 3, `${mod} ships prebuilds for several platforms`);
    for (const p of platforms) {
      const e = entries.find((x) => x.name === ext(`node_modules/${mod}/prebuilds/${p}/${file}`));
      assert.ok(e, `${mod} prebuild for ${p} missing`);
      assert.ok(e.size > 100_000, `${mod} prebuild for ${p} is too small (${e.size} bytes)`);
    }
  }
});

test('the packaged tree-sitter binaries for this platform load and parse C', { skip: !['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'].includes(`${process.platform}-${process.arch}`) }, () => {
  // Unpack the runtime part of the extension and load tree-sitter from it, as the server does.
  const buf = fs.readFileSync(vsix);
  const dir = path.join(tmp, 'unpacked');
  for (const e of entries) {
    if (!e.name.startsWith('extension/node_modules/')) continue;
    const dst = path.join(dir, e.name);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.writeFileSync(dst, extract(buf, e));
  }
  const script = `
    const Parser = require(${JSON.stringify(path.join(dir, 'extension/node_modules/tree-sitter'))});
    const C = require(${JSON.stringify(path.join(dir, 'extension/node_modules/tree-sitter-c'))});
    const p = new Parser(); p.setLanguage(C);
    const t = p.parse('int f(struct page *page) { get_page(page); return 0; }');
    process.stdout.write(t.rootNode.firstChild.type);`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, `loading the packaged tree-sitter failed:\n${r.stderr}`);
  assert.equal(r.stdout, 'function_definition');
});

test('the .vsix stays small', () => {
  const mb = fs.statSync(vsix).size / 1024 / 1024;
  assert.ok(mb < 10, `.vsix is ${mb.toFixed(2)} MB`);
});

test('the manifest: kernel-style editor defaults for patches, a PNG icon, the replay view in the bottom panel, the config schema', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  assert.deepEqual(manifest.contributes.configurationDefaults['[mm-patch]'], { 'editor.tabSize': 8, 'editor.insertSpaces': false, 'editor.detectIndentation': false });
  const icon = fs.readFileSync(path.join(root, manifest.icon));
  assert.equal(icon.subarray(1, 4).toString('latin1'), 'PNG');
  assert.ok(icon.readUInt32BE(16) >= 128 && icon.readUInt32BE(20) >= 128, 'at least 128x128');
  const panel = manifest.contributes.viewsContainers.panel.find((c: { id: string }) => c.id === 'mmReview');
  assert.ok(panel);
  assert.deepEqual(manifest.contributes.views.mmReview.map((v: { id: string; type: string }) => [v.id, v.type]), [['mmReview.replayView', 'webview']]);
  assert.equal(manifest.contributes.configuration.properties['mmReview.replayLocation'].default, 'panel');
  assert.deepEqual(manifest.contributes.jsonValidation, [{ fileMatch: '.mm-review.json', url: './docs/mm-review.schema.json' }]);
});
