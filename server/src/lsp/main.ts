/**
 * `mm-review-lsp`: the language server entry point. Transport from the
 * command line: --stdio (editors), --node-ipc (the VS Code client), --socket=N.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

export function main(): void {
  const args = process.argv.slice(2);
  if (!args.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'))) {
    process.stderr.write('usage: mm-review-lsp --stdio | --node-ipc | --socket=PORT\n(a language server: start it from your editor, see docs/editors.md)\n');
    process.exitCode = 2;
    return;
  }
  const connection = createConnection(ProposedFeatures.all);
  startServer(connection);
  connection.listen();
}
