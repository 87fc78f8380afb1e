/**
 * ReDoS audit of the server: every regular expression in server/src (regex
 * literals and `new RegExp(...)`) goes through recheck, which decides whether
 * its matching time can grow faster than linearly with the input (and gives
 * an attack string when it can). Patch text reaches almost all of them, and a
 * line of a mail can be megabytes long, so anything but linear is a hang.
 *
 * `new RegExp` with runtime parts: a top-level string constant of the same
 * file is put in as written (MONTHS, PW_DATE, FLAT_HEADERS.join('|')); any
 * other runtime part must be listed in PLACEHOLDERS with why it can only be
 * an identifier, and is checked as one.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { checkSync } from 'recheck';
import { ifRegexBomb } from './gen';
import { parseIfExpr } from 'mm-review-server/c/preproc';
import { analyze } from 'mm-review-server/engine/index';
import { catalog } from 'mm-review-server/catalog/index';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SRC = path.join(ROOT, 'server', 'src');

/**
 * Regexes recheck flags that are kept on purpose, by file and source text,
 * each with the reason it cannot be slow. Empty: everything flagged was fixed.
 */
const ALLOWED: { file: string; source: string; reason: string }[] = [];

/** Runtime parts of `new RegExp(`...${x}...`)` and why each is an identifier (checked as `ident`). */
const PLACEHOLDERS: Record<string, string> = {
  "id.replace(/[^A-Za-z0-9_]/g, '')": 'catalog/index.ts: sanitised to [A-Za-z0-9_] on the spot',
  "id.replace(/[^\\w]/g, '')": 'rules/util.ts: sanitised to \\w on the spot',
  f: 'rules/atomicSleep.ts: a GFP flag name from the catalog data (sleepsUnlessArg.atomicFlags)',
  c: 'rules/bracket.ts: a CONFIG_ symbol name from the catalog data',
  'i.value': 'rules/specRef.ts: an idiom value name from the catalog data',
  'm[2]': 'sim/replay.ts: a register name matched by `r\\d+` just before',
  "barrier.replace(/[^A-Za-z0-9_]/g, '')": 'analysis/ordering/changelog.ts: sanitised to [A-Za-z0-9_] on the spot',
  'c.pattern': 'catalog/index.ts: a goto-label pattern of the catalog data, each one audited by its own test below',
  p: 'analysis/ordering/macros.ts: a macro parameter name checked against ^[A-Za-z_]\\w*$ just before',
  "name.replace(/[^A-Za-z0-9_]/g, '')": 'analysis/ordering/readers.ts: sanitised to [A-Za-z0-9_] on the spot',
  "v.replace(/[^A-Za-z0-9_]/g, '')": 'analysis/ordering/search.ts: sanitised to [A-Za-z0-9_] on the spot',
};

interface Found {
  file: string;
  line: number;
  source: string;
  flags: string;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Top-level `const NAME = 'literal'` / template of such constants / `[...strings]`, for `${NAME}` and `${NAME.join('|')}`. */
function fileConstants(sf: ts.SourceFile): Map<string, string | string[]> {
  const consts = new Map<string, string | string[]>();
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name) || !d.initializer) continue;
      const v = d.initializer;
      if (ts.isStringLiteral(v) || ts.isNoSubstitutionTemplateLiteral(v)) consts.set(d.name.text, v.text);
      else if (ts.isTemplateExpression(v)) {
        const s = expandTemplate(v, consts, null);
        if (s !== undefined) consts.set(d.name.text, s);
      } else if (ts.isArrayLiteralExpression(v) && v.elements.every(ts.isStringLiteral)) {
        consts.set(d.name.text, v.elements.map((e) => (e as ts.StringLiteral).text));
      }
    }
  }
  return consts;
}

/** The text of a template, with `${...}` resolved; undefined when a part is not resolvable. */
function expandTemplate(t: ts.TemplateExpression, consts: Map<string, string | string[]>, unresolved: string[] | null): string | undefined {
  let s = t.head.text;
  for (const span of t.templateSpans) {
    const e = span.expression;
    const txt = e.getText();
    const c = ts.isIdentifier(e) ? consts.get(e.text) : undefined;
    const join = /^(\w+)\.join\('\|'\)$/.exec(txt);
    if (typeof c === 'string') s += c;
    else if (join && Array.isArray(consts.get(join[1]))) s += (consts.get(join[1]) as string[]).join('|');
    else if (unresolved && PLACEHOLDERS[txt] !== undefined) {
      unresolved.push(txt);
      s += 'ident';
    } else return undefined;
    s += span.literal.text;
  }
  return s;
}

function collect(): { found: Found[]; problems: string[] } {
  const found: Found[] = [];
  const problems: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const consts = fileConstants(sf);
    const rel = path.relative(SRC, file);
    const at = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart()).line + 1;
    const visit = (n: ts.Node): void => {
      if (n.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const t = n.getText();
        const slash = t.lastIndexOf('/');
        found.push({ file: rel, line: at(n), source: t.slice(1, slash), flags: t.slice(slash + 1) });
      } else if (ts.isNewExpression(n) && n.expression.getText() === 'RegExp') {
        const [src, flags] = n.arguments ?? [];
        const flagText = flags && ts.isStringLiteral(flags) ? flags.text : flags ? undefined : '';
        let source: string | undefined;
        if (src && (ts.isStringLiteral(src) || ts.isNoSubstitutionTemplateLiteral(src))) source = src.text;
        else if (src && ts.isTemplateExpression(src)) source = expandTemplate(src, consts, []);
        if (source === undefined || flagText === undefined) problems.push(`${rel}:${at(n)}: new RegExp with parts this audit cannot read: ${n.getText().slice(0, 120)}`);
        else found.push({ file: rel, line: at(n), source, flags: flagText });
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return { found, problems };
}

/** Does a regex source contain a quantifier (`*`, `+`, `?` or `{n}` after an atom)? Escapes and group openers are not. */
function hasQuantifier(source: string): boolean {
  const s = source.replace(/\\[\s\S]/g, 'x').replace(/\(\?(?:[:=!]|<[=!]|<[A-Za-z_]\w*>)/g, '(');
  return /[*+?{]/.test(s);
}

describe('hostile: regular expressions (ReDoS audit with recheck)', () => {
  it('every regex in server/src matches in linear time, or is allow-listed with a reason', () => {
    const { found, problems } = collect();
    assert.deepEqual(problems, []);
    assert.ok(found.length > 200, `found only ${found.length} regexes: is the scan broken?`);
    const flagged: string[] = [];
    const seen = new Set<string>();
    let checked = 0;
    for (const r of found) {
      // the same source and flags once; a regex with no quantifier cannot backtrack more than linearly
      const key = `${r.flags}/${r.source}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!hasQuantifier(r.source)) continue;
      checked++;
      // `g` repeats a leftmost search (what recheck checks without it); `y` anchors each match at lastIndex.
      const res = checkSync(r.source, r.flags.replace(/[gd]/g, ''), { timeout: 20_000, randomSeed: 9 });
      if (res.status === 'safe') continue;
      if (ALLOWED.some((a) => a.file === r.file && a.source === r.source)) continue;
      const why = res.status === 'vulnerable' ? `${res.complexity.type}${res.complexity.type === 'polynomial' ? ' degree ' + res.complexity.degree : ''}, attack ${res.attack.pattern}` : `${res.status}: ${JSON.stringify(res.error)}`;
      flagged.push(`${r.file}:${r.line} /${r.source}/${r.flags}: ${why}`);
    }
    assert.deepEqual(flagged, []);
    assert.ok(checked > 150, `checked only ${checked}`);
    for (const a of ALLOWED) assert.ok(a.reason.length > 20, `allow-list entry ${a.file} needs a reason`);
  });

  it('every goto-label pattern of the catalog (data compiled into a RegExp at run time) matches in linear time', () => {
    const flagged: string[] = [];
    for (const c of catalog.gotoLabelConventions()) {
      const res = checkSync(c.pattern, 'i', { timeout: 20_000, randomSeed: 9 });
      if (res.status !== 'safe') flagged.push(`${c.pattern}: ${res.status}`);
    }
    assert.deepEqual(flagged, []);
  });
  it('the #if tokenizer: `#if \'` + 4,000 `\\x` pairs parses at once, and the 40-pair bomb analyses', () => {
    // 40 pairs took more than a minute before; now the expression is one character-literal token
    const e = parseIfExpr(`'${'\\x'.repeat(4000)}`);
    assert.equal(e.k, 'atom');
    const a = analyze(ifRegexBomb(40), 'bomb.patch');
    assert.equal(a.functions.length, 1);
    assert.equal(a.functions[0].name, 'bomb');
  });
});
