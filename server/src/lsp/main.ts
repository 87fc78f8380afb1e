/**
 * `mm-review-lsp`: the language server entry point. Transport from the
 * command line: --stdio (editors), --node-ipc (the VS Code client), --socket=N.
 */
import { format } from 'node:util';
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter, type Connection } from 'vscode-languageserver/node';
import { diagnosticsEncoder } from './encoder';
import { FramingGuard } from './framing';
import { startServer } from './server';

export function main(): void {
  const args = process.argv.slice(2);
  if (!args.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'))) {
    process.stderr.write('usage: mm-review-lsp --stdio | --node-ipc | --socket=PORT\n(a language server: start it from your editor, see docs/editors.md)\n');
    process.exitCode = 2;
    return;
  }
  let connection: Connection;
  if (args.includes('--stdio')) {
    // stdin through the framing guard: a malformed header ends the server with a message, not in deafness
    const guard = new FramingGuard();
    guard.on('error', (e: Error) => {
      process.stderr.write(`mm-review-lsp: the client sent a malformed message: ${e.message}. The stream cannot be resynchronised; exiting.\n`);
      process.exit(1);
    });
    process.stdin.pipe(guard);
    // stdout carries the protocol: anything printed goes to stderr instead
    for (const k of ['log', 'info', 'warn', 'error', 'debug'] as const) console[k] = (...a: unknown[]) => void process.stderr.write(format(...a) + '\n');
    // diagnostics serialised once per diagnostic, not on every publication (encoder.ts)
    connection = createConnection(ProposedFeatures.all, new StreamMessageReader(guard), new StreamMessageWriter(process.stdout, { charset: 'utf-8', contentTypeEncoder: diagnosticsEncoder }));
  } else connection = createConnection(ProposedFeatures.all);
  startServer(connection);
  connection.listen();
}
