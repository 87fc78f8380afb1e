/**
 * The server posts each analysis to its worker as a change of the text it
 * posted before (lsp/analysisPort.ts, analysisWorker.ts TextEdit): the worker
 * must rebuild exactly the new text, and refuse a change that does not fit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyTextEdit, textEditOf } from 'mm-review-server/lsp/analysisWorker';
import { prng } from '../patch/mutate';
import { forgetChanges, takeChange, trackedTextDocument } from 'mm-review-server/lsp/textChanges';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';

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

test('the change the editor\'s content changes describe (textChanges.ts): composed over several didChange events, it rebuilds the new text from the text last posted', () => {
  const rnd = prng(0x7e48);
  const alphabet = 'ab \n\t;+-';
  const make = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
  const uri = 'file:///t/changes.mbox';
  let doc = trackedTextDocument.create(uri, 'diff', 1, make(3000));
  let posted = doc.getText();
  let taken = 0;
  for (let round = 0; round < 400; round++) {
    // one didChange: one to three changes, each against the text the ones before it left
    const changes: TextDocumentContentChangeEvent[] = [];
    const n = 1 + Math.floor(rnd() * 3);
    for (let k = 0; k < n; k++) {
      if (rnd() < 0.03) {
        changes.push({ text: make(Math.floor(rnd() * 3000)) });
        continue;
      }
      const len = doc.getText().length;
      const a = doc.positionAt(Math.floor(rnd() * (len + 1)));
      const b = doc.positionAt(Math.floor(rnd() * (len + 1)));
      // ranges in either order (update() makes them well-formed)
      changes.push({ range: { start: a, end: b }, text: make(Math.floor(rnd() * 5)) });
    }
    const reference = TextDocument.update(TextDocument.create(uri, 'diff', 1, doc.getText()), changes.map((c) => ({ ...c })), 2).getText();
    doc = trackedTextDocument.update(doc, changes, round + 2);
    assert.equal(doc.getText(), reference);
    // sometimes several didChange events before the server posts the text
    if (rnd() < 0.6) {
      const e = takeChange(uri, posted, doc.getText());
      assert.ok(e, `round ${round}: the change is known`);
      assert.equal(applyTextEdit(posted, e), doc.getText(), `round ${round}`);
      posted = doc.getText();
      taken++;
    }
  }
  assert.ok(taken > 200);
  // a text that is not the base of the recorded changes: unknown (the server compares the texts)
  doc = trackedTextDocument.update(doc, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }], 1000);
  assert.equal(takeChange(uri, posted + 'y', doc.getText()), undefined);
  forgetChanges(uri);
  assert.equal(takeChange(uri, posted, doc.getText()), undefined);
});
