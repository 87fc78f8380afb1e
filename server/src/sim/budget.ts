/**
 * The engine's bounds: a time limit and a candidate limit, enforced in every
 * phase (value domains, path enumeration, shapes, the search, the model's
 * relation algebra on large graphs, the explanation pass).
 *
 * Work is counted in abstract units (one unit is roughly one inner-loop
 * step); the clock is read every POLL units, so the time between two clock
 * reads is bounded by POLL units of work plus the largest single charge,
 * whatever the phase. `Budget.maxGapUnits` records that largest stretch of
 * work between two clock reads; tests assert on it rather than on wall time.
 *
 * The relation algebra (./relation.ts) has no budget parameter: it charges
 * the module-level active budget (set by `Budget.run`), so that a model
 * evaluation on a graph of thousands of events is interrupted too.
 */

export class Bound extends Error {
  constructor(readonly reason: string, readonly kind: 'time' | 'candidates' | 'paths' | 'explain' = 'time') {
    super(reason);
  }
}

const POLL = 1 << 16;

export class Budget {
  private work = 0;
  private sinceReset = 0;
  /** Largest number of work units charged between two clock reads. */
  maxGapUnits = 0;
  /** Longest time between two clock reads (ms, by the budget's clock). */
  maxGapMs = 0;
  private lastPoll: number;
  /** Clock reads so far. */
  polls = 0;
  /** Total work units charged. */
  units = 0;
  phase = 'setup';

  constructor(
    public deadline: number,
    readonly timeoutMs: number,
    readonly clock: () => number = Date.now,
  ) {
    this.lastPoll = clock();
  }

  static start(timeoutMs: number, clock: () => number = Date.now): Budget {
    return new Budget(clock() + timeoutMs, timeoutMs, clock);
  }

  /** Charge `units` of work; throws Bound when the deadline has passed. */
  tick(units = 1): void {
    this.work += units;
    if (this.work >= POLL) this.poll();
  }

  /** Read the clock now. */
  poll(): void {
    this.units += this.work;
    this.sinceReset += this.work;
    if (this.sinceReset > this.maxGapUnits) this.maxGapUnits = this.sinceReset;
    this.work = 0;
    this.sinceReset = 0;
    this.polls++;
    const t = this.clock();
    if (t - this.lastPoll > this.maxGapMs) this.maxGapMs = t - this.lastPoll;
    this.lastPoll = t;
    if (t > this.deadline) throw new Bound(`time bound of ${this.timeoutMs} ms hit (${this.phase})`, 'time');
  }

  /** Account for pending work without reading the clock (for the final counters). */
  flush(): void {
    this.units += this.work;
    this.sinceReset += this.work;
    if (this.sinceReset > this.maxGapUnits) this.maxGapUnits = this.sinceReset;
    this.work = 0;
  }

  now(): number {
    return this.clock();
  }

  /** Run `f` with this budget as the active one (charged by the relation algebra). */
  run<T>(f: () => T): T {
    const prev = active;
    active = this;
    try {
      return f();
    } finally {
      active = prev;
    }
  }
}

let active: Budget | undefined;

/** Charge the active budget, if any (for code that has no budget parameter). */
export function charge(units: number): void {
  if (active) active.tick(units);
}
