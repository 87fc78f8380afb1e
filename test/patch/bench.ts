/**
 * Parser benchmark (not a test: run it by hand after `npx tsc -b`):
 *
 *   node test/out/patch/bench.js [runs]
 *
 * Prints the median parse time of each seed, of seed 004 repeated to 50 MB,
 * and of a few pathological 50 MB inputs, plus the heap used after parsing.
 */
import { parseDocument } from 'mm-review-server/patch/parse';
import { example, seed } from './helpers';

const MB50 = 50 * 1024 * 1024;
const repeatTo = (s: string, n: number) => s.repeat(Math.ceil(n / s.length)).slice(0, n);

const inputs: Array<[string, () => string]> = [
  ['seed 000 (lore message page, 51 KB)', () => seed(0)],
  ['seed 001 (patchwork page, 24 KB)', () => seed(1)],
  ['seed 002 (flattened QP mail, 12 KB)', () => seed(2)],
  ['seed 003 (mangled diffs, 11 KB)', () => seed(3)],
  ['seed 004 (lore thread, 208 KB)', () => seed(4)],
  ['examples/gup-stable-pin-series.mbox', () => example('gup-stable-pin-series.mbox')],
  ['seed 004 repeated to 50 MB', () => repeatTo(seed(4), MB50)],
  ['50 MB of small git diffs', () => repeatTo('diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1,3 +1,3 @@ int f(void)\n {\n-\treturn 0;\n+\treturn 1;\n }\n', MB50)],
  ['50 MB of mangled (wrapped, tab-less) hunks', () => repeatTo('--- a/x.c\n+++ b/x.c\n@@ -1,3 +1,3 @@ int f(struct a *a, \nstruct b *b)\n        int x;\n-       x = 1;\n+       x = 2;\nreturn x;\n', MB50)],
  ['50 MB quoted-printable mail', () => 'From: a\nSubject: x\nContent-Transfer-Encoding: quoted-printable\n\n' + repeatTo('diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1 +1 @@\n-x =3D 1;\n+x =3D 2; /* a long line that is soft=\n broken */\n', MB50)],
  ['50 MB on one line', () => 'x'.repeat(MB50)],
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

const runs = Math.max(1, Number(process.argv[2] ?? 5));
for (const [name, make] of inputs) {
  const text = make();
  const big = text.length > 10_000_000;
  const times: number[] = [];
  let files = 0;
  for (let r = 0; r < (big ? Math.min(runs, 3) : runs); r++) {
    const t0 = process.hrtime.bigint();
    const doc = parseDocument(text);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    files = doc.messages.reduce((a, m) => a + m.files.length, 0);
  }
  const heap = process.memoryUsage().heapUsed / 1e6;
  console.log(`${name.padEnd(46)} ${String(text.length).padStart(9)} chars  median ${median(times).toFixed(1).padStart(8)} ms  files ${String(files).padStart(7)}  heap ${heap.toFixed(0)} MB`);
}
