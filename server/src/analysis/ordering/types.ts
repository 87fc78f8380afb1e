/**
 * What the ordering analysis reads: the units of a document (one side of one
 * function in one preprocessor configuration, with its CFG) and the catalog.
 * The rules' Unit / RuleContext (rules/api.ts) have this shape; the analysis
 * does not import the rules (it sits below them in the layering).
 */
import type { Cfg } from '../../c/cfg';
import type { ConfigVariant, FunctionImage, RebuiltFunction } from '../../c/model';
import type { Catalog } from '../../catalog';
import type { ParsedDocument } from '../../patch/model';

export type Side = 'pre' | 'post';

export interface OrderingUnit {
  fn: RebuiltFunction;
  side: Side;
  image: FunctionImage;
  variant: ConfigVariant;
  cfg: Cfg;
}

export interface OrderingContext {
  doc: ParsedDocument;
  catalog: Catalog;
  functions: readonly RebuiltFunction[];
  units: readonly OrderingUnit[];
  unitsOf(fn: RebuiltFunction, side: Side): readonly OrderingUnit[];
}
