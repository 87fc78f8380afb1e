/**
 * The CLI a reviewer reads: --help on every subcommand (one parser), findings
 * with a race name the command that replays them, the stderr summary comes
 * after the last finding on a shared terminal, the reviewer's
 * .mm-review.json (--config), SARIF fingerprints, URIs and invocations.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'server', 'bin', 'mm-review.js');
const SERIES = path.join(ROOT, 'examples', 'gup-stable-pin-series.mbox');

function cli(args: string[], opts: { cwd?: string; input?: string } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, input: opts.input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const SUBCOMMANDS = ['check', 'parse', 'rules', 'litmus', 'scenarios', 'replay', 'export-litmus'];

describe('mm-review: one parser, --help everywhere', () => {
  it('every subcommand answers --help (and -h, and help CMD) on stdout with exit 0', () => {
    const top = cli(['--help']);
    assert.equal(top.code, 0);
    for (const c of SUBCOMMANDS) {
      assert.match(top.out, new RegExp(`^  ${c} `, 'm'), `${c} listed`);
      for (const args of [[c, '--help'], [c, '-h'], ['help', c], [c, 'whatever', '--help']]) {
        const r = cli(args);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
        assert.match(r.out, new RegExp(`^usage: mm-review ${c}\\b`), args.join(' '));
        assert.match(r.out, /^options:$/m);
        assert.match(r.out, /-h, --help/);
        assert.equal(r.err, '');
      }
    }
  });

  it('usage errors say which command, what is wrong, and where the help is; exit 2', () => {
    for (const c of SUBCOMMANDS) {
      const r = cli([c, '--no-such-flag']);
      assert.equal(r.code, 2, c);
      assert.match(r.err, new RegExp(`^mm-review ${c}: Unknown option '--no-such-flag'\\n\\(see mm-review ${c} --help\\)\\n$`));
      assert.equal(r.out, '');
    }
    assert.match(cli(['check', '--format', 'xml', 'x']).err, /--format must be one of text, json, sarif \(got 'xml'\)/);
    assert.match(cli(['litmus', '--timeout-ms', '0', 'x.litmus']).err, /--timeout-ms needs a positive integer/);
  });
});

describe('mm-review check: what a reviewer reads', () => {
  it('a finding with a race names the command that replays it, and that command replays it', () => {
    const r = cli(['check', 'examples/gup-stable-pin-series.mbox']);
    const notes = r.out.split('\n').filter((l) => l.includes(': note: replay: '));
    const json = JSON.parse(cli(['check', '--format', 'json', 'examples/gup-stable-pin-series.mbox']).out).files[0].findings;
    const races = json.filter((f: any) => f.scenario && (f.severity === 'warning' || f.severity === 'error'));
    assert.equal(notes.length, races.length);
    assert.ok(races.length >= 2);
    for (const f of races) {
      const line = f.range.start.line + 1;
      const cmd = `mm-review replay --finding examples/gup-stable-pin-series.mbox:${line}`;
      assert.ok(notes.some((n) => n.startsWith(`examples/gup-stable-pin-series.mbox:${line}:`) && n.endsWith(cmd)), cmd);
      const rep = cli(['replay', '--finding', `examples/gup-stable-pin-series.mbox:${line}`, '--format', 'json']);
      assert.equal(rep.code, 0, rep.err);
      const j = JSON.parse(rep.out);
      assert.equal(j.scenario, f.scenario);
      assert.equal(j.params.function, f.scenarioParams.function);
    }
    assert.match(r.err, /\d+ with a race replay \(mm-review replay --finding FILE:LINE\)/);
    const none = cli(['replay', '--finding', 'examples/gup-stable-pin-series.mbox:1']);
    assert.equal(none.code, 2);
    assert.match(none.err, /no warning-or-error finding starts on examples\/gup-stable-pin-series\.mbox:1 \(findings start on lines \d+/);
  });

  it('long explanations: the message stays short, the rest follows as a note at the same place', () => {
    const r = cli(['check', 'examples/gup-stable-pin-series.mbox']);
    const lines = r.out.split('\n');
    const i = lines.findIndex((l) => l.includes('[barrier/store-load-order]'));
    assert.ok(i >= 0);
    const msg = / warning: (.*) \[barrier\/store-load-order\]$/.exec(lines[i])![1];
    assert.ok(msg.length <= 205, msg);
    assert.match(lines[i + 1], /^examples\/gup-stable-pin-series\.mbox:\d+:\d+: note: .*Use smp_mb\(\) here\.$/);
  });

  it('on one terminal (stdout and stderr into the same file), the summary comes after the last finding, on its own line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-review-tty-'));
    const out = path.join(dir, 'both.txt');
    // a big output (many files): stdout is written in many chunks
    const args = ['check', ...Array.from({ length: 30 }, () => 'examples')];
    const fd = fs.openSync(out, 'w');
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    assert.equal(r.status, 1);
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.match(lines[lines.length - 1], /^\d+ finding\(s\) in 90 file\(s\)/);
    for (const l of lines.slice(0, -1)) assert.match(l, /^examples\/[\w.-]+:\d+:\d+: (error|warning|info|note): /);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('mm-review check --config: the reviewer\'s .mm-review.json', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-review-cfg-'));
    fs.mkdirSync(path.join(dir, '.git'));
    fs.copyFileSync(SERIES, path.join(dir, 'series.mbox'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const rules = (out: string) => JSON.parse(out).files[0].findings.filter((f: any) => f.category !== 'input').map((f: any) => `${f.rule} ${f.severity}`);

  it('dismissals (by the fingerprint the JSON output gives) and severities; found in the working directory, or given with --config', () => {
    const before = JSON.parse(cli(['check', '--format', 'json', 'series.mbox'], { cwd: dir }).out).files[0].findings;
    const leak = before.find((f: any) => f.rule === 'ref-balance/leak');
    assert.match(leak.fingerprint, /^[0-9a-f]{20}$/);
    const cfg = { severity: { 'atomic-sleep': 'off', 'barrier/store-load-order': 'error' }, dismissed: [{ fingerprint: leak.fingerprint, rule: leak.rule, reason: 'the caller unpins on error' }] };
    fs.writeFileSync(path.join(dir, '.mm-review.json'), JSON.stringify(cfg));
    const want = ['spec-ref/no-revalidation error', 'barrier/store-load-order error'];
    assert.deepEqual(rules(cli(['check', '--format', 'json', 'series.mbox'], { cwd: dir }).out), want);
    fs.renameSync(path.join(dir, '.mm-review.json'), path.join(dir, 'review.json'));
    assert.deepEqual(rules(cli(['check', '--format', 'json', '--config', 'review.json', 'series.mbox'], { cwd: dir }).out), want);
    fs.renameSync(path.join(dir, 'review.json'), path.join(dir, '.mm-review.json'));
    assert.equal(rules(cli(['check', '--format', 'json', '--no-config', 'series.mbox'], { cwd: dir }).out).length, 4);
    const t = cli(['check', 'series.mbox'], { cwd: dir });
    assert.match(t.err, /dismissals from \.mm-review\.json/);
  });

  it('a broken config is reported on stderr and ignored; a missing --config file is an input error', () => {
    fs.writeFileSync(path.join(dir, 'bad.json'), '{ "severity": { "x": "loud" }, "colour": 1 }');
    const r = cli(['check', '--format', 'json', '--config', 'bad.json', 'series.mbox'], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.err, /bad\.json: unknown key "colour"/);
    assert.match(r.err, /severity of "x" must be/);
    const m = cli(['check', '--config', 'nope.json', 'series.mbox'], { cwd: dir });
    assert.equal(m.code, 2);
    assert.match(m.err, /--config nope\.json: no such file/);
  });
});

describe('mm-review check --format sarif', () => {
  it('partialFingerprints are the findings\' fingerprints; relative artifact URIs; an https helpUri; invocations', () => {
    const s = JSON.parse(cli(['check', '--format', 'sarif', 'examples']).out);
    const j = JSON.parse(cli(['check', '--format', 'json', 'examples']).out);
    const run = s.runs[0];
    const fps = j.files.flatMap((f: any) => f.findings.map((x: any) => x.fingerprint));
    assert.deepEqual(run.results.map((r: any) => r.partialFingerprints['mmReview/v1']), fps);
    for (const r of run.results) {
      const a = r.locations[0].physicalLocation.artifactLocation;
      assert.equal(a.uriBaseId, '%SRCROOT%');
      assert.match(a.uri, /^examples\/[\w.-]+$/);
    }
    assert.equal(run.originalUriBaseIds['%SRCROOT%'].uri, `file://${ROOT}/`);
    for (const rule of run.tool.driver.rules) assert.match(rule.helpUri, /^https:\/\/.*\/docs\/rules\/[a-z-]+--[a-z0-9-]+\.md$/);
    const inv = run.invocations[0];
    assert.equal(inv.executionSuccessful, true);
    assert.deepEqual(inv.arguments, ['check', '--format', 'sarif', 'examples']);
    assert.ok(Date.parse(inv.startTimeUtc) <= Date.parse(inv.endTimeUtc));
    // a file outside the working directory: an absolute file URI
    const out = cli(['check', '--format', 'sarif', SERIES], { cwd: os.tmpdir() });
    assert.equal(JSON.parse(out.out).runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, `file://${SERIES}`);
  });
});
