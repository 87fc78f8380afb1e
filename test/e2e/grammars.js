// Tokenizes fixtures with our TextMate grammars through VS Code's own
// vscode-textmate + vscode-oniguruma (from the code-server install) and the
// built-in C grammar, and checks the scopes that matter: mail headers, diff
// headers, +/- lines with embedded C, litmus keywords and primitives.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');

async function tokenizer(vscodeDir) {
  const tm = require(path.join(vscodeDir, 'node_modules', 'vscode-textmate'));
  const onig = require(path.join(vscodeDir, 'node_modules', 'vscode-oniguruma'));
  await onig.loadWASM(fs.readFileSync(path.join(vscodeDir, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm')).buffer);
  const files = {
    'text.mm-patch': path.join(root, 'grammars/syntaxes/patch-mail.tmLanguage.json'),
    'source.litmus': path.join(root, 'grammars/syntaxes/litmus.tmLanguage.json'),
    'source.c': path.join(vscodeDir, 'extensions/cpp/syntaxes/c.tmLanguage.json'),
  };
  const reg = new tm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (s) => new onig.OnigScanner(s), createOnigString: (s) => new onig.OnigString(s) }),
    loadGrammar: async (scope) => (files[scope] ? tm.parseRawGrammar(fs.readFileSync(files[scope], 'utf8'), files[scope]) : null),
  });
  return async (scope, text) => {
    const g = await reg.loadGrammar(scope);
    let st = tm.INITIAL;
    return text.split('\n').map((line) => {
      const r = g.tokenizeLine(line, st);
      st = r.ruleStack;
      return { line, tokens: r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes })) };
    });
  };
}

/** Every check: in the first line matching `line`, the token `token` carries all `scopes`. */
const CHECKS = [
  { scope: 'text.mm-patch', file: 'examples/gup-stable-pin-series.mbox', line: /^Subject: \[PATCH v2 1\/3\]/, token: 'Subject', scopes: ['keyword.other.header.mm-patch'] },
  { scope: 'text.mm-patch', file: 'examples/gup-stable-pin-series.mbox', line: /^diff --git a\/mm\/filemap\.c/, token: 'diff --git a/mm/filemap.c b/mm/filemap.c', scopes: ['meta.diff.header.git.mm-patch'] },
  { scope: 'text.mm-patch', file: 'examples/gup-stable-pin-series.mbox', line: /^@@ -94,6 \+94,82 @@/, token: '+94,82', scopes: ['constant.numeric.range.to.mm-patch'] },
  { scope: 'text.mm-patch', file: 'examples/gup-stable-pin-series.mbox', line: /^ \treturn folio;/, token: 'return', scopes: ['meta.diff.context.mm-patch', 'meta.embedded.c', 'keyword.control.c'] },
  { scope: 'text.mm-patch', file: 'examples/gup-stable-pin-series.mbox', line: /^\+\t+if \(/, token: 'if', scopes: ['markup.inserted.diff', 'meta.embedded.c', 'keyword.control.c'] },
  { scope: 'text.mm-patch', file: 'examples/gup-stable-pin-series.mbox', line: /^Signed-off-by:/, token: 'Signed-off-by', scopes: ['keyword.other.trailer.mm-patch'] },
  { scope: 'text.mm-patch', file: 'examples/qp-readahead-order.eml', line: /^ \treturn index - 1 - head;/, token: 'return', scopes: ['meta.diff.hunk.mm-patch', 'keyword.control.c'] },
  { scope: 'source.litmus', file: 'test/vscode-suite/fixtures/SB+fencembonceonces.litmus', line: /^C SB/, token: 'SB+fencembonceonces', scopes: ['entity.name.type.test-name.litmus'] },
  { scope: 'source.litmus', file: 'test/vscode-suite/fixtures/SB+fencembonceonces.litmus', line: /WRITE_ONCE\(\*x/, token: 'WRITE_ONCE', scopes: ['support.function.lkmm.litmus'] },
  { scope: 'source.litmus', file: 'test/vscode-suite/fixtures/SB+fencembonceonces.litmus', line: /smp_mb\(\)/, token: 'smp_mb', scopes: ['support.function.lkmm.litmus'] },
  { scope: 'source.litmus', file: 'test/vscode-suite/fixtures/SB+fencembonceonces.litmus', line: /^exists/, token: 'exists', scopes: ['keyword.control.condition.litmus'] },
  { scope: 'source.litmus', file: 'test/vscode-suite/fixtures/SB+fencembonceonces.litmus', line: /Result: Never/, token: null, scopes: ['comment.block.litmus'] },
];

async function checkGrammars(vscodeDir) {
  const tok = await tokenizer(vscodeDir);
  const problems = [];
  for (const c of CHECKS) {
    const lines = await tok(c.scope, fs.readFileSync(path.join(root, c.file), 'utf8'));
    const l = lines.find((x) => c.line.test(x.line));
    if (!l) {
      problems.push(`${c.file}: no line matches ${c.line}`);
      continue;
    }
    const tokens = c.token === null ? l.tokens.filter((t) => t.text.trim()) : l.tokens.filter((t) => t.text.trim() === c.token);
    const ok = tokens.length > 0 && tokens.every((t) => c.scopes.every((s) => t.scopes.includes(s)));
    if (!ok) problems.push(`${c.file}: "${c.token}" in ${JSON.stringify(l.line.slice(0, 40))} has ${JSON.stringify(tokens.map((t) => t.scopes.slice(1)))}, want ${c.scopes.join(' ')}`);
  }
  if (problems.length) throw new Error(problems.join('\n'));
  return `${CHECKS.length} scope checks`;
}

module.exports = { checkGrammars };

if (require.main === module) {
  const dir = process.argv[2] || path.join(process.env.MM_E2E_PREFIX || '/opt/mm-review-e2e', 'node_modules/code-server/lib/vscode');
  checkGrammars(dir).then((d) => console.log('grammars ok:', d), (e) => {
    console.error(e.message);
    process.exit(1);
  });
}
