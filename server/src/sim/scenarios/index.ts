/**
 * The scenario library's public face: list, look up, instantiate, export.
 */
import { SCENARIOS } from './library';
import { instantiate, type Instance, type Params } from './instantiate';
import type { ScenarioDef, Variant } from './types';

export type { ScenarioDef, Variant } from './types';
export type { Instance, Params } from './instantiate';
export { instantiate, litmusIdent } from './instantiate';

export class UnknownScenarioError extends Error {
  constructor(readonly id: string) {
    super(`unknown scenario '${id}' (known: ${SCENARIOS.map((s) => s.id).join(', ')})`);
  }
}

export function listScenarios(): { id: string; title: string; seed: string; variants: ['buggy', 'fixed'] }[] {
  return SCENARIOS.map((s) => ({ id: s.id, title: s.title, seed: s.seed, variants: ['buggy', 'fixed'] }));
}

/** Every scenario's full definition (docs, the webview's scenario picker). */
export function scenarioDefs(): readonly ScenarioDef[] {
  return SCENARIOS;
}

/** Look a scenario up by id ("S5", case-insensitive); throws UnknownScenarioError. */
export function getScenario(id: string): ScenarioDef {
  const s = SCENARIOS.find((x) => x.id.toLowerCase() === String(id).trim().toLowerCase());
  if (!s) throw new UnknownScenarioError(String(id));
  return s;
}

export function checkVariant(variant: string): Variant {
  if (variant !== 'buggy' && variant !== 'fixed') throw new Error(`unknown variant '${variant}' (buggy or fixed)`);
  return variant;
}

export function instantiateScenario(id: string, variant: Variant, params?: Params): Instance {
  return instantiate(getScenario(id), checkVariant(variant), params ?? {});
}

/** The instantiated litmus program of a scenario variant. */
export function exportLitmus(id: string, variant: Variant, params?: Params): string {
  return instantiateScenario(id, variant, params).litmus;
}
