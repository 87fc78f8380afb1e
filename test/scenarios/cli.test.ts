// `mm-review scenarios | replay | export-litmus`, run as a real process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { listScenarios, exportLitmus } from 'mm-review-server/sim/scenarios/index';
import { runLitmus } from 'mm-review-server/sim/index';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'server', 'bin', 'mm-review.js');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('scenarios --format json: the documented array', () => {
  const r = cli(['scenarios', '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(j, listScenarios());
  assert.deepEqual(Object.keys(j[0]), ['id', 'title', 'seed', 'variants']);
  assert.deepEqual(j[0].variants, ['buggy', 'fixed']);
});

test('scenarios (text): one line per scenario', () => {
  const r = cli(['scenarios']);
  assert.equal(r.code, 0);
  const lines = r.out.trim().split('\n');
  assert.equal(lines.length, 9);
  assert.match(lines[0], /^S1 +seed 000 +GUP pin vs test_set_page_writeback/);
  assert.match(lines[7], /^S8 +generic/);
  assert.match(lines[8], /^S9 +seed 002 +Page fault vs mmap\(MAP_FIXED\)/);
});

test('replay --format json: scenario, variant, verdict string, cpus, steps with source lines, invariant', () => {
  const r = cli(['replay', 'S4', '--format', 'json', '--param', 'function=gup_huge_pmd', '--param', 'line=31']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.scenario, 'S4');
  assert.equal(j.variant, 'buggy');
  assert.equal(j.verdict, 'Sometimes');
  assert.equal(j.lkmm.observation, 'Sometimes');
  assert.equal(j.cpus[0].name, 'CPU0: gup_huge_pmd (GUP-fast, IRQs off)');
  assert.match(j.invariant, /gup_huge_pmd follows the old pmd and reads a pte from a page table that was already freed/);
  for (const s of j.steps) {
    assert.equal(typeof s.cpu, 'number');
    assert.equal(typeof s.text, 'string');
    assert.equal(typeof s.source.line, 'number');
  }
  const off = j.steps.find((s: { text: string }) => s.text === 'local_irq_save(flags)');
  assert.equal(off.source.patchLine, 31);
  const use = j.steps.find((s: { text: string }) => /^pte = READ_ONCE/.test(s.text));
  assert.equal(use.reads.value, 2, 'the pte read sees the freed table');
  assert.equal(j.params.line, 31);
  const f = JSON.parse(cli(['replay', 'S4', '--variant', 'fixed', '--format', 'json']).out);
  assert.equal(f.verdict, 'Never');
  assert.equal(f.outcome.reachable, false);
});

test('replay (text) prints the table and the verdict', () => {
  const r = cli(['replay', 's7']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /CPU0: __do_fault \(speculative fault\)/);
  assert.match(r.out, /Verdict \(LKMM\): Sometimes/);
});

test('export-litmus prints the instantiated test; -o writes it; it runs to the same verdict', () => {
  const r = cli(['export-litmus', 'S2', '--variant', 'fixed', '--param', 'object=folio']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, exportLitmus('S2', 'fixed', { object: 'folio' }));
  assert.equal(runLitmus(r.out).observation, 'Never');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmr-'));
  const file = path.join(dir, 's1.litmus');
  const w = cli(['export-litmus', 'S1', '-o', file]);
  assert.equal(w.code, 0, w.err);
  assert.equal(w.out, '');
  assert.equal(runLitmus(fs.readFileSync(file, 'utf8')).observation, 'Sometimes');
  fs.rmSync(dir, { recursive: true });
});

test('bad usage exits 2 with a clear message', () => {
  const cases: [string[], RegExp][] = [
    [['replay', 'S42'], /unknown scenario 'S42' \(known: S1, S2, S3, S4, S5, S6, S7, S8, S9\)/],
    [['replay', '--finding', 'examples/qp-readahead-order.eml'], /--finding expects FILE:LINE/],
    [['replay', '--finding', 'examples/qp-readahead-order.eml:53'], /no warning-or-error finding starts on examples\/qp-readahead-order.eml:53 \(findings start on line 54\)/],
    [['replay', '--finding', 'no/such.patch:3'], /no\/such.patch: cannot read/],
    [['replay', 'S1', '--rule', 'ref-balance/leak'], /--rule goes with --finding/],
    [['export-litmus', '--finding', 'examples/qp-readahead-order.eml:54', '--rule', 'ref-balance/leak'], /no warning-or-error finding of ref-balance\/leak/],
    [['replay'], /expected exactly one scenario id/],
    [['replay', 'S1', 'S2'], /expected exactly one scenario id/],
    [['replay', 'S1', '--variant', 'worse'], /--variant must be one of buggy, fixed/],
    [['replay', 'S1', '--format', 'xml'], /--format must be one of text, json/],
    [['replay', 'S1', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['replay', 'S1', '--param', 'novalue'], /--param expects key=value/],
    [['replay', 'S1', '--param', 'line=-3'], /line=N needs a positive integer/],
    [['export-litmus', 'nope'], /unknown scenario 'nope'/],
    [['export-litmus', 'S1', '-o', '/nonexistent-dir/x.litmus'], /cannot write/],
    [['scenarios', '--format', 'yaml'], /--format must be one of text, json/],
  ];
  for (const [args, re] of cases) {
    const r = cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re, args.join(' '));
    assert.equal(r.out, '', `${args.join(' ')}: nothing on stdout`);
  }
});

test('replay --finding FILE:LINE replays the finding\'s own race; check names that command for every finding', () => {
  const check = cli(['check', 'examples/qp-readahead-order.eml']);
  assert.match(check.out, /^examples\/qp-readahead-order\.eml:54:4: note: replay: mm-review replay --finding examples\/qp-readahead-order\.eml:54$/m);
  const r = cli(['replay', '--finding', 'examples/qp-readahead-order.eml:54', '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.scenario, 'speculative');
  assert.equal(j.verdict, 'Sometimes');
  assert.deepEqual(j.finding, { rule: 'spec-ref/get-on-lockless-lookup', function: 'ra_probe_folio', line: 54, file: 'mm/readahead.c' });
  assert.equal(j.cpus[0].name, 'CPU0: ra_probe_folio()');
  const get = j.steps.find((s: { text: string }) => s.text === 'folio_get(folio)');
  assert.deepEqual(get.origin, { kind: 'patch', line: 54, fileLine: 119 });
  const f = JSON.parse(cli(['replay', '--finding', 'examples/qp-readahead-order.eml:54', '--variant', 'fixed', '--format', 'json']).out);
  assert.equal(f.verdict, 'Never');
  assert.match(f.fixReason, /folio_try_get\(\) never takes a reference on a refcount of 0/);
  const lit = cli(['export-litmus', '--finding', 'examples/qp-readahead-order.eml:54']);
  assert.equal(lit.code, 0, lit.err);
  assert.match(lit.out, /^C speculative-buggy\n/);
  assert.equal(runLitmus(lit.out).observation, 'Sometimes');
});
