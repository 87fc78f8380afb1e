/**
 * Architecture boundaries (ARCHITECTURE.md, "Invariants"), checked over the
 * server sources:
 *  - folders import only along the data flow (the layering table below);
 *  - only catalog/ reads catalog/data (kernel knowledge has one entry point);
 *  - rules read facts, never tree-sitter nodes;
 *  - rule and analysis logic never spells a kernel API name: it asks the catalog;
 *  - the scenario ids rules may name are exactly the simulator library's.
 * `PENDING_*` lists name the files that still break a boundary while the code
 * moves; each entry must still be an offender (the test fails when a listed
 * file is fixed, so the list only shrinks).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../c/fixtures';
import { catalog } from 'mm-review-server/catalog/index';
import { SCENARIO_IDS } from 'mm-review-server/protocol/scenarioIds';
import { scenarioDefs } from 'mm-review-server/sim/scenarios/index';
import { ALL_RULES } from 'mm-review-server/rules/index';

/** Words of rule ids and categories that happen to be API names too (`barrier`). */
const CATEGORY_WORDS: ReadonlySet<string> = new Set(['barrier', 'rmb', 'wmb']); // a category; ordering strengths of the schema

const SRC = path.join(repoRoot(), 'server', 'src');

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  (function walk(d: string) {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) out.push(p);
    }
  })(dir);
  return out.sort();
}

const rel = (f: string) => path.relative(SRC, f).split(path.sep).join('/');
const topOf = (relPath: string) => relPath.split('/')[0].replace(/\.ts$/, '');

/** Relative imports of a file, resolved to server/src-relative paths. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|require\('(\.[^']+)'\)|import\('(\.[^']+)'\)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const spec = m[1] ?? m[2] ?? m[3];
    out.push(rel(path.resolve(path.dirname(file), spec)));
  }
  return out;
}

/** Which top-level folders of server/src each folder may import (its own always allowed). */
const LAYERS: Record<string, readonly string[]> = {
  util: [],
  protocol: [],
  patch: ['util'],
  catalog: ['protocol'],
  c: ['patch', 'util', 'catalog', 'protocol'],
  analysis: ['c', 'catalog', 'patch', 'util', 'protocol'],
  rules: ['analysis', 'c', 'catalog', 'patch', 'util', 'protocol'],
  sim: ['protocol', 'util'],
  engine: ['patch', 'c', 'catalog', 'analysis', 'rules', 'protocol', 'util'],
  cli: ['engine', 'sim', 'patch', 'rules', 'catalog', 'protocol', 'util'],
  lsp: ['engine', 'sim', 'patch', 'rules', 'catalog', 'protocol', 'util'],
};

/** Imports against the flow that are being moved away ("from -> to" file pairs). */
const PENDING_LAYER: readonly string[] = [];

describe('architecture boundaries', () => {
  const files = filesUnder(SRC);

  it('every folder imports only along the data flow', () => {
    const bad: string[] = [];
    for (const f of files) {
      const from = topOf(rel(f));
      const allowed = LAYERS[from];
      if (!allowed && rel(f).includes('/')) {
        bad.push(`${rel(f)}: folder ${from}/ has no entry in the layering table`);
        continue;
      }
      for (const imp of importsOf(f)) {
        const to = topOf(imp);
        if (to === from || !rel(f).includes('/') || !LAYERS[to]) continue;
        if (allowed.includes(to)) continue;
        const key = `${rel(f)} -> ${to}`;
        if (!PENDING_LAYER.includes(key)) bad.push(key);
      }
    }
    assert.deepEqual(bad, []);
    for (const p of PENDING_LAYER) {
      const [file, to] = p.split(' -> ');
      assert.ok(fs.existsSync(path.join(SRC, file)) && importsOf(path.join(SRC, file)).some((i) => topOf(i) === to), `${p} is fixed: remove it from PENDING_LAYER`);
    }
  });

  it('no code is evaluated from text: no eval(), new Function(), node:vm or child processes in the server', () => {
    const bad: string[] = [];
    for (const f of files) {
      const t = fs.readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
      if (/(^|[^.\w])eval\s*\(|\bnew\s+Function\s*\(|['"]node:vm['"]|['"]vm['"]|['"](node:)?child_process['"]/.test(t)) bad.push(rel(f));
    }
    assert.deepEqual(bad, []);
  });

  it('only catalog/ imports catalog/data', () => {
    const bad: string[] = [];
    for (const f of files) {
      if (rel(f).startsWith('catalog/')) continue;
      if (importsOf(f).some((i) => i.startsWith('catalog/data'))) bad.push(rel(f));
    }
    assert.deepEqual(bad.filter((b) => !PENDING_DATA.includes(b)), []);
    for (const p of PENDING_DATA) assert.ok(bad.includes(p), `${p} no longer imports catalog/data: remove it from PENDING_DATA`);
  });

  it('rules and analyses read facts, never tree-sitter nodes', () => {
    const NAV = /\.(childForFieldName|namedChildren|namedChild|children|parent|descendantsOfType|firstNamedChild|lastNamedChild|nextSibling|previousSibling|nextNamedSibling|previousNamedSibling|startIndex|endIndex)\b|\.type\s*===/;
    const bad: string[] = [];
    for (const f of [...filesUnder(path.join(SRC, 'rules')), ...filesUnder(path.join(SRC, 'analysis'))]) {
      const lines = fs.readFileSync(f, 'utf8').split('\n');
      if (lines.some((l) => !/^\s*(\*|\/\/)/.test(l) && NAV.test(l))) bad.push(rel(f));
    }
    assert.deepEqual(bad.filter((b) => !PENDING_NAV.includes(b)), []);
    for (const p of PENDING_NAV) assert.ok(bad.includes(p), `${p} no longer navigates nodes: remove it from PENDING_NAV`);
  });

  it('rule and analysis logic never spells a kernel API name', () => {
    const names = new Set(catalog.names());
    const bad: string[] = [];
    for (const f of [...filesUnder(path.join(SRC, 'rules')), ...filesUnder(path.join(SRC, 'analysis'))]) {
      const text = fs.readFileSync(f, 'utf8');
      // string literals and regular-expression literals, outside comments
      const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
      const lits = [...code.matchAll(/'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`|\/((?:[^/\\\n]|\\.)+)\/[gimsuy]*/g)].map((m) => m[1] ?? m[2] ?? m[3]);
      const hits = new Set<string>();
      // prose (messages, descriptions: literals with spaces) may mention APIs; logic literals may not
      for (const l of lits) {
        if (l === undefined || /\s/.test(l)) continue;
        for (const w of l.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) if (names.has(w) && !CATEGORY_WORDS.has(w)) hits.add(w);
      }
      if (hits.size) bad.push(`${rel(f)}: ${[...hits].sort().join(', ')}`);
    }
    const offenders = bad.map((b) => b.split(':')[0]);
    assert.deepEqual(bad.filter((b) => !PENDING_NAMES.includes(b.split(':')[0])), []);
    for (const p of PENDING_NAMES) assert.ok(offenders.includes(p), `${p} no longer names kernel APIs: remove it from PENDING_NAMES`);
  });

  it('rules name only scenario ids the simulator library defines', () => {
    const lib = scenarioDefs().map((s) => s.id).sort();
    assert.deepEqual(lib, [...SCENARIO_IDS].sort());
    for (const s of scenarioDefs()) for (const r of s.rules) assert.ok(ALL_RULES.some((x) => x.id === r), `scenario ${s.id} links unknown rule ${r}`);
  });
});

/** Files outside catalog/ that still import catalog/data directly. */
const PENDING_DATA: readonly string[] = [];
/** Rule files that still navigate tree-sitter nodes. */
const PENDING_NAV: readonly string[] = [];
/** Rule / analysis files whose literals still spell kernel API names. */
const PENDING_NAMES: readonly string[] = [];
