/**
 * spec-ref: speculative references on pages found by lockless lookups.
 *
 *  - get-on-lockless-lookup: a plain get (refcount must already be > 0) on an
 *    object a lockless lookup returned;
 *  - no-revalidation: a speculative get with no re-check of the lookup after it;
 *  - revalidation-leak: the re-check fails and the path retries or leaves
 *    without dropping the speculative reference;
 *  - outside-rcu: a speculative get that needs RCU or IRQs off, outside such a
 *    section (known from the function itself or from its callers in the same file);
 *  - pgmap-hook-skipped (seed 004): a primitive that skips the ZONE_DEVICE
 *    pgmap hook, paired with a put that drops a pgmap ref, in code that handles
 *    device pages;
 *  - pgmap-leak: get_dev_pagemap not matched by put_dev_pagemap on a path.
 */
import type { Rule } from '../api';
import { getOnLocklessLookup } from './get-on-lockless-lookup';
import { noRevalidation } from './no-revalidation';
import { revalidationLeak } from './revalidation-leak';
import { outsideRcu } from './outside-rcu';
import { pgmapHookSkipped } from './pgmap-hook-skipped';
import { pgmapLeak } from './pgmap-leak';

export const SPEC_REF_RULES: readonly Rule[] = [getOnLocklessLookup, noRevalidation, revalidationLeak, outsideRcu, pgmapHookSkipped, pgmapLeak];
