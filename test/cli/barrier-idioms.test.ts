/**
 * The barrier idioms through the real `mm-review check --format json`, on
 * code written for these tests: for each idiom a buggy and a correct
 * variant (the waker's condition store vs waitqueue_active()/wake_up_var(),
 * plain publication into globals and array slots, weak barriers where
 * store→load order is needed), the shapes of real barrier removals
 * (deleted together, moved into a helper or a primitive that orders,
 * replaced by a fully ordered RMW, explained in the changelog), and
 * determinism (a function's findings do not depend on the rest of the
 * document).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'server', 'bin', 'mm-review.js');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'barrier-idioms-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

interface JFinding {
  rule: string;
  severity: string;
  message: string;
  detail?: string;
  range: { start: { line: number; character: number } };
  related: { message: string; range: { start: { line: number } } }[];
  scenario?: string;
}

let n = 0;
/** Run the CLI on `text` written to a file; the barrier findings. */
function check(text: string, ext = 'patch'): JFinding[] {
  const file = path.join(TMP, `t${n++}.${ext}`);
  fs.writeFileSync(file, text);
  const r = spawnSync(process.execPath, [BIN, 'check', '--format', 'json', file], { encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const j = JSON.parse(r.stdout);
  return (j.files[0].findings as (JFinding & { category: string })[]).filter((f) => f.category === 'barrier');
}

const warnings = (fs_: JFinding[]) => fs_.filter((f) => f.severity === 'warning' || f.severity === 'error');

/** A patch adding `code` as a new file. */
function newFile(code: string, file = 'mm/idiom.c'): string {
  const ls = code.replace(/^\n/, '').replace(/\n$/, '').split('\n');
  return [`diff --git a/${file} b/${file}`, 'new file mode 100644', 'index 0000000..1111111', '--- /dev/null', `+++ b/${file}`, `@@ -0,0 +1,${ls.length} @@`, ...ls.map((l) => '+' + l), ''].join('\n');
}

/** A patch changing `before` into `after` (one hunk with the common head and tail as context). */
function change(before: string, after: string, file = 'mm/idiom.c', start = 10): string {
  const a = before.replace(/^\n/, '').replace(/\n$/, '').split('\n');
  const b = after.replace(/^\n/, '').replace(/\n$/, '').split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const body = [...a.slice(0, head).map((l) => ' ' + l), ...a.slice(head, a.length - tail).map((l) => '-' + l), ...b.slice(head, b.length - tail).map((l) => '+' + l), ...a.slice(a.length - tail).map((l) => ' ' + l)];
  return [`diff --git a/${file} b/${file}`, 'index 1111111..2222222 100644', `--- a/${file}`, `+++ b/${file}`, `@@ -${start},${a.length} +${start},${b.length} @@`, ...body, ''].join('\n');
}

/** 0-based line of the patch text holding `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, needle);
  return i;
}

// ---------------------------------------------------------------------------

describe('idiom: the waker\'s condition store vs a lockless test for sleepers', () => {
  const waker = (body: string) =>
    newFile(`
struct job {
	int done;
	atomic_t pending;
	wait_queue_head_t wait;
};

static void job_finish(struct job *j)
{
${body}
}
`);

  it('WRITE_ONCE(done) then waitqueue_active(): flagged at the store, with the repair and the ordered form', () => {
    const text = waker('\tWRITE_ONCE(j->done, 1);\n\tif (waitqueue_active(&j->wait))\n\t\twake_up(&j->wait);');
    const f = warnings(check(text));
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0].rule, 'barrier/store-load-order');
    assert.equal(f[0].range.start.line, lineOf(text, 'WRITE_ONCE(j->done'));
    assert.match(f[0].message, /store to j->done is not ordered before waitqueue_active\(\)/);
    assert.match(f[0].message, /smp_mb\(\).*wq_has_sleeper\(\)/);
    assert.ok(f[0].message.length < 200, f[0].message);
    assert.ok(f[0].related.some((r) => /prepare_to_wait\(\)/.test(r.message)));
  });

  it('correct: smp_mb() between, wq_has_sleeper(), or the wait queue\'s own lock held', () => {
    assert.deepEqual(warnings(check(waker('\tWRITE_ONCE(j->done, 1);\n\t/* pairs with set_current_state() */\n\tsmp_mb();\n\tif (waitqueue_active(&j->wait))\n\t\twake_up(&j->wait);'))), []);
    assert.deepEqual(warnings(check(waker('\tWRITE_ONCE(j->done, 1);\n\tif (wq_has_sleeper(&j->wait))\n\t\twake_up(&j->wait);'))), []);
    assert.deepEqual(warnings(check(waker('\tspin_lock(&j->wait.lock);\n\tj->done = 1;\n\tif (waitqueue_active(&j->wait))\n\t\twake_up_locked(&j->wait);\n\tspin_unlock(&j->wait.lock);'))), []);
  });

  it('a non-returning atomic as the condition needs smp_mb__after_atomic(); with it, clean', () => {
    const f = warnings(check(waker('\tatomic_dec(&j->pending);\n\tif (waitqueue_active(&j->wait))\n\t\twake_up(&j->wait);')));
    assert.equal(f.length, 1);
    assert.match(f[0].message, /atomic_dec\(\) on j->pending .*smp_mb__after_atomic\(\)/);
    assert.deepEqual(warnings(check(waker('\tatomic_dec(&j->pending);\n\t/* pairs with set_current_state() */\n\tsmp_mb__after_atomic();\n\tif (waitqueue_active(&j->wait))\n\t\twake_up(&j->wait);'))), []);
    assert.deepEqual(warnings(check(waker('\tif (atomic_dec_and_test(&j->pending) && waitqueue_active(&j->wait))\n\t\twake_up(&j->wait);'))), []);
  });

  it('smp_wmb() between is a weak barrier: one finding that says so', () => {
    const f = warnings(check(waker('\tj->done = 1;\n\t/* not enough */\n\tsmp_wmb();\n\tif (waitqueue_active(&j->wait))\n\t\twake_up(&j->wait);')));
    assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
    assert.match(f[0].message, /smp_wmb\(\) is not enough/);
  });

  it('a racy hint updated only when a test of it says so is not the condition (wakeup_kswapd() shape)', () => {
    const text = waker('\tint order = 3;\n\n\tif (READ_ONCE(j->done) < order)\n\t\tWRITE_ONCE(j->done, order);\n\tif (!waitqueue_active(&j->wait))\n\t\treturn;\n\twake_up(&j->wait);');
    assert.deepEqual(warnings(check(text)), []);
  });

  it('wake_up_var(): the update of the variable itself is the condition; another field is not', () => {
    const bad = warnings(check(waker('\tatomic_dec(&j->pending);\n\twake_up_var(&j->pending);')));
    assert.equal(bad.length, 1);
    assert.match(bad[0].message, /before wake_up_var\(\)/);
    assert.deepEqual(warnings(check(waker('\tatomic_dec(&j->pending);\n\t/* pairs with wait_var_event() */\n\tsmp_mb__after_atomic();\n\twake_up_var(&j->pending);'))), []);
    assert.deepEqual(warnings(check(waker('\tj->done = 0;\n\twake_up_var(&j->pending);'))), []);
  });

  it('a global variable as the condition: flagged; with smp_mb(): clean', () => {
    const code = (fence: string) =>
      newFile(`
static bool scan_stop;
static DECLARE_WAIT_QUEUE_HEAD(scan_wait);

static void scan_request_stop(void)
{
	scan_stop = true;
${fence}	if (waitqueue_active(&scan_wait))
		wake_up(&scan_wait);
}
`);
    const f = warnings(check(code('')));
    assert.equal(f.length, 1);
    assert.match(f[0].message, /store to scan_stop is not ordered before waitqueue_active\(\)/);
    assert.deepEqual(warnings(check(code('\t/* pairs with set_current_state() */\n\tsmp_mb();\n'))), []);
  });

  it('code the hunk does not show is unknown: a test with no visible store before it is not flagged', () => {
    const before = '\tstatus = finish_io(j);\n\tif (waitqueue_active(&j->wait))\n\t\twake_up(&j->wait);\n\treturn status;\n}';
    const text = change(before, before.replace('return status;', 'return status ? -EIO : 0;'), 'mm/idiom.c', 120);
    assert.deepEqual(warnings(check(text)), []);
  });
});

// ---------------------------------------------------------------------------

describe('idiom: plain publication into globals and array slots', () => {
  const HEAD = `
struct cfg {
	int a;
	int b;
};

static struct cfg *active_cfg;
static struct cfg *cfg_slots[16];
static DEFINE_SPINLOCK(cfg_lock);
`;
  const install = (publish: string, extra = '') =>
    newFile(`${HEAD}
static int cfg_install(int i, int a)
{
	struct cfg *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	c->a = a;
	c->b = i;
${publish}
	return 0;
}
${extra}`);
  const READER = `
static int cfg_a(void)
{
	struct cfg *c = READ_ONCE(active_cfg);

	return c ? c->a : 0;
}
`;
  const SLOT_READER = `
static int slot_a(int i)
{
	struct cfg *c = READ_ONCE(cfg_slots[i]);

	return c ? c->a : 0;
}
`;

  it('a global read locklessly elsewhere, published with a plain store: flagged (S8)', () => {
    const text = install('\tactive_cfg = c;', READER);
    const f = warnings(check(text));
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0].rule, 'barrier/plain-publish');
    assert.equal(f[0].scenario, 'S8');
    assert.equal(f[0].range.start.line, lineOf(text, 'active_cfg = c;'));
    assert.match(f[0].message, /plain store of c to active_cfg/);
    // the advice is in the detail when the message is kept short
    assert.match(`${f[0].message} ${f[0].detail ?? ''}`, /smp_store_release\(\)\/rcu_assign_pointer\(\), or smp_wmb\(\) then WRITE_ONCE\(\)/);
  });

  it('correct: smp_store_release(), rcu_assign_pointer(), smp_wmb() + WRITE_ONCE()', () => {
    assert.deepEqual(warnings(check(install('\tsmp_store_release(&active_cfg, c);', READER))), []);
    assert.deepEqual(warnings(check(install('\trcu_assign_pointer(active_cfg, c);', READER))), []);
    assert.deepEqual(warnings(check(install('\t/* pairs with the dependency in cfg_a() */\n\tsmp_wmb();\n\tWRITE_ONCE(active_cfg, c);', READER))), []);
  });

  it('WRITE_ONCE() alone is still a relaxed store: flagged', () => {
    assert.equal(warnings(check(install('\tWRITE_ONCE(active_cfg, c);', READER))).length, 1);
  });

  it('a global is shared even when no reader is in view (hunk-only); readers and writer under one lock: not a publication', () => {
    assert.equal(warnings(check(install('\tactive_cfg = c;'))).length, 1);
    const lockedReader = `
static int cfg_a_locked(void)
{
	int a = 0;

	spin_lock(&cfg_lock);
	if (active_cfg)
		a = active_cfg->a;
	spin_unlock(&cfg_lock);
	return a;
}
`;
    assert.deepEqual(warnings(check(install('\tspin_lock(&cfg_lock);\n\tactive_cfg = c;\n\tspin_unlock(&cfg_lock);', lockedReader))), []);
    // every reader in view takes the lock: the writer's callers take it too (sysfs_slab_alias() shape)
    assert.deepEqual(warnings(check(install('\tactive_cfg = c;', lockedReader))), []);
  });

  it('a slot of a global array: flagged; rcu_assign_pointer() into it: clean', () => {
    const text = install('\tcfg_slots[i] = c;', SLOT_READER);
    const f = warnings(check(text));
    assert.equal(f.length, 1);
    assert.match(f[0].message, /plain store of c to cfg_slots\[i\]/);
    assert.deepEqual(warnings(check(install('\trcu_assign_pointer(cfg_slots[i], c);', SLOT_READER))), []);
  });

  it('a slot of an array field read locklessly: flagged; smp_store_release(): clean', () => {
    const code = (publish: string) =>
      newFile(`
struct table {
	struct cfg *slots[8];
};

static int table_install(struct table *t, int i)
{
	struct cfg *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	c->a = i;
${publish}
	return 0;
}

static int table_a(struct table *t, int i)
{
	struct cfg *c = READ_ONCE(t->slots[i]);

	return c ? c->a : 0;
}
`);
    assert.equal(warnings(check(code('\tt->slots[i] = c;'))).length, 1);
    assert.deepEqual(warnings(check(code('\tsmp_store_release(&t->slots[i], c);'))), []);
  });

  it('hunk-only: a global the patch shows at file scope is published; a name declared nowhere in view is unknown', () => {
    const hunk = (decl: string) =>
      [
        'diff --git a/mm/foo.c b/mm/foo.c',
        'index 1111111..2222222 100644',
        '--- a/mm/foo.c',
        '+++ b/mm/foo.c',
        '@@ -18,5 +18,6 @@',
        ' #include <linux/slab.h>',
        ' ',
        ` ${decl}`,
        '+static DEFINE_MUTEX(foo_lock);',
        ' ',
        ' int foo_lookup(int i)',
        '@@ -100,6 +101,12 @@ static int foo_init_table(int nr)',
        ' \tint i;',
        ' ',
        ' \tpr_debug("foo: %d entries\\n", nr);',
        '+\ttbl = kcalloc(nr, sizeof(*tbl), GFP_KERNEL);',
        '+\tif (!tbl)',
        '+\t\treturn -ENOMEM;',
        '+\tfor (i = 0; i < nr; i++)',
        '+\t\ttbl[i].x = i;',
        '+\tfoo_table = tbl;',
        ' \treturn 0;',
        ' }',
        ' ',
        '',
      ].join('\n');
    const text = hunk('static struct foo_entry *foo_table;');
    const f = warnings(check(text));
    assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
    assert.equal(f[0].range.start.line, lineOf(text, 'foo_table = tbl;'));
    assert.deepEqual(warnings(check(hunk('static int foo_count;'))), []);
  });

  it('lazy initialisation read in the same function: flagged', () => {
    const text = newFile(`${HEAD}
static struct cfg *lazy_cfg;

static int lazy_a(void)
{
	if (!lazy_cfg) {
		struct cfg *c = kzalloc(sizeof(*c), GFP_KERNEL);

		if (!c)
			return -ENOMEM;
		c->a = 42;
		lazy_cfg = c;
	}
	return lazy_cfg->a;
}
`);
    const f = warnings(check(text));
    assert.equal(f.length, 1);
    assert.equal(f[0].range.start.line, lineOf(text, 'lazy_cfg = c;'));
  });

  it('this CPU\'s per-CPU data, and boot-only __init code, publish nothing', () => {
    const pcpu = newFile(`
static void cache_refill(struct obj_cache __percpu *pc)
{
	struct obj_cache *oc = this_cpu_ptr(pc);
	struct cfg *c = kzalloc(sizeof(*c), GFP_ATOMIC);

	if (!c)
		return;
	c->a = 1;
	oc->cur = c;
}

static int cache_a(struct obj_cache *oc)
{
	struct cfg *c = READ_ONCE(oc->cur);

	return c ? c->a : 0;
}
`);
    assert.deepEqual(warnings(check(pcpu)), []);
    const init = newFile(`${HEAD}
static int __init cfg_init(void)
{
	struct cfg *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	c->a = 1;
	active_cfg = c;
	return 0;
}
${READER}`);
    assert.deepEqual(warnings(check(init)), []);
  });
});

// ---------------------------------------------------------------------------

describe('idiom: a weak barrier where store→load order is needed', () => {
  const pair = (requester: string) =>
    newFile(`
struct handoff {
	int want;
	int busy;
};

static bool handoff_request(struct handoff *h)
{
${requester}
	return !READ_ONCE(h->busy);
}

static bool handoff_enter(struct handoff *h)
{
	WRITE_ONCE(h->busy, 1);
	/* pairs with the barrier in handoff_request() */
	smp_mb();
	return !READ_ONCE(h->want);
}
`);

  it('smp_store_release() then a load, against a mirror with smp_mb(): flagged, saying why release is not enough', () => {
    const f = warnings(check(pair('\tsmp_store_release(&h->want, 1);')));
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0].rule, 'barrier/store-load-order');
    assert.match(f[0].message, /smp_store_release\(\) orders earlier accesses before the store, not the store before a later load/);
    assert.ok(f[0].related.some((r) => /the other side: handoff_enter\(\)/.test(r.message)));
  });

  it('correct: WRITE_ONCE() + smp_mb(), or smp_store_mb()', () => {
    assert.deepEqual(warnings(check(pair('\tWRITE_ONCE(h->want, 1);\n\t/* pairs with the barrier in handoff_enter() */\n\tsmp_mb();'))), []);
    assert.deepEqual(warnings(check(pair('\tsmp_store_mb(h->want, 1);'))), []);
  });

  const gate = (fence: string) =>
    newFile(`
struct gate {
	int closed;
	atomic_t inflight;
	int users;
};

static bool gate_close(struct gate *g)
{
	WRITE_ONCE(g->closed, 1);
${fence}
	return READ_ONCE(g->users) == 0;
}
`);

  it('smp_mb__before_atomic() / smp_mb__after_atomic() with no atomic RMW to attach to: flagged', () => {
    const b = warnings(check(gate('\t/* order closed before users */\n\tsmp_mb__before_atomic();')));
    assert.equal(b.length, 1);
    assert.match(b[0].message, /smp_mb__before_atomic\(\) .*only before a non-returning atomic RMW/);
    const a = warnings(check(gate('\t/* order closed before users */\n\tsmp_mb__after_atomic();')));
    assert.equal(a.length, 1);
    assert.match(a[0].message, /smp_mb__after_atomic\(\) .*only after a non-returning atomic RMW/);
  });

  it('correct: smp_mb(), or the atomic RMW the fence attaches to', () => {
    assert.deepEqual(warnings(check(gate('\t/* order closed before users */\n\tsmp_mb();'))), []);
    assert.deepEqual(warnings(check(gate('\tatomic_inc(&g->inflight);\n\t/* order closed and inflight before users */\n\tsmp_mb__after_atomic();'))), []);
    assert.deepEqual(warnings(check(gate('\t/* order closed before inflight and users */\n\tsmp_mb__before_atomic();\n\tatomic_inc(&g->inflight);'))), []);
  });
});

// ---------------------------------------------------------------------------

describe('barrier/removed on the shapes of real patches', () => {
  const PUBLISH = `static void ring_publish(struct ring *r, int v)
{
	WRITE_ONCE(r->tail, v + 1);
	WRITE_ONCE(r->head, v);
	/* order head before ready; pairs with smp_rmb() in ring_read() */
	smp_wmb();
	WRITE_ONCE(r->ready, 1);
}`;
  const STOP = `static void ring_stop(struct ring *r)
{
	WRITE_ONCE(r->ready, 0);
	/* the stop before the tail check; pairs with ring_enter() */
	smp_mb();
	if (READ_ONCE(r->tail))
		wait_for_tail(r);
}`;

  it('unexplained: a warning under 200 characters naming the two accesses, the detail in related locations', () => {
    const text = change(PUBLISH, PUBLISH.replace('\t/* order head before ready; pairs with smp_rmb() in ring_read() */\n\tsmp_wmb();\n', ''));
    const f = check(text).filter((x) => x.rule === 'barrier/removed');
    assert.equal(f.length, 1);
    assert.equal(f[0].severity, 'warning');
    assert.match(f[0].message, /removes smp_wmb\(\) from ring_publish\(\), which ordered the store to r->head before the store to r->ready/);
    assert.ok(f[0].message.length <= 200, f[0].message);
    assert.ok(f[0].related.some((r) => /was here/.test(r.message)));
  });

  it('never "the store to X before the store to X": the accesses named are of two locations', () => {
    const same = `static void ring_flip(struct ring *r)
{
	WRITE_ONCE(r->ready, 0);
	/* flip */
	smp_mb();
	WRITE_ONCE(r->ready, 1);
	WRITE_ONCE(r->head, 0);
}`;
    const f = check(change(same, same.replace('\t/* flip */\n\tsmp_mb();\n', ''))).filter((x) => x.rule === 'barrier/removed');
    assert.equal(f.length, 1);
    const m = /the (?:store to|load of) (\S+) before the (?:store to|load of) (\S+?);/.exec(f[0].message);
    assert.ok(m, f[0].message);
    assert.notEqual(m[1], m[2]);
  });

  it('the accesses it ordered are deleted with it: silent', () => {
    const after = `static void ring_publish(struct ring *r, int v)
{
	WRITE_ONCE(r->tail, v + 1);
}`;
    assert.deepEqual(check(change(PUBLISH, after)).filter((x) => x.rule === 'barrier/removed'), []);
  });

  it('moved into a helper the patch defines: silent', () => {
    const after = `static void ring_mark_ready(struct ring *r)
{
	/* order head before ready; pairs with smp_rmb() in ring_read() */
	smp_wmb();
	WRITE_ONCE(r->ready, 1);
}

static void ring_publish(struct ring *r, int v)
{
	WRITE_ONCE(r->tail, v + 1);
	WRITE_ONCE(r->head, v);
	ring_mark_ready(r);
}`;
    assert.deepEqual(check(change(PUBLISH, after)).filter((x) => x.rule === 'barrier/removed'), []);
  });

  it('replaced by a primitive that orders (a mutex section, percpu_ref_kill(), list_del_init_careful()): silent', () => {
    const mutex = `static void ring_stop(struct ring *r)
{
	mutex_lock(&r->lock);
	WRITE_ONCE(r->ready, 0);
	if (READ_ONCE(r->tail))
		wait_for_tail(r);
	mutex_unlock(&r->lock);
}`;
    assert.deepEqual(check(change(STOP, mutex)).filter((x) => x.rule === 'barrier/removed'), []);
    const kill = `static void ring_stop(struct ring *r)
{
	percpu_ref_kill(&r->ref);
	if (READ_ONCE(r->tail))
		wait_for_tail(r);
}`;
    assert.deepEqual(check(change(STOP, kill)).filter((x) => x.rule === 'barrier/removed'), []);
    const careful = `static void ring_stop(struct ring *r)
{
	list_del_init_careful(&r->node);
	if (READ_ONCE(r->tail))
		wait_for_tail(r);
}`;
    assert.deepEqual(check(change(STOP, careful)).filter((x) => x.rule === 'barrier/removed'), []);
  });

  it('replaced in place by a call to a function the patch does not show: information (its body is unknown)', () => {
    const after = PUBLISH.replace('\t/* order head before ready; pairs with smp_rmb() in ring_read() */\n\tsmp_wmb();\n', '\tring_order_publish(r);\n');
    const f = check(change(PUBLISH, after)).filter((x) => x.rule === 'barrier/removed');
    assert.equal(f.length, 1);
    assert.equal(f[0].severity, 'info');
    assert.match(f[0].message, /replaces smp_wmb\(\) in ring_publish\(\) with a call to ring_order_publish\(\), whose body is not in the patch/);
  });

  it('replaced by a fully ordered RMW (xchg()): silent', () => {
    const rmw = `static void ring_stop(struct ring *r)
{
	if (xchg(&r->ready, 0) && READ_ONCE(r->tail))
		wait_for_tail(r);
}`;
    assert.deepEqual(check(change(STOP, rmw)).filter((x) => x.rule === 'barrier/removed'), []);
  });

  it('weakened: smp_mb() -> smp_wmb(), smp_store_release() -> WRITE_ONCE(): flagged', () => {
    const f = check(change(STOP, STOP.replace('smp_mb();', 'smp_wmb();'))).filter((x) => x.rule === 'barrier/removed');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /removes smp_mb\(\)/);
    const rel = `static void ring_set(struct ring *r, int v)
{
	smp_store_release(&r->ready, v);
}`;
    const g = check(change(rel, rel.replace('smp_store_release(&r->ready, v)', 'WRITE_ONCE(r->ready, v)'))).filter((x) => x.rule === 'barrier/removed');
    assert.equal(g.length, 1);
    assert.match(g[0].message, /replaces smp_store_release\(\) on r->ready \(RELEASE\) with WRITE_ONCE\(\)/);
  });

  it('weakened: wq_has_sleeper() -> waitqueue_active() (the bundled full barrier goes): flagged', () => {
    const wake = `static void ring_wake(struct ring *r)
{
	spin_unlock(&r->wait.lock);
	if (wq_has_sleeper(&r->wait))
		wake_up(&r->wait);
}`;
    const f = check(change(wake, wake.replace('wq_has_sleeper(', 'waitqueue_active('))).filter((x) => x.rule === 'barrier/removed');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /replaces wq_has_sleeper\(\) .*\(fully ordered\) with waitqueue_active\(\)/);
  });

  it('explained in the changelog: information, quoting the sentence', () => {
    const diff = change(PUBLISH, PUBLISH.replace('\t/* order head before ready; pairs with smp_rmb() in ring_read() */\n\tsmp_wmb();\n', ''));
    const mail = [
      'From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001',
      'From: A Developer <dev@example.org>',
      'Date: Mon, 1 Jan 2024 00:00:00 +0000',
      'Subject: [PATCH] mm/ring: drop a barrier from ring_publish()',
      '',
      'ring_publish() runs with r->lock held, and so does every reader.',
      'The smp_wmb() is therefore redundant: the lock orders the head',
      'update against the ready flag.',
      '',
      'Signed-off-by: A Developer <dev@example.org>',
      '---',
      ' mm/idiom.c | 2 --',
      ' 1 file changed, 2 deletions(-)',
      '',
      diff,
      '-- ',
      '2.40.0',
      '',
    ].join('\n');
    const f = check(mail, 'eml').filter((x) => x.rule === 'barrier/removed');
    assert.equal(f.length, 1);
    assert.equal(f[0].severity, 'info');
    assert.match(f[0].message, /the changelog explains: “The smp_wmb\(\) is therefore redundant: the lock orders the head update against the ready flag\.”/);
    assert.ok(f[0].related.some((r) => /^the changelog: “The smp_wmb\(\) is therefore redundant/.test(r.message)));
    // a changelog that does not talk about it leaves the warning
    const silent = mail.replace(/ring_publish\(\) runs[^]*?ready flag\.\n/, 'Tidy up ring_publish().\n');
    const g = check(silent, 'eml').filter((x) => x.rule === 'barrier/removed');
    assert.equal(g.length, 1);
    assert.equal(g[0].severity, 'warning');
  });
});

// ---------------------------------------------------------------------------

describe('determinism: a function\'s barrier findings do not depend on the rest of the document', () => {
  const SUBJECT = `
struct job {
	int done;
	wait_queue_head_t wait;
};

static struct job *current_job;

static void job_finish(struct job *j)
{
	WRITE_ONCE(j->done, 1);
	if (waitqueue_active(&j->wait))
		wake_up(&j->wait);
}

static int job_install(int v)
{
	struct job *j = kzalloc(sizeof(*j), GFP_KERNEL);

	if (!j)
		return -ENOMEM;
	j->done = v;
	current_job = j;
	return 0;
}

static int job_done(void)
{
	struct job *j = READ_ONCE(current_job);

	return j ? READ_ONCE(j->done) : 0;
}
`;
  const UNRELATED = (k: number) => `
static int counter_${k};
static atomic_t events_${k};

static void stats_${k}(struct stats *s, int v)
{
	if (READ_ONCE(s->max) < v)
		WRITE_ONCE(s->max, v);
	atomic_inc(&events_${k});
	s->last = v;
	counter_${k}++;
	/* order last before seq; pairs with stats_read_${k}() */
	smp_wmb();
	WRITE_ONCE(s->seq, s->seq + 1);
}

static int stats_read_${k}(struct stats *s)
{
	int seq = READ_ONCE(s->seq);

	/* pairs with stats_${k}() */
	smp_rmb();
	return s->last + seq + counter_${k};
}
`;

  it('the same findings, at the same place in the function, alone and among unrelated functions', () => {
    const alone = SUBJECT;
    const among = UNRELATED(1) + UNRELATED(2) + SUBJECT + UNRELATED(3);
    const summary = (code: string) => {
      const text = newFile(code);
      const lines = text.split('\n');
      const base = lines.findIndex((l) => l.includes('static void job_finish'));
      return check(text)
        .map((f) => ({ rule: f.rule, severity: f.severity, message: f.message, at: f.range.start.line - base, related: f.related.map((r) => `${r.range.start.line - base}: ${r.message}`) }))
        .sort((a, b) => a.at - b.at || a.rule.localeCompare(b.rule));
    };
    const a = summary(alone);
    assert.equal(a.filter((f) => f.severity === 'warning').length, 2, JSON.stringify(a));
    assert.deepEqual(summary(among), a);
  });
});
