/**
 * The changelog of a patch message (the commit message: after the mail
 * headers, before the `---` line or the first diff) and the sentence in it
 * that explains why a barrier goes away.
 */
import type { Message, ParsedDocument } from '../../patch/model';
import { decodeBody } from '../../patch/mime';
import { dependsOnDocument } from '../deps';

const cache = new WeakMap<Message, string>();

/** The commit message of `msg`, decoded (quoted-printable, charset), or '' when there is none. */
export function changelogOf(doc: ParsedDocument, msg: Message): string {
  dependsOnDocument(); // its result depends on other functions of the document (analysis/deps.ts)
  const hit = cache.get(msg);
  if (hit !== undefined) return hit;
  let text = '';
  const start = msg.headerSpan ? msg.headerSpan.end : msg.span.start;
  const firstFile = msg.files.length ? Math.min(...msg.files.map((f) => f.headerSpan.start)) : msg.span.end;
  const end = Math.min(firstFile, msg.span.end);
  if (end > start) {
    try {
      text = decodeBody(doc.text, start, end, msg.encoding ?? '7bit', msg.charset).text;
    } catch {
      text = doc.text.slice(start, end);
    }
    // the commit message ends at the `---` separator (diffstat and notes follow)
    const sep = /^---\s*$/m.exec(text);
    if (sep) text = text.slice(0, sep.index);
    // a diff that is not recognised as a file still starts the patch part
    const diff = /^(?:diff --git |Index: |--- a\/)/m.exec(text);
    if (diff) text = text.slice(0, diff.index);
  }
  cache.set(msg, text);
  return text;
}

/** Sentences of a changelog: blank lines and `. ` end one; lines of a paragraph are joined. */
function sentences(text: string): string[] {
  const out: string[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    const flat = para
      .split('\n')
      .filter((l) => !/^\s*(?:[A-Z][\w-]*-by|Fixes|Link|Cc|Closes|Reported|Suggested|Tested|Reviewed|Acked|Signed-off-by|Co-developed-by):/i.test(l))
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (!flat) continue;
    for (const s of flat.split(/(?<=[.!?])\s+(?=[A-Z(`'"])/)) if (s.trim()) out.push(s.trim());
  }
  return out;
}

const REMOVAL = /\b(?:remov|drop|delet|get rid|unnecessary|not needed|no need|(?:does|do|did)(?: not|n't) need|unneeded|no longer|redundant|superfluous|pointless|useless|implie[sd]|already|replac|instead|not required|needless|kill|mov(?:e|ed|es|ing)\b|defer|provided by|provides)/i;

/**
 * The changelog sentence that explains the removal of `barrier` (called
 * `smp_wmb` etc.): one that names it (`smp_wmb()`) or talks about a memory
 * barrier, and says why it goes (removed, redundant, implied by ...).
 */
export function explainsRemoval(changelog: string, barrier: string): string | undefined {
  if (!changelog) return undefined;
  const named = new RegExp(`(?<![A-Za-z0-9_])${barrier.replace(/[^A-Za-z0-9_]/g, '')}(?![A-Za-z0-9_])`);
  let generic: string | undefined;
  for (const s of sentences(changelog)) {
    if (named.test(s) && REMOVAL.test(s)) return s;
    if (!generic && /\b(?:memory |full |write |read )?barriers?\b|\bordering\b/i.test(s) && REMOVAL.test(s)) generic = s;
  }
  return generic;
}

/**
 * The changelog sentence that explains removing a re-check: one that speaks of
 * removing and names a check (`check`, `recheck`, `race`) or one of the calls
 * the condition made (`compound_head`, `PageHuge`).
 */
export function explainsRecheckRemoval(changelog: string, calls: readonly string[]): string | undefined {
  if (!changelog) return undefined;
  const named = calls.map((name) => new RegExp(`(?<![A-Za-z0-9_])${name.replace(/[^A-Za-z0-9_]/g, '')}(?![A-Za-z0-9_])`));
  return sentences(changelog).find((s) => REMOVAL.test(s) && (/(?:re-?)?check(?:s|ed|ing)?|validat/i.test(s) || named.some((r) => r.test(s))));
}

/**
 * The changelog sentence that explains replacing `oldName()` by `newName()`:
 * one that names both (`use mmput() instead of mmdrop()`), the author's own
 * account of the change, which a reviewer weighs before the pre-image's
 * evidence.
 */
export function explainsReplacement(changelog: string, oldName: string, newName: string): string | undefined {
  if (!changelog || oldName === newName) return undefined;
  const named = (name: string) => new RegExp(`(?<![A-Za-z0-9_])${name.replace(/[^A-Za-z0-9_]/g, '')}(?![A-Za-z0-9_])`);
  const a = named(oldName);
  const b = named(newName);
  return sentences(changelog).find((s) => a.test(s) && b.test(s));
}
