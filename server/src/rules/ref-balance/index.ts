/** ref-balance: acquires not released on a path, double releases, releases of refs never taken. */
import type { Rule } from '../api';
import { leak } from './leak';
import { doubleRelease } from './double-release';
import { releaseWithoutAcquire } from './release-without-acquire';

export const REF_BALANCE_RULES: readonly Rule[] = [leak, doubleRelease, releaseWithoutAcquire];
