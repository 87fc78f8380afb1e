/**
 * The server's stdio encoder (lsp/encoder.ts) reuses the JSON text of the
 * diagnostics it was given once: the bytes must be JSON.stringify's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonOnce, messageJson } from 'mm-review-server/lsp/encoder';

const diag = (line: number, message: string) => ({
  range: { start: { line, character: 1 }, end: { line, character: 9 } },
  severity: 2,
  code: 'ref-balance/leak',
  source: 'mm-review',
  message,
  data: { key: `k${line}`, scenario: null, nested: [1, 'two', { three: undefined, four: null }] },
});

test('a publication with registered and new diagnostics is encoded as JSON.stringify encodes it', () => {
  const kept = [jsonOnce(diag(3, 'leaks "page" \u2014 on the error path\n')), jsonOnce(diag(7, 'second'))];
  const msg = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///a%20b/series.mbox', version: 12, diagnostics: [kept[0], diag(5, 'new one'), kept[1]] } };
  assert.equal(messageJson(msg), JSON.stringify(msg));
  assert.deepEqual(JSON.parse(messageJson(msg)), JSON.parse(JSON.stringify(msg)));
  // no diagnostics, and other messages
  const empty = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///x', diagnostics: [] } };
  assert.equal(messageJson(empty), JSON.stringify(empty));
  const other = { jsonrpc: '2.0', id: 4, result: { diagnostics: [kept[0]] } };
  assert.equal(messageJson(other), JSON.stringify(other));
});

test('a registered diagnostic is encoded from the text it had when registered (it must not change afterwards)', () => {
  const d = jsonOnce(diag(1, 'before'));
  d.message = 'after';
  const msg = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///x', diagnostics: [d] } };
  assert.match(messageJson(msg), /"message":"before"/);
  assert.notEqual(messageJson(msg), JSON.stringify(msg));
});
