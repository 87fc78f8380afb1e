/**
 * One object under two names, and exits whose function end is out of sight:
 *  - a chained assignment (`start_pte = pte = pte_offset_map_lock(...)`) names
 *    the mapping and its lock by both variables: the null test of either
 *    decides the lock, and the outer name (the one the code keeps while it
 *    advances the cursor) is the object released;
 *  - a negative errno returned with a lock held, where the function's end is
 *    not in the hunk and no release is in view: not how a function hands a lock
 *    to its caller, so reported; any other return stays unknown;
 *  - a counted member embedded in its container (`css_put(&memcg->css)` and
 *    `mem_cgroup_put(memcg)` drop the same reference: catalog `embeddedAs`).
 */
import { describe, it } from 'node:test';
import { addPatch, expectClean, expectRule, findings, lineOf } from './helpers';
import assert from 'node:assert/strict';

/** A hunk in the middle of a pte walker: the function's start and (unless `tail`) its end are out of sight. */
function walkerHunk(added: string[], tail: string[] = []): string {
  const ctx = (l: string) => ` ${l}`;
  const body = [
    ctx('\tstart_pte = pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);'),
    ctx('\tif (!start_pte)'),
    ctx('\t\treturn 0;'),
    ctx('\tfor (; addr < end; pte++, addr += PAGE_SIZE) {'),
    ctx('\t\tptent = ptep_get(pte);'),
    ...added.map((l) => `+${l}`),
    ctx('\t\tif (pte_none(ptent))'),
    ctx('\t\t\tcontinue;'),
    ...tail.map(ctx),
  ];
  const old = body.filter((l) => !l.startsWith('+')).length;
  return [
    'diff --git a/mm/walk.c b/mm/walk.c',
    '--- a/mm/walk.c',
    '+++ b/mm/walk.c',
    `@@ -400,${old} +400,${body.length} @@ static int walk_pte_range(pmd_t *pmd, unsigned long addr, unsigned long end, struct mm_walk *walk)`,
    ...body,
    '',
  ].join('\n');
}

describe('a chained assignment names one object twice', () => {
  it('the lock taken through `start_pte = pte = ...` is held at an added error return inside the walk', () => {
    const patch = walkerHunk(['\t\tif (!pte_present(ptent))', '\t\t\treturn -EAGAIN;'], ['\t}', '\tpte_unmap_unlock(start_pte, ptl);', '\treturn 0;', '}']);
    const [f] = expectRule(findings(patch), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(patch, 'return -EAGAIN'));
    assert.match(f.message, /page-table lock `ptl`/);
  });

  it('an added break that reaches the unlock after the loop is clean', () => {
    const patch = walkerHunk(['\t\tif (!pte_present(ptent))', '\t\t\tbreak;'], ['\t}', '\tpte_unmap_unlock(start_pte, ptl);', '\treturn 0;', '}']);
    expectClean(findings(patch), ['bracket', 'ref-balance']);
  });

  it('a pointer kept under the outer name is freed through it: no leak', () => {
    const patch = addPatch(
      `
static int parse_args(const char *args)
{
	char *spec_orig, *spec;

	spec_orig = spec = kstrndup(args, 64, GFP_KERNEL);
	if (!spec)
		return -ENOMEM;
	while (*spec == ' ')
		spec++;
	consume(spec);
	kfree(spec_orig);
	return 0;
}
`,
      'mm/args.c',
    );
    expectClean(findings(patch), ['ref-balance', 'bracket']);
  });
});

describe('an exit whose function end is out of sight', () => {
  it('a negative errno returned holding a lock this function took is reported', () => {
    const patch = walkerHunk(['\t\tif (!pte_present(ptent))', '\t\t\treturn -EAGAIN;']);
    const [f] = expectRule(findings(patch), 'bracket/unbalanced', 1);
    assert.equal(f.range.start.line + 1, lineOf(patch, 'return -EAGAIN'));
  });

  it('any other value returned holding it is left unknown (the function may return holding it for its caller)', () => {
    expectClean(findings(walkerHunk(['\t\tif (pte_present(ptent))', '\t\t\treturn 1;'])), ['bracket']);
  });
});

describe('a counted member embedded in its container', () => {
  const fn = (body: string[]) =>
    addPatch(
      `
static void charge_mm(struct mm_struct *mm)
{
	struct mem_cgroup *memcg = get_mem_cgroup_from_mm(mm);

	if (!memcg)
		return;
${body.map((l) => `\t${l}`).join('\n')}
}
`,
      'mm/charge.c',
    );

  it('mem_cgroup_put(memcg) then css_put(&memcg->css) drops the one reference twice', () => {
    const patch = fn(['mem_cgroup_put(memcg);', 'css_put(&memcg->css);']);
    const [f] = expectRule(findings(patch), 'ref-balance/double-release', 1);
    assert.equal(f.range.start.line + 1, lineOf(patch, 'css_put('));
  });

  it('css_put(&memcg->css) alone releases what get_mem_cgroup_from_mm() took', () => {
    expectClean(findings(fn(['css_put(&memcg->css);'])), ['ref-balance']);
  });
});
