import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from 'mm-review-server/util/lineIndex';
import { prng } from '../patch/mutate';

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

test('an edited index (the keystroke path) equals the index of the edited text, line ends of every kind', () => {
  const rnd = prng(0x11e5);
  const pieces = ['a', 'bc', '\n', '\r', '\r\n', ' ', '\n\n', '\r\r'];
  const make = (n: number) => Array.from({ length: n }, () => pieces[Math.floor(rnd() * pieces.length)]).join('');
  for (let round = 0; round < 400; round++) {
    const old = make(Math.floor(rnd() * 30));
    const start = Math.floor(rnd() * (old.length + 1));
    const oldEnd = start + Math.floor(rnd() * (old.length - start + 1));
    const ins = make(Math.floor(rnd() * 4));
    const text = old.slice(0, start) + ins + old.slice(oldEnd);
    const got = LineIndex.edited(new LineIndex(old), text, start, oldEnd, start + ins.length);
    const want = new LineIndex(text);
    assert.equal(got.lineCount, want.lineCount, JSON.stringify({ old, start, oldEnd, ins }));
    for (let l = 0; l < want.lineCount; l++) assert.equal(got.lineStart(l), want.lineStart(l), JSON.stringify({ old, start, oldEnd, ins, l }));
    for (let o = 0; o <= text.length; o++) assert.deepEqual(got.positionAt(o), want.positionAt(o));
  }
});
