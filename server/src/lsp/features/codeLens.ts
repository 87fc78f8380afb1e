/** Code lenses: "▶ Replay race" above every finding that has a race scenario (command mmReview.replay). */
import type { CodeLens } from 'vscode-languageserver/node';
import type { Session } from '../session';

export function registerCodeLens(session: Session): void {
  session.connection.onCodeLens(async (p, token): Promise<CodeLens[]> => {
    if (token.isCancellationRequested) return [];
    const a = await session.current(p.textDocument.uri, token);
    return (a?.findings ?? [])
      .filter((f) => f.scenario)
      .map((f) => ({
        range: { start: f.range.start, end: f.range.start },
        command: {
          title: '▶ Replay race',
          command: 'mmReview.replay',
          arguments: [{ uri: p.textDocument.uri, scenario: f.scenario, variant: 'buggy', params: f.scenarioParams ?? {}, range: f.range, rule: f.rule }],
        },
      }));
  });
}
