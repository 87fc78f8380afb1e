/**
 * The rule registry. Each rule module exports Rule objects; ALL_RULES lists them.
 * (Rules are added by the rules work; see docs/rules/.)
 */
import type { Rule } from './api';
import { registerRule } from '../engine/ruleInfo';

export const ALL_RULES: readonly Rule[] = [];

for (const r of ALL_RULES) {
  registerRule({ id: r.id, category: r.category, severity: r.severity, title: r.title, description: r.description });
}
