/** ref-kind: the release does not match the acquire (kind, or a bias released by one). */
import type { Rule } from '../api';
import { mismatchedRelease } from './mismatched-release';
import { biasMismatch } from './bias-mismatch';
import { wrongTypeRule } from './wrong-type';
import { narrowedFlags } from './narrowed-flags';

export const REF_KIND_RULES: readonly Rule[] = [mismatchedRelease, biasMismatch, wrongTypeRule, narrowedFlags];
