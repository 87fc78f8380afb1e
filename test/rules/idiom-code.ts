/** C functions shared by the rule tests and the CLI idiom tests (one text, tested at both layers). */

/** `ptl = pmd_lock(mm, pmd)`, and on the early return `release` (e.g. `spin_unlock(pmd_lockptr(mm, pmd))`). */
export const LOCKPTR_CODE = (release: string) => `
static int foo_split_pmd(struct mm_struct *mm, pmd_t *pmd)
{
	spinlock_t *ptl;

	ptl = pmd_lock(mm, pmd);
	if (!pmd_trans_huge(*pmd)) {
${release}
		return -EAGAIN;
	}
	foo_split(mm, pmd);
	spin_unlock(ptl);
	return 0;
}
`;

/** A function that returns 1 with preemption disabled, under the comment `comment`. */
export const ENTER_CODE = (comment: string) => `
${comment}
static int foo_try_enter(struct foo_pcp *p)
{
	preempt_disable();
	if (this_cpu_read(p->busy)) {
		preempt_enable();
		return 0;
	}
	return 1;
}
`;
