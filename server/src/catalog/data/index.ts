/** All catalog data tables, concatenated. Add a module here when you add a domain. */
import type { ApiSpec } from '../schema';
import { PAGE_REFS } from './pageRefs';
import { BRACKETS } from './brackets';
import { ORDERING } from './ordering';

export const DATA: readonly ApiSpec[] = [...PAGE_REFS, ...BRACKETS, ...ORDERING];

// Barrier-rule entries that no table above defines (never duplicates): server/src/catalog/data/barrierExtra.ts
import { barrierExtra } from './barrierExtra';
(DATA as ApiSpec[]).push(...barrierExtra(DATA));
