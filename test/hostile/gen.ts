/**
 * Generated hostile inputs, shared by the test/hostile suite and
 * bench/hostile.js (which loads the compiled test/out/hostile/gen.js).
 * Every generator is deterministic and takes a size, so that the bench can
 * show how work grows with the input (x2 input, about x2 work).
 */

/** A new-file patch of `body` lines (without their `+`), with a correct hunk header. */
export function newFilePatch(path: string, body: readonly string[], subject = 'hostile input'): string {
  const head = [
    `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001`,
    `From: Hostile <hostile@example.org>`,
    `Subject: [PATCH] ${subject}`,
    ``,
    `---`,
    `diff --git a/${path} b/${path}`,
    `new file mode 100644`,
    `index 0000000..1111111`,
    `--- /dev/null`,
    `+++ b/${path}`,
    `@@ -0,0 +1,${body.length} @@`,
  ];
  const parts: string[] = [head.join('\n'), '\n'];
  for (const l of body) parts.push('+', l, '\n');
  parts.push('-- \n2.40.0\n');
  return parts.join('');
}

/** The exponential `#if` tokenizer input: `#if '` followed by `pairs` `\x` pairs, inside a function. */
export function ifRegexBomb(pairs: number): string {
  return newFilePatch('mm/bomb.c', ['static void bomb(void)', '{', `#if '${'\\x'.repeat(pairs)}`, '\tfoo();', '#endif', '}']);
}

/** One function of `lines` body lines: the "20 MB hunk" at 1,000,000 lines. */
export function hugeFunction(lines: number): string {
  const body = ['static int huge(struct page *page)', '{', '\tint x = 0;'];
  for (let i = 0; i < lines; i++) body.push(`\tx += page_ref(${i & 7});`);
  body.push('\treturn x;', '}');
  return newFilePatch('mm/huge.c', body);
}

/** One C line of about `bytes` bytes inside a function. */
export function hugeLine(bytes: number): string {
  const unit = 'x = x + 1; ';
  const line = '\t' + unit.repeat(Math.max(1, Math.ceil(bytes / unit.length)));
  return newFilePatch('mm/line.c', ['static int line(void)', '{', '\tint x = 0;', line, '\treturn x;', '}']);
}

/** `depth` nested `#ifdef CONFIG_Hn` inside one function, a statement at every level. */
export function nestedIfdef(depth: number): string {
  const body = ['static void nested(struct page *page)', '{'];
  for (let i = 0; i < depth; i++) body.push(`#ifdef CONFIG_H${i}`, `\tstep(${i});`);
  for (let i = depth - 1; i >= 0; i--) body.push(`#endif /* CONFIG_H${i} */`);
  body.push('}');
  return newFilePatch('mm/nested.c', body);
}

/**
 * A page reference taken at the top of a function and `gotos` forward gotos
 * between `gotos` labels (each label section jumps ahead to one of the next
 * few labels or falls through), the last label dropping the reference: every
 * goto is an exit of the function whose leak check walks the rest of the mesh.
 */
export function gotoMesh(gotos: number): string {
  const body = ['static int mesh(struct page *page, unsigned long *c)', '{', '\tget_page(page);'];
  for (let i = 0; i < gotos; i++) {
    const j = Math.min(gotos, i + 1 + ((i * 7919) % 5));
    body.push(`l${i}:`, `\tif (c[${i}])`, `\t\tgoto l${j};`);
    // one way out forgets the reference: a leak the search must find through the mesh
    if (i === gotos >> 1) body.push(`\tif (!c[${i}])`, '\t\tgoto fail;');
  }
  body.push(`l${gotos}:`, '\tput_page(page);', '\treturn 0;', 'fail:', '\treturn -EFAULT;', '}');
  return newFilePatch('mm/mesh.c', body);
}

/** `n` small functions in one file. */
export function manyFunctions(n: number): string {
  const body: string[] = [];
  for (let i = 0; i < n; i++) body.push(`static int f${i}(int a)`, '{', `\treturn a + ${i};`, '}', '');
  return newFilePatch('mm/many.c', body);
}

/** A patch whose C text tries to inject markdown (a command link with its own arguments, a remote image) into hovers. */
export function markdownInjection(): string {
  const evil = 'x_](command:mmReview.replay?%5B%7B%22scenario%22%3A%22S1%22%7D%5D)![img](https://evil.example/p.png)';
  return newFilePatch('mm/inject.c', [
    'static int inject(struct page *page)',
    '{',
    `\tstruct page *p = find_get_page(mapping, index); /* ${evil} */`,
    '\tif (!p)',
    '\t\treturn -ENOENT;',
    `\tif (check_${'a'}(p)) /* **bold** <img src=x> [link](https://evil.example) */`,
    '\t\treturn -EINVAL;',
    '\tput_page(p);',
    '\treturn 0;',
    '}',
  ]);
}

/** `count` functions of `lines` lines each, in one file (the document work budget). */
export function bigFunctions(count: number, lines: number): string {
  const body: string[] = [];
  for (let f = 0; f < count; f++) {
    body.push(`static int big${f}(struct page *page)`, '{', '\tint x = 0;');
    for (let i = 0; i < lines; i++) body.push(`\tx += page_ref(${i & 7});`);
    body.push('\treturn x;', '}', '');
  }
  return newFilePatch('mm/big.c', body);
}

/** A patch rewriting a whole file from `before` to `after` (one hunk, every line removed and added). */
export function rewritePatch(path: string, before: readonly string[], after: readonly string[], subject = 'rewrite'): string {
  const head = [
    `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001`,
    `From: Hostile <hostile@example.org>`,
    `Subject: [PATCH] ${subject}`,
    ``,
    `---`,
    `diff --git a/${path} b/${path}`,
    `index 1111111..2222222 100644`,
    `--- a/${path}`,
    `+++ b/${path}`,
    `@@ -1,${before.length} +1,${after.length} @@`,
  ];
  return [...head, ...before.map((l) => '-' + l), ...after.map((l) => '+' + l), '-- ', '2.40.0', ''].join('\n');
}

/** A function that takes a page reference; `leaky` adds an error return that forgets it. */
export function leakFunction(name: string, leaky: boolean, comment = ''): string[] {
  const out = [`static int ${name}(struct page *page, int c)`, '{', '\tget_page(page);'];
  if (leaky) out.push('\tif (c)', `\t\treturn ${comment ? `/* ${comment} */ ` : ''}-EINVAL;`);
  out.push('\tput_page(page);', '\treturn 0;', '}');
  return out;
}

/**
 * A litmus test whose state space keeps the engine busy for seconds (`threads`
 * CPUs, each writing three shared variables with values of its own and
 * reading two back: no two threads alike, so no symmetry reduction), for
 * tests that must cancel a run while it is still going.
 */
export function wideLitmus(threads: number): string {
  const vars = ['x', 'y', 'z'];
  let s = 'C wide-state-space\n\n{}\n\n';
  for (let t = 0; t < threads; t++) {
    s += `P${t}(int *x, int *y, int *z)\n{\n\tint r0;\n\tint r1;\n\n`;
    for (let k = 0; k < 3; k++) s += `\tWRITE_ONCE(*${vars[(t + k) % 3]}, ${t * 10 + k + 1});\n`;
    s += `\tr0 = READ_ONCE(*${vars[(t + 1) % 3]});\n\tr1 = READ_ONCE(*${vars[(t + 2) % 3]});\n}\n\n`;
  }
  return s + 'exists (0:r0=0 /\\ 1:r0=0)\n';
}
