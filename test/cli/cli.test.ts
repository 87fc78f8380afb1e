/** The `mm-review` CLI contract, run as a real process on real files. */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'server', 'bin', 'mm-review.js');
const EX = path.join(ROOT, 'examples');

function cli(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const TEXT_LINE = /^(.+):(\d+):(\d+): (error|warning|info|hint|note): (.+?)( \[[a-z-]+\/[a-z0-9-]+\])?$/;

describe('mm-review check', () => {
  it('text output is path:line:col: severity: message [rule], 1-based, on the right line', () => {
    // --severity hint: each repaired line too (by default they are summarised once per message)
    const r = cli(['check', '--severity', 'hint', 'examples/mangled-pinned-ptes.eml']);
    assert.ok(r.code === 0 || r.code === 1, r.err);
    const lines = r.out.trim().split('\n');
    assert.ok(lines.length > 0);
    for (const l of lines) assert.match(l, TEXT_LINE);
    const text = fs.readFileSync(path.join(EX, 'mangled-pinned-ptes.eml'), 'utf8').split('\n');
    const hdr = lines.find((l) => l.endsWith('[input/wrapped-header]'))!;
    const m = TEXT_LINE.exec(hdr)!;
    assert.match(text[Number(m[2]) - 2], /^@@ /, 'the wrapped-header repair sits on the continuation of the hunk header');
    assert.match(r.err, /finding\(s\) in 1 file\(s\)/);
  });

  it('JSON output follows the contract, with 0-based LSP ranges into the input', () => {
    const r = cli(['check', '--format', 'json', '--severity', 'hint', 'examples/mangled-pinned-ptes.eml']);
    const j = JSON.parse(r.out);
    assert.equal(j.version, 1);
    assert.equal(j.files.length, 1);
    assert.equal(j.files[0].path, 'examples/mangled-pinned-ptes.eml');
    const f = j.files[0].findings.find((x: any) => x.rule === 'input/wrapped-header');
    assert.deepEqual(Object.keys(f).sort(), ['category', 'fingerprint', 'message', 'range', 'related', 'rule', 'scenario', 'severity'].sort());
    assert.equal(f.category, 'input');
    const text = fs.readFileSync(path.join(EX, 'mangled-pinned-ptes.eml'), 'utf8').split('\n');
    assert.match(text[f.range.start.line - 1], /^@@ -100,6 \+100,69 @@/);
    assert.equal(f.range.start.character, 0);
    const cats = new Set(['ref-balance', 'ref-kind', 'spec-ref', 'barrier', 'bracket', 'atomic-sleep', 'input']);
    for (const x of j.files[0].findings) assert.ok(cats.has(x.category), x.category);
  });

  it('SARIF 2.1.0 for code-scanning tools', () => {
    const r = cli(['check', '--format', 'sarif', 'examples']);
    const s = JSON.parse(r.out);
    assert.equal(s.version, '2.1.0');
    assert.match(s.$schema, /sarif/);
    assert.equal(s.runs[0].tool.driver.name, 'mm-review');
    const res = s.runs[0].results;
    assert.ok(res.length > 0);
    const loc = res[0].locations[0].physicalLocation;
    assert.ok(loc.artifactLocation.uri.startsWith('examples/'));
    assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1);
  });

  it('reads stdin for -, and a directory means its patch and mail files', () => {
    const text = fs.readFileSync(path.join(EX, 'mangled-pinned-ptes.eml'));
    const a = cli(['check', '--format', 'json', '-'], text);
    const b = cli(['check', '--format', 'json', 'examples/mangled-pinned-ptes.eml']);
    assert.equal(JSON.parse(a.out).files[0].path, '<stdin>');
    assert.deepEqual(JSON.parse(a.out).files[0].findings, JSON.parse(b.out).files[0].findings);
    const d = cli(['check', '--format', 'json', 'examples']);
    assert.deepEqual(JSON.parse(d.out).files.map((f: any) => path.basename(f.path)), ['gup-stable-pin-series.mbox', 'mangled-pinned-ptes.eml', 'qp-readahead-order.eml']);
  });

  it('--category and --severity filter', () => {
    const all = JSON.parse(cli(['check', '--format', 'json', 'examples']).out);
    const input = JSON.parse(cli(['check', '--format', 'json', '--category', 'input', 'examples']).out);
    const warn = JSON.parse(cli(['check', '--format', 'json', '--severity', 'warning', 'examples']).out);
    const n = (j: any) => j.files.reduce((a: number, f: any) => a + f.findings.length, 0);
    assert.ok(n(input) <= n(all));
    for (const f of input.files) for (const x of f.findings) assert.equal(x.category, 'input');
    for (const f of warn.files) for (const x of f.findings) assert.ok(['warning', 'error'].includes(x.severity));
  });

  it('exit 1 when a finding is at warning level or above, 0 otherwise', () => {
    const j = JSON.parse(cli(['check', '--format', 'json', 'examples']).out);
    const worst = j.files.some((f: any) => f.findings.some((x: any) => x.severity === 'warning' || x.severity === 'error'));
    assert.equal(cli(['check', 'examples']).code, worst ? 1 : 0);
    assert.equal(cli(['check', '--severity', 'error', '--category', 'input', 'examples/qp-readahead-order.eml']).code, 0);
    // --exit-zero: findings are the expected outcome (npm start on the examples), usage errors still exit 2
    assert.equal(cli(['check', '--exit-zero', 'examples']).code, 0);
    assert.equal(cli(['check', '--exit-zero', 'no/such.patch']).code, 2);
  });
});

describe('mm-review check: repaired mail damage', () => {
  it('mail damage: one located summary per message (input/mail-damage), each repaired line a hint (shown with --severity hint)', () => {
    const text = fs.readFileSync(path.join(EX, 'mangled-pinned-ptes.eml'), 'utf8').split('\n');
    const plain = JSON.parse(cli(['check', '--format', 'json', 'examples/mangled-pinned-ptes.eml']).out).files[0].findings;
    const input = plain.filter((x: any) => x.category === 'input');
    assert.deepEqual(input.map((x: any) => `${x.rule} ${x.severity}`), ['input/mail-damage info']);
    assert.match(input[0].message, /\d+ lines with tabs expanded to spaces, \d+ wrapped lines, 1 wrapped header\. .*will not apply as sent/);
    assert.deepEqual(input[0].related.map((r: any) => r.message.split(' ')[0]), ['Hunk', 'Leading', 'Long'], 'the first repair of each kind');
    const all = JSON.parse(cli(['check', '--format', 'json', '--severity', 'hint', 'examples/mangled-pinned-ptes.eml']).out).files[0].findings;
    const hints = all.filter((x: any) => x.rule === 'input/tabs-to-spaces' && x.severity === 'hint');
    assert.ok(hints.length >= 10);
    for (const h of hints) assert.match(text[h.range.start.line], /^ {2,}|^\+ {2,}/, 'each hint on a line whose tabs were spaces');
  });

  it('seed 003 (a mangled series): the real findings are not buried under repair notes', () => {
    const seed = path.join(ROOT, 'test', 'patch', 'fixtures', 'seeds');
    const file = fs.readdirSync(seed).find((f) => f.startsWith('003_'))!;
    const r = cli(['check', path.join(seed, file)]);
    const lines = r.out.split('\n').filter((l) => /: (error|warning|info): /.test(l));
    assert.equal(lines.filter((l) => l.includes('[input/')).length, 1, r.out);
    assert.ok(lines.length >= 3 && lines.length <= 6, r.out);
  });
});

describe('mm-review: bad usage and bad input', () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-review-cli-'));
  });

  it('unknown command, unknown flag, bad --format, no FILE: exit 2 with a message', () => {
    for (const args of [['frobnicate'], ['check', '--bogus', 'x'], ['check', '--format', 'xml', 'examples'], ['check'], ['check', '--category', 'nope', 'examples'], []]) {
      const r = cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.ok(r.err.length > 0, `message for ${args.join(' ')}`);
      assert.equal(r.out, '');
    }
  });

  it('a missing file: exit 2, the path on stderr', () => {
    const r = cli(['check', 'no/such/file.patch']);
    assert.equal(r.code, 2);
    assert.match(r.err, /no\/such\/file\.patch: cannot read: no such file or directory/);
  });

  it('an empty file: an input diagnostic, exit 0', () => {
    const f = path.join(tmp, 'empty.patch');
    fs.writeFileSync(f, '');
    const r = cli(['check', '--format', 'json', f]);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.out).files[0].findings.map((x: any) => x.rule), ['input/empty']);
  });

  it('a binary file: a clear message on stderr, exit 2, no crash', () => {
    const f = path.join(tmp, 'a.out.patch');
    fs.copyFileSync(process.execPath, f);
    const r = cli(['check', f]);
    assert.equal(r.code, 2);
    assert.match(r.err, /binary data, not a patch or a mail/);
    assert.doesNotMatch(r.err, /internal error|at .*\.js:\d+/);
  });

  it('a 50 MB patch does not crash it', () => {
    const f = path.join(tmp, 'big.patch');
    const hunk = fs.readFileSync(path.join(EX, 'qp-readahead-order.eml'), 'utf8');
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size < 50 * 1024 * 1024; i++) {
      const p = `diff --git a/mm/f${i}.c b/mm/f${i}.c\n--- a/mm/f${i}.c\n+++ b/mm/f${i}.c\n@@ -1,3 +1,4 @@ static int f${i}(void)\n {\n+\tx = ${i};\n \treturn 0;\n }\n` + '+'.repeat(0);
      parts.push(p);
      size += p.length;
    }
    fs.writeFileSync(f, parts.join(''));
    const r = cli(['check', '--format', 'json', f]);
    assert.ok(r.code === 0 || r.code === 1, r.err.slice(0, 500));
    assert.equal(JSON.parse(r.out).version, 1);
    assert.ok(hunk.length > 0);
  });
});

describe('mm-review check --kernel-tree', () => {
  it('a folder that is not a kernel tree: exit 2 with a message', () => {
    const r = cli(['check', '--kernel-tree', 'examples', 'examples']);
    assert.equal(r.code, 2);
    assert.match(r.err, /not a kernel tree/);
  });

  it('in a kernel tree whose file matches the pre-image, the finding is the same and points at the patched file line', () => {
    const patch = path.join(ROOT, 'test', 'lsp', 'fixtures', 'seed004-devmap-speculative.patch');
    const lines = fs.readFileSync(patch, 'utf8').split('\n');
    const h = lines.findIndex((l) => l.startsWith('@@ '));
    const start = Number(/^@@ -(\d+)/.exec(lines[h])![1]);
    const pre: string[] = [];
    for (let i = h + 1; i < lines.length && !lines[i].startsWith('-- '); i++) if (!lines[i].startsWith('+')) pre.push(lines[i].slice(1));
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-review-tree-'));
    fs.mkdirSync(path.join(root, 'include', 'linux'), { recursive: true });
    fs.mkdirSync(path.join(root, 'mm'));
    fs.mkdirSync(path.join(root, 'arch', 'x86', 'mm'), { recursive: true });
    fs.writeFileSync(path.join(root, 'arch', 'x86', 'mm', 'gup.c'), [...Array.from({ length: start - 1 }, (_, i) => `/* ${i + 1} */`), ...pre, ''].join('\n'));
    // the tree's Makefile says which kernel it is: the seed-004 code is v4.11-era
    fs.writeFileSync(path.join(root, 'Makefile'), 'VERSION = 4\nPATCHLEVEL = 11\nSUBLEVEL = 0\n');
    const withTree = JSON.parse(cli(['check', '--format', 'json', '--kernel-tree', root, patch]).out).files[0].findings;
    const without = JSON.parse(cli(['check', '--format', 'json', '--kernel-version', '4.11', patch]).out).files[0].findings;
    const rule = (fs: any[]) => fs.filter((x) => x.category !== 'input').map((x) => `${x.rule}@${x.range.start.line}`);
    assert.deepEqual(rule(withTree), rule(without));
    assert.ok(rule(withTree).some((r) => r.startsWith('spec-ref/pgmap-hook-skipped')));
    fs.rmSync(root, { recursive: true, force: true });
  });
});

describe('mm-review parse', () => {
  it('prints messages, files, hunks and the functions they touch', () => {
    const r = cli(['parse', '--format', 'json', 'examples/gup-stable-pin-series.mbox']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    const msgs = j.files[0].messages;
    assert.equal(msgs.length, 4);
    assert.equal(msgs[0].kind, 'cover');
    assert.match(msgs[1].subject, /\[PATCH v2 1\/3\]/);
    const gup = msgs[1].files.find((f: any) => f.newPath === 'mm/gup.c');
    assert.equal(gup.status, 'modified');
    const fns = gup.hunks.flatMap((h: any) => h.functions.map((x: any) => x.name));
    assert.ok(fns.includes('pin_user_pages_stable'), fns.join(','));
    const h = gup.hunks[0];
    for (const k of ['oldStart', 'oldCount', 'newStart', 'newCount', 'section', 'functions', 'repairs']) assert.ok(k in h, k);
  });

  it('text form names the repairs of a mangled mail', () => {
    const r = cli(['parse', 'examples/mangled-pinned-ptes.eml']);
    assert.equal(r.code, 0);
    assert.match(r.out, /repaired \(wrapped-header\)/);
    assert.match(r.out, /functions: count_pinned_ptes \(added\)/);
  });
});
