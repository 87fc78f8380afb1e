/**
 * The barrier rules: missing or too-weak memory barriers in mm patches.
 * One module per rule, each with its metadata and check; the facts they
 * read come from the ordering analysis (server/src/analysis/ordering) and
 * the catalog. See docs/rules/barrier--*.md.
 */
import type { Rule } from '../api';
import { storeLoadOrder } from './store-load-order';
import { unorderedAnnounce } from './unordered-announce';
import { plainPublish } from './plain-publish';
import { removed } from './removed';
import { uncommented } from './uncommented';

export const BARRIER_RULES: readonly Rule[] = [storeLoadOrder, unorderedAnnounce, plainPublish, removed, uncommented];
