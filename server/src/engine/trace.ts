/**
 * A rule's trace (image positions) mapped to the document: every event gets
 * the 1-based document line it is on, like related locations, and the line
 * of the patched file when known. Events in another function of the document
 * (the other side of a protocol) name that function.
 */
import type { FunctionImage } from '../c/model';
import type { Trace, TraceEvent } from '../protocol/replay';
import type { ImagePos, RawTrace, Side, Unit } from '../rules/api';
import type { Range } from '../util/lineIndex';

export function mapTrace(
  raw: RawTrace,
  unit: Unit,
  place: (img: FunctionImage, at: ImagePos) => Range | null,
  fileLine: (img: FunctionImage, line: number, side: Side) => number | undefined,
): Trace {
  const events: TraceEvent[] = [];
  let lost = 0;
  for (const e of raw.events) {
    const u = e.at.unit ?? unit;
    const range = place(u.image, e.at);
    if (!range) {
      lost++;
      continue;
    }
    const fl = fileLine(u.image, e.at.line, u.side);
    const fn = u.fn.name !== unit.fn.name || u.fn.path !== unit.fn.path ? u.fn.name : undefined;
    const { at: _at, ...rest } = e;
    events.push({ ...rest, at: { line: range.start.line + 1, ...(fl !== undefined ? { fileLine: fl } : {}), ...(fn ? { fn } : {}) } });
  }
  const out: Trace = { family: raw.family, events, roles: { ...raw.roles } };
  if (raw.names) out.names = { ...raw.names };
  if (raw.fix) out.fix = { ...raw.fix };
  if (raw.unbound) out.unbound = raw.unbound;
  else if (lost && !events.length) out.unbound = 'the events of this race are not on lines of the document';
  return out;
}
