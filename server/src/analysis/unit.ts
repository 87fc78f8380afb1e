/**
 * The unit every analysis and rule works on: one side (pre-image or
 * post-image) of one rebuilt function in one preprocessor configuration, with
 * its CFG; and the document-wide context analyses may consult (the other
 * units, for summaries of the document's own functions and callers' context).
 */
import type { ParsedDocument } from '../patch/model';
import type { RebuiltFunction, FunctionImage, ConfigVariant } from '../c/model';
import type { Cfg } from '../c/cfg';
import type { Catalog } from '../catalog';
import { functionFacts, type FunctionFacts } from '../c/facts';

export type Side = 'pre' | 'post';

/** One analysable unit: one side of one function in one preprocessor configuration. */
export interface Unit {
  fn: RebuiltFunction;
  side: Side;
  image: FunctionImage;
  variant: ConfigVariant;
  cfg: Cfg;
}

export interface AnalysisContext {
  doc: ParsedDocument;
  catalog: Catalog;
  functions: readonly RebuiltFunction[];
  /** Every unit (function × side × variant), CFGs built once and shared. */
  units: readonly Unit[];
  /** The units of one function side. */
  unitsOf(fn: RebuiltFunction, side: Side): readonly Unit[];
}

/** The facts of a unit (cached per CFG and catalog; and per unit, since every rule asks for them). */
const unitFacts = new WeakMap<Unit, { cat: Catalog; facts: FunctionFacts }>();
export function factsOf(unit: Unit, cat: Catalog): FunctionFacts {
  const hit = unitFacts.get(unit);
  if (hit && hit.cat === cat) return hit.facts;
  const facts = functionFacts(unit.cfg, unit.image, cat);
  unitFacts.set(unit, { cat, facts });
  return facts;
}
