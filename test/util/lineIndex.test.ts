import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from 'mm-review-server/util/lineIndex';

test('LineIndex maps offsets to LSP positions across LF and CRLF', () => {
  const text = 'ab\r\ncd\nef';
  const li = new LineIndex(text);
  assert.equal(li.lineCount, 3);
  assert.deepEqual(li.positionAt(0), { line: 0, character: 0 });
  assert.deepEqual(li.positionAt(4), { line: 1, character: 0 });
  assert.deepEqual(li.positionAt(8), { line: 2, character: 1 });
  assert.equal(li.lineEnd(0), 2);
  assert.equal(li.offsetAt({ line: 1, character: 1 }), 5);
  assert.equal(li.offsetAt({ line: 0, character: 99 }), 2);
});
