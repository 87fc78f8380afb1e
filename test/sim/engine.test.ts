import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LitmusSyntaxError, formatHerd, parseLitmus, runLitmus } from 'mm-review-server/sim/index';
import { EvSet, Rel } from 'mm-review-server/sim/relation';
import { commandOf } from 'mm-review-server/cli/args';
import { litmusCommand } from 'mm-review-server/cli/litmus';

/** `mm-review litmus` as the CLI runs it (the one argument parser, cli/args.ts). */
const simCommands = { litmus: { run: commandOf(litmusCommand) } };
import { OWN_LITMUS } from './helpers';

const MP = `C MP+test
(* Result: Sometimes *)
{}
P0(int *x, int *y)
{
	WRITE_ONCE(*x, 1);
	WRITE_ONCE(*y, 1);
}
P1(int *x, int *y)
{
	int r0;
	int r1;
	r0 = READ_ONCE(*y);
	r1 = READ_ONCE(*x);
}
exists (1:r0=1 /\\ 1:r1=0)
`;

test('relation algebra: ; | & \\ ^-1 + * and acyclicity', () => {
  const r = Rel.fromPairs(4, [[0, 1], [1, 2]]);
  assert.deepEqual(r.seq(r).pairs(), [[0, 2]]);
  assert.deepEqual(r.plus().pairs(), [[0, 1], [0, 2], [1, 2]]);
  assert.equal(r.star().has(3, 3), true);
  assert.deepEqual(r.inv().pairs(), [[1, 0], [2, 1]]);
  assert.deepEqual(r.union(Rel.fromPairs(4, [[2, 3]])).minus(Rel.fromPairs(4, [[0, 1]])).pairs(), [[1, 2], [2, 3]]);
  assert.deepEqual(r.dom(EvSet.of(4, [1])).pairs(), [[1, 2]]);
  assert.deepEqual(r.ran(EvSet.of(4, [1])).pairs(), [[0, 1]]);
  assert.equal(r.acyclic(), true);
  const cyc = r.union(Rel.fromPairs(4, [[2, 0]]));
  assert.equal(cyc.acyclic(), false);
  assert.deepEqual(cyc.findCycle(), [0, 1, 2]);
  assert.equal(cyc.plus().irreflexive(), false);
  // wide relations (more than 32 events) use several words per row
  const big = Rel.fromPairs(70, [[0, 40], [40, 69], [69, 5]]);
  assert.equal(big.plus().has(0, 5), true);
  assert.equal(big.acyclic(), true);
});

test('parser: header, doc string, init block with pointers and ATOMIC_INIT, locations, filter', () => {
  const t = parseLitmus(`C my-test "doc here"
(* Result: Never *)
{ int x = 1; int *p = &x; q=y; atomic_t v = ATOMIC_INIT(3); 0:r1=x; spinlock_t l; }
P0(int *x, int **p) { int r0 = READ_ONCE(*x); if (r0 == 1 && !0) { WRITE_ONCE(*x, r0 + 1); } else WRITE_ONCE(*x, 7); }
locations [x; 0:r0]
filter (0:r0=1)
exists (x=2 \\/ ~(0:r0=1) /\\ p=x)
`);
  assert.equal(t.name, 'my-test');
  assert.equal(t.doc, 'doc here');
  assert.deepEqual(t.init.map((i) => (i.k === 'loc' ? `${i.name}=${i.value}` : `${i.thread}:${i.name}=${i.value}`)),
    ['x=1', 'p=x', 'q=y', 'v=3', '0:r1=x', 'l=undefined']);
  assert.equal(t.procs.length, 1);
  assert.deepEqual(t.locations, [{ thread: null, name: 'x' }, { thread: 0, name: 'r0' }]);
  assert.ok(t.filter);
  assert.equal(t.kind, 'exists');
  assert.equal(t.condText, '(x=2 \\/ ~(0:r0=1) /\\ p=x)');
  assert.ok(t.comments.some((c) => /Result: Never/.test(c)));
});

test('syntax errors carry line and column', () => {
  const cases: [string, number, number, RegExp][] = [
    ['C t\n{}\nP0(int *x) {\n  WRITE_ONCE(*x 1);\n}\nexists (x=1)\n', 4, 17, /expected '\)'/],
    ['C t\n{}\nP0(int *x) {\n  WRITE_ONCE(*x, 1)\n}\nexists (x=1)\n', 5, 1, /expected ';'/],
    ['C t\n{}\nP0(int *x) {\n  WRITE_ONCE(*x, 1);\n}\nexists (x=1) junk\n', 6, 14, /expected 'exists'.* but found 'junk'/],
    ['X86 t\n{}\n', 1, 1, /only C litmus/],
    ['C t\n{}\nP0(int *x) {\n  while (1) ;\n}\nexists (x=1)\n', 4, 3, /not supported/],
    ['C t\n{}\nP0(int *x) {\n  frobnicate(x);\n}\nexists (x=1)\n', 4, 3, /unknown function 'frobnicate'/],
    ['C t\n{}\nP0(int *x) {\n  WRITE_ONCE(*x, 1);\n}\nexists (x=\n', 7, 1, /expected a value/],
  ];
  for (const [src, line, column, msg] of cases) {
    assert.throws(() => runLitmus(src), (e: unknown) => {
      assert.ok(e instanceof LitmusSyntaxError, String(e));
      assert.match(e.message, msg);
      assert.deepEqual([e.line, e.column], [line, column], e.message);
      return true;
    });
  }
});

test('formatHerd prints the herd7 layout', () => {
  const r = runLitmus(MP);
  assert.equal(formatHerd(r), [
    'Test MP+test Allowed',
    'States 4',
    '1:r0=0; 1:r1=0;',
    '1:r0=0; 1:r1=1;',
    '1:r0=1; 1:r1=0;',
    '1:r0=1; 1:r1=1;',
    'Ok',
    'Witnesses',
    'Positive: 1 Negative: 3',
    'Condition exists (1:r0=1 /\\ 1:r1=0)',
    'Observation MP+test Sometimes 1 3',
    '',
  ].join('\n'));
});

test('a witness names events, values, rf and co with source lines', () => {
  const r = runLitmus(MP);
  const w = r.witnesses[0];
  const ry = w.events.find((e) => e.thread === 1 && e.loc === 'y')!;
  const rx = w.events.find((e) => e.thread === 1 && e.loc === 'x')!;
  assert.equal(ry.value, 1);
  assert.equal(rx.value, 0);
  assert.equal(ry.line, 13);
  assert.equal(ry.text, 'r0 = READ_ONCE(*y);');
  assert.equal(ry.annotation, 'once');
  const wy = w.events.find((e) => e.thread === 0 && e.loc === 'y')!;
  assert.deepEqual(w.rf.find((x) => x.read === ry.id), { read: ry.id, write: wy.id });
  assert.deepEqual(w.rf.find((x) => x.read === rx.id), { read: rx.id, write: null });
  assert.deepEqual(w.co, { x: [w.events.find((e) => e.thread === 0 && e.loc === 'x')!.id], y: [wy.id] });
  assert.equal(w.final['1:r0'], 1);
});

test('bounds: hitting the execution bound gives Incomplete, and no more of a verdict than was established', () => {
  const src = fs.readFileSync(path.join(OWN_LITMUS, 'IRIW+acquires.litmus'), 'utf8');
  const truth = runLitmus(src);
  assert.equal(truth.complete, true);
  const r = runLitmus(src, { maxExecutions: 3 });
  assert.equal(r.complete, false);
  const out = formatHerd(r);
  assert.match(out, /^Incomplete$/m);
  // whatever the bounded run says, the true verdict is among the possibilities it leaves
  assert.ok(r.possible.includes(truth.observation), `${r.possible} vs ${truth.observation}`);
  const obs = /^Observation \S+ (\S+) (\S+) (\S+)$/m.exec(out)!;
  assert.ok(obs[1] === 'Incomplete' || (r.possible.length === 1 && obs[1] === truth.observation), out);
  assert.match(obs[2], /\+$|^0$/); // counts are lower bounds ("3+") unless exact ("0" for a settled Never)
});

test('no final condition is herd7\'s forall (true)', () => {
  const r = runLitmus('C t\n{}\nP0(int *x) {\n  WRITE_ONCE(*x, 1);\n}\n');
  assert.equal(r.kind, 'forall');
  assert.equal(r.condition, 'forall (true)');
  assert.equal(r.observation, 'Always');
});

test('forall and ~exists', () => {
  const all = runLitmus(fs.readFileSync(path.join(OWN_LITMUS, 'counter+atomicincs.litmus'), 'utf8'));
  assert.equal(all.kind, 'forall');
  assert.match(formatHerd(all), /^Test counter\+atomicincs Required\nStates 1\nx=2;\nOk$/m);
  const neg = runLitmus(fs.readFileSync(path.join(OWN_LITMUS, 'SB+mbs-negated.litmus'), 'utf8'));
  assert.equal(neg.kind, '~exists');
  assert.match(formatHerd(neg), /^Ok$/m);
  assert.match(formatHerd(neg), /Observation SB\+mbs-negated Never 0 3/);
});

function cliIO() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out, err,
    io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), readStdin: async () => Buffer.from(MP), cwd: OWN_LITMUS },
  };
}

test('CLI: mm-review litmus prints herd7 text and JSON; errors exit 2 with file:line:col', async () => {
  const a = cliIO();
  assert.equal(await simCommands.litmus.run(['SB+xchgs.litmus'], a.io), 0);
  assert.match(a.out.join(''), /^Observation SB\+xchgs Never 0 3$/m);

  const b = cliIO();
  assert.equal(await simCommands.litmus.run(['--format', 'json', '-'], b.io), 0);
  const j = JSON.parse(b.out.join(''));
  assert.equal(j[0].name, 'MP+test');
  assert.equal(j[0].observation, 'Sometimes');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'litmus-'));
  const bad = path.join(dir, 'bad.litmus');
  fs.writeFileSync(bad, 'C bad\n{}\nP0(int *x) {\n  WRITE_ONCE(*x 1);\n}\nexists (x=1)\n');
  const c = cliIO();
  assert.equal(await simCommands.litmus.run([bad], c.io), 2);
  assert.equal(c.err.join(''), `${bad}:4:17: expected ')' to close the call to WRITE_ONCE but found '1'\n`);

  const d = cliIO();
  assert.equal(await simCommands.litmus.run([path.join(dir, 'missing.litmus')], d.io), 2);
  assert.match(d.err.join(''), /cannot read/);
  const e = cliIO();
  assert.equal(await simCommands.litmus.run(['--format', 'xml', 'x'], e.io), 2);
  assert.equal(await simCommands.litmus.run([], e.io), 2);

  // an unsupported construct: the verdict is "unsupported", with the position
  const unsup = path.join(dir, 'unsup.litmus');
  fs.writeFileSync(unsup, 'C uses-memb\n{}\nP0(int *x) {\n  smp_memb();\n}\nexists (x=1)\n');
  const f = cliIO();
  assert.equal(await simCommands.litmus.run([unsup], f.io), 2);
  assert.match(f.out.join(''), /^Test uses-memb unsupported\n.*unsup\.litmus:4:3: unsupported: unknown function 'smp_memb'/);
  const g = cliIO();
  assert.equal(await simCommands.litmus.run(['--format', 'json', unsup, 'SB+xchgs.litmus'], g.io), 2);
  const j2 = JSON.parse(g.out.join(''));
  assert.deepEqual([j2[0].observation, j2[0].error.line, j2[0].error.column], ['unsupported', 4, 3]);
  assert.equal(j2[1].observation, 'Never'); // the other file still runs
});

test('value domains: values written before a path is abandoned, and constants stored under a condition, are reachable (herd7: Sometimes 1 2, Sometimes 1 4)', () => {
  // P1 stores &x to z only when it reads y=1, then reads z back: before z's
  // domain holds x, that path dereferences 0 and is abandoned; its write must
  // still reach the domain (CoWR then makes r2 = x)
  const ppoca = `C PPOCA\n{}\nP0(int *x, int *y)\n{\n\tWRITE_ONCE(*x, 1);\n\tsmp_store_release(y, 1);\n}\nP1(int *x, int *y, int *z)\n{\n\tr1 = READ_ONCE(*y);\n\tif (r1) {\n\t\tWRITE_ONCE(*z, x);\n\t\tr2 = READ_ONCE(*z);\n\t\tr3 = READ_ONCE(*r2);\n\t}\n}\nexists (1:r1=1 /\\ 1:r2=x /\\ 1:r3=0)\n`;
  const a = runLitmus(ppoca);
  assert.deepEqual([a.observation, a.positive, a.negative, a.states.length], ['Sometimes', 1, 2, 3]);
  // r1 = 1 is stored only if x reads non-zero, and x only gets what y had:
  // a cycle no dependency forbids (the if ends before the store), so 1 is reachable
  const cycle = `C crypto-control-data\n{}\nP0(int *x, int *y)\n{\n\tint r1;\n\tr1 = 1;\n\tif (READ_ONCE(*x) == 0)\n\t\tr1 = 0;\n\tWRITE_ONCE(*y, r1);\n}\nP1(int *x, int *y)\n{\n\tint r2;\n\tr2 = READ_ONCE(*y);\n\tWRITE_ONCE(*x, r2);\n}\nexists (0:r1=1)\n`;
  const b = runLitmus(cycle);
  assert.deepEqual([b.observation, b.positive, b.negative, b.states.length], ['Sometimes', 1, 4, 2]);
});
