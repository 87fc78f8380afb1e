/**
 * The `input` category: what the parser and the C model say about the text
 * itself (repairs of mail damage, parts that could not be read). Registered
 * like the rules so that `mm-review rules` lists them and every diagnostic
 * links to a docs page (docs/rules/input--*.md, generated from this table by
 * scripts/gen-input-docs.js).
 */
import type { Severity } from '../patch/model';
import { registerRule } from '../rules/registry';

export interface InputRule {
  id: string;
  severity: Severity;
  title: string;
  /** What happened and what the tool did. */
  description: string;
  /** What the reviewer can do. */
  action: string;
}

export const INPUT_RULES: readonly InputRule[] = [
  { id: 'input/mail-damage', severity: 'info', title: 'Mail-client damage repaired', description: 'The mail client damaged the diff of this message (expanded tabs, wrapped lines or headers, lost leading spaces, dropped blank lines, shifted lines) and the parser repaired it. This one diagnostic per message says what was repaired and how many lines of each kind; each repaired line is a hint on its exact characters (shown with `--severity hint` in the CLI, or as separate diagnostics with the setting `mmReview.repairDetails`).', action: 'Nothing: the analysis uses the repaired text. The patch will not apply with git am as sent: ask the sender to use git send-email.' },
  { id: 'input/wrapped-line', severity: 'info', title: 'Long line wrapped by the mail client', description: 'A diff line longer than the mail client\'s width was broken in two. The parser joined the pieces back (the continuation had no diff marker and the hunk counts only match when joined).', action: 'Nothing: the analysis uses the joined line. Ask the sender to use git send-email to avoid it.' },
  { id: 'input/wrapped-header', severity: 'info', title: 'Hunk or file header wrapped by the mail client', description: 'A `@@ ... @@` hunk header or a `diff --git` line was wrapped; the parser rejoined it.', action: 'Nothing; the patch will not apply with git am as sent.' },
  { id: 'input/lost-leading-space', severity: 'info', title: 'Context line lost its leading space', description: 'A context line arrived without its leading space (some clients strip it, or the line was blank). The parser treated it as context.', action: 'Nothing; the patch will not apply as sent.' },
  { id: 'input/dropped-blank', severity: 'info', title: 'Blank context line dropped', description: 'A blank context line (a single space) was dropped by the mail client; the parser re-inserted it where the hunk counts require.', action: 'Nothing.' },
  { id: 'input/tabs-to-spaces', severity: 'info', title: 'Tabs expanded to spaces', description: 'Leading tabs were turned into spaces by the mail client; the parser restored the tabs (kernel indentation) so that the C model sees the real code.', action: 'Nothing; the patch will not apply as sent.' },
  { id: 'input/count-mismatch', severity: 'warning', title: 'Hunk counts do not match the body', description: 'The line counts in the `@@ -a,b +c,d @@` header disagree with the lines that follow (a line added or removed by hand without updating the header, or a truncated hunk); the parser recomputed them from the body and kept every diff line of it. `git apply` refuses such a hunk.', action: 'Check the hunk: lines may be missing, or the header needs the counts the message gives.' },
  { id: 'input/hunk-offset', severity: 'hint', title: 'Hunk applies at an offset', description: 'A later patch of a series changes a file that an earlier patch of the same series changed too, and its hunk is not at the line its `@@ -a,b` header states on top of that earlier patch: the earlier patch was edited (a quick fix, a hand edit) after this one was made. The hunk was found by its context and removed lines, at an offset and, when nothing else fits, ignoring up to two context lines at its ends (fuzz), the way `git am` and `patch` place it. Its line numbers, and the functions rebuilt across the patches of the series, follow the real place.', action: 'Nothing: `git am` applies the series the same way. The note is a hint (shown with `--severity hint`).' },
  { id: 'input/missing-count', severity: 'info', title: 'Hunk header without a count', description: '`@@ -a +b @@` with no `,count` means a count of 1; the parser read it so.', action: 'Nothing.' },
  { id: 'input/leading-space-shift', severity: 'info', title: 'Every line shifted by one space', description: 'All context lines were shifted right by one space (a quoting or pasting artefact); the parser shifted them back.', action: 'Nothing.' },
  { id: 'input/unrecoverable', severity: 'warning', title: 'Hunk could not be repaired', description: 'The hunk is damaged beyond what the parser can repair; what could be read was kept, the rest dropped.', action: 'Ask for a resend; findings in this hunk may be missing.' },
  { id: 'input/unparsable-hunk', severity: 'warning', title: 'Unparsable hunk', description: 'A hunk could not be parsed at all and was skipped.', action: 'Ask for a resend; this hunk is not analysed.' },
  { id: 'input/orphan-hunk', severity: 'warning', title: 'Hunk without a file header', description: 'A `@@` hunk appeared with no `---`/`+++` or `diff --git` header before it; it cannot be placed in a file and was skipped.', action: 'Check whether the mail lost its file headers.' },
  { id: 'input/bad-file-header', severity: 'warning', title: 'Unreadable file header', description: 'A `diff --git` / `---` / `+++` header could not be read; the file patch was skipped.', action: 'Check the file header.' },
  { id: 'input/combined-diff', severity: 'info', title: 'Combined (merge) diff', description: 'A `diff --cc` combined diff of a merge was found; combined diffs are not analysed.', action: 'Review the merge\'s parents instead.' },
  { id: 'input/mime', severity: 'warning', title: 'MIME part could not be decoded', description: 'A MIME part had an unknown transfer encoding or charset, or was malformed; its text was used as it is.', action: 'Check the part\'s encoding; positions inside it may be approximate.' },
  { id: 'input/lost-line-breaks', severity: 'warning', title: 'Mail lost its line breaks', description: 'The message looks flattened (a diff on one line); the parser could not recover its line structure.', action: 'Ask for a resend.' },
  { id: 'input/empty', severity: 'info', title: 'Empty document', description: 'The document is empty or only whitespace: there is nothing to review.', action: 'Nothing.' },
  { id: 'input/binary', severity: 'error', title: 'Binary data', description: 'The document is binary data, not a patch or a mail; nothing was parsed.', action: 'Open the patch or mail itself.' },
  { id: 'input/too-large', severity: 'info', title: 'Document too large', description: 'The document is over the size limit (mmReview.maxFileSizeMB in the editor; 256 MiB in the CLI) and was not analysed.', action: 'Split it, or raise the limit.' },
  { id: 'input/too-many-functions', severity: 'warning', title: 'Too many functions in one document', description: 'The document touches more C functions than one analysis handles (10,000: a bound on memory); the functions after the limit, in this file and the files after it, were not analysed. The diagnostic sits on the hunk of the first function skipped and says how many were.', action: 'Split the series.' },
  { id: 'input/function-too-large', severity: 'warning', title: 'Function too large to analyse', description: 'One function of the patch is larger than any real kernel function (over 10,000 lines or 512 KiB on one side: a generated or hostile input, such as a million-line hunk or a megabyte on one line). It was skipped, so that it cannot exhaust the memory or the time of the analysis; the rest of the document was analysed. The diagnostic sits on the function\'s first hunk.', action: 'Review that function by hand, or split it.' },
  { id: 'input/work-budget', severity: 'warning', title: 'Analysis budget of the document spent', description: 'The analysis of one document is bounded (250,000 units: lines of rebuilt C times preprocessor configurations, about seven times the 74,000-line series of bench/check), so that no document can exhaust the memory of the editor\'s server. The functions after the point where the budget ran out were not analysed; the diagnostic sits on the first of them and says how many were skipped.', action: 'Split the series and review the parts.' },
  { id: 'input/c-parse', severity: 'info', title: 'C the model could not parse', description: 'tree-sitter-c could not parse part of a rebuilt function (an unusual macro, a construct cut by the hunk); the valid parts are analysed, this part is not.', action: 'Nothing; rules are silent on the unparsed part.' },
  { id: 'input/internal-error', severity: 'info', title: 'Internal error', description: 'A part of the analysis failed on this document and was skipped; the rest of the document was analysed. This is a bug in mm-review.', action: 'Please report it with the document.' },
];

for (const r of INPUT_RULES) registerRule({ id: r.id, category: 'input', severity: r.severity, title: r.title, description: r.description });
