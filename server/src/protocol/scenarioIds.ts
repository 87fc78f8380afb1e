/**
 * Scenario identifiers shared by the rules (which name the race a finding
 * allows) and the simulator's scenario library (which defines it). A rule can
 * only name an id listed here, and test/rules/boundaries.test.ts checks that
 * the library defines exactly these ids.
 */
export const SCENARIO_IDS = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8'] as const;

export type ScenarioId = (typeof SCENARIO_IDS)[number];

export function isScenarioId(x: unknown): x is ScenarioId {
  return typeof x === 'string' && (SCENARIO_IDS as readonly string[]).includes(x);
}
