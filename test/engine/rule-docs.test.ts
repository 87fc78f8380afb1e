/** Every diagnostic code links to a docs page that exists: rules and input codes alike. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import 'mm-review-server/engine/index';
import { allRules, ruleInfo } from 'mm-review-server/rules/registry';

const ROOT = path.resolve(__dirname, '..', '..', '..');

test('every registered rule has its docs page', () => {
  const rules = allRules();
  assert.ok(rules.length >= 40, `${rules.length} rules`);
  for (const r of rules) assert.ok(fs.existsSync(path.join(ROOT, r.docPath)), `${r.id}: ${r.docPath} missing`);
});

test('every input code the parser and the engine can emit is registered', () => {
  const src = (d: string): string =>
    fs
      .readdirSync(path.join(ROOT, 'server', 'src', d), { withFileTypes: true })
      .map((e) => (e.isDirectory() ? src(path.join(d, e.name)) : fs.readFileSync(path.join(ROOT, 'server', 'src', d, e.name), 'utf8')))
      .join('\n');
  const text = src('patch') + src('engine') + src('c');
  const codes = new Set([...text.matchAll(/'(input\/[a-z0-9-]+)'/g)].map((m) => m[1]));
  // repairs are reported as input/<RepairKind>
  const kinds = /export type RepairKind =([^;]+);/.exec(fs.readFileSync(path.join(ROOT, 'server', 'src', 'patch', 'model.ts'), 'utf8'))![1];
  for (const m of kinds.matchAll(/'([a-z-]+)'/g)) codes.add(`input/${m[1]}`);
  assert.ok(codes.size >= 15);
  const registered = new Set(allRules().map((r) => r.id));
  for (const c of codes) assert.ok(registered.has(c), `${c} is not registered (server/src/engine/inputRules.ts)`);
  assert.equal(ruleInfo('input/wrapped-line').category, 'input');
});

test('the generated input pages are up to date', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-input-docs.js'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
