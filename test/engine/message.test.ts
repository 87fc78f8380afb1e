/** Messages a reviewer reads: about 200 characters, the rest in `detail` (engine/message.ts), for every rule at once. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from 'mm-review-server/engine/index';
import { splitMessage, MESSAGE_LIMIT } from 'mm-review-server/engine/message';
import { repoRoot } from '../c/fixtures';

const ROOT = repoRoot();
const FILES = [
  ...fs.readdirSync(path.join(ROOT, 'test', 'corpus')).filter((f) => f.endsWith('.patch')).map((f) => path.join(ROOT, 'test', 'corpus', f)),
  ...fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => /\.(mbox|eml|patch)$/.test(f)).map((f) => path.join(ROOT, 'examples', f)),
];

describe('finding messages', () => {
  test('every message on the corpus and the examples is at most ~200 characters; nothing of the explanation is lost', () => {
    let split = 0;
    for (const file of FILES) {
      const text = fs.readFileSync(file, 'utf8');
      const whole = analyze(text, file, { all: true, fullMessages: true }).findings;
      const short = analyze(text, file, { all: true }).findings;
      assert.equal(short.length, whole.length);
      short.forEach((f, i) => {
        const w = whole[i].message;
        assert.ok(f.message.length <= MESSAGE_LIMIT + 5, `${path.basename(file)} ${f.rule}: ${f.message.length} characters: ${f.message}`);
        if (f.message === w) return assert.equal(f.detail, undefined);
        split++;
        assert.ok(f.detail, `${f.rule}: a shortened message has a detail`);
        // every word of the rule's text is in the message or the detail
        const words = (s: string) => s.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? [];
        const have = new Set([...words(f.message), ...words(f.detail!)]);
        for (const wd of words(w)) assert.ok(have.has(wd), `${f.rule}: "${wd}" lost from ${JSON.stringify(w)}`);
      });
    }
    assert.ok(split >= 5, `${split} messages were split`);
  });

  test('whole sentences first, then the advice when it fits; the rest is the detail', () => {
    const m = 'atomic_inc() on mm->context.lockless_pgtbl_walk_count is a non-returning atomic and is not ordered; it announces something other CPUs check (a protocol: the walker increments the count then reads the page table; THP split writes the pmd then reads the count). Add smp_mb__after_atomic() after it.';
    const s = splitMessage(m);
    assert.equal(s.message, 'atomic_inc() on mm->context.lockless_pgtbl_walk_count is a non-returning atomic and is not ordered. Add smp_mb__after_atomic() after it.');
    assert.match(s.detail!, /^It announces something other CPUs check \(a protocol: .*\)\.$/);
  });

  test('a first clause that is too long loses its asides, then is cut at a comma and marked, the whole text in the detail', () => {
    const m = 'smp_wmb() at mm/gup.c:159 does not order the GUP pin (FOLL_PIN) taken by pin_user_pages_fast() (a store to _pincount) in pin_user_pages_stable() at mm/gup.c:173 (patch 1/3), which then calls gup_folio_pin_stable() at mm/gup.c:196, before the load of PG_writeback of folio at mm/gup.c:160: smp_wmb() orders only stores against stores. Use smp_mb() here.';
    const s = splitMessage(m);
    assert.ok(s.message.length <= MESSAGE_LIMIT, s.message);
    assert.ok(!s.message.includes('(FOLL_PIN)') && s.message.includes('pin_user_pages_fast()'), s.message);
    assert.equal(s.detail, m);
  });

  test('short messages and code spans are left alone', () => {
    assert.deepEqual(splitMessage('get_page() on `page`: fine.'), { message: 'get_page() on `page`: fine.' });
    const code = '`' + 'a; b: c. D'.repeat(30) + '`';
    assert.ok(splitMessage(code).message.length <= MESSAGE_LIMIT);
  });
});
