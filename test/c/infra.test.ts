/** The CNode tree copy, the query loader and the lexer, checked against tree-sitter and by hand. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Parser from 'tree-sitter';
import { mirror, variantRoot, type CNode } from 'mm-review-server/c/cnode';
import { findQueriesDir, loadQuery } from 'mm-review-server/c/treesitter';
import { declaredName, functionImage, rebuildAll } from 'mm-review-server/c/rebuild';
import { parseDocument } from 'mm-review-server/patch/parse';
import { newScanState, scanLine } from 'mm-review-server/c/lexer';
import { repoRoot } from './fixtures';

const SAMPLE = `static noinline int gup_pte_range(pmd_t pmd, unsigned long addr,
		unsigned long end, int write, struct page **pages, int *nr)
{
	struct dev_pagemap *pgmap = NULL;
	int nr_start = *nr, ret = 0;

	for_each_device_pfn(pfn, page_map)
		put_page(pfn_to_page(pfn));
	do {
		pte_t pte = READ_ONCE(*ptep);	/* a comment */
		if (unlikely(!pgmap)) {
			undo_dev_pagemap(nr, nr_start, pages);
			break;
		}
		pages[*nr] = page;
		(*nr)++;
	} while (ptep++, addr += PAGE_SIZE, addr != end);
	return ret ? x->y : -EFAULT;
}`;

const OPAQUE = new Set(['string_literal', 'char_literal', 'concatenated_string', 'sized_type_specifier', 'primitive_type', 'type_qualifier', 'storage_class_specifier', 'struct_specifier', 'union_specifier', 'enum_specifier', 'type_descriptor', 'gnu_asm_expression', 'attribute_specifier', 'comment']);

function compare(c: CNode, s: Parser.SyntaxNode, out: string[]): void {
  if (c.type !== s.type || c.startIndex !== s.startIndex || c.endIndex !== s.endIndex) {
    out.push(`${c.type}@${c.startIndex}-${c.endIndex} vs ${s.type}@${s.startIndex}-${s.endIndex}`);
    return;
  }
  if (OPAQUE.has(c.type)) return;
  assert.equal(c.children.length, s.childCount, `children of ${c.type}`);
  for (let i = 0; i < s.childCount; i++) {
    const f = s.fieldNameForChild(i);
    if ((f ?? null) !== c.children[i].field) out.push(`field of child ${i} of ${c.type}: ${c.children[i].field} vs ${f}`);
    compare(c.children[i], s.child(i)!, out);
  }
}

describe('CNode copy', () => {
  it('has the same types, ranges and fields as the tree-sitter tree (anonymous tokens included)', () => {
    const v = functionImage(SAMPLE).variants[0];
    assert.deepEqual(v.errorLines, []);
    const root = variantRoot(v);
    const diffs: string[] = [];
    compare(root, v.tree.rootNode, diffs);
    assert.deepEqual(diffs, []);
    // text is the variant's text: the rewritten loop macro reads as written
    const loop = root.descendantsOfType('while_statement')[0];
    assert.equal(loop.text, 'for_each_device_pfn(pfn, page_map)\n\t\tput_page(pfn_to_page(pfn));');
    assert.deepEqual(loop.startPosition, { row: 6, column: 1 });
    assert.equal(loop.syntax().type, 'while_statement');
    const ret = root.descendantsOfType('return_statement')[0];
    assert.equal(ret.namedChildren[0].childForFieldName('consequence')!.text, 'x->y');
  });

  it('builds the same copy with positions from the text as with positions from tree-sitter, on every function of the corpus, examples and seeds', () => {
    const root = repoRoot();
    const files = [
      ...fs.readdirSync(path.join(root, 'test', 'corpus')).filter((f) => f.endsWith('.patch')).map((f) => path.join(root, 'test', 'corpus', f)),
      ...fs.readdirSync(path.join(root, 'examples')).filter((f) => /\.(eml|mbox|patch)$/.test(f)).map((f) => path.join(root, 'examples', f)),
      ...fs.readdirSync(path.join(root, 'test', 'patch', 'fixtures', 'seeds')).map((f) => path.join(root, 'test', 'patch', 'fixtures', 'seeds', f)),
    ];
    let clean = 0;
    const same = (a: CNode, b: CNode, where: string): void => {
      const ka = [a.type, a.isNamed, a.field, a.startIndex, a.endIndex, a.isMissing, a.children.length];
      const kb = [b.type, b.isNamed, b.field, b.startIndex, b.endIndex, b.isMissing, b.children.length];
      assert.deepEqual(ka, kb, where);
      for (let i = 0; i < a.children.length; i++) same(a.children[i], b.children[i], where);
    };
    for (const f of files) {
      for (const fn of rebuildAll(parseDocument(fs.readFileSync(f, 'utf8'), f))) {
        for (const img of [fn.pre, fn.post]) {
          for (const v of img?.variants ?? []) {
            if (!v.tree.rootNode.hasError) clean++;
            same(mirror(v.tree, v.text, undefined, v.parseText), mirror(v.tree, v.text, undefined, v.parseText, true), `${path.basename(f)}: ${fn.name} ${v.label}`);
          }
          // the name read from the copy is the c-functions.scm query's
          if (img && img.origin[img.headerLine]?.kind !== 'synthetic' && !img.variants[0].rewrites.some((r) => r.kind === 'syscall')) {
            const v = img.variants[0];
            const m = loadQuery('c-functions')
              .matches(v.tree.rootNode)
              .map((x) => x.captures.find((c) => c.name === 'name')!.node)
              .find((n) => n.startPosition.row <= img.headerLine + 8);
            assert.equal(declaredName(img), m ? v.text.slice(m.startIndex, m.endIndex) : null, `${path.basename(f)}: ${fn.name}`);
          }
        }
      }
    }
    assert.ok(clean > 200, `${clean} trees without errors`);
  });

  it('falls back to the cursor for every node when the tree has errors', () => {
    const v = functionImage('void f(void)\n{\n\ta(;\n\tb();\n}').variants[0];
    assert.ok(v.errorLines.length > 0);
    const diffs: string[] = [];
    compare(mirror(v.tree, v.text), v.tree.rootNode, diffs);
    assert.deepEqual(diffs, []);
  });
});

describe('query loader', () => {
  it('finds grammars/queries from server/out/c, from a bundle in dist/, and compiles c-functions.scm', () => {
    const root = repoRoot();
    const expected = path.join(root, 'grammars', 'queries');
    assert.equal(findQueriesDir(path.join(root, 'server', 'out', 'c')), expected);
    assert.equal(findQueriesDir(path.join(root, 'dist')), expected);
    assert.equal(findQueriesDir(path.parse(root).root), null);
    const q = loadQuery('c-functions');
    const v = functionImage('struct page *follow(struct vm_area_struct *vma)\n{\n\treturn NULL;\n}').variants[0];
    const names = q.matches(v.tree.rootNode).map((m) => m.captures.find((c) => c.name === 'name')!.node.text);
    assert.deepEqual(names, ['follow']);
    assert.equal(loadQuery('c-functions'), q);
  });
});

describe('lexer', () => {
  it('blanks comments and literal contents, tracks braces, parens and comment state across lines', () => {
    const st = newScanState();
    const a = scanLine('\tif (x) { /* {{ */ s = "}}"; // }', st);
    assert.equal(a.code, '\tif (x) {          s = "  ";     ');
    assert.deepEqual([a.braceDelta, a.parenDelta, a.firstOpen, a.commentAfter], [1, 0, 8, false]);
    const b = scanLine('\tfoo(a, /* open', st);
    assert.deepEqual([b.parenDelta, b.commentAfter], [1, true]);
    const c = scanLine('\t   still */ b) {', st);
    assert.deepEqual([c.commentBefore, c.parenDelta, c.parenMin, c.braceDelta], [true, -1, -1, 1]);
    const d = scanLine('#define X(a) \\', st);
    assert.deepEqual([d.directive, d.directiveKind, d.continues], [true, 'define', true]);
    const e = scanLine('\tdo { } while (0)', st);
    assert.deepEqual([e.directive, e.braceDelta], [true, 0]);
    const f = scanLine('}', st);
    assert.deepEqual([f.directive, f.braceDelta, f.braceMin], [false, -1, -1]);
  });
});
