/**
 * Scenario identifiers shared by the rules, the simulator and the client.
 *
 * Two kinds of scenarios:
 *  - the seed library (S1..S9): fixed litmus programs taken from the seed
 *    threads, replayed from the scenario picker (`mm-review replay S5`);
 *    test/rules/boundaries.test.ts checks that the library defines exactly
 *    these ids;
 *  - scenario families: one per kind of bug. A finding's replay is built from
 *    the events its rule found on its path (a trace) by the family named in
 *    the trace, with the other CPU taken from the catalogue of counterpart
 *    protocols (server/src/sim/families).
 */
export const SCENARIO_IDS = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9'] as const;

/** A seed scenario of the library. */
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export function isScenarioId(x: unknown): x is ScenarioId {
  return typeof x === 'string' && (SCENARIO_IDS as readonly string[]).includes(x);
}

/**
 * Scenario families: the kind of race a finding allows. Each family builds a
 * buggy and a fixed variant from the finding's own events.
 */
export const FAMILY_IDS = [
  'leak', // a reference never dropped: the object is never freed
  'lock-leak', // a lock or section left held: the other CPU waits for ever
  'double-release', // a reference dropped twice (or one never taken): use after free by a concurrent holder
  'wrong-release', // a release of the wrong kind: the pin count is corrupted
  'speculative', // a plain get on a lockless lookup: a freed object resurrected
  'recheck', // a speculative get without re-checking the lookup: freed and reused
  'pgmap', // ZONE_DEVICE pgmap reference not taken: the device is torn down under a user
  'store-load', // store then load without a full barrier: store buffering
  'publish', // initialise then publish without ordering: message passing
  'section', // a protected pointer used outside its RCU / IRQs-off / lock section
  'sleep', // a sleeping call inside an atomic section
] as const;

export type FamilyId = (typeof FAMILY_IDS)[number];

export function isFamilyId(x: unknown): x is FamilyId {
  return typeof x === 'string' && (FAMILY_IDS as readonly string[]).includes(x);
}

/** Titles of the families, for lists and the replay header. */
export const FAMILY_TITLES: Record<FamilyId, string> = {
  leak: 'Reference never dropped: the object is never freed',
  'lock-leak': 'Lock or section left held: the other CPU waits for ever',
  'double-release': 'Reference dropped twice: use after free by a concurrent holder',
  'wrong-release': 'Release of the wrong kind: the pin count is corrupted',
  speculative: 'Plain get on a lockless lookup: a freed object is resurrected',
  recheck: 'Speculative get without a re-check: the object was freed and reused',
  pgmap: 'ZONE_DEVICE pgmap reference not taken: the device is torn down under a user',
  'store-load': 'Store then load without a full barrier (store buffering)',
  publish: 'Initialised object published without ordering (message passing)',
  section: 'Protected pointer used outside its section',
  sleep: 'Sleeping call inside an atomic section',
};
