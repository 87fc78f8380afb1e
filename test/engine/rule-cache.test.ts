/**
 * The keystroke path (engine `reanalyze`) reuses per-unit rule results and
 * per-function ordering analyses of the functions an edit did not touch
 * (engine/index.ts ruleCacheFor, analysis/deps.ts). It must never serve a
 * stale result: a function's findings that depend on a same-file helper the
 * patch defines change when only the helper is edited, and chains of random
 * edits give exactly what a fresh analysis of the same text gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, reanalyze, type Analysis } from 'mm-review-server/engine/index';
import { ALL_RULES } from 'mm-review-server/rules/index';
import type { Rule } from 'mm-review-server/rules/api';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { example, repoRoot } from '../patch/helpers';
import { prng } from '../patch/mutate';

const helper = (lock: string) => `
static void double_lock(spinlock_t *a, spinlock_t *b)
{
	if (a > b)
		swap(a, b);
	${lock}
	if (a != b)
		spin_lock_nested(b, SINGLE_DEPTH_NESTING);
}
`;
const caller = `
static int move_one(spinlock_t *dst, spinlock_t *src, int busy)
{
	double_lock(dst, src);
	if (busy)
		return -EAGAIN;
	spin_unlock(dst);
	if (dst != src)
		spin_unlock(src);
	return 0;
}
`;

/** A hunk adding `code` to `path` after line `at` (a new file when at is 0). */
function adding(code: string, path: string, at: number): string {
  const lines = code.replace(/^\n/, '').replace(/\n$/, '').split('\n');
  const head = at === 0 ? ['new file mode 100644', 'index 0000000..1111111', '--- /dev/null'] : ['index 1111111..2222222 100644', `--- a/${path}`];
  return [`diff --git a/${path} b/${path}`, ...head, `+++ b/${path}`, `@@ -${at},0 +${at + 1},${lines.length} @@`, ...lines.map((l) => '+' + l), ''].join('\n');
}

/** A diff of the existing file `path` with the given hunks. */
function modifying(path: string, hunks: string): string {
  return [`diff --git a/${path} b/${path}`, 'index 1111111..2222222 100644', `--- a/${path}`, `+++ b/${path}`, hunks].join('\n');
}

function mail(n: number, subject: string, diff: string): string {
  return `From 000000000000000000000000000000000000000${n} Mon Sep 17 00:00:00 2001
From: A U Thor <author@example.org>
Date: Mon, 3 Jun 2024 10:00:00 +0200
Subject: [PATCH ${n}/2] ${subject}

${subject}.

Signed-off-by: A U Thor <author@example.org>
---
${diff}--${' '}
2.45.0

`;
}

/** Patch 1 defines the helper, patch 2 (same file) its caller. */
const series = (lock: string) => mail(1, 'mm: add double_lock()', adding(helper(lock), 'mm/foo.c', 0)) + mail(2, 'mm: add move_one()', adding(caller, 'mm/foo.c', 8));

const json = (a: Analysis) => JSON.stringify(a.findings);
const callerFindings = (a: Analysis) => a.findings.filter((f) => f.function === 'move_one' && f.category !== 'input').map((f) => `${f.rule}: ${f.message}`);

test('editing only a helper the patch defines changes its caller\'s findings on the keystroke path (no stale rule result)', () => {
  let a = reanalyze(undefined, series('spin_lock(a);'), 'x.mbox');
  const before = callerFindings(a);
  assert.equal(before.length, 1, JSON.stringify(before));
  assert.match(before[0], /^bracket\/unbalanced: spinlock `dst` taken by double_lock\(\)/);
  const keptCaller = a.functions.find((f) => f.name === 'move_one');

  // the helper now takes the other lock: the caller's finding names `src`
  a = reanalyze(a, series('spin_lock(b);'), 'x.mbox');
  assert.ok(a.incremental, 'the edit is re-parsed incrementally');
  assert.equal(a.functions.find((f) => f.name === 'move_one'), keptCaller, 'the caller is kept (its message was not re-parsed): its checks are candidates for reuse');
  assert.equal(json(a), json(analyze(series('spin_lock(b);'), 'x.mbox')));
  const after = callerFindings(a);
  assert.equal(after.length, 1, JSON.stringify(after));
  assert.match(after[0], /spinlock `src` taken by double_lock\(\)/);

  // the helper no longer takes a lock on every path: the caller is clean
  a = reanalyze(a, series(''), 'x.mbox');
  assert.equal(a.functions.find((f) => f.name === 'move_one'), keptCaller);
  assert.deepEqual(callerFindings(a), []);
  assert.equal(json(a), json(analyze(series(''), 'x.mbox')));

  // and back
  a = reanalyze(a, series('spin_lock(a);'), 'x.mbox');
  assert.deepEqual(callerFindings(a), before);
  assert.equal(json(a), json(analyze(series('spin_lock(a);'), 'x.mbox')));
});

/** Patch 1 adds the helper to a file it changes, patch 2 its caller to another changed file: the caller sees the helper by name. */
const crossFileSeries = (lock: string) => mail(1, 'mm: add double_lock()', adding(helper(lock), 'mm/foo.c', 12)) + mail(2, 'mm: add move_one()', adding(caller, 'mm/bar.c', 8));

test('editing only a helper the patch adds to another changed file changes its caller\'s findings on the keystroke path', () => {
  let a = reanalyze(undefined, crossFileSeries('spin_lock(a);'), 'x.mbox');
  const before = callerFindings(a);
  assert.equal(before.length, 1, JSON.stringify(before));
  assert.match(before[0], /spinlock `dst` taken by double_lock\(\)/);
  const keptCaller = a.functions.find((f) => f.name === 'move_one');
  for (const lock of ['spin_lock(b);', '', 'spin_lock(a);']) {
    a = reanalyze(a, crossFileSeries(lock), 'x.mbox');
    assert.equal(a.functions.find((f) => f.name === 'move_one'), keptCaller, 'the caller is kept');
    assert.equal(json(a), json(analyze(crossFileSeries(lock), 'x.mbox')), lock);
  }
  assert.deepEqual(callerFindings(a), before);
});

const lockHelper = (body: string) => `
static void lock_it(struct folio *folio)
{
	${body}
}
`;
/** Patch 2 replaces a trylock by a call of lock_it(), which patch 1 adds to the same file. */
const trylockSeries = (body: string) =>
  mail(1, 'mm: add lock_it()', adding(lockHelper(body), 'mm/foo.c', 12)) +
  mail(
    2,
    'mm: use lock_it()',
    modifying(
      'mm/foo.c',
      `@@ -40,10 +40,9 @@
 static int scan_one(struct folio *folio)
 {
 \tint ret;
 
-\tif (!folio_trylock(folio))
-\t\treturn -EAGAIN;
+\tlock_it(folio);
 \tret = do_work(folio);
 \tfolio_unlock(folio);
 \treturn ret;
 }
`,
    ),
  );
const sleeps = (a: Analysis) => a.findings.filter((f) => f.rule === 'atomic-sleep/sleep-in-atomic').map((f) => f.function);

test('a trylock replaced by a same-file helper: editing only the helper changes the caller\'s finding on the keystroke path', () => {
  let a = reanalyze(undefined, trylockSeries('folio_lock(folio);'), 'x.mbox');
  assert.deepEqual(sleeps(a), ['scan_one'], 'the helper takes the lock with its sleeping form');
  const kept = a.functions.find((f) => f.name === 'scan_one' && f.message.index === 1);
  for (const body of ['folio_get(folio);', 'folio_lock(folio);']) {
    a = reanalyze(a, trylockSeries(body), 'x.mbox');
    assert.equal(a.functions.find((f) => f.name === 'scan_one' && f.message.index === 1), kept, 'the caller is kept');
    assert.deepEqual(sleeps(a), body.startsWith('folio_lock') ? ['scan_one'] : []);
    assert.equal(json(a), json(analyze(trylockSeries(body), 'x.mbox')));
  }
});

/** Patch 1 changes two functions of mm/foo.c in two hunks (an edit inside one hunk leaves the other function as it was); patch 2 another file. */
const twoFunctions = (first: string) =>
  mail(
    1,
    'mm: change alpha() and beta()',
    modifying(
      'mm/foo.c',
      `@@ -10,7 +10,7 @@
 static int alpha(struct page *page)
 {
 \tget_page(page);
-\treturn 0;
+\t${first}
 \tput_page(page);
 \treturn 1;
 }
@@ -40,8 +40,9 @@
 static int beta(struct page *page)
 {
 \tget_page(page);
+\tif (PageLocked(page))
+\t\treturn -EBUSY;
 \tput_page(page);
 \treturn 0;
 }
`,
    ),
  ) + mail(2, 'mm: add gamma()', adding('\nstatic void gamma(void)\n{\n}\n', 'mm/bar.c', 0));

test('an edit inside one function\'s hunk re-runs the rules of that function only, not of the other functions of its message', () => {
  const checked: string[] = [];
  const counting: Rule = { id: 'test/counting', category: 'ref-balance', severity: 'info', title: 't', description: 't', check: (unit) => (checked.push(unit.fn.name), []) };
  const rules = [...ALL_RULES, counting];
  let a = reanalyze(undefined, twoFunctions('return 0;'), 'x.mbox', { rules });
  assert.ok(checked.includes('alpha') && checked.includes('beta'));
  for (const first of ['return  0;', 'return 2;', 'return 0;']) {
    checked.length = 0;
    a = reanalyze(a, twoFunctions(first), 'x.mbox', { rules });
    assert.ok(a.incremental);
    assert.ok(checked.includes('alpha'), 'the edited function is checked again');
    assert.ok(!checked.includes('beta'), `beta() keeps its results (${checked.join(', ')})`);
    assert.equal(json(a), json(analyze(twoFunctions(first), 'x.mbox', { rules })), first);
  }
  // an edit of the commit message re-runs both (a rule may read the message)
  checked.length = 0;
  a = reanalyze(a, twoFunctions('return 0;').replace('Signed-off-by', 'Acked-by: X <x@example.org>\nSigned-off-by'), 'x.mbox', { rules });
  assert.ok(checked.includes('beta'));
});

test('a check that reads the whole document and finds the same again keeps its finding objects (the server sends only what changed)', () => {
  // two copies of a series whose store-buffering finding walks to the caller of its function
  const copy = (i: number) => example('gup-stable-pin-series.mbox').replace(/\b(mm|include\/linux)\/([a-z_-]+)\.(c|h)\b/g, `$1/$2_${i}.$3`);
  const text = copy(0) + copy(1);
  let a = reanalyze(undefined, text, 'x.mbox');
  const walked = a.findings.filter((f) => f.rule === 'barrier/store-load-order');
  assert.ok(walked.length >= 2, 'a store-buffering finding in each copy');
  // an edit in the second copy, inside a hunk line (one more space before a `;`)
  const at = text.lastIndexOf(';\n+');
  const edited = text.slice(0, at) + ' ' + text.slice(at);
  a = reanalyze(a, edited, 'x.mbox');
  assert.equal(json(a), json(analyze(edited, 'x.mbox')));
  const first = walked.filter((f) => f.file?.endsWith('_0.c'));
  assert.ok(first.length > 0);
  for (const f of first) assert.ok(a.findings.includes(f), `${f.rule} in ${f.function}() is the same object`);
});

function bigSeries(): string {
  const parts = ['gup-stable-pin-series.mbox', 'mangled-pinned-ptes.eml', 'qp-readahead-order.eml'].map(example);
  // barrier (store-buffering, announce, publish, removed) and context cases of the rule corpus, as more messages
  const corpus = path.join(repoRoot(), 'test', 'corpus');
  for (const f of fs.readdirSync(corpus).filter((n) => /^(2[3-9]|3[0-2]|4[1-5])-.*\.buggy\.patch$/.test(n)).sort()) parts.push(fs.readFileSync(path.join(corpus, f), 'utf8'));
  const out: string[] = [];
  for (let i = 0; i < parts.length + 6; i++) {
    // the copies share file names pairwise: same-file helpers and barrier pairs across messages
    let t = parts[i % parts.length].replace(/\b(mm|include\/linux)\/([a-z_-]+)\.(c|h)\b/g, `$1/$2_${i % 4}.$3`);
    if (!t.startsWith('From ')) t = `From mm-review-${i} Mon Sep 17 00:00:00 2001\n` + t;
    out.push(t.endsWith('\n') ? t : t + '\n');
  }
  return out.join('');
}

/** A random edit inside a hunk line of `text`: where, how many characters deleted, what inserted. */
function randomHunkEdit(text: string, rnd: () => number, snippets: readonly string[]): { at: number; del: number; ins: string } {
  const lines = text.split('\n');
  const hunk = lines.map((l, n) => (/^[-+ ]\t/.test(l) ? n : -1)).filter((n) => n >= 0);
  const line = hunk[Math.floor(rnd() * hunk.length)];
  const at = lines.slice(0, line).reduce((s, l) => s + l.length + 1, 0) + 1 + Math.floor(rnd() * Math.max(1, lines[line].length - 1));
  const del = rnd() < 0.3 ? Math.floor(rnd() * 4) : 0;
  const ins = snippets[Math.floor(rnd() * snippets.length)];
  return { at, del, ins };
}

test('chained random edits inside hunks: the keystroke path (rule cache) gives exactly a fresh analysis', () => {
  const rnd = prng(0xcace);
  let text = bigSeries();
  let a = reanalyze(undefined, text, 'x.mbox');
  let incremental = 0;
  const snippets = [' ', 'a', ';', '\n', '+\tput_page(page);\n', '+\tspin_unlock(&ptl);\n', '+\tsmp_mb();\n', '+\tWRITE_ONCE(x->a, 1);\n', 'x', ''];
  for (let i = 0; i < 60; i++) {
    const { at, del, ins } = randomHunkEdit(text, rnd, snippets);
    text = text.slice(0, at) + ins + text.slice(at + del);
    a = reanalyze(a, text, 'x.mbox');
    if (a.incremental) incremental++;
    assert.equal(json(a), json(analyze(text, 'x.mbox')), `edit ${i} at ${at} (-${del} +${JSON.stringify(ins)})`);
  }
  assert.ok(incremental > 40, `most edits take the keystroke path (${incremental}/60)`);
});

const syncHelper = (body: string) => `
static void sync_flags(struct foo *f)
{
	${body}
}
`;
const syncUsers = `
static int set_then_check(struct foo *f)
{
	WRITE_ONCE(f->ready, 1);
	sync_flags(f);
	return READ_ONCE(f->waiting);
}

static int wait_then_check(struct foo *f)
{
	WRITE_ONCE(f->waiting, 1);
	smp_mb();
	return READ_ONCE(f->ready);
}
`;
/** Patch 1 defines a helper (another file), patch 2 calls it between a store and a load whose mirror it also adds. */
const fenceSeries = (body: string) => mail(1, 'mm: add sync_flags()', adding(syncHelper(body), 'mm/foo.c', 0)) + mail(2, 'mm: add the users', adding(syncUsers, 'mm/bar.c', 0));
const storeLoad = (a: Analysis) => a.findings.filter((f) => f.rule === 'barrier/store-load-order').map((f) => f.function);

test('editing only a helper that was a full barrier brings back its caller\'s store-buffering finding (the ordering facts are part of the cache key)', () => {
  let a = reanalyze(undefined, fenceSeries('smp_mb();'), 'x.mbox');
  assert.deepEqual(storeLoad(a), [], 'a call of a function with smp_mb() orders the store before the load');
  const kept = a.functions.find((f) => f.name === 'set_then_check');
  a = reanalyze(a, fenceSeries('barrier();'), 'x.mbox');
  assert.equal(a.functions.find((f) => f.name === 'set_then_check'), kept, 'the caller is kept');
  assert.deepEqual(storeLoad(a), ['set_then_check']);
  assert.equal(json(a), json(analyze(fenceSeries('barrier();'), 'x.mbox')));
  a = reanalyze(a, fenceSeries('smp_mb();'), 'x.mbox');
  assert.deepEqual(storeLoad(a), []);
  assert.equal(json(a), json(analyze(fenceSeries('smp_mb();'), 'x.mbox')));
});

test('a store-buffering check that walked to a caller, its earlier version or a mirror is run again when only that function is edited (lspk: those walks are fingerprinted queries)', () => {
  // gup_folio_pin_stable() (patch 3) has a weak barrier; the protocol store is the pin taken in its caller
  // pin_user_pages_stable(), shown by patch 3 only in part and found in the caller's earlier version (patch 1);
  // the other side is folio_start_writeback_unpinned() (patch 3)
  const base = example('gup-stable-pin-series.mbox');
  const edits: [string, string, string][] = [
    ['the earlier version of the caller (another message)', '\tpinned = pin_user_pages_fast(start', '\tpinned = pin_user_pages_fst(start'],
    ['the caller (same message)', '+\t\tif (gup_folio_pin_stable(folio))', '+\t\tif (gup_folio_pin_stabl(folio))'],
    ['the mirror (same message)', '+\tsmp_mb__after_atomic();', '+\tbarrier();'],
  ];
  const weak = (a: Analysis) => JSON.stringify(a.findings.filter((f) => f.rule === 'barrier/store-load-order' && f.function === 'gup_folio_pin_stable'));
  for (const [what, from, to] of edits) {
    assert.equal(base.split(from).length, 2, what);
    let a = reanalyze(undefined, base, 'x.mbox');
    const before = weak(a);
    assert.ok(before.includes('pin_user_pages_stable'), 'the finding walks to the caller');
    const kept = a.functions.find((f) => f.name === 'gup_folio_pin_stable');
    const text = base.replace(from, to);
    a = reanalyze(a, text, 'x.mbox');
    assert.ok(a.incremental, what);
    if (what.includes('another')) assert.equal(a.functions.find((f) => f.name === 'gup_folio_pin_stable'), kept, 'the barrier\'s function is kept');
    assert.notEqual(weak(a), before, `editing ${what} changes the finding`);
    assert.equal(json(a), json(analyze(text, 'x.mbox')), what);
    // and back
    a = reanalyze(a, base, 'x.mbox');
    assert.equal(weak(a), before, what);
    assert.equal(json(a), json(analyze(base, 'x.mbox')), what);
  }
});

test('a store-buffering finding whose mirror is in another message follows an edit of only the mirror that leaves the ordering facts the same', () => {
  // patch 3's own mirror disabled; a copy of patch 3 (other files, other names) appended as patch 4 holds the mirror
  const base = example('gup-stable-pin-series.mbox');
  const third = base.lastIndexOf('\nFrom ') + 1;
  const copy = base
    .slice(third)
    .replace(/gup_folio_pin_stable/g, 'gup_folio_pin_other')
    .replace(/pin_user_pages_stable/g, 'pin_user_pages_other')
    .replace(/mm\/gup\.c/g, 'mm/gup_1.c')
    .replace(/mm\/page-writeback\.c/g, 'mm/page-writeback_1.c');
  const text = base.slice(0, third) + base.slice(third).replace('+\tfolio_set_writeback(folio);', '+\tfolio_xset_writeback(folio);') + copy;
  const weak = (a: Analysis) => JSON.stringify(a.findings.filter((f) => f.rule === 'barrier/store-load-order' && f.function === 'gup_folio_pin_stable'));
  let a = reanalyze(undefined, text, 'x.mbox');
  const before = weak(a);
  assert.ok(before.includes('the other side: folio_start_writeback_unpinned()'), 'the mirror is found in patch 4');
  const kept = a.functions.find((f) => f.name === 'gup_folio_pin_stable');
  // the mirror's barrier one column to the right: the same ordering facts, another range
  const at = text.lastIndexOf('+\tsmp_mb__after_atomic();') + 2;
  const edited = text.slice(0, at) + ' ' + text.slice(at);
  a = reanalyze(a, edited, 'x.mbox');
  assert.ok(a.incremental);
  assert.equal(a.functions.find((f) => f.name === 'gup_folio_pin_stable'), kept, 'the barrier\'s function is kept');
  assert.notEqual(weak(a), before, 'the mirror\'s range moved');
  assert.equal(json(a), json(analyze(edited, 'x.mbox')));
});

test('chained random edits with the edit range given (the language server\'s path, ranges wider than the change): exactly a fresh analysis', () => {
  const rnd = prng(0xcacf);
  let text = bigSeries();
  let a = reanalyze(undefined, text, 'x.mbox');
  let incremental = 0;
  const snippets = [' ', 'a', ';', '+\tsmp_mb();\n', 'x', ''];
  for (let i = 0; i < 30; i++) {
    const { at, del, ins } = randomHunkEdit(text, rnd, snippets);
    const wider = Math.floor(rnd() * 3);
    const edit = { start: Math.max(0, at - wider), oldEnd: at + del, newEnd: at + ins.length };
    edit.start = Math.min(edit.start, at);
    text = text.slice(0, at) + ins + text.slice(at + del);
    a = reanalyze(a, text, 'x.mbox', { edit });
    if (a.incremental) incremental++;
    assert.equal(json(a), json(analyze(text, 'x.mbox')), `edit ${i} at ${at} (-${del} +${JSON.stringify(ins)})`);
  }
  assert.ok(incremental > 20, `most edits take the keystroke path (${incremental}/30)`);
});

test('a store-buffering walk that passed a caller without a store follows an edit that gives that caller one (the callers it looked at are part of its record)', () => {
  // two copies of the series (other files, the same function names): the walk from copy 1's barrier meets
  // copy 0's caller first; with copy 0's pin removed it goes on to copy 1's caller
  const copy = (i: number) => example('gup-stable-pin-series.mbox').replace(/\b(mm|include\/linux)\/([a-z_-]+)\.(c|h)\b/g, `$1/$2_${i}.$3`);
  const withPin = copy(0) + copy(1);
  const from = '\tpinned = pin_user_pages_fast(start';
  const noPin = withPin.replace(from, '\tpinned = pin_user_pages_fst(start');
  const second = (a: Analysis) => JSON.stringify(a.findings.filter((f) => f.rule === 'barrier/store-load-order' && f.file === 'mm/gup_1.c'));
  let a = reanalyze(undefined, noPin, 'x.mbox');
  const before = second(a);
  assert.ok(before.includes('mm/gup_1.c:'), 'the store is found in copy 1');
  a = reanalyze(a, withPin, 'x.mbox');
  assert.ok(a.incremental);
  assert.notEqual(second(a), before, 'the walk stops at copy 0 now');
  assert.equal(json(a), json(analyze(withPin, 'x.mbox')));
  a = reanalyze(a, noPin, 'x.mbox');
  assert.equal(second(a), before);
  assert.equal(json(a), json(analyze(noPin, 'x.mbox')));
});
