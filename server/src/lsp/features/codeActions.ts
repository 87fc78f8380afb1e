/**
 * Code actions on a finding: its quick fixes (diff edits that keep the hunk
 * header right, engine/fixes.ts), and "Dismiss in this workspace", which
 * records the finding's fingerprint in the reviewer's .mm-review.json
 * (command mmReview.dismiss, features/commands.ts) without touching the patch.
 */
import { CodeActionKind, type CodeAction } from 'vscode-languageserver/node';
import type { Session } from '../session';
import { overlaps } from '../settings';
import { findingKey, toDiagnostic } from './diagnostics';

export const DISMISS = 'mmReview.dismiss';

export function registerCodeActions(session: Session): void {
  session.connection.onCodeAction(async (p, token): Promise<CodeAction[]> => {
    if (token.isCancellationRequested) return [];
    const a = await session.current(p.textDocument.uri, token);
    if (!a) return [];
    const uri = p.textDocument.uri;
    const fixes: CodeAction[] = [];
    const dismissals: CodeAction[] = [];
    for (const f of a.findings) {
      if (!overlaps(f.range, p.range) || f.severity === 'hint') continue;
      const diag = p.context.diagnostics.find((d) => d.code === f.rule && (d.data as { key?: string } | undefined)?.key === findingKey(f)) ?? toDiagnostic(f, uri);
      for (const fx of f.fixes ?? []) {
        fixes.push({
          title: fx.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diag],
          isPreferred: f.fixes!.length === 1,
          edit: { changes: { [uri]: fx.edits.map((e) => ({ range: e.range, newText: e.newText })) } },
        });
      }
      if (f.fingerprint && f.category !== 'input' && session.configTargetFor(uri)) {
        dismissals.push({
          title: `Dismiss in this workspace (${f.rule})`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diag],
          command: {
            title: 'Dismiss in this workspace',
            command: DISMISS,
            arguments: [{ uri, fingerprint: f.fingerprint, rule: f.rule, file: f.file ?? null, function: f.function ?? null, line: f.lineText ?? null }],
          },
        });
      }
    }
    // the fixes first: a light bulb's preferred action is a fix, never a dismissal
    return [...fixes, ...dismissals];
  });
}
