/**
 * Parser for LKMM C litmus tests: the kernel's tools/memory-model and
 * Documentation/litmus-tests, and the dialect herd7 accepts for C tests in
 * general (diy7-generated files included).
 *
 * A litmus file has four parts, split the way herd7 splits them:
 * 1. the header: `C name`, an optional `(texname)`, an optional doc string,
 *    then, up to the `{` of the init block, diy7 metadata lines
 *    (`Cycle=...`, `Relax=...`, `Safe=...`, `Prefetch=...`, `Com=...`,
 *    `Orig=...`, any `key=value`) and `(* *)` comments;
 * 2. the init block, in herd7's state syntax: `x=1`, `int x=1`, `int *p=&x`,
 *    `p=y` (an address), `atomic_t v=ATOMIC_INIT(1)`, `0:r1=x`, typed
 *    registers (`int * 1:r1;`, `int 0:r1 = z`), `spinlock_t l`, `[x]=1`,
 *    with `(* *)` comments anywhere;
 * 3. the processes `P0(...) { C }` (inside them `(*p)` is C, not a comment);
 * 4. the final part: `locations [...]` (typed entries allowed), `filter`,
 *    then `exists` / `~exists` / `not exists` / `forall` / `final` / a bare
 *    `(prop)`, or nothing (herd7's `forall (true)`), an optional `;`.
 *    Propositions use herd7's precedences: `~` binds tightest, then `=>`
 *    (right-associative), then `/\`, then `\/`.
 *
 * Constructs that are valid in herd7's grammar but that the engine does not
 * implement (arrays, `while`, `with`/`cases`/`observed`, `fault`, deref atoms
 * in conditions, ...) raise `LitmusUnsupportedError` with their position,
 * never a guess.
 *
 * Hand-written recursive descent: the format is a small C subset wrapped in
 * herd7's sections, with context-dependent lexing (`(*` is a comment outside
 * the process bodies, a dereference inside) and exact line/column errors;
 * no maintained npm package parses it.
 */
import {
  Cond, CondVar, Expr, InitItem, Int, LitmusSyntaxError, LitmusTest, LitmusUnsupportedError, Pos, Proc, Stmt, Value,
} from './ast';
import { canon, parseIntLiteral } from '../values';

interface Tok {
  t: 'id' | 'num' | 'op' | 'str' | 'eof';
  v: string;
  line: number;
  col: number;
  off: number;
  end: number;
}

const OPS3 = ['<<=', '>>='];
const OPS2 = ['/\\', '\\/', '==', '!=', '<>', '<=', '>=', '&&', '||', '->', '++', '--', '+=', '-=', '*=', '/=', '&=', '|=', '^=', '<<', '>>', '=>'];
const OPS1 = '{}()[];,:=+-*/%&|^!~<>?.';
/** Operators by first character, longest first. */
const OPS_BY_CHAR = new Map<string, string[]>();
for (const o of [...OPS3, ...OPS2, ...OPS1]) {
  const l = OPS_BY_CHAR.get(o[0]) ?? [];
  l.push(o);
  OPS_BY_CHAR.set(o[0], l);
}

const ID_RE = /[A-Za-z_][A-Za-z0-9_]*/y;
/** Whitespace that `\s+ -> ' '` would change: a run of two, or anything but a plain space. */
const MULTI_SPACE = /\s\s|[^\S ]/;
const NUM_RE = /0[xX][0-9a-fA-F]*|[0-9]+/y;
const SUFFIX_RE = /[uUlL]+/y;
const isIdStart = (c: string | undefined) => c !== undefined && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c === '_');
const isIdChar = (c: string | undefined) => isIdStart(c) || (c !== undefined && c >= '0' && c <= '9');
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

class Lexer {
  pos = 0;
  line = 1;
  col = 1;
  /** `(* ... *)` are comments (outside process bodies). */
  ocaml = true;
  comments: string[] = [];
  private peeked: Tok | null = null;

  constructor(readonly src: string) {}

  err(msg: string, line = this.line, col = this.col): never {
    throw new LitmusSyntaxError(msg, line, col);
  }

  setOcaml(on: boolean): void {
    if (this.ocaml === on) return;
    if (this.peeked) {
      this.seek(this.peeked.off, this.peeked.line, this.peeked.col);
      this.peeked = null;
    }
    this.ocaml = on;
  }

  private seek(off: number, line: number, col: number): void {
    this.pos = off;
    this.line = line;
    this.col = col;
  }

  private adv(n = 1): void {
    const s = this.src;
    const end = this.pos + n;
    // count the newlines with indexOf (native) rather than one character at a time
    let nl = s.indexOf('\n', this.pos);
    if (nl < 0 || nl >= end) {
      this.col += n;
    } else {
      let line = this.line;
      let last = nl;
      while (nl >= 0 && nl < end) {
        line++;
        last = nl;
        nl = s.indexOf('\n', nl + 1);
      }
      this.line = line;
      this.col = end - last;
    }
    this.pos = end;
  }

  /** Skip an OCaml comment (nested) starting at `(*`; records it. */
  private ocamlComment(): void {
    const s = this.src;
    const l = this.line;
    const co = this.col;
    const start = this.pos;
    let p = this.pos + 2;
    let depth = 1;
    // jump from delimiter to delimiter (indexOf is native; most comments have no nesting)
    while (depth > 0) {
      const close = s.indexOf('*)', p);
      if (close < 0) this.err('unterminated (* comment', l, co);
      const open = s.indexOf('(*', p);
      if (open >= 0 && open < close) {
        depth++;
        p = open + 2;
      } else {
        depth--;
        p = close + 2;
      }
    }
    this.adv(p - this.pos);
    this.comments.push(s.slice(start, this.pos));
  }

  private cComment(): void {
    const s = this.src;
    const l = this.line;
    const co = this.col;
    const start = this.pos;
    if (s[this.pos + 1] === '/') {
      const eol = s.indexOf('\n', this.pos);
      this.adv((eol < 0 ? s.length : eol) - this.pos);
    } else {
      this.adv(2);
      const end = s.indexOf('*/', this.pos);
      if (end < 0) this.err('unterminated comment', l, co);
      this.adv(end + 2 - this.pos);
    }
    this.comments.push(s.slice(start, this.pos));
  }

  private lex(): Tok {
    // whitespace and comments (inlined: a token costs one call, not three, before the JIT warms up)
    const s = this.src;
    let pos = this.pos;
    let col = this.col;
    for (;;) {
      const c = s.charCodeAt(pos);
      if (c === 32 || c === 9) {
        pos++;
        col++;
      } else if (c === 10) {
        pos++;
        this.line++;
        col = 1;
      } else if (c === 13 || c === 12 || c === 11) {
        pos++;
        col++;
      } else if ((c === 47 /* / */ && (s.charCodeAt(pos + 1) === 47 || s.charCodeAt(pos + 1) === 42)) || (this.ocaml && c === 40 /* ( */ && s.charCodeAt(pos + 1) === 42)) {
        this.pos = pos;
        this.col = col;
        if (c === 47) this.cComment();
        else this.ocamlComment();
        pos = this.pos;
        col = this.col;
      } else break;
    }
    this.pos = pos;
    this.col = col;
    const line = this.line;
    const off = pos;
    if (off >= s.length) return { t: 'eof', v: '', line, col, off, end: off };
    const cc = s.charCodeAt(off);
    if ((cc >= 97 && cc <= 122) || (cc >= 65 && cc <= 90) || cc === 95) {
      // sticky regular expressions scan in native code (cheap before the JIT warms up)
      ID_RE.lastIndex = off;
      ID_RE.test(s);
      const e = ID_RE.lastIndex;
      this.col = col + e - off; // no newline inside an identifier
      this.pos = e;
      return { t: 'id', v: s.slice(off, e), line, col, off, end: e };
    }
    const c = s[off];
    if (isDigit(c)) {
      NUM_RE.lastIndex = off;
      NUM_RE.test(s);
      let e = NUM_RE.lastIndex;
      const text = s.slice(off, e);
      SUFFIX_RE.lastIndex = e;
      if (SUFFIX_RE.test(s)) e = SUFFIX_RE.lastIndex;
      if (isIdChar(s[e])) {
        this.adv(e - off);
        this.err(`malformed number '${s.slice(off, e + 1)}'`, line, col);
      }
      this.adv(e - off);
      if (parseIntLiteral(text) === null) this.err(`malformed number '${text}'`, line, col);
      return { t: 'num', v: text, line, col, off, end: e };
    }
    if (c === '"') {
      const e = s.indexOf('"', off + 1);
      if (e < 0) this.err('unterminated string');
      const v = s.slice(off + 1, e);
      this.adv(e + 1 - off);
      return { t: 'str', v, line, col, off, end: e + 1 };
    }
    const ops = OPS_BY_CHAR.get(c);
    if (ops) {
      for (let i = 0; i < ops.length; i++) {
        const o = ops[i];
        if (o.length === 1 || s.startsWith(o, off)) {
          // operators never contain a newline
          this.pos = off + o.length;
          this.col += o.length;
          return { t: 'op', v: o, line, col, off, end: this.pos };
        }
      }
    }
    const code = c.codePointAt(0)!;
    this.err(`unexpected character '${c}'${code < 32 || code > 126 ? ` (U+${code.toString(16).toUpperCase().padStart(4, '0')})` : ''}`);
  }

  peek(): Tok {
    if (!this.peeked) this.peeked = this.lex();
    return this.peeked;
  }
  next(): Tok {
    const t = this.peek();
    this.peeked = null;
    return t;
  }

  /** Raw scan of the test name after `C`: up to whitespace. */
  rawName(): { name: string; pos: Pos } {
    if (this.peeked) this.err('internal: rawName after peek');
    while (this.src[this.pos] === ' ' || this.src[this.pos] === '\t') this.adv();
    const [line, col] = [this.line, this.col];
    let e = this.pos;
    while (e < this.src.length && !/\s/.test(this.src[e])) e++;
    const name = this.src.slice(this.pos, e);
    if (!name) this.err('missing test name after C');
    this.adv(e - this.pos);
    return { name, pos: { line, column: col } };
  }

  /**
   * The rest of the header, as herd7 reads it: an optional `(texname)` and
   * doc string (on the name's line or the next), an optional `;`, then up to
   * the init block's `{`: `key=value` metadata lines, comments, and any
   * other text (which herd7 ignores too).
   */
  headerRest(): { texname?: string; doc?: string; info: { key: string; value: string }[] } {
    if (this.peeked) this.err('internal: headerRest after peek');
    const s = this.src;
    const blanks = () => {
      while (s[this.pos] === ' ' || s[this.pos] === '\t' || s[this.pos] === '\r') this.adv();
    };
    const out: { texname?: string; doc?: string; info: { key: string; value: string }[] } = { info: [] };
    blanks();
    const tex = /^\(([A-Za-z][A-Za-z0-9_/.\-]*)\)/.exec(s.slice(this.pos, this.pos + 200));
    if (tex) {
      out.texname = tex[1];
      this.adv(tex[0].length);
      blanks();
    }
    {
      // doc string, possibly on the next line
      const save = [this.pos, this.line, this.col] as const;
      if (s[this.pos] === '\n') {
        this.adv();
        blanks();
      }
      if (s[this.pos] === '"') {
        const e = s.indexOf('"', this.pos + 1);
        if (e < 0) this.err('unterminated doc string');
        out.doc = s.slice(this.pos + 1, e);
        this.adv(e + 1 - this.pos);
        blanks();
      } else this.seek(save[0], save[1], save[2]);
    }
    if (s[this.pos] === ';') this.adv();
    for (;;) {
      const c = s[this.pos];
      if (c === undefined || c === '{') return out;
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f') {
        this.adv();
        continue;
      }
      if (c === '(' && s[this.pos + 1] === '*') {
        this.ocamlComment();
        continue;
      }
      if (c === '/' && (s[this.pos + 1] === '/' || s[this.pos + 1] === '*')) {
        this.cComment();
        continue;
      }
      let eol = s.indexOf('\n', this.pos);
      if (eol < 0) eol = s.length;
      const lineText = s.slice(this.pos, eol);
      const kv = /^([A-Za-z][A-Za-z0-9_/.\-]*)[ \t]*=[ \t]*([^\r\n]*)/.exec(lineText);
      if (kv) {
        out.info.push({ key: kv[1], value: kv[2].trim() });
        this.adv(eol - this.pos);
        continue;
      }
      // herd7 skips any other text up to a newline or the init block's '{'
      const brace = lineText.indexOf('{');
      const cmt = lineText.search(/\(\*|\/\*|\/\//);
      const stop = [brace, cmt].filter((x) => x >= 0);
      this.adv(stop.length ? Math.min(...stop) : lineText.length);
    }
  }
}

const TYPE_WORDS = new Set([
  'int', 'long', 'short', 'char', 'unsigned', 'signed', 'void', 'bool', '_Bool', 'const', 'volatile', '_Atomic',
  'struct', 'union', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'intptr_t', 'uintptr_t',
  'atomic_t', 'atomic_long_t', 'atomic64_t', 'spinlock_t', 'size_t', 'unsigned_long', 'srcu_struct',
]);
function isTypeWord(v: string): boolean {
  return TYPE_WORDS.has(v) || v.endsWith('_t');
}

/** Statement keywords of C that litmus process bodies may not use. */
const UNSUPPORTED_STMT = new Set(['while', 'for', 'do', 'goto', 'switch', 'return', 'break', 'continue']);
const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '&=', '|=', '^=', '<<=', '>>=']);
const UNARY_OPS = new Set(['!', '~', '-', '*', '&', '+']);

/** Words that end the process section (herd7's splitter looks for them). */
const FINAL_WORDS = new Set(['exists', 'forall', 'final', 'locations', 'filter', 'observed', 'Observed', 'cases']);

export class Parser {
  private lx: Lexer;
  private lines: string[];

  constructor(private src: string) {
    this.lx = new Lexer(src);
    this.lines = src.includes('\r') ? src.split(/\r?\n/) : src.split('\n');
  }

  private pos(t: Tok): Pos {
    return { line: t.line, column: t.col };
  }
  private err(msg: string, t: Tok): never {
    throw new LitmusSyntaxError(msg, t.line, t.col);
  }
  private unsupported(msg: string, t: Tok): never {
    throw new LitmusUnsupportedError(`unsupported: ${msg}`, t.line, t.col);
  }
  private describe(t: Tok): string {
    return t.t === 'eof' ? 'end of file' : t.t === 'str' ? `"${t.v}"` : `'${t.v}'`;
  }
  private isOp(t: Tok, v: string): boolean {
    return t.t === 'op' && t.v === v;
  }
  private expect(v: string): Tok {
    const t = this.lx.next();
    if (t.v !== v || t.t === 'str') this.err(`expected '${v}' but found ${this.describe(t)}`, t);
    this.lastEnd = t.end;
    return t;
  }
  private accept(v: string): Tok | null {
    const t = this.lx.peek();
    if (t.v === v && (t.t === 'op' || t.t === 'id')) {
      this.lastEnd = t.end;
      return this.lx.next();
    }
    return null;
  }
  private ident(what = 'identifier'): Tok {
    const t = this.lx.next();
    if (t.t !== 'id') this.err(`expected ${what} but found ${this.describe(t)}`, t);
    this.lastEnd = t.end;
    return t;
  }
  private int(t: Tok, negative = false): Int {
    const v = parseIntLiteral(t.v);
    if (v === null) this.err(`malformed number '${t.v}'`, t);
    return negative ? canon(-BigInt(v)) : v;
  }

  parse(): LitmusTest {
    const first = this.lx.next();
    if (first.t !== 'id' || first.v !== 'C') {
      const msg = `only C litmus tests are supported (this is ${first.t === 'id' ? `'${first.v}'` : 'not a litmus test'}); expected 'C <name>'`;
      if (first.t === 'id' && /^[A-Za-z0-9_]+$/.test(first.v)) this.unsupported(msg, first);
      this.err(`expected 'C <name>' header (only C litmus tests are supported) but found ${this.describe(first)}`, first);
    }
    const { name } = this.lx.rawName();
    const header = this.lx.headerRest();
    const init = this.parseInit();
    const procs: Proc[] = [];
    for (;;) {
      const t = this.lx.peek();
      if (t.t === 'id' && /^P\d+$/.test(t.v)) procs.push(this.parseProc());
      else if (t.t === 'id' && t.v === 'void') {
        this.lx.next();
        this.accept('*');
        const p = this.lx.peek();
        if (!(p.t === 'id' && /^P\d+$/.test(p.v))) this.err(`expected a process P0(...) after 'void' but found ${this.describe(p)}`, p);
      } else if (this.isOp(t, '{')) this.unsupported('global code blocks between processes', t);
      else break;
    }
    if (procs.length === 0) this.err(`expected a process P0(...) but found ${this.describe(this.lx.peek())}`, this.lx.peek());
    procs.forEach((p, i) => {
      if (p.index !== i) throw new LitmusSyntaxError(`processes must be numbered P0, P1, ...: found P${p.index} in position ${i}`, p.pos.line, p.pos.column);
    });
    let locations: CondVar[] = [];
    let filter: Cond | undefined;
    let kind: LitmusTest['kind'] | undefined;
    let cond: Cond | undefined;
    let condText = '';
    for (;;) {
      const t = this.lx.peek();
      if (t.t === 'eof') break;
      if (this.isOp(t, '<<')) break; // herd7: the final part ends at '<<'
      if (kind && this.isOp(t, ';')) {
        this.lx.next();
        continue;
      }
      if (t.t === 'id' && t.v === 'locations') {
        this.lx.next();
        locations = locations.concat(this.parseLocations());
      } else if (t.t === 'id' && t.v === 'filter') {
        this.lx.next();
        if (filter) this.err('more than one filter', t);
        filter = this.parseProp();
      } else if (t.t === 'id' && t.v === 'with') {
        this.unsupported("'with' (per-kind test conditions)", t);
      } else if (t.t === 'id' && (t.v === 'observed' || t.v === 'Observed' || t.v === 'cases')) {
        this.unsupported(`'${t.v}' final conditions`, t);
      } else if (t.t === 'id' && (t.v === 'exists' || t.v === 'forall' || t.v === 'final' || t.v === 'not') || this.isOp(t, '~') || this.isOp(t, '(')) {
        if (kind) this.err('more than one final condition', t);
        let start: number;
        if (this.isOp(t, '(')) {
          kind = 'exists'; // herd7: a bare proposition is an exists
          start = t.off;
        } else {
          this.lx.next();
          if (t.v === '~' || t.v === 'not') {
            const e = this.ident("'exists'");
            if (e.v !== 'exists') this.err(`expected 'exists' after '${t.v}' but found '${e.v}'`, e);
            kind = '~exists';
          } else kind = t.v === 'forall' ? 'forall' : 'exists';
          start = this.lx.peek().off;
        }
        cond = this.parseProp();
        condText = this.src.slice(start, this.lastEnd).replace(/\s+/g, ' ').trim();
      } else {
        this.err(`expected 'exists', '~exists', 'forall', 'filter' or 'locations' but found ${this.describe(t)}`, t);
      }
    }
    if (!kind || !cond) {
      // herd7: no final condition is `forall (true)`
      kind = 'forall';
      cond = { k: 'true' };
      condText = '(true)';
    }
    if (!/^\(.*\)$/.test(condText) || !balanced(condText)) condText = `(${condText})`;
    return {
      name, texname: header.texname, doc: header.doc, info: header.info, comments: this.lx.comments,
      init, procs, locations, filter, kind, cond, condText, lines: this.lines,
    };
  }

  private lastEnd = 0;
  private nextTracked(): Tok {
    const t = this.lx.next();
    this.lastEnd = t.end;
    return t;
  }

  // ---- init block (herd7's state syntax) ----
  private parseInit(): InitItem[] {
    const open = this.lx.peek();
    if (!this.isOp(open, '{')) this.err(`expected '{' to open the init block but found ${this.describe(open)}`, open);
    this.lx.next();
    this.lx.setOcaml(true);
    const items: InitItem[] = [];
    for (;;) {
      const t = this.lx.peek();
      if (this.isOp(t, '}')) break;
      if (t.t === 'eof') this.err("unterminated init block: expected '}'", t);
      if (this.accept(';')) continue;
      items.push(this.parseInitItem());
      const sep = this.lx.peek();
      if (this.isOp(sep, ';')) this.lx.next();
      else if (!this.isOp(sep, '}')) this.err(`expected ';' in init block but found ${this.describe(sep)}`, sep);
    }
    this.lx.next();
    return items;
  }

  /** `0:r1`, `P0:r1`: a register; null if the next tokens are not one. */
  private tryRegister(): { thread: number; name: string; tok: Tok } | null {
    const t = this.lx.peek();
    if (t.t === 'num' && this.peekIsColonAfter(t) && /^[0-9]+$/.test(t.v)) {
      this.lx.next();
      this.expect(':');
      const r = this.ident('register name');
      return { thread: Number(t.v), name: r.v, tok: t };
    }
    if (t.t === 'id' && /^P[0-9]+$/.test(t.v) && this.peekIsColonAfter(t)) {
      this.lx.next();
      this.expect(':');
      const r = this.ident('register name');
      return { thread: Number(t.v.slice(1)), name: r.v, tok: t };
    }
    return null;
  }

  private parseInitItem(): InitItem {
    // [type words] [*]* (location | N:reg) [= value]
    const typeWords: Tok[] = [];
    let stars = 0;
    for (;;) {
      const t = this.lx.peek();
      const reg = this.tryRegister();
      if (reg) {
        // `0:r1=x`, and typed: `int * 1:r1;`, `int 0:r1 = z` (the type does not change the value)
        const value = this.accept('=') ? this.parseInitValue() : 0;
        return { k: 'reg', thread: reg.thread, name: reg.name, value, pos: this.pos(reg.tok) };
      }
      if (t.t === 'id') {
        this.lx.next();
        typeWords.push(t);
        continue;
      }
      if (this.isOp(t, '*')) {
        this.lx.next();
        stars++;
        continue;
      }
      if (this.isOp(t, '[')) {
        if (typeWords.length > 0) this.unsupported('arrays', t);
        // [x] = v: the location x
        this.lx.next();
        const n = this.ident('location name');
        this.expect(']');
        typeWords.push(n);
        break;
      }
      break;
    }
    if (typeWords.length === 0) this.err(`expected a variable in init block but found ${this.describe(this.lx.peek())}`, this.lx.peek());
    const nameTok = typeWords[typeWords.length - 1];
    if (/^P[0-9]+$/.test(nameTok.v) || nameTok.v === 'NULL') this.err(`'${nameTok.v}' cannot name a location`, nameTok);
    const type = typeWords.slice(0, -1).map((w) => w.v).join(' ') + '*'.repeat(stars);
    const after = this.lx.peek();
    if (this.isOp(after, '[')) this.unsupported('arrays', after);
    if (this.accept('=')) {
      return { k: 'loc', name: nameTok.v, value: this.parseInitValue(), type: type || undefined, pos: this.pos(nameTok) };
    }
    return { k: 'loc', name: nameTok.v, type: type || undefined, pos: this.pos(nameTok) };
  }

  private parseInitValue(): Value {
    const t = this.lx.next();
    this.lastEnd = t.end;
    if (t.t === 'num') return this.int(t);
    if (this.isOp(t, '-')) {
      const n = this.lx.next();
      if (n.t !== 'num') this.err(`expected a number after '-' but found ${this.describe(n)}`, n);
      return this.int(n, true);
    }
    if (this.isOp(t, '&')) return this.ident('location name').v;
    if (this.isOp(t, '{')) this.unsupported('array initialisers', t);
    if (t.t === 'id') {
      if (t.v === 'ATOMIC_INIT' || t.v === 'ATOMIC_LONG_INIT' || t.v === 'ATOMIC64_INIT') {
        this.expect('(');
        const v = this.parseInitValue();
        this.expect(')');
        return v;
      }
      if (t.v === 'NULL') return 0;
      if (t.v === 'true') return 1;
      if (t.v === 'false') return 0;
      if (this.isOp(this.lx.peek(), '[')) this.unsupported('addresses of array cells', this.lx.peek());
      if (this.isOp(this.lx.peek(), ':')) this.unsupported('tagged values', this.lx.peek());
      return t.v;
    }
    this.err(`expected an initial value but found ${this.describe(t)}`, t);
  }

  // ---- processes ----
  private parseProc(): Proc {
    const head = this.lx.next();
    const index = Number(head.v.slice(1));
    this.lx.setOcaml(false);
    this.expect('(');
    const params: Proc['params'] = [];
    if (!this.accept(')')) {
      for (;;) {
        const words: string[] = [];
        let stars = 0;
        let last: Tok | null = null;
        for (;;) {
          const t = this.lx.peek();
          if (t.t === 'id') {
            last = this.lx.next();
            words.push(t.v);
          } else if (this.isOp(t, '*')) {
            this.lx.next();
            stars++;
          } else if (this.isOp(t, '(') || this.isOp(t, ')') && words.length === 0) {
            this.err(`expected a parameter but found ${this.describe(t)}`, t);
          } else break;
        }
        if (!last) this.err(`expected a parameter but found ${this.describe(this.lx.peek())}`, this.lx.peek());
        params.push({ name: last.v, pointerDepth: stars, type: words.slice(0, -1).join(' ') });
        if (this.accept(')')) break;
        this.expect(',');
      }
    }
    const open = this.lx.peek();
    if (!this.isOp(open, '{')) this.err(`expected '{' to open the body of ${head.v} but found ${this.describe(open)}`, open);
    const body = this.parseBlock().body;
    this.lx.setOcaml(true);
    return { index, params, body, pos: this.pos(head) };
  }

  private stmtText(startOff: number): string {
    const t = this.src.slice(startOff, this.lastEnd);
    // most statements are one line with single spaces: nothing to collapse
    return MULTI_SPACE.test(t) ? t.replace(/\s+/g, ' ').trim() : t.trim();
  }

  private parseBlock(): Stmt & { k: 'block' } {
    const open = this.nextTracked();
    const body: Stmt[] = [];
    for (;;) {
      const t = this.lx.peek();
      if (this.isOp(t, '}')) break;
      if (t.t === 'eof') this.err(`unterminated block opened at line ${open.line}: expected '}'`, t);
      body.push(...this.parseStmt());
    }
    this.nextTracked();
    return { k: 'block', body, pos: this.pos(open), text: '{...}' };
  }

  private isDeclStart(): boolean {
    const t = this.lx.peek();
    return t.t === 'id' && isTypeWord(t.v);
  }

  private parseStmt(): Stmt[] {
    const t = this.lx.peek();
    const pos = this.pos(t);
    if (this.isOp(t, '{')) return [this.parseBlock()];
    if (this.isOp(t, ';')) {
      this.nextTracked();
      return [];
    }
    if (t.t === 'id' && t.v === 'if') {
      this.nextTracked();
      this.expect('(');
      const c = this.parseExpr();
      this.expect(')');
      const text = `if (${this.stmtText(t.off).replace(/^if\s*\(/, '').replace(/\)$/, '')})`;
      const thenS = this.blockOf(this.parseStmt(), pos);
      let elseS: Stmt | undefined;
      if (this.accept('else')) elseS = this.blockOf(this.parseStmt(), this.pos(t));
      return [{ k: 'if', c, then: thenS, else: elseS, pos, text }];
    }
    if (t.t === 'id' && UNSUPPORTED_STMT.has(t.v)) {
      this.unsupported(`'${t.v}' is not supported in litmus process bodies`, t);
    }
    if (this.isDeclStart()) {
      // skip type words and collect declarators
      while (this.lx.peek().t === 'id' && isTypeWord(this.lx.peek().v)) {
        const w = this.nextTracked();
        if (w.v === 'struct' || w.v === 'union') this.ident('struct tag');
      }
      const out: Stmt[] = [];
      for (;;) {
        while (this.accept('*')) { /* pointer declarator */ }
        const name = this.ident('variable name');
        if (this.isOp(this.lx.peek(), '[')) this.unsupported('arrays', this.lx.peek());
        let init: Expr | undefined;
        if (this.accept('=')) init = this.parseAssign();
        this.lastEnd = this.lx.peek().off;
        out.push({ k: 'decl', name: name.v, init, pos: this.pos(name), text: this.stmtText(t.off) });
        if (this.accept(',')) continue;
        const semi = this.lx.peek();
        if (!this.isOp(semi, ';')) this.err(`expected ';' after declaration but found ${this.describe(semi)}`, semi);
        this.nextTracked();
        break;
      }
      return out;
    }
    const e = this.parseExpr();
    const semi = this.lx.peek();
    if (!this.isOp(semi, ';')) this.err(`expected ';' after statement but found ${this.describe(semi)}`, semi);
    this.nextTracked();
    return [{ k: 'expr', e, pos, text: this.stmtText(t.off) }];
  }

  private blockOf(ss: Stmt[], pos: Pos): Stmt {
    return ss.length === 1 ? ss[0] : { k: 'block', body: ss, pos, text: '{...}' };
  }

  // ---- expressions (C precedence) ----
  parseExpr(): Expr {
    let e = this.parseAssign();
    while (this.isOp(this.lx.peek(), ',')) {
      const t = this.nextTracked();
      const b = this.parseAssign();
      e = { k: 'bin', op: ',', a: e, b, pos: this.pos(t) };
    }
    return e;
  }

  private parseAssign(): Expr {
    const lhs = this.parseTernary();
    const t = this.lx.peek();
    if (t.t === 'op' && ASSIGN_OPS.has(t.v)) {
      this.nextTracked();
      if (lhs.k !== 'id' && !(lhs.k === 'un' && lhs.op === '*')) this.err('left-hand side of assignment must be a variable or *pointer', t);
      const rhs = this.parseAssign();
      return { k: 'assign', op: t.v, lhs, rhs, pos: lhs.pos };
    }
    return lhs;
  }

  private parseTernary(): Expr {
    const c = this.parseBin(1);
    if (this.isOp(this.lx.peek(), '?')) {
      const t = this.nextTracked();
      const a = this.parseAssign();
      this.expect(':');
      const b = this.parseTernary();
      return { k: 'cond', c, a, b, pos: this.pos(t) };
    }
    return c;
  }

  /** Binary operators by C precedence (higher binds tighter); all left-associative. */
  private static PREC: Record<string, number> = {
    '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
    '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
  };

  /** Precedence climbing: the operand, then operators of precedence at least `min`. */
  private parseBin(min: number): Expr {
    let a = this.parseUnary();
    for (;;) {
      const t = this.lx.peek();
      const p = t.t === 'op' ? Parser.PREC[t.v] : undefined;
      if (p === undefined || p < min) return a;
      this.nextTracked();
      const b = this.parseBin(p + 1);
      a = { k: 'bin', op: t.v, a, b, pos: this.pos(t) };
    }
  }

  private parseUnary(): Expr {
    const t = this.lx.peek();
    if (t.t === 'op' && UNARY_OPS.has(t.v)) {
      this.nextTracked();
      const e = this.parseUnary();
      if (t.v === '-' && e.k === 'num') return { k: 'num', v: canon(-BigInt(e.v)), pos: this.pos(t) };
      return { k: 'un', op: t.v as '!', e, pos: this.pos(t) };
    }
    if (t.t === 'op' && (t.v === '++' || t.v === '--')) this.unsupported(`'${t.v}'; write x = x + 1`, t);
    if (this.isOp(t, '(')) {
      // cast?  (type [*]*)
      this.nextTracked();
      const n = this.lx.peek();
      if (n.t === 'id' && isTypeWord(n.v)) {
        while (this.lx.peek().t === 'id' && isTypeWord(this.lx.peek().v)) {
          const w = this.nextTracked();
          if (w.v === 'struct' || w.v === 'union') this.ident('struct tag');
        }
        while (this.accept('*')) { /* pointer cast */ }
        this.expect(')');
        return this.parseUnary();
      }
      const e = this.parseExpr();
      const c = this.lx.peek();
      if (!this.isOp(c, ')')) this.err(`expected ')' but found ${this.describe(c)}`, c);
      this.nextTracked();
      return this.parsePostfix(e);
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePostfix(e: Expr): Expr {
    for (;;) {
      const t = this.lx.peek();
      if (this.isOp(t, '(') && e.k === 'id') {
        this.nextTracked();
        const args: Expr[] = [];
        if (!this.isOp(this.lx.peek(), ')')) {
          for (;;) {
            args.push(this.parseAssign());
            if (this.accept(',')) continue;
            break;
          }
        }
        const c = this.lx.peek();
        if (!this.isOp(c, ')')) this.err(`expected ')' to close the call to ${e.name} but found ${this.describe(c)}`, c);
        this.nextTracked();
        e = { k: 'call', name: e.name, args, pos: e.pos };
        continue;
      }
      if (t.t === 'op' && (t.v === '->' || t.v === '.' || t.v === '[')) this.unsupported(`'${t.v}' (structs and arrays)`, t);
      if (t.t === 'op' && (t.v === '++' || t.v === '--')) this.unsupported(`'${t.v}'; write x = x + 1`, t);
      return e;
    }
  }

  private parsePrimary(): Expr {
    const t = this.nextTracked();
    if (t.t === 'num') return { k: 'num', v: this.int(t), pos: this.pos(t) };
    if (t.t === 'id') {
      if (t.v === 'NULL' || t.v === 'false') return { k: 'num', v: 0, pos: this.pos(t) };
      if (t.v === 'true') return { k: 'num', v: 1, pos: this.pos(t) };
      if (t.v === 'sizeof') this.unsupported("'sizeof'", t);
      return { k: 'id', name: t.v, pos: this.pos(t) };
    }
    if (t.t === 'str') this.unsupported('string literals', t);
    this.err(`expected an expression but found ${this.describe(t)}`, t);
  }

  // ---- final part ----
  private parseLocations(): CondVar[] {
    this.expect('[');
    const out: CondVar[] = [];
    for (;;) {
      if (this.accept(']')) break;
      if (this.accept(';')) continue;
      const t = this.lx.peek();
      if (t.t === 'eof') this.err("unterminated locations: expected ']'", t);
      if (t.t === 'id' && (t.v === 'fault' || t.v === 'Fault')) this.unsupported('fault locations', t);
      out.push(this.parseCondVar());
      // herd7 allows a type after each entry: `x int*`
      while (this.lx.peek().t === 'id' || this.isOp(this.lx.peek(), '*')) this.nextTracked();
    }
    return out;
  }

  private parseCondVar(): CondVar {
    const reg = this.tryRegister();
    if (reg) return { thread: reg.thread, name: reg.name };
    const t = this.nextTracked();
    if (this.isOp(t, '*')) {
      const n = this.lx.peek();
      if (n.t !== 'id') this.unsupported('dereferencing a register in a condition', n);
      return this.parseCondVar();
    }
    if (this.isOp(t, '[')) {
      const n = this.ident('location name');
      this.expect(']');
      return { thread: null, name: n.v };
    }
    if (t.t === 'id') {
      if (this.isOp(this.lx.peek(), '[')) this.unsupported('array cells in conditions', this.lx.peek());
      return { thread: null, name: t.v };
    }
    this.err(`expected a location or register (like x or 0:r0) but found ${this.describe(t)}`, t);
  }

  /** herd7's prop: `\/` < `/\` < `=>` (right-associative) < `~`. */
  private parseProp(): Cond {
    let a = this.parseAndP();
    while (this.isOp(this.lx.peek(), '\\/')) {
      this.nextTracked();
      a = { k: 'or', a, b: this.parseAndP() };
    }
    return a;
  }
  private parseAndP(): Cond {
    let a = this.parseImpP();
    while (this.isOp(this.lx.peek(), '/\\')) {
      this.nextTracked();
      a = { k: 'and', a, b: this.parseImpP() };
    }
    return a;
  }
  private parseImpP(): Cond {
    const a = this.parseNotP();
    if (this.isOp(this.lx.peek(), '=>')) {
      this.nextTracked();
      return { k: 'imp', a, b: this.parseImpP() };
    }
    return a;
  }
  private parseNotP(): Cond {
    const t = this.lx.peek();
    if (this.isOp(t, '~') || (t.t === 'id' && t.v === 'not')) {
      this.nextTracked();
      return { k: 'not', c: this.parseNotP() };
    }
    if (this.isOp(t, '(')) {
      this.nextTracked();
      const c = this.parseProp();
      this.expect(')');
      return c;
    }
    if (t.t === 'id' && (t.v === 'true' || t.v === 'false')) {
      this.nextTracked();
      return { k: t.v as 'true' | 'false' };
    }
    if (t.t === 'id' && (t.v === 'fault' || t.v === 'Fault')) this.unsupported('fault atoms', t);
    const v = this.parseCondVar();
    const op = this.nextTracked();
    if (op.v !== '=' && op.v !== '==' && op.v !== '!=' && op.v !== '<>') {
      this.err(`expected '=' in condition but found ${this.describe(op)}`, op);
    }
    const negate = op.v === '!=' || op.v === '<>';
    const vt = this.lx.peek();
    // another register or [location]: herd7's LL atom
    const isReg = (vt.t === 'num' && this.peekIsColonAfter(vt)) || (vt.t === 'id' && /^P[0-9]+$/.test(vt.v) && this.peekIsColonAfter(vt));
    if (isReg || this.isOp(vt, '[') || this.isOp(vt, '*')) {
      if (this.isOp(vt, '*')) this.unsupported('dereferences in conditions', vt);
      const b = this.parseCondVar();
      const c: Cond = { k: 'eqvar', a: v, b, pos: this.pos(t) };
      return negate ? { k: 'not', c } : c;
    }
    let value: Value;
    if (vt.t === 'num') value = this.int(this.nextTracked());
    else if (this.isOp(vt, '-')) {
      this.nextTracked();
      const n = this.nextTracked();
      if (n.t !== 'num') this.err(`expected a number after '-' but found ${this.describe(n)}`, n);
      value = this.int(n, true);
    } else if (this.isOp(vt, '&')) {
      this.nextTracked();
      value = this.ident('location').v;
    } else if (vt.t === 'id') {
      const id = this.nextTracked();
      if (this.isOp(this.lx.peek(), '[')) this.unsupported('addresses of array cells', this.lx.peek());
      if (this.isOp(this.lx.peek(), ':')) this.unsupported('tagged values', this.lx.peek());
      value = id.v === 'NULL' ? 0 : id.v;
    } else if (this.isOp(vt, '{')) this.unsupported('array values in conditions', vt);
    else this.err(`expected a value in condition but found ${this.describe(vt)}`, vt);
    return { k: 'atom', v, op: negate ? '!=' : '=', value, pos: this.pos(t) };
  }

  /** Is the peeked token followed by ':' (a `1:r0` or `P1:r0` register)? */
  private peekIsColonAfter(t: Tok): boolean {
    let i = t.end;
    while (this.src[i] === ' ' || this.src[i] === '\t') i++;
    return this.src[i] === ':';
  }
}

function balanced(s: string): boolean {
  // "(a) /\ (b)" starts with '(' and ends with ')' but is not one group
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') {
      depth--;
      if (depth === 0 && i < s.length - 1) return false;
    }
  }
  return depth === 0;
}

export function parseLitmus(src: string): LitmusTest {
  return new Parser(src).parse();
}
