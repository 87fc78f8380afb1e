/** Shared helpers for the C-model tests. */
import assert from 'node:assert/strict';
import { parseDocument } from 'mm-review-server/patch/parse';
import type { ParsedDocument } from 'mm-review-server/patch/model';
import type { FunctionImage, RebuiltFunction, ConfigVariant } from 'mm-review-server/c/model';
import { functionImage, rebuildAll, type RebuildOptions } from 'mm-review-server/c/rebuild';
import { buildCfg, type Cfg, type CfgNode, type CfgEdge, type Operation, type CallOp } from 'mm-review-server/c/cfg';

export { repoRoot, seed } from '../patch/helpers';

export function doc(text: string, uri = 'test.patch'): ParsedDocument {
  return parseDocument(text, uri);
}

export function rebuild(text: string, opts: RebuildOptions = {}): RebuiltFunction[] {
  return rebuildAll(doc(text), opts);
}

/** The single function named `name` (in `file` when given); fails if there is not exactly one. */
export function only(fns: RebuiltFunction[], name: string, file?: string): RebuiltFunction {
  const hits = fns.filter((f) => f.name === name && (file === undefined || f.path === file));
  assert.equal(hits.length, 1, `expected one ${name}${file ? ' in ' + file : ''}, got ${hits.length}: ${fns.map((f) => f.path + ':' + f.name).join(', ')}`);
  return hits[0];
}

export function lines(img: FunctionImage): string[] {
  return img.text.split('\n');
}

export function variant(img: FunctionImage, label: string): ConfigVariant {
  const v = img.variants.find((x) => x.label === label);
  assert.ok(v, `no variant ${label}; have ${img.variants.map((x) => x.label).join(', ')}`);
  return v;
}

/** Build the CFG of a complete C function given as text (default configuration). */
export function cfgOf(code: string, label = 'default'): Cfg {
  const img = functionImage(code);
  const v = variant(img, label);
  assert.deepEqual(v.errorLines, [], 'test function must parse cleanly:\n' + v.parseText);
  const cfg = buildCfg(v);
  assert.ok(cfg, 'no CFG');
  return cfg;
}

/** The first node whose AST text starts with `text` (whitespace-normalized). */
export function nodeByText(cfg: Cfg, text: string, kind?: CfgNode['kind']): CfgNode {
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
  const n = cfg.nodes.find((x) => x.ast && norm(x.ast.text).startsWith(text) && (!kind || x.kind === kind));
  assert.ok(n, `no node starting with ${JSON.stringify(text)}${kind ? ' of kind ' + kind : ''}`);
  return n;
}

/** Compact edge description: `to-text|kind|atom=value`. */
export function edgeDesc(e: CfgEdge): string {
  const to = e.to.kind === 'exit' ? 'EXIT' : e.to.kind === 'label' && e.to.label ? `${e.to.label}:` : (e.to.ast?.text ?? e.to.kind).replace(/\s+/g, ' ').slice(0, 40);
  return `${to}|${e.kind}${e.cond ? `|${e.cond.expr.text}=${e.cond.value}` : ''}${e.back ? '|back' : ''}${e.via ? '|' + e.via : ''}`;
}

export function succs(n: CfgNode): string[] {
  return n.succs.map(edgeDesc);
}

export function calls(ops: Operation[]): CallOp[] {
  return ops.filter((o): o is CallOp => o.kind === 'call');
}

export function opSummary(ops: Operation[]): string[] {
  return ops.map((o) => {
    switch (o.kind) {
      case 'call':
        return `call ${o.name}(${o.args.map((a) => a.text).join(', ')})`;
      case 'assign':
        return `assign ${o.lhs} ${o.op}${o.rhs !== null ? ' ' + o.rhs : ''}`;
      case 'decl':
        return `decl ${o.type} ${o.name}${o.initText !== null ? ' = ' + o.initText : ''}`;
      case 'return':
        return `return ${o.valueText ?? ''}`.trim();
      case 'read':
      case 'write':
        return `${o.kind} ${o.lvalue.text}${o.macro ? ' via ' + o.macro : ''}`;
      case 'asm':
        return 'asm';
    }
  });
}

/**
 * A hunk with correct counts: body lines start with ' ', '+' or '-'
 * (a bare empty line is a blank context line).
 */
export function hunk(oldStart: number, newStart: number, section: string, body: string): string {
  const ls = body.replace(/\n$/, '').split('\n');
  const oldCount = ls.filter((l) => !l.startsWith('+')).length;
  const newCount = ls.filter((l) => !l.startsWith('-')).length;
  return `@@ -${oldStart},${oldCount} +${newStart},${newCount} @@${section ? ' ' + section : ''}\n${ls.map((l) => (l === '' ? ' ' : l)).join('\n')}\n`;
}

/** A one-file git diff. */
export function diff(path: string, ...hunks: string[]): string {
  return `diff --git a/${path} b/${path}\nindex 1111111..2222222 100644\n--- a/${path}\n+++ b/${path}\n${hunks.join('')}`;
}
