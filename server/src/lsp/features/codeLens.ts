/**
 * Code lenses: "▶ Replay race" above every finding whose own race can be
 * replayed (command mmReview.replay; its arguments name the finding, and the
 * server rebuilds the request from its analysis: lsp/replay.ts).
 */
import type { CodeLens } from 'vscode-languageserver/node';
import { noReplayReason, replayable, replayArgsFor } from '../replay';
import type { Session } from '../session';

export function registerCodeLens(session: Session): void {
  session.connection.onCodeLens(async (p, token): Promise<CodeLens[]> => {
    if (token.isCancellationRequested) return [];
    const a = await session.current(p.textDocument.uri, token);
    return (a?.findings ?? [])
      .filter((f) => replayable(f) && !noReplayReason(f))
      .map((f) => ({
        range: { start: f.range.start, end: f.range.start },
        command: { title: '▶ Replay race', command: 'mmReview.replay', arguments: [replayArgsFor(f, p.textDocument.uri)] },
      }));
  });
}
