/**
 * The litmus dialect, over generated files: every header form (diy7
 * metadata, texname, doc strings, comments), every init form, every
 * expression form and every final-condition form herd7 accepts for C tests,
 * each in a small test whose verdict follows from the model, with the
 * one-line justification next to it. DIALECT_DUMP=DIR writes the generated
 * files there, to run herd7 on them: every case not marked `ext` gets the
 * same verdict from herd7 7.58 with the kernel's LKMM.
 *
 * Cases marked `ext` are C that herd7's C front end rejects (`%`, shifts,
 * `!`, `&&`, `||`, `?:`, `~` and `-` on expressions, compound assignments,
 * several declarators, multi-word casts, `true`/`false`/`NULL` as
 * constants, `spinlock_t` in the init block, `not exists` and a bare
 * proposition as the final condition): the engine gives them their C
 * meaning, stated in the justification.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LitmusSyntaxError, formatHerd, parseLitmus, runLitmus } from 'mm-review-server/sim/index';

type Verdict = 'Never' | 'Sometimes' | 'Always';
interface Case {
  name: string;
  src: string;
  want: Verdict;
  why: string;
  /** Extra checks on the parsed test. */
  check?: (t: ReturnType<typeof parseLitmus>) => void;
  /** Beyond herd7's C subset (herd7 rejects it; the engine gives it its C meaning). */
  ext?: boolean;
}

// ---- building blocks ----

/** Message passing without ordering: the LKMM allows r0=1, r1=0 (no ppo between the two reads, no wmb). */
const MP_BODY = `P0(int *x, int *y)
{
	WRITE_ONCE(*x, 1);
	WRITE_ONCE(*y, 1);
}

P1(int *x, int *y)
{
	int r0;
	int r1;

	r0 = READ_ONCE(*y);
	r1 = READ_ONCE(*x);
}
`;
/** The same with smp_wmb() and smp_rmb(): wmb orders the writes, rmb the reads, so r0=1, r1=0 is forbidden (hb cycle). */
const MP_FENCED = MP_BODY.replace('WRITE_ONCE(*x, 1);\n', 'WRITE_ONCE(*x, 1);\n\tsmp_wmb();\n').replace('r0 = READ_ONCE(*y);\n', 'r0 = READ_ONCE(*y);\n\tsmp_rmb();\n');
const MP_COND = 'exists (1:r0=1 /\\ 1:r1=0)';

/** A single-thread test: its only execution computes `expr` from r0 = x (initially 6) and r9 = 3. */
function seq(name: string, init: string, body: string, cond: string): string {
	return `C ${name}\n{\n${init}\n}\n\nP0(int *x, int *y)\n{\n\tint r0 = READ_ONCE(*x);\n\tint r9 = 3;\n${body}\n}\n\nexists (${cond})\n`;
}

function cases(): Case[] {
  const out: Case[] = [];
  const add = (c: Case) => out.push(c);

  // ---- 1. headers ----
  const headers: [string, string, (t: ReturnType<typeof parseLitmus>) => void][] = [
    ['plain', 'C hdr-plain\n', () => {}],
    ['doc string', 'C hdr-doc "some doc"\n', (t) => assert.equal(t.doc, 'some doc')],
    ['doc string on the next line', 'C hdr-doc2\n"Fre PodWR Fre PodWR"\n', (t) => assert.equal(t.doc, 'Fre PodWR Fre PodWR')],
    ['texname', 'C hdr-tex (MP-tex)\n', (t) => assert.equal(t.texname, 'MP-tex')],
    ['diy7 metadata', 'C hdr-diy7\n"PodWW Rfe PodRR Fre"\nCycle=Rfe PodRR Fre PodWW\nRelax=\nSafe=Rfe Fre PodWW PodRR\nPrefetch=0:x=F,0:y=W,1:y=F,1:x=T\nCom=Rf Fr\nOrig=PodWW Rfe PodRR Fre\n',
      (t) => assert.deepEqual(t.info.map((i) => i.key), ['Cycle', 'Relax', 'Safe', 'Prefetch', 'Com', 'Orig'])],
    ['generator and hash lines', 'C hdr-gen\nGenerator=diy7 (version 7.51+4(dev))\nHash=0123456789abcdef\n', (t) => assert.equal(t.info[0].value, 'diy7 (version 7.51+4(dev))')],
    ['comments, nested, before the init block', 'C hdr-cmt\n(* Result: Sometimes (* nested *) *)\n// a C comment\n/* another */\n', (t) => assert.ok(t.comments.length >= 3)],
    ['trailing semicolon after the name', 'C hdr-semi;\n', () => {}],
  ];
  for (const [what, header, check] of headers) {
    add({ name: `header: ${what}`, src: `${header}{}\n\n${MP_BODY}\n${MP_COND}\n`, want: 'Sometimes', why: 'MP without barriers: no ppo orders the reads, so the stale read is allowed', check });
    add({ name: `header: ${what} (fenced)`, src: `${header}{}\n\n${MP_FENCED}\n${MP_COND}\n`, want: 'Never', why: 'wmb + rmb: W x ->wmb W y ->rfe R y ->rmb R x ->fre W x is an hb/pb cycle' });
  }

  // ---- 2. init forms ----
  const init: [string, string, string, Verdict, string][] = [
    ['empty', '', '0:r0=0', 'Always', 'x starts at 0 by default'],
    ['bare location', 'x;', '0:r0=0', 'Always', '`x;` declares x with value 0'],
    ['x=1', 'x=1;', '0:r0=1', 'Always', 'the only write x can read is the initial one'],
    ['typed', 'int x = 7;', '0:r0=7', 'Always', 'typed location, initial value 7'],
    ['no final semicolon', 'int y = 2; int x = 7', '0:r0=7', 'Always', 'the last item needs no ;'],
    ['negative', 'x = -5;', '0:r0=-5', 'Always', 'negative literal'],
    ['hexadecimal', 'x = 0x10;', '0:r0=16', 'Always', 'hex literal 0x10 = 16'],
    ['ATOMIC_INIT', 'atomic_t x = ATOMIC_INIT(4);', '0:r0=4', 'Always', 'ATOMIC_INIT(v) is v'],
    ['bracketed', '[x] = 3;', '0:r0=3', 'Always', '[x] names the location x'],
    ['comment inside the init block', 'x = 2; (* a comment *) y = 1;', '0:r0=2', 'Always', 'comments are allowed anywhere in the init block'],
    ['register init', '0:r5 = 9; x = 1;', '0:r5=9', 'Always', 'P0 never writes r5, so it keeps its initial value'],
    ['register init, P-form', 'P0:r5 = 9;', '0:r5=9', 'Always', 'P0:r5 is the same register as 0:r5'],
    ['typed register', 'int 0:r5 = 9;', '0:r5=9', 'Always', 'the type of a register does not change its value'],
    ['typed pointer register without value', 'int * 0:r5;', '0:r5=0', 'Always', 'a declared register starts at 0'],
    ['pointer to a location', 'int *y = &x; x = 3;', 'y=x', 'Always', 'y holds the address of x'],
    ['pointer without &', 'int *y = x;', 'y=x', 'Always', 'herd7: a location name as a value is its address'],
    ['untyped pointer', 'y = x;', 'y=x', 'Always', 'same, without a type'],
    ['spinlock (ext: herd7 cannot size spinlock_t in the init block)', 'spinlock_t l; x = 1;', '0:r0=1', 'Always', 'an unused lock changes nothing'],
  ];
  for (const [what, i, cond, want, why] of init) add({ name: `init: ${what}`, src: seq('init', i, '', cond), want, why, ext: what.includes('(ext') });

  // ---- 3. expressions (C semantics on the single execution) ----
  const exprs: [string, string, string, string, boolean?][] = [
    ['+ - * /', 'int r1 = (r0 + r9) * 2 - r0 / 3;', '0:r1=16', '(6+3)*2 - 6/3 = 16'],
    ['& | ^', 'int r1 = (r0 & 3) | (r9 ^ 1) | 8;', '0:r1=10', '2 | 2 | 8 = 10'],
    ['comparisons', 'int r1 = (r0 > r9) + (r0 >= 6) + (r0 < r9) + (r0 <= 5) + (r0 == 6) + (r0 != 6);', '0:r1=3', 'true, true, false, false, true, false'],
    ['precedence', 'int r1 = r0 + r9 * 2 == 12 & 1;', '0:r1=1', '* before +, + before ==, == before &: (6+6==12) & 1 = 1'],
    ['parentheses', 'int r1 = (r0 - 10) * (0 - 1);', '0:r1=4', '(6-10)*(-1) = 4'],
    ['casts', 'int r1 = (int)r0 + (intptr_t)r9;', '0:r1=9', 'casts do not change small values'],
    ['pointer cast and deref', 'int *r4 = (int *)y; int r1 = READ_ONCE(*r4);', '0:r1=0', 'y is 0 initially; the cast is the identity'],
    ['pointer arithmetic with 0', 'int *r4 = (y + (r0 & 1)); WRITE_ONCE(*r4, 5);', 'y=5', 'r0 & 1 = 0, so r4 = y'],
    ['if / else', 'int r1; if (r0 == 6) r1 = 1; else r1 = 2;', '0:r1=1', 'the then branch runs'],
    ['nested blocks', 'int r1 = 0; { if (r9) { r1 = r0; } }', '0:r1=6', 'blocks are plain sequencing'],
    ['(void) call', '(void)READ_ONCE(*y); int r1 = 2;', '0:r1=2', 'a (void) cast discards the value'],
    ['atomic ops', 'atomic_add(2, y); int r1 = atomic_fetch_inc(y); int r2 = atomic_dec_and_test(y);', '0:r1=2 /\\ 0:r2=0 /\\ y=2', 'y: 0 +2 = 2, fetch_inc returns 2 (y=3), dec gives 2, not 0'],
    ['cmpxchg and xchg', 'int r1 = cmpxchg(y, 0, 4); int r2 = xchg(y, 7);', '0:r1=0 /\\ 0:r2=4 /\\ y=7', 'cmpxchg succeeds (y was 0) and returns the old 0; xchg returns 4'],
    ['% << >> (ext)', 'int r1 = (r0 % 4) << 3 >> 1;', '0:r1=8', 'C: ((6%4)<<3)>>1 = 8', true],
    ['~ (ext)', 'int r1 = ~r0 & 8;', '0:r1=8', 'C: ~6 & 8 = 8', true],
    ['! && || ?: (ext)', 'int r1 = !r0 || (r9 && r0) ? r0 - 1 : 0;', '0:r1=5', 'C: !6 = 0; 3 && 6 = 1; so r0 - 1 = 5', true],
    ['unary minus (ext)', 'int r1 = -(r0 - 10);', '0:r1=4', 'C: -(6-10) = 4', true],
    ['multi-word casts (ext)', 'int r1 = (unsigned long)r9;', '0:r1=3', 'C: the cast does not change 3', true],
    ['assignment operators (ext)', 'int r1 = r0; r1 += 2; r1 *= 3; r1 -= 4; r1 >>= 1;', '0:r1=10', 'C: ((6+2)*3-4)>>1 = 10', true],
    ['multiple declarators (ext)', 'int r1 = 1, r2 = r1 + 1, *r3;', '0:r2=2', 'C: declarators are evaluated in order', true],
    ['NULL, true, false (ext)', 'int r1 = NULL + true + false;', '0:r1=1', 'C: NULL and false are 0, true is 1 (herd7 reads these names as registers, 0)', true],
  ];
  for (const [what, body, cond, why, ext] of exprs) add({ name: `expression: ${what}`, src: seq('expr', 'x = 6;', `\t${body}`, cond), want: 'Always', why, ext });

  // ---- 4. final part ----
  const base = (fenced: boolean) => `C final\n{}\n\n${fenced ? MP_FENCED : MP_BODY}\n`;
  const finals: [string, boolean, string, Verdict, string][] = [
    ['exists', false, 'exists (1:r0=1 /\\ 1:r1=0)', 'Sometimes', 'MP allows and also avoids the stale read'],
    ['exists without parentheses', false, 'exists 1:r0=1 /\\ 1:r1=0', 'Sometimes', 'same proposition'],
    ['trailing semicolon', false, 'exists (1:r0=1 /\\ 1:r1=0);', 'Sometimes', 'herd7 accepts a ; after the condition'],
    ['~exists', true, '~exists (1:r0=1 /\\ 1:r1=0)', 'Never', 'fenced MP forbids the outcome: the proposition never holds'],
    ['not exists (ext)', true, 'not exists (1:r0=1 /\\ 1:r1=0)', 'Never', 'read as ~exists (herd7 ends the program only at ~exists)'],
    ['forall', true, 'forall (1:r0=0 \\/ 1:r1=1)', 'Always', 'with the fences every execution avoids the stale read'],
    ['forall, unfenced', false, 'forall (1:r0=0 \\/ 1:r1=1)', 'Sometimes', 'without them one execution reads r0=1, r1=0'],
    ['final', false, 'final (1:r0=1 /\\ 1:r1=0)', 'Sometimes', 'herd7: final is exists'],
    ['bare proposition after locations', false, 'locations [x]\n(1:r0=1 /\\ 1:r1=0)', 'Sometimes', 'herd7: a bare proposition is exists'],
    ['bare proposition (ext)', false, '(1:r0=1 /\\ 1:r1=0)', 'Sometimes', 'read as exists (herd7 needs a keyword to end the program)'],
    ['no condition', false, '', 'Always', 'herd7: no condition is forall (true)'],
    ['locations', false, 'locations [x; 0:r0; y int*; 1:r1]\nexists (1:r0=1 /\\ 1:r1=0)', 'Sometimes', 'locations only adds printed variables'],
    ['filter', false, 'filter (1:r0=1)\nexists (1:r1=0)', 'Sometimes', 'among executions with r0=1, r1=0 is allowed and r1=1 too'],
    ['filter, fenced', true, 'filter (1:r0=1)\nexists (1:r1=0)', 'Never', 'with the fences r0=1 implies r1=1'],
    ['\\/ and ~', false, 'exists (~1:r0=1 \\/ 1:r1=5)', 'Sometimes', 'r0=0 happens, r0=1 happens; r1 is never 5'],
    ['not as a word', false, 'exists not (1:r0=1)', 'Sometimes', 'not (r0=1) holds when r0=0'],
    ['=> binds tighter than /\\', false, 'exists (1:r0=0 /\\ 1:r0=1 => 1:r1=1)', 'Sometimes', 'r0=0 /\\ (r0=1 => r1=1): true whenever r0=0'],
    ['=> is right-associative', false, 'forall (1:r0=1 => 1:r1=0 => false)', 'Sometimes', 'r0=1 => (r1=0 => false): false only for r0=1, r1=0, which happens'],
    ['true and false', false, 'exists (true /\\ ~false)', 'Always', 'a constant true proposition'],
    ['== != <>', false, 'exists (1:r0==1 /\\ 1:r1!=1 /\\ x<>0)', 'Sometimes', 'same as r0=1 /\\ r1=0 (x is always 1 at the end)'],
    ['register = register', false, 'exists (1:r0=1:r1)', 'Sometimes', 'r0=r1 when both read 0 or both read 1'],
    ['P-form registers', false, 'exists (P1:r0=1 /\\ P1:r1=0)', 'Sometimes', 'P1:r0 is 1:r0'],
    ['[x] and location values', false, 'exists ([x]=1 /\\ y=1)', 'Always', 'both writes are the co-last ones in every execution'],
    ['comment in the condition', false, 'exists (1:r0=1 (* stale *) /\\ 1:r1=0) (* done *)', 'Sometimes', 'comments are allowed in the final part'],
  ];
  for (const [what, fenced, fin, want, why] of finals) add({ name: `final: ${what}`, src: `${base(fenced)}\n${fin}\n`, want, why, ext: what.includes('(ext') });
  return out;
}

const all = cases();

if (process.env.DIALECT_DUMP) {
  fs.mkdirSync(process.env.DIALECT_DUMP, { recursive: true });
  // the case in a header comment (after the first line: herd7 reads `(*` as C after the processes)
  all.forEach((c, i) => {
    const nl = c.src.indexOf('\n');
    const note = `(* ${c.ext ? 'EXT ' : ''}WANT ${c.want} | ${c.name.replace(/\*\)/g, '* )')} | ${c.why.replace(/\*\)/g, '* )')} *)\n`;
    fs.writeFileSync(path.join(process.env.DIALECT_DUMP!, `${String(i).padStart(3, '0')}.litmus`), c.src.slice(0, nl + 1) + note + c.src.slice(nl + 1));
  });
}

for (const c of all) {
  test(`dialect: ${c.name} -> ${c.want} (${c.why})`, () => {
    let t;
    try {
      t = parseLitmus(c.src);
    } catch (e) {
      if (e instanceof LitmusSyntaxError) assert.fail(`${e.line}:${e.column}: ${e.message}\n${c.src}`);
      throw e;
    }
    c.check?.(t);
    const r = runLitmus(c.src);
    assert.equal(r.complete, true);
    assert.equal(r.observation, c.want, formatHerd(r));
  });
}

test('dialect: the generated set covers every form at least once', () => {
  assert.ok(all.length >= 60, `${all.length} cases`);
});

test('dialect: constructs herd7 accepts but the engine does not implement are located and reported unsupported', () => {
  const bad: [string, string, RegExp][] = [
    ['arrays in the init block', 'C t\n{ int a[2] = {1, 2}; }\nP0(int *a) { int r0 = READ_ONCE(*a); }\nexists (0:r0=1)\n', /unsupported: arrays/],
    ['while loops', 'C t\n{}\nP0(int *x) {\n  while (READ_ONCE(*x) == 0) ;\n}\nexists (x=0)\n', /unsupported: 'while'/],
    ['with clauses', 'C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (x=1) with tso: exists\n', /unsupported: 'with'/],
    ['observed conditions', 'C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nobserved x=1;\n', /unsupported: 'observed'/],
    ['dereferences in conditions', 'C t\n{ 0:r1 = x; }\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (0:r2=*0:r1)\n', /unsupported: dereferences/],
    ['other architectures', 'LISA t\n{}\nP0 | P1 ;\nexists (x=1)\n', /unsupported: only C litmus tests/],
    ['pointer arithmetic with an offset', 'C t\n{}\nP0(int *x) { int *r1 = x + 1; WRITE_ONCE(*r1, 1); }\nexists (x=1)\n', /unsupported: pointer arithmetic/],
    ['unknown functions', 'C t\n{}\nP0(int *x) { spin_unlock_wait(x); }\nexists (x=1)\n', /unsupported: unknown function 'spin_unlock_wait'/],
  ];
  for (const [what, src, re] of bad) {
    assert.throws(() => runLitmus(src), (e: unknown) => {
      assert.ok(e instanceof LitmusSyntaxError, what);
      assert.equal(e.unsupported, true, `${what}: ${e.message}`);
      assert.match(e.message, re, what);
      assert.ok(e.line >= 1 && e.column >= 1);
      return true;
    }, what);
  }
});
