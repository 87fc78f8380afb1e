/**
 * The barrier rules through the real engine: buggy/fixed pairs per rule, the
 * seed 000 protocol (written as patches from the thread's code) and the seed
 * 003 thread (as posted, and with its smp_mb() lines removed), negatives.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, type AnalyzeOptions } from 'mm-review-server/engine/index';
import type { Finding } from 'mm-review-server/engine/findings';
import { applyFix } from './helpers';

function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 10; i++) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj) && JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'mm-patch-review') return dir;
    dir = path.dirname(dir);
  }
  throw new Error('repository root not found');
}

function seed(n: number): string {
  const dir = path.join(repoRoot(), 'test', 'patch', 'fixtures', 'seeds');
  const name = fs.readdirSync(dir).find((f) => f.startsWith(String(n).padStart(3, '0') + '_'));
  assert.ok(name, `seed ${n}`);
  return fs.readFileSync(path.join(dir, name), 'utf8');
}

/** A patch adding a new file with `code`. */
function newFile(file: string, code: string): string {
  const ls = code.replace(/^\n/, '').replace(/\n$/, '').split('\n');
  return `diff --git a/${file} b/${file}\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ b/${file}\n@@ -0,0 +1,${ls.length} @@\n${ls.map((l) => '+' + l).join('\n')}\n`;
}

/** A patch modifying a file: `body` lines start with ' ', '+' or '-'. */
function modify(file: string, section: string, body: string): string {
  const ls = body.replace(/^\n/, '').replace(/\n$/, '').split('\n').map((l) => (l === '' ? ' ' : l));
  const oldCount = ls.filter((l) => !l.startsWith('+')).length;
  const newCount = ls.filter((l) => !l.startsWith('-')).length;
  return `diff --git a/${file} b/${file}\nindex 1111111..2222222 100644\n--- a/${file}\n+++ b/${file}\n@@ -10,${oldCount} +10,${newCount} @@ ${section}\n${ls.join('\n')}\n`;
}

function barrier(text: string, opts: AnalyzeOptions = {}): Finding[] {
  return analyze(text, 'x.patch', { fullMessages: true, ...opts }).findings.filter((f) => f.category === 'barrier');
}

function ids(fs_: Finding[]): string[] {
  return fs_.map((f) => `${f.rule}@${f.function}`).sort();
}

function lineOf(text: string, f: Finding): string {
  return text.split('\n')[f.range.start.line];
}


// ---------------------------------------------------------------------------
// Seed 000: GUP pin count vs PG_writeback, written from the thread's code.

/** Jerome's first "bullet proof" version: smp_wmb() on the GUP side. */
const SEED000_V1 = newFile(
  'mm/gup_pin.c',
  `
static int get_page_pin(struct page *page)
{
retry:
	page_ref_add(page, PAGE_PIN_BIAS);
	smp_wmb();
	if (PageWriteback(page)) {
		/* back off */
		page_ref_sub(page, PAGE_PIN_BIAS);
		wait_on_page_writeback(page);
		goto retry;
	}
	return 0;
}

static bool writeback_start(struct page *page)
{
	bool pinned = false;

	TestSetPageWriteback(page);
	/* pairs with the barrier in get_page_pin() */
	smp_mb();
	if (page_pinned(page))
		pinned = true;
	return pinned;
}
`,
);

/** The writeback side with a non-returning SetPageWriteback() and only smp_wmb(). */
const SEED000_WB_WMB = newFile(
  'mm/wb.c',
  `
static bool writeback_start(struct page *page)
{
	bool pinned;

	SetPageWriteback(page);
	smp_wmb(); /* orders the flag against the pin check? no: a wmb does not */
	pinned = page_is_pin(page);
	return pinned;
}
`,
);

/** Both sides with smp_mb(): the textbook version. */
const SEED000_FIXED = newFile(
  'mm/gup_pin.c',
  `
static int get_page_pin(struct page *page)
{
retry:
	page_ref_add(page, PAGE_PIN_BIAS);
	/* order the pin before the PG_writeback test; pairs with writeback_start() */
	smp_mb();
	if (PageWriteback(page)) {
		page_ref_sub(page, PAGE_PIN_BIAS);
		wait_on_page_writeback(page);
		goto retry;
	}
	return 0;
}

static bool writeback_start(struct page *page)
{
	bool pinned;

	SetPageWriteback(page);
	/* pairs with the smp_mb() in get_page_pin() */
	smp_mb();
	pinned = page_is_pin(page);
	return pinned;
}
`,
);

describe('barrier/store-load-order', () => {
  it('seed 000, first version: smp_wmb() between the pin and the PG_writeback test is flagged (S1)', () => {
    const f = barrier(SEED000_V1).filter((x) => x.rule === 'barrier/store-load-order');
    assert.deepEqual(ids(f), ['barrier/store-load-order@get_page_pin']);
    const x = f[0];
    assert.equal(x.scenario, 'S1');
    assert.match(x.message, /_refcount of page/);
    assert.match(x.message, /PG_writeback of page/);
    assert.match(x.message, /only smp_wmb\(\)/);
    assert.match(lineOf(SEED000_V1, x), /page_ref_add\(page, PAGE_PIN_BIAS\)/);
    // related: the store, the load, the weak barrier, and the other side (writeback_start's fully ordered RMW)
    const rel = x.related.map((r) => lineOf(SEED000_V1, { ...x, range: r.range }).trim());
    assert.deepEqual(rel, ['+	page_ref_add(page, PAGE_PIN_BIAS);', '+	if (PageWriteback(page)) {', '+	smp_wmb();', '+	TestSetPageWriteback(page);'].map((s) => s.trim()));
    assert.match(x.related[3].message, /writeback_start\(\) orders its store to PG_writeback of page before its load of _refcount of page with TestSetPageWriteback\(\)/);
    assert.equal(x.scenarioParams?.function, 'get_page_pin');
    assert.equal(x.scenarioParams?.barrier, 'smp_wmb');
    // the fully ordered TestSetPageWriteback() side is not flagged
    assert.ok(!barrier(SEED000_V1).some((y) => y.function === 'writeback_start' && y.severity === 'warning'));
  });

  it('the quick fix replaces smp_wmb() with smp_mb(), and the fixed text is clean', () => {
    const x = barrier(SEED000_V1).find((f) => f.rule === 'barrier/store-load-order')!;
    const fixed = applyFix(SEED000_V1, x);
    assert.match(fixed, /\+\tsmp_mb\(\);\n\+\tif \(PageWriteback/);
    assert.deepEqual(barrier(fixed).filter((f) => f.rule === 'barrier/store-load-order'), []);
  });

  it('seed 000, writeback side with SetPageWriteback() and smp_wmb() is flagged', () => {
    const f = barrier(SEED000_WB_WMB).filter((x) => x.rule === 'barrier/store-load-order');
    assert.deepEqual(ids(f), ['barrier/store-load-order@writeback_start']);
    assert.match(f[0].message, /PG_writeback of page.*_refcount of page/);
  });

  it('seed 000 with smp_mb() on both sides: no warning', () => {
    assert.deepEqual(barrier(SEED000_FIXED).filter((f) => f.severity !== 'info'), []);
  });

  const MIRROR = (barrierA: string, barrierB: string) =>
    newFile(
      'mm/sb.c',
      `
static bool waker(struct foo *f)
{
	WRITE_ONCE(f->wake_pending, 1);
${barrierA}	return READ_ONCE(f->sleeper_queued);
}

static bool sleeper(struct foo *f)
{
	WRITE_ONCE(f->sleeper_queued, 1);
${barrierB}	return READ_ONCE(f->wake_pending);
}
`,
    );

  it('store buffering between two functions of the document (mirror): both sides flagged', () => {
    const text = MIRROR('', '');
    const f = barrier(text).filter((x) => x.rule === 'barrier/store-load-order');
    assert.deepEqual(ids(f), ['barrier/store-load-order@sleeper', 'barrier/store-load-order@waker']);
    const w = f.find((x) => x.function === 'waker')!;
    assert.match(w.message, /sleeper stores f->sleeper_queued and then loads f->wake_pending/);
    assert.match(w.message, /no full barrier/);
    // the mirror's store, in the other function, is a related location
    const m = w.related.find((r) => /the other side: sleeper\(\)/.test(r.message));
    assert.ok(m, w.related.map((r) => r.message).join('; '));
    assert.match(lineOf(text, { ...w, range: m.range }), /WRITE_ONCE\(f->sleeper_queued, 1\)/);
    // the fix inserts smp_mb() after the store, as an added line (the engine keeps the diff valid)
    const fixed = applyFix(text, w);
    assert.match(fixed, /\+\tWRITE_ONCE\(f->wake_pending, 1\);\n\+\tsmp_mb\(\);\t\/\* order the store to f->wake_pending before the load of f->sleeper_queued; pairs with sleeper\(\) \*\/\n\+\treturn READ_ONCE\(f->sleeper_queued\);/);
    assert.deepEqual(barrier(fixed).filter((x) => x.rule === 'barrier/store-load-order' && x.function === 'waker'), []);
  });

  it('mirror with smp_mb() on both sides: clean; on one side only: the other side is flagged', () => {
    const mb = '\t/* pairs with the other side */\n\tsmp_mb();\n';
    assert.deepEqual(barrier(MIRROR(mb, mb)).filter((x) => x.rule === 'barrier/store-load-order'), []);
    assert.deepEqual(ids(barrier(MIRROR(mb, '')).filter((x) => x.rule === 'barrier/store-load-order')), ['barrier/store-load-order@sleeper']);
  });

  it('a value-returning (fully ordered) RMW between the store and the load is a full barrier', () => {
    const text = newFile(
      'mm/sb.c',
      `
static bool waker(struct foo *f)
{
	WRITE_ONCE(f->wake_pending, 1);
	atomic_inc_return(&f->nr_wakeups);
	return READ_ONCE(f->sleeper_queued);
}

static bool sleeper(struct foo *f)
{
	WRITE_ONCE(f->sleeper_queued, 1);
	atomic_inc(&f->nr_sleeps);
	smp_mb__after_atomic();
	return READ_ONCE(f->wake_pending);
}
`,
    );
    assert.deepEqual(barrier(text).filter((x) => x.rule === 'barrier/store-load-order'), []);
  });

  it('single function, no pairing evidence: not reported', () => {
    const text = newFile(
      'mm/one.c',
      `
static int one(struct foo *f)
{
	WRITE_ONCE(f->a, 1);
	return READ_ONCE(f->b);
}
`,
    );
    assert.deepEqual(barrier(text), []);
  });

  it('seqlock-style smp_wmb()/smp_rmb() pairs (store-store, load-load) are not flagged', () => {
    const text = newFile(
      'mm/seq.c',
      `
static void seq_write(struct seqbox *s, int v)
{
	WRITE_ONCE(s->seq, s->seq + 1);
	/* order the odd sequence before the value; pairs with seq_read() */
	smp_wmb();
	WRITE_ONCE(s->val, v);
	/* order the value before the even sequence; pairs with seq_read() */
	smp_wmb();
	WRITE_ONCE(s->seq, s->seq + 1);
}

static int seq_read(struct seqbox *s)
{
	unsigned int seq;
	int v;

retry:
	seq = READ_ONCE(s->seq);
	/* pairs with the first smp_wmb() in seq_write() */
	smp_rmb();
	v = READ_ONCE(s->val);
	/* pairs with the second smp_wmb() in seq_write() */
	smp_rmb();
	if (READ_ONCE(s->seq) != seq || (seq & 1))
		goto retry;
	return v;
}
`,
    );
    assert.deepEqual(barrier(text), []);
  });

  it('differential: a defect already in the pre-image is not reported unless --all', () => {
    const text = modify(
      'mm/gup_pin.c',
      'static int get_page_pin(struct page *page)',
      `
 	page_ref_add(page, PAGE_PIN_BIAS);
 	smp_wmb(); /* see writeback_start() */
 	if (PageWriteback(page)) {
-		page_ref_sub(page, PAGE_PIN_BIAS);
+		page_ref_sub(page, PAGE_PIN_BIAS); /* back off */
 		return -EAGAIN;
 	}
`,
    );
    assert.deepEqual(barrier(text).filter((f) => f.rule === 'barrier/store-load-order'), []);
    assert.deepEqual(ids(barrier(text, { all: true }).filter((f) => f.rule === 'barrier/store-load-order')), ['barrier/store-load-order@get_page_pin']);
  });

  it('an inline suppression comment silences the finding', () => {
    const text = SEED000_V1.replace('+\tpage_ref_add(page, PAGE_PIN_BIAS);', '+\t/* mm-review: ignore barrier/store-load-order */\n+\tpage_ref_add(page, PAGE_PIN_BIAS);').replace('@@ -0,0 +1,', '@@ -0,0 +1,');
    const fixedCount = text.replace(/@@ -0,0 \+1,(\d+) @@/, (_, n) => `@@ -0,0 +1,${Number(n) + 1} @@`);
    assert.deepEqual(barrier(fixedCount).filter((f) => f.rule === 'barrier/store-load-order'), []);
  });
});

// ---------------------------------------------------------------------------
// Seed 003: counting lockless page-table walks.

function withoutSmpMb(text: string): string {
  // drop the added `smp_mb();` lines; the parser recomputes the hunk counts
  return text
    .split('\n')
    .filter((l) => !/^\+\s*smp_mb\(\);\s*$/.test(l))
    .join('\n');
}

describe('barrier/unordered-announce', () => {
  it('seed 003 as posted (helpers with smp_mb()): no barrier warning', () => {
    const f = barrier(seed(3));
    assert.deepEqual(
      f.filter((x) => x.severity !== 'info'),
      [],
    );
    // every smp_mb() in the thread has its comment: no checkpatch finding either
    assert.deepEqual(f, []);
  });

  it('seed 003 without its smp_mb() lines: both walker-count increments are flagged (S3)', () => {
    const text = withoutSmpMb(seed(3));
    assert.equal(seed(3).split('\n').length - text.split('\n').length, 4);
    const f = barrier(text).filter((x) => x.rule === 'barrier/unordered-announce');
    assert.deepEqual(ids(f), ['barrier/unordered-announce@register_lockless_page_table_walker', 'barrier/unordered-announce@start_lockless_pgtbl_walk']);
    for (const x of f) {
      assert.equal(x.scenario, 'S3');
      assert.match(x.message, /atomic_inc\(\)/);
      assert.match(x.message, /lockless page-table walker count/);
      assert.equal(x.severity, 'warning');
    }
    const start = f.find((x) => x.function === 'start_lockless_pgtbl_walk')!;
    assert.match(lineOf(text, start), /atomic_inc\(&mm->context\.lockless_pgtbl_walk_count\);/);
    assert.equal(start.scenarioParams?.location, 'mm->context.lockless_pgtbl_walk_count');
    // the fix inserts smp_mb__after_atomic() on the next line, same indentation, as an added line,
    // with the comment checkpatch asks for (what it orders)
    // the mail client expanded this line's tabs (repaired on parse): the fix rewrites the clean line
    assert.equal(
      start.fixes?.[0].edits[0].newText,
      '+\tatomic_inc(&mm->context.lockless_pgtbl_walk_count);\n+\tsmp_mb__after_atomic();\t/* order atomic_inc() on mm->context.lockless_pgtbl_walk_count before the accesses that follow */',
    );
  });

  const WALK = (walkerBarrier: string, splitBarrier: string) =>
    newFile(
      'mm/walk.c',
      `
static pmd_t walker(struct mm_struct *mm, pmd_t *pmdp)
{
	pmd_t pmd;

	atomic_inc(&mm->lockless_pgtbl_walkers);
${walkerBarrier}	pmd = READ_ONCE(*pmdp);
	atomic_dec(&mm->lockless_pgtbl_walkers);
	return pmd;
}

static void splitter(struct mm_struct *mm, pmd_t *pmdp)
{
	WRITE_ONCE(*pmdp, __pmd(0));
${splitBarrier}	if (atomic_read(&mm->lockless_pgtbl_walkers))
		serialize_against_pte_lookup(mm);
}
`,
    );

  it('walker count vs pmd: the walker increment (announce) and the splitter (store-load) are flagged', () => {
    const f = barrier(WALK('', '')).filter((x) => x.severity === 'warning');
    assert.deepEqual(ids(f), ['barrier/store-load-order@splitter', 'barrier/unordered-announce@walker']);
    const w = f.find((x) => x.function === 'walker')!;
    assert.equal(w.scenario, 'S3');
    assert.equal(w.related.length, 3, 'the increment, the load that can pass it, and the other side');
    // the other side is in its own function: the splitter's store of the pmd, unordered as well
    assert.match(w.related[2].message, /^the other side: splitter\(\) stores \*pmdp and then loads mm->lockless_pgtbl_walkers, with no full barrier either$/);
    assert.match(lineOf(WALK('', ''), { ...w, range: w.related[2].range }), /WRITE_ONCE\(\*pmdp, __pmd\(0\)\);/);
    assert.match(w.message, /lockless_pgtbl_walkers/);
    // the fix inserts smp_mb__after_atomic() right after the increment, same indentation
    const fixed = applyFix(WALK('', ''), w);
    assert.match(fixed, /\+\tatomic_inc\(&mm->lockless_pgtbl_walkers\);\n\+\tsmp_mb__after_atomic\(\);\t\/\* order atomic_inc\(\) on [^\n]*\*\/\n\+\tpmd = READ_ONCE/);
    assert.deepEqual(barrier(fixed).filter((x) => x.function === 'walker'), [barrier(fixed).find((x) => x.rule === 'barrier/uncommented')!].filter(Boolean));
    const s = f.find((x) => x.function === 'splitter')!;
    assert.equal(s.scenario, 'S3');
    assert.match(s.message, /store to \*pmdp is followed by a load of mm->lockless_pgtbl_walkers/);
  });

  it('walker count vs pmd with smp_mb__after_atomic() and smp_mb(): clean', () => {
    const f = barrier(WALK('\t/* pairs with splitter() */\n\tsmp_mb__after_atomic();\n', '\t/* pairs with walker() */\n\tsmp_mb();\n'));
    assert.deepEqual(f, []);
  });

  it('a fully ordered atomic_inc_return() needs no smp_mb__after_atomic()', () => {
    const text = WALK('', '\t/* pairs with walker() */\n\tsmp_mb();\n').replace('+\tatomic_inc(&mm->lockless_pgtbl_walkers);', '+\tatomic_inc_return(&mm->lockless_pgtbl_walkers);');
    assert.deepEqual(barrier(text), []);
  });

  it('a statistics counter read elsewhere is not an announcement', () => {
    const text = newFile(
      'mm/stat.c',
      `
static void account(struct foo *f)
{
	atomic_long_inc(&f->nr_faults);
	if (READ_ONCE(f->mode))
		do_something(f);
}

static long faults(struct foo *f)
{
	return atomic_long_read(&f->nr_faults);
}
`,
    );
    assert.deepEqual(barrier(text), []);
  });
});

// ---------------------------------------------------------------------------

describe('barrier/plain-publish', () => {
  const POPULATE = (b: string) =>
    newFile(
      'mm/pt.c',
      `
static int install_pte_table(struct mm_struct *mm, pmd_t *pmd)
{
	pgtable_t new = pte_alloc_one(mm);

	if (!new)
		return -ENOMEM;
${b}	spin_lock(&mm->page_table_lock);
	pmd_populate(mm, pmd, new);
	spin_unlock(&mm->page_table_lock);
	return 0;
}
`,
    );

  it('pmd_populate() of a new page table without smp_wmb() is flagged (S8), even under the lock', () => {
    const text = POPULATE('');
    const f = barrier(text);
    assert.deepEqual(ids(f), ['barrier/plain-publish@install_pte_table']);
    assert.equal(f[0].scenario, 'S8');
    assert.match(f[0].message, /pmd_populate\(\) links new after initialising it \(pte_alloc_one\)/);
    assert.match(lineOf(text, f[0]), /pmd_populate\(mm, pmd, new\)/);
    const fixed = applyFix(text, f[0]);
    assert.match(fixed, /\+\tsmp_wmb\(\);\t\/\* initialise [^\n]* before publishing it with pmd_populate\(\) \*\/\n\+\tpmd_populate/);
    assert.deepEqual(barrier(fixed).filter((x) => x.rule === 'barrier/plain-publish'), []);
  });

  it('with smp_wmb() before the lock (mm/memory.c style): clean', () => {
    assert.deepEqual(barrier(POPULATE('\t/* see the comment in pmd_install() */\n\tsmp_wmb();\n')), []);
  });

  it('populating a pmd on the stack publishes nothing', () => {
    const text = newFile(
      'mm/pt2.c',
      `
static int split_pmd(pmd_t *pmd)
{
	pmd_t __pmd;
	pte_t *pgtable = pte_alloc_one_kernel(&init_mm);

	if (!pgtable)
		return -ENOMEM;
	pmd_populate_kernel(&init_mm, &__pmd, pgtable);
	return 0;
}
`,
    );
    assert.deepEqual(barrier(text), []);
  });

  const LIST = (publish: string) =>
    newFile(
      'mm/pub.c',
      `
static int add_node(struct box *b, int v)
{
	struct node *n = kmalloc(sizeof(*n), GFP_KERNEL);

	if (!n)
		return -ENOMEM;
	n->val = v;
	n->next = NULL;
	${publish}
	return 0;
}

static int first_val(struct box *b)
{
	struct node *n = READ_ONCE(b->first);

	return n ? n->val : -1;
}
`,
    );

  it('WRITE_ONCE(b->first, n) after initialising n is flagged; release/RCU publication is clean', () => {
    const f = barrier(LIST('WRITE_ONCE(b->first, n);'));
    assert.deepEqual(ids(f), ['barrier/plain-publish@add_node']);
    assert.match(f[0].message, /plain store of n to b->first after initialising it \(n->val\)|plain store of n to b->first after initialising it \(n->next\)/);
    assert.equal(f[0].related.length, 2);
    assert.deepEqual(barrier(LIST('smp_store_release(&b->first, n);')), []);
    assert.deepEqual(barrier(LIST('rcu_assign_pointer(b->first, n);')), []);
  });

  it('a plain store read locklessly elsewhere is flagged; with no lockless reader it is not', () => {
    assert.deepEqual(ids(barrier(LIST('b->first = n;'))), ['barrier/plain-publish@add_node']);
    const noReader = newFile(
      'mm/pub2.c',
      `
static int add_node(struct box *b, int v)
{
	struct node *n = kmalloc(sizeof(*n), GFP_KERNEL);

	n->val = v;
	b->first = n;
	return 0;
}
`,
    );
    assert.deepEqual(barrier(noReader), []);
  });
});

// ---------------------------------------------------------------------------

describe('barrier/removed', () => {
  it('a deleted smp_wmb() with no replacement is flagged, naming the accesses it ordered', () => {
    const text = modify(
      'mm/pub.c',
      'static void publish(struct box *b, struct node *n)',
      `
 	n->val = 1;
-	smp_wmb(); /* pairs with the smp_rmb() in reader() */
 	WRITE_ONCE(b->ready, 1);
 }
`,
    );
    const f = barrier(text);
    assert.deepEqual(ids(f), ['barrier/removed@publish']);
    assert.match(f[0].message, /removes smp_wmb\(\) from publish\(\)/);
    assert.match(f[0].message, /store to n->val before the store to b->ready/);
    assert.match(lineOf(text, f[0]), /WRITE_ONCE\(b->ready, 1\)/);
  });

  it('a barrier moved within the function, or strengthened, is not removed', () => {
    const moved = modify(
      'mm/pub.c',
      'static void publish(struct box *b, struct node *n)',
      `
-	n->val = 1;
-	smp_wmb(); /* pairs with reader() */
+	smp_wmb(); /* pairs with reader() */
+	n->val = 1;
 	WRITE_ONCE(b->ready, 1);
 }
`,
    );
    assert.deepEqual(barrier(moved).filter((f) => f.rule === 'barrier/removed'), []);
    const stronger = modify(
      'mm/pub.c',
      'static void publish(struct box *b, struct node *n)',
      `
 	n->val = 1;
-	smp_wmb(); /* pairs with reader() */
+	smp_mb(); /* pairs with reader() */
 	WRITE_ONCE(b->ready, 1);
 }
`,
    );
    assert.deepEqual(barrier(stronger).filter((f) => f.rule === 'barrier/removed'), []);
  });

  it('seed 001 moves the smp_wmb() after pte_alloc_one() into the else branch: not removed', () => {
    assert.deepEqual(barrier(seed(1)), []);
  });
});

// ---------------------------------------------------------------------------

describe('barrier/uncommented', () => {
  const ADD = (lines: string) =>
    modify(
      'mm/c.c',
      'static void f(struct foo *f)',
      `
 	WRITE_ONCE(f->a, 1);
${lines}
 	WRITE_ONCE(f->b, 1);
`,
    );

  it('an added barrier without a comment is an info finding (checkpatch parity)', () => {
    const f = barrier(ADD('+\tsmp_wmb();'));
    assert.deepEqual(ids(f), ['barrier/uncommented@f']);
    assert.equal(f[0].severity, 'info');
    assert.match(f[0].message, /smp_wmb\(\) without a comment/);
  });

  it('a comment on the same line, or up to three lines above, is enough', () => {
    assert.deepEqual(barrier(ADD('+\tsmp_wmb(); /* pairs with g() */')), []);
    assert.deepEqual(barrier(ADD('+\t/* order a before b; pairs with g() */\n+\tsmp_wmb();')), []);
    assert.deepEqual(barrier(ADD('+\t/*\n+\t * order a before b\n+\t */\n+\tsmp_wmb();')), []);
  });

  it('an existing (context) barrier without a comment is not the patch\'s business', () => {
    const text = modify(
      'mm/c.c',
      'static void f(struct foo *f)',
      `
 	WRITE_ONCE(f->a, 1);
 	smp_wmb();
-	WRITE_ONCE(f->b, 1);
+	WRITE_ONCE(f->b, 2);
`,
    );
    assert.deepEqual(barrier(text), []);
  });
});

describe('barrier/removed: a release store to a name declared out of sight', () => {
  // `iomem_inode` is declared nowhere in the hunk; the pre-image stored it with smp_store_release(&iomem_inode, ..),
  // memory other CPUs read, so the plain store that replaces it is a store to shared memory, not to a local
  const patch = (from: string, to: string) =>
    [
      'diff --git a/kernel/resource.c b/kernel/resource.c',
      '--- a/kernel/resource.c',
      '+++ b/kernel/resource.c',
      '@@ -2146,7 +2146,7 @@ static int __init iomem_init_inode(void)',
      ' \t * Publish iomem revocation inode initialized.',
      ' \t * Pairs with smp_load_acquire() in revoke_iomem().',
      ' \t */',
      `-\t${from}`,
      `+\t${to}`,
      ' ',
      ' \treturn 0;',
      ' }',
      '',
    ].join('\n');
  const run = (p: string) => analyze(p, 'test.patch', { fullMessages: true }).findings.filter((f) => f.rule === 'barrier/removed');
  it('smp_store_release(&name, v) made `name = v;`', () => {
    const fs = run(patch('smp_store_release(&iomem_inode, inode);', 'iomem_inode = inode;'));
    assert.equal(fs.length, 1, fs.map((f) => f.message).join('\n'));
    assert.match(fs[0].message, /smp_store_release\(\) on iomem_inode .*plain access/);
  });
  it('publishing NULL needs no ordering: rcu_assign_pointer(name, NULL) made `name = NULL;` is quiet', () => {
    assert.deepEqual(run(patch('rcu_assign_pointer(iomem_inode, NULL);', 'iomem_inode = NULL;')).map((f) => f.message), []);
  });
});
