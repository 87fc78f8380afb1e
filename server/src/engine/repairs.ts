/**
 * Mail damage, said once. A mail client that expands tabs or wraps lines does
 * it all over the message: forty located notes would bury the three real
 * findings. By default each repaired line becomes a hint (still on its exact
 * characters: shown faintly in an editor, listed by `--severity hint`), and
 * the message gets one located summary (`input/mail-damage`): what was
 * repaired, how many lines of each kind, with the first of each kind as
 * related locations. `repairDetails` (the CLI's `--severity hint` shows the
 * hints; the editor setting `mmReview.repairDetails`) keeps every repair at
 * its own severity instead.
 */
import type { ParsedDocument } from '../patch/model';
import type { LineIndex } from '../util/lineIndex';
import type { Finding } from './findings';

/** Repairs of mail-client damage, with how the summary counts them. */
const DAMAGE: Record<string, [string, string]> = {
  'input/tabs-to-spaces': ['line with tabs expanded to spaces', 'lines with tabs expanded to spaces'],
  'input/wrapped-line': ['wrapped line', 'wrapped lines'],
  'input/wrapped-header': ['wrapped header', 'wrapped headers'],
  'input/lost-leading-space': ['context line without its leading space', 'context lines without their leading space'],
  'input/dropped-blank': ['dropped blank line', 'dropped blank lines'],
  'input/leading-space-shift': ['line shifted one column right', 'lines shifted one column right'],
};

export function isMailDamage(rule: string): boolean {
  return rule in DAMAGE;
}

/** Replace the per-line repair notes of each message by one summary (see the header). Mutates `out`. */
export function summarizeRepairs(doc: ParsedDocument, index: LineIndex, out: Finding[], details: boolean): void {
  if (details) return;
  // the spans that belong to each message: its own, and its diffs' (a patchwork page puts the diff elsewhere)
  const owners: { start: number; end: number; msg: number }[] = [];
  doc.messages.forEach((m, i) => {
    owners.push({ start: m.span.start, end: m.span.end, msg: i });
    for (const f of m.files) {
      owners.push({ start: f.headerSpan.start, end: f.headerSpan.end, msg: i });
      for (const h of f.hunks) {
        const last = h.lines[h.lines.length - 1];
        owners.push({ start: h.headerSpan.start, end: last ? last.span.end : h.headerSpan.end, msg: i });
      }
    }
  });
  const smallest = (list: readonly { start: number; end: number; msg: number }[], off: number) => {
    let best: { start: number; end: number; msg: number } | undefined;
    for (const o of list) if (o.start <= off && off <= o.end && (!best || o.end - o.start < best.end - best.start)) best = o;
    return best;
  };
  // Usually each message's spans lie inside the message, and the messages follow each other: then only the
  // spans of the messages around an offset (one, or two at a shared boundary) can contain it, and they are
  // searched alone, in the same order (the same answer as searching all, in time linear in the document).
  const byMessage = doc.messages.map(() => [] as { start: number; end: number; msg: number }[]);
  for (const o of owners) byMessage[o.msg].push(o);
  const local =
    doc.messages.every((m, i) => i === 0 || doc.messages[i - 1].span.end <= m.span.start) &&
    owners.every((o) => doc.messages[o.msg].span.start <= o.start && o.end <= doc.messages[o.msg].span.end);
  const ownerOf = (off: number): number => {
    if (!local) return smallest(owners, off)?.msg ?? -1;
    // the last message starting at or before off
    let lo = 0;
    let hi = doc.messages.length - 1;
    let k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (doc.messages[mid].span.start <= off) {
        k = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (k < 0) return -1;
    // and the messages before it that still reach off (a shared boundary): no other span can contain off
    let j = k;
    while (j > 0 && doc.messages[j - 1].span.end >= off) j--;
    const cands = j === k ? byMessage[k] : byMessage.slice(j, k + 1).flat();
    return smallest(cands, off)?.msg ?? -1;
  };
  const groups = new Map<number, Finding[]>();
  for (const f of out) {
    if (!isMailDamage(f.rule) || f.severity !== 'info') continue;
    const m = ownerOf(index.offsetAt(f.range.start));
    const g = groups.get(m);
    if (g) g.push(f);
    else groups.set(m, [f]);
  }
  for (const g of groups.values()) {
    g.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    for (const f of g) f.severity = 'hint';
    const counts = new Map<string, number>();
    for (const f of g) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
    const what = [...counts].sort((a, b) => b[1] - a[1]).map(([rule, n]) => `${n} ${DAMAGE[rule][n === 1 ? 0 : 1]}`);
    const first = g[0];
    const firsts = [...counts.keys()].map((rule) => g.find((f) => f.rule === rule)!);
    out.push({
      rule: 'input/mail-damage',
      category: 'input',
      severity: 'info',
      message: `Mail-client damage repaired in this message — ${what.join(', ')}. The analysis uses the repaired text; the patch will not apply as sent.`,
      range: first.range,
      related: firsts.map((f) => ({ message: f.message, range: f.range })),
    });
  }
}
