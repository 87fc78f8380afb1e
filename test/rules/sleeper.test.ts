/**
 * The sleeper side of a sleep/wake-up (analysis/ordering/sleeper.ts): a
 * sleeping task state set with a plain store (__set_current_state(), catalog
 * taskState 'plain') before the lockless test of the wait condition and
 * schedule() loses wake-ups; set_current_state() has the full barrier.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addPatch, applyFix, expectClean, expectRule, findings, lineOf } from './helpers';

const waitLoop = (setState: string, test = 'READ_ONCE(w->done)') =>
  addPatch(`
static void wait_done(struct waiter *w)
{
	for (;;) {
		${setState};
		if (${test})
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}
`);

describe('sleeper: the task state before the test of the wait condition', () => {
  it('__set_current_state(TASK_UNINTERRUPTIBLE), then the test, then schedule(): reported, with set_current_state() as the fix', () => {
    const patch = waitLoop('__set_current_state(TASK_UNINTERRUPTIBLE)');
    const [f] = expectRule(findings(patch), 'barrier/store-load-order', 1);
    assert.equal(f.range.start.line + 1, lineOf(patch, '__set_current_state(TASK_UNINTERRUPTIBLE)'));
    assert.match(f.message, /plain store, and the test of w->done/);
    assert.equal(f.trace?.family, 'store-load', 'the finding carries its race for the replay');
    const fixed = applyFix(patch, f);
    assert.match(fixed, /\+\t\tset_current_state\(TASK_UNINTERRUPTIBLE\);/);
    expectClean(findings(fixed), ['barrier']);
  });

  it('set_current_state(), prepare_to_wait(), a running state, or no test between: quiet', () => {
    expectClean(findings(waitLoop('set_current_state(TASK_UNINTERRUPTIBLE)')), ['barrier']);
    expectClean(findings(waitLoop('prepare_to_wait(&w->wq, &wait, TASK_UNINTERRUPTIBLE)')), ['barrier']);
    expectClean(findings(waitLoop('__set_current_state(TASK_RUNNING)')), ['barrier']);
    // the test is a call the analysis cannot see into (it may take a lock or have a barrier): unknown
    expectClean(findings(waitLoop('__set_current_state(TASK_INTERRUPTIBLE)', 'waiter_done(w)')), ['barrier']);
  });

  it('the condition tested under a lock the waker takes too: quiet', () => {
    const patch = addPatch(`
static void wait_locked(struct waiter *w)
{
	spin_lock(&w->lock);
	while (!w->done) {
		__set_current_state(TASK_UNINTERRUPTIBLE);
		spin_unlock(&w->lock);
		schedule();
		spin_lock(&w->lock);
	}
	spin_unlock(&w->lock);
}
`);
    expectClean(findings(patch), ['barrier']);
  });
});
