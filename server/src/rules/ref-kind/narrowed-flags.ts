import type { RawFinding, Rule } from '../api';
import type { HunkLine } from '../../patch/model';
import { changeRun } from '../../analysis/diff';
import { isPrimitive } from '../common/report';

/**
 * A test of a catalogued flag group narrowed to part of it: `flags &
 * (FOLL_GET | FOLL_PIN)` rewritten as `flags & FOLL_GET`. Each member of the
 * group (catalog flagGroups, with its era) is one way of the same thing —
 * here, of the caller owning a reference on each page — so the narrowed test
 * now treats callers that use the dropped flag as if they took nothing: a
 * page handed back without its reference, or a reference dropped with the
 * wrong call. Judged on the changed line and the line it replaces only.
 */
const WORDS = /[A-Za-z_]\w*/g;
const words = (t: string): string[] => t.match(WORDS) ?? [];
/** A bitwise test (`x & F`), not `&&`, `&=` or an address-of. */
const BIT_TEST = /(?:\w|\))\s*&(?![&=])/;

export const narrowedFlags: Rule = {
  id: 'ref-kind/narrowed-flags',
  category: 'ref-kind',
  severity: 'warning',
  title: 'A test of reference-taking flags narrowed to some of them',
  description:
    'A patch rewrites a test of a flag group whose members are all ways of taking a reference (FOLL_GET | FOLL_PIN, v5.7+) so that it tests only some of them: callers using the dropped flag now take the other path, where their reference is not accounted for (a page slot left unset, a pin released with put_page()).',
  notARace: 'a path chosen by the wrong flag test: one CPU takes the wrong branch, no interleaving is needed',
  check(unit, ctx) {
    if (unit.side !== 'post' || isPrimitive(unit, ctx)) return [];
    const groups = ctx.catalog.flagGroups();
    if (!groups.length) return [];
    const out: RawFinding[] = [];
    const origin = unit.image.origin;
    const done = new Set<HunkLine>();
    for (let i = 0; i < origin.length; i++) {
      const o = origin[i];
      if (!o || o.kind !== 'patch' || o.line.kind !== 'add' || done.has(o.line)) continue;
      done.add(o.line);
      const added = o.line.text;
      if (!BIT_TEST.test(added)) continue;
      const now = new Set(words(added));
      for (const g of groups) {
        const kept = g.flags.filter((f) => now.has(f));
        if (!kept.length || kept.length === g.flags.length) continue;
        // the line it replaces tested the whole group, and differs only by the flags dropped
        const was = changeRun(o.hunk, o.line).dels.find((d) => {
          if (!BIT_TEST.test(d.text) || !g.flags.every((f) => words(d.text).includes(f))) return false;
          const rest = words(d.text).filter((w) => !g.flags.includes(w) || now.has(w));
          return rest.join(' ') === words(added).join(' ');
        });
        if (!was) continue;
        const dropped = g.flags.filter((f) => !now.has(f));
        const col = Math.max(0, unit.image.text.split('\n')[i]?.indexOf(kept[0]) ?? 0);
        out.push({
          rule: this.id,
          message: `This patch narrows the test of ${g.flags.join(' | ')} to ${kept.join(' | ')}: ${g.meaning} with any of them (${g.flags.map((f) => g.members[f] ?? f).join('; ')}), so a caller that passes ${dropped.join(' or ')} now takes the path for callers that take nothing.`,
          at: { line: i, col },
          fingerprint: `${this.id}|${g.flags.join('|')}|${kept.join('|')}|${words(added).join(' ')}`,
        });
      }
    }
    return out;
  },
};
