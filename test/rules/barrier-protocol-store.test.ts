/**
 * barrier/store-load-order, weak barrier guarding a protocol load whose store
 * is made elsewhere: by a caller before the call, by the earlier patch of a
 * series that shows the rest of that caller, or by a catalogued acquisition
 * (a FOLL_PIN pin is a store to the pin count). The planted bug of
 * examples/gup-stable-pin-series.mbox patch 3/3 (GitHub issue 3), and the
 * quiet variants around it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from 'mm-review-server/engine/index';
import type { Finding } from 'mm-review-server/engine/findings';
import { example } from '../patch/helpers';
import { addPatch, applyFix } from './helpers';

const RULE = 'barrier/store-load-order';

function sl(text: string, all = false): Finding[] {
  return analyze(text, 'x.patch', { all, fullMessages: true }).findings.filter((f) => f.rule === RULE);
}

function docLine(text: string, line: number): string {
  return text.split('\n')[line];
}

function relatedLines(text: string, f: Finding): string[] {
  return f.related.map((r) => docLine(text, r.range.start.line).trim());
}

describe('barrier/store-load-order: the planted bug of gup-stable-pin-series.mbox 3/3', () => {
  const SERIES = example('gup-stable-pin-series.mbox');

  it('smp_wmb() between the pin (pin_user_pages_fast in the caller, patch 1/3) and the PG_writeback test is flagged', () => {
    const f = sl(SERIES);
    assert.equal(f.length, 1, f.map((x) => x.message).join('\n'));
    const x = f[0];
    assert.equal(x.function, 'gup_folio_pin_stable');
    assert.equal(x.file, 'mm/gup.c');
    assert.equal(x.fileLine, 159);
    assert.equal(docLine(SERIES, x.range.start.line), '+\tsmp_wmb();');
    assert.equal(x.severity, 'warning');
    assert.equal(x.scenario, 'S1');
    assert.equal(x.scenarioParams?.caller, 'pin_user_pages_stable');
    assert.equal(x.scenarioParams?.barrier, 'smp_wmb');
    // both locations named, and why smp_wmb() is not enough
    assert.match(x.message, /^smp_wmb\(\) at mm\/gup\.c:159 /);
    assert.match(x.message, /GUP pin \(FOLL_PIN\) taken by pin_user_pages_fast\(\) \(a store to _pincount\) in pin_user_pages_stable\(\) at mm\/gup\.c:173 \(patch 1\/3\)/);
    assert.match(x.message, /calls gup_folio_pin_stable\(\) at mm\/gup\.c:196/);
    assert.match(x.message, /load of PG_writeback of folio at mm\/gup\.c:160/);
    assert.match(x.message, /orders only stores against stores/);
    assert.match(x.message, /Use smp_mb\(\)/);
    // related: the weak barrier, the load, the pin in patch 1/3, the call in patch 3/3
    const rel = relatedLines(SERIES, x);
    assert.deepEqual(rel.slice(0, 4), [
      '+\tsmp_wmb();',
      '+\treturn !folio_test_writeback(folio);',
      '+\tpinned = pin_user_pages_fast(start, nr_pages, gup_flags, pages);',
      '+\t\tif (gup_folio_pin_stable(folio))',
    ].map((s) => s.trim()));
    // the pin is in patch 1/3, the barrier in patch 3/3
    const lineOfText = (needle: string) => SERIES.slice(0, SERIES.indexOf(needle)).split('\n').length - 1;
    assert.ok(x.related[2].range.start.line < lineOfText('[PATCH v2 2/3]'));
    assert.ok(x.range.start.line > lineOfText('[PATCH v2 3/3]'));
  });

  it('the quick fix replaces smp_wmb() with smp_mb(), and the fixed series is quiet', () => {
    const x = sl(SERIES)[0];
    assert.equal(x.fixes?.[0].title, 'Replace smp_wmb() with smp_mb()');
    const fixed = applyFix(SERIES, x);
    assert.match(fixed, /\+\tsmp_mb\(\);\n\+\treturn !folio_test_writeback\(folio\);/);
    assert.deepEqual(sl(fixed, true), []);
  });

  it('the same series with smp_mb() written by the author: quiet', () => {
    const text = SERIES.replace('+\tsmp_wmb();\n+\treturn !folio_test_writeback(folio);', '+\tsmp_mb();\n+\treturn !folio_test_writeback(folio);');
    assert.notEqual(text, SERIES);
    assert.deepEqual(sl(text, true), []);
  });

  it('no protocol store before the weak barrier (the caller takes FOLL_GET references, not pins): quiet', () => {
    const text = SERIES.replace('+\tpinned = pin_user_pages_fast(start,', '+\tpinned = get_user_pages_fast(start,');
    assert.notEqual(text, SERIES);
    assert.deepEqual(sl(text, true), []);
  });
});

/** A pinner, a helper with `barrier` before the PG_writeback test, and the writeback side. */
const FILE = (opts: { barrier?: string; afterPin?: string; pin?: string; wbBarrier?: string } = {}) =>
  addPatch(
    `
static bool folio_pin_stable(struct folio *folio)
{
	/* the pin must be visible first; pairs with start_writeback_unpinned() */
	${opts.barrier ?? 'smp_wmb'}();
	return !folio_test_writeback(folio);
}

long pin_stable(unsigned long start, int nr, struct page **pages)
{
	long i, n;

	n = ${opts.pin ?? 'pin_user_pages_fast'}(start, nr, FOLL_WRITE, pages);
	if (n <= 0)
		return n;
${opts.afterPin ?? ''}	for (i = 0; i < n; i++) {
		struct folio *folio = page_folio(pages[i]);

		if (!folio_pin_stable(folio))
			folio_wait_writeback(folio);
	}
	return n;
}

bool start_writeback_unpinned(struct folio *folio)
{
	folio_set_writeback(folio);
	/* order PG_writeback before the pin check; pairs with folio_pin_stable() */
	${opts.wbBarrier ?? 'smp_mb__after_atomic'}();
	if (folio_maybe_dma_pinned(folio)) {
		folio_end_writeback(folio);
		return false;
	}
	return true;
}
`,
    'mm/pin_stable.c',
  );

describe('barrier/store-load-order: protocol store made by the caller', () => {
  it('pin in the caller, smp_wmb() in the helper: flagged, with the mirror\'s barrier in its own function as a related location', () => {
    const text = FILE();
    const f = sl(text);
    assert.equal(f.length, 1, f.map((x) => x.message).join('\n'));
    const x = f[0];
    assert.equal(x.function, 'folio_pin_stable');
    assert.equal(docLine(text, x.range.start.line).trim(), '+\tsmp_wmb();');
    assert.match(x.message, /in pin_stable\(\) at mm\/pin_stable\.c:\d+, which then calls folio_pin_stable\(\)/);
    assert.match(x.message, /The other side, start_writeback_unpinned\(\) at mm\/pin_stable\.c:\d+, orders its store to PG_writeback of folio before its load of _refcount of folio with smp_mb__after_atomic\(\)/);
    assert.equal(x.scenarioParams?.mirror, 'start_writeback_unpinned');
    const rel = relatedLines(text, x);
    assert.deepEqual(rel, [
      '+\tsmp_wmb();',
      '+\treturn !folio_test_writeback(folio);',
      '+\tn = pin_user_pages_fast(start, nr, FOLL_WRITE, pages);',
      '+\t\tif (!folio_pin_stable(folio))',
      '+\tsmp_mb__after_atomic();',
    ].map((s) => s.trim()));
    assert.match(x.related[4].message, /the other side: start_writeback_unpinned\(\)/);
  });

  it('smp_rmb() is flagged too (it orders loads against loads)', () => {
    const f = sl(FILE({ barrier: 'smp_rmb' }));
    assert.equal(f.length, 1);
    assert.match(f[0].message, /smp_rmb\(\) orders only loads against loads/);
  });

  it('smp_mb() in the helper: quiet', () => {
    assert.deepEqual(sl(FILE({ barrier: 'smp_mb' }), true), []);
  });

  it('a full barrier in the caller between the pin and the call: quiet', () => {
    assert.deepEqual(sl(FILE({ afterPin: '\tsmp_mb();\n' }), true), []);
    // smp_mb__after_atomic() after the pin (an unordered RMW) orders it as well
    assert.deepEqual(sl(FILE({ afterPin: '\tsmp_mb__after_atomic();\n' }), true), []);
  });

  it('no protocol store before the weak barrier (FOLL_GET, not a pin): quiet', () => {
    assert.deepEqual(sl(FILE({ pin: 'get_user_pages_fast' }), true), []);
  });

  it('the helper alone, no caller in the document: quiet', () => {
    const text = addPatch(
      `
static bool folio_pin_stable(struct folio *folio)
{
	/* pairs with start_writeback_unpinned() */
	smp_wmb();
	return !folio_test_writeback(folio);
}
`,
    );
    assert.deepEqual(sl(text, true), []);
  });

  it('the pin and the weak barrier in one function: flagged at the barrier', () => {
    const text = addPatch(
      `
long pin_one(unsigned long start, struct page **pages)
{
	long n = pin_user_pages_fast(start, 1, FOLL_WRITE, pages);

	if (n != 1)
		return -EFAULT;
	/* pairs with the writeback side */
	smp_wmb();
	if (folio_test_writeback(page_folio(pages[0])))
		return -EBUSY;
	return 0;
}
`,
    );
    const f = sl(text);
    assert.equal(f.length, 1);
    assert.equal(docLine(text, f[0].range.start.line).trim(), '+\tsmp_wmb();');
    assert.match(f[0].message, /taken by pin_user_pages_fast\(\) \(a store to _pincount\) at mm\/test\.c:\d+, before the load of PG_writeback/);
  });

  it('the mirror with its own weak barrier is named as unordered too', () => {
    const f = sl(FILE({ wbBarrier: 'smp_wmb' }));
    const helper = f.find((x) => x.function === 'folio_pin_stable');
    assert.ok(helper, f.map((x) => x.message).join('\n'));
    assert.match(helper.message, /The other side, start_writeback_unpinned\(\) at mm\/pin_stable\.c:\d+, stores PG_writeback of folio and then loads _refcount of folio with no full barrier either/);
  });
});
