/** Hover: on a finding, the rule's explanation (lsp/hover.ts); elsewhere, a catalogued kernel API under the cursor. */
import type { Hover, Position, Range } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { hoverForFinding, hoverForWord } from '../hover';
import type { Session } from '../session';
import { contains } from '../settings';

export function wordAt(doc: TextDocument, pos: Position): { text: string; range: Range } | undefined {
  const line = doc.getText({ start: { line: pos.line, character: 0 }, end: { line: pos.line + 1, character: 0 } });
  const re = /[A-Za-z_][A-Za-z0-9_]*/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (m.index <= pos.character && pos.character <= m.index + m[0].length) {
      return { text: m[0], range: { start: { line: pos.line, character: m.index }, end: { line: pos.line, character: m.index + m[0].length } } };
    }
  }
  return undefined;
}

export function registerHover(session: Session): void {
  session.connection.onHover(async (p, token): Promise<Hover | null> => {
    if (token.isCancellationRequested) return null;
    const doc = session.documents.get(p.textDocument.uri);
    if (!doc) return null;
    const a = await session.current(p.textDocument.uri, token);
    const hits = a?.findings.filter((f) => f.category !== 'input' && contains(f.range, p.position)) ?? [];
    if (hits.length) {
      // which text and which era the finding was judged with (kernel facts have eras)
      const era = session.kernelEra();
      const from = era.from === 'setting' ? 'mmReview.kernelVersion' : era.from === 'tree' ? "the kernel tree's Makefile" : 'current mainline; set mmReview.kernelVersion for another era';
      const judged = (f: (typeof hits)[number]) =>
        `*Judged from* ${f.judgedIn === 'hunk' || !f.judgedIn ? 'the patch text alone (code it does not show is unknown)' : f.judgedIn === 'tree (worktree file)' ? 'the whole function in the kernel tree' : `the whole function at ${f.judgedIn.replace(/^tree at /, 'commit ')}`}, *with the kernel facts of v${era.version}* (${from}).`;
      const value = hits.map((f) => `${hoverForFinding(f, p.textDocument.uri, { diagnosticsInHover: session.diagnosticsInHover })}\n\n${judged(f)}`).join('\n\n---\n\n');
      return { contents: { kind: 'markdown', value }, range: hits[0].range };
    }
    const word = wordAt(doc, p.position);
    const md = word ? hoverForWord(word.text) : undefined;
    return md ? { contents: { kind: 'markdown', value: md }, range: word!.range } : null;
  });
}
