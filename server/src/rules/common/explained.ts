/**
 * What the patch's own changelog says about a change a rule reports: the
 * sentence that explains removing a call, or replacing one call by another.
 * An explained change is reported as information with the sentence quoted,
 * as barrier/removed does: the reviewer weighs the author's account.
 */
import { changelogOf, explainsRecheckRemoval, explainsRemoval, explainsReplacement } from '../../analysis/ordering';
import type { RawFinding, RuleContext, Unit } from '../api';

export function removalExplained(ctx: RuleContext, unit: Unit, name: string): string | undefined {
  return explainsRemoval(changelogOf(ctx.doc, unit.fn.message), name);
}

export function recheckRemovalExplained(ctx: RuleContext, unit: Unit, calls: readonly string[]): string | undefined {
  return explainsRecheckRemoval(changelogOf(ctx.doc, unit.fn.message), calls);
}

export function replacementExplained(ctx: RuleContext, unit: Unit, oldName: string, newName: string): string | undefined {
  return explainsReplacement(changelogOf(ctx.doc, unit.fn.message), oldName, newName);
}

/** Lower a finding to information and quote the changelog sentence that explains it. */
export function asExplained<F extends RawFinding>(f: F, sentence: string | undefined): F {
  if (!sentence) return f;
  const cut = sentence.slice(0, 107);
  const quote = sentence.length > 110 ? `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 60))}…` : sentence;
  return { ...f, severity: 'info', message: `${f.message} The changelog explains: “${quote}”`, related: [...(f.related ?? []), { message: `the changelog: “${sentence}”`, at: f.at }] };
}
