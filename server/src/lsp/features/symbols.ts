/** The outline (documentSymbol): messages → files → hunks → functions, each with its own range (lsp/outline.ts). */
import type { DocumentSymbol } from 'vscode-languageserver/node';
import type { Session } from '../session';

export function registerSymbols(session: Session): void {
  session.connection.onDocumentSymbol(async (p, token): Promise<DocumentSymbol[]> => {
    if (token.isCancellationRequested) return [];
    const a = await session.current(p.textDocument.uri, token);
    if (!a || !session.documents.get(p.textDocument.uri)) return [];
    return session.pool.outline(p.textDocument.uri);
  });
}
