/** atomic-sleep: a call that may sleep inside a section that must not sleep. */
import type { Rule } from '../api';
import { sleepInAtomic } from './sleep-in-atomic';

export const ATOMIC_SLEEP_RULES: readonly Rule[] = [sleepInAtomic];
