/**
 * bracket: unbalanced or mismatched sections and locks, the saved-flags
 * variable of irqsave/restore, disable/enable mixed with save/restore, use of
 * a pte pointer or RCU-protected pointer after its section closed, and an
 * #ifdef on a Kconfig symbol the patch defines, spelled without CONFIG_.
 */
import type { Rule } from '../api';
import { unbalanced } from './unbalanced';
import { flagsMismatch } from './flags-mismatch';
import { mixedIrqStyle } from './mixed-irq-style';
import { useAfterClose } from './use-after-close';
import { kconfigPrefixRule } from './kconfig-prefix';

export const BRACKET_RULES: readonly Rule[] = [unbalanced, flagsMismatch, mixedIrqStyle, useAfterClose, kconfigPrefixRule];
