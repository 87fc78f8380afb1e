/**
 * barrier/uncommented: checkpatch parity (MEMORY_BARRIER): an added memory
 * barrier should say, in a comment on its line or just above, what it orders
 * and which barrier it pairs with. Which barriers want a comment is catalog
 * data (ApiSpec.checkpatchComment).
 */
import type { RawFinding, Rule } from '../api';
import { barrierCallsOn, nearestAccess } from './shared';

/** A comment, or a line inside one (a star then a space or the end of the line): not `*ptr = x;`. */
const COMMENT = /\/\*|\*\/|\/\/|^\s*\*(?:\s|$)/;

export const uncommented: Rule = {
  id: 'barrier/uncommented',
  category: 'barrier',
  severity: 'info',
  title: 'Memory barrier without a comment',
  description:
    "checkpatch parity (MEMORY_BARRIER): an added memory barrier should say, in a comment on the same line or just above, what it orders and which barrier it pairs with. Reviewers and later readers cannot check a barrier whose pairing is not written down.",
  check(unit, ctx) {
    if (unit.side !== 'post') return [];
    const posts = ctx.unitsOf(unit.fn, 'post');
    if (posts[0] !== unit) return [];
    const text = unit.image.text.split('\n');
    const out: RawFinding[] = [];
    for (const b of barrierCallsOn(posts, ctx, 'add')) {
      if (!ctx.catalog.wantsComment(b.name)) continue;
      const l = b.op.line;
      let commented = false;
      for (let k = l; k >= Math.max(0, l - 3); k--) if (COMMENT.test(text[k] ?? '')) commented = true;
      if (commented) continue;
      const next = nearestAccess(b.unit, ctx, l, 1);
      out.push({
        rule: 'barrier/uncommented',
        message: `${b.name}() without a comment: say what it orders and which barrier it pairs with (checkpatch: memory barrier without comment).`,
        at: { line: l, col: b.op.col, endCol: b.op.calleeNode.endPosition.column },
        fingerprint: `barrier/uncommented|${b.name}|${next?.loc ?? ''}|${text[l]?.trim()}`,
      });
    }
    return out;
  },
};
