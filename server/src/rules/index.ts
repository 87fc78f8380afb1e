/**
 * The rule registry. Each rule module exports Rule objects; ALL_RULES lists them.
 * Docs: docs/rules/<id with / replaced by -->.md.
 */
import type { Rule } from './api';
import { registerRule } from './registry';
import { REF_BALANCE_RULES } from './ref-balance';
import { REF_KIND_RULES } from './ref-kind';
import { SPEC_REF_RULES } from './spec-ref';
import { BRACKET_RULES } from './bracket';
import { ATOMIC_SLEEP_RULES } from './atomic-sleep';
import { BARRIER_RULES } from './barrier';

export const ALL_RULES: readonly Rule[] = [
  ...REF_BALANCE_RULES,
  ...REF_KIND_RULES,
  ...SPEC_REF_RULES,
  ...BRACKET_RULES,
  ...ATOMIC_SLEEP_RULES,
  ...BARRIER_RULES,
];

for (const r of ALL_RULES) {
  registerRule({ id: r.id, category: r.category, severity: r.severity, title: r.title, description: r.description });
}
