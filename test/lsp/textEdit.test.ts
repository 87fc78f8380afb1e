/**
 * The server posts each analysis to its worker as a change of the text it
 * posted before (lsp/analysisPort.ts, analysisWorker.ts TextEdit): the worker
 * must rebuild exactly the new text, and refuse a change that does not fit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyTextEdit, textEditOf } from 'mm-review-server/lsp/analysisWorker';
import { prng } from '../patch/mutate';

test('a change made by textEditOf rebuilds the new text from the old one (short and multi-block texts)', () => {
  const rnd = prng(0x7e47);
  const alphabet = 'ab \n\t;+-';
  const make = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
  for (let round = 0; round < 300; round++) {
    const old = make(round % 3 === 0 ? 9000 + Math.floor(rnd() * 4000) : Math.floor(rnd() * 40));
    const at = Math.floor(rnd() * (old.length + 1));
    const del = Math.floor(rnd() * Math.min(5, old.length - at + 1));
    const text = old.slice(0, at) + make(Math.floor(rnd() * 4)) + old.slice(at + del);
    const e = textEditOf(old, text);
    assert.equal(applyTextEdit(old, e), text);
    assert.ok(e.text.length <= 4 && e.end - e.start <= del + 4, 'only the changed part is sent');
  }
});

test('a change that does not fit the text the worker holds is refused', () => {
  const e = textEditOf('hello world', 'hello there world');
  assert.equal(applyTextEdit(undefined, e), undefined);
  assert.equal(applyTextEdit('hello', e), undefined);
  assert.equal(applyTextEdit('hello world', e), 'hello there world');
});
