/**
 * Parser for LKMM C litmus tests (the format of the kernel's
 * tools/memory-model/litmus-tests and Documentation/litmus-tests).
 *
 * Hand-written recursive descent: the format is a small C subset wrapped in
 * herd7's litmus sections, with OCaml-style `(* *)` comments outside the
 * process bodies (inside them `(*p)` is C). That context-dependent lexing,
 * plus the need for exact line/column errors, makes a generator a poor fit
 * and no maintained npm package parses this format.
 */
import {
  Cond, CondVar, Expr, InitItem, LitmusSyntaxError, LitmusTest, Pos, Proc, Stmt, Value,
} from './ast';

interface Tok {
  t: 'id' | 'num' | 'op' | 'str' | 'eof';
  v: string;
  line: number;
  col: number;
  off: number;
  end: number;
}

const OPS3 = ['<<=', '>>='];
const OPS2 = ['/\\', '\\/', '==', '!=', '<=', '>=', '&&', '||', '->', '++', '--', '+=', '-=', '*=', '/=', '&=', '|=', '^=', '<<', '>>', '=>'];
const OPS1 = '{}()[];,:=+-*/%&|^!~<>?.';

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
    for (let i = 0; i < n; i++) {
      if (this.src[this.pos] === '\n') {
        this.line++;
        this.col = 1;
      } else this.col++;
      this.pos++;
    }
  }

  private skip(): void {
    const s = this.src;
    for (;;) {
      const c = s[this.pos];
      if (c === undefined) return;
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f') {
        this.adv();
      } else if (c === '/' && s[this.pos + 1] === '/') {
        const start = this.pos;
        while (this.pos < s.length && s[this.pos] !== '\n') this.adv();
        this.comments.push(s.slice(start, this.pos));
      } else if (c === '/' && s[this.pos + 1] === '*') {
        const [l, co] = [this.line, this.col];
        const start = this.pos;
        this.adv(2);
        while (this.pos < s.length && !(s[this.pos] === '*' && s[this.pos + 1] === '/')) this.adv();
        if (this.pos >= s.length) this.err('unterminated comment', l, co);
        this.adv(2);
        this.comments.push(s.slice(start, this.pos));
      } else if (this.ocaml && c === '(' && s[this.pos + 1] === '*') {
        const [l, co] = [this.line, this.col];
        const start = this.pos;
        this.adv(2);
        let depth = 1;
        while (this.pos < s.length && depth > 0) {
          if (s[this.pos] === '(' && s[this.pos + 1] === '*') {
            depth++;
            this.adv(2);
          } else if (s[this.pos] === '*' && s[this.pos + 1] === ')') {
            depth--;
            this.adv(2);
          } else this.adv();
        }
        if (depth > 0) this.err('unterminated (* comment', l, co);
        this.comments.push(s.slice(start, this.pos));
      } else return;
    }
  }

  private lex(): Tok {
    this.skip();
    const s = this.src;
    const [line, col, off] = [this.line, this.col, this.pos];
    const mk = (t: Tok['t'], v: string): Tok => ({ t, v, line, col, off, end: this.pos });
    if (this.pos >= s.length) return mk('eof', '');
    const c = s[this.pos];
    if (/[A-Za-z_]/.test(c)) {
      let e = this.pos;
      while (e < s.length && /[A-Za-z0-9_]/.test(s[e])) e++;
      const v = s.slice(this.pos, e);
      this.adv(e - this.pos);
      return mk('id', v);
    }
    if (/[0-9]/.test(c)) {
      const m = /^(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*/.exec(s.slice(this.pos, this.pos + 40));
      const text = m![0];
      this.adv(text.length);
      return mk('num', String(Number(m![1])));
    }
    if (c === '"') {
      let e = this.pos + 1;
      while (e < s.length && s[e] !== '"') e++;
      if (e >= s.length) this.err('unterminated string');
      const v = s.slice(this.pos + 1, e);
      this.adv(e + 1 - this.pos);
      return mk('str', v);
    }
    for (const o of OPS3) if (s.startsWith(o, this.pos)) { this.adv(3); return mk('op', o); }
    for (const o of OPS2) if (s.startsWith(o, this.pos)) { this.adv(2); return mk('op', o); }
    if (OPS1.includes(c)) {
      this.adv();
      return mk('op', c);
    }
    this.err(`unexpected character '${c}'`);
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
}

const TYPE_WORDS = new Set([
  'int', 'long', 'short', 'char', 'unsigned', 'signed', 'void', 'bool', '_Bool', 'const', 'volatile',
  'struct', 'union', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'intptr_t', 'uintptr_t',
  'atomic_t', 'atomic_long_t', 'atomic64_t', 'spinlock_t', 'size_t', 'unsigned_long',
]);
function isTypeWord(v: string): boolean {
  return TYPE_WORDS.has(v) || /_t$/.test(v);
}

export class Parser {
  private lx: Lexer;
  private lines: string[];

  constructor(private src: string) {
    this.lx = new Lexer(src);
    this.lines = src.split(/\r?\n/);
  }

  private pos(t: Tok): Pos {
    return { line: t.line, column: t.col };
  }
  private err(msg: string, t: Tok): never {
    throw new LitmusSyntaxError(msg, t.line, t.col);
  }
  private describe(t: Tok): string {
    return t.t === 'eof' ? 'end of file' : `'${t.v}'`;
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
    return t;
  }

  parse(): LitmusTest {
    const first = this.lx.next();
    if (first.t !== 'id' || first.v !== 'C') {
      this.err(`expected 'C <name>' header (only C litmus tests are supported) but found ${this.describe(first)}`, first);
    }
    const { name } = this.lx.rawName();
    let doc: string | undefined;
    if (this.lx.peek().t === 'str') doc = this.lx.next().v;
    const init = this.parseInit();
    const procs: Proc[] = [];
    while (this.lx.peek().t === 'id' && /^P\d+$/.test(this.lx.peek().v)) procs.push(this.parseProc());
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
      if (t.v === 'locations') {
        this.lx.next();
        locations = locations.concat(this.parseLocations());
      } else if (t.v === 'filter') {
        this.lx.next();
        filter = this.parseCond();
      } else if (t.v === 'exists' || t.v === 'forall' || (t.v === '~' && t.t === 'op')) {
        if (kind) this.err('more than one final condition', t);
        this.lx.next();
        if (t.v === '~') {
          const e = this.ident("'exists'");
          if (e.v !== 'exists') this.err(`expected 'exists' after '~' but found '${e.v}'`, e);
          kind = '~exists';
        } else kind = t.v as 'exists' | 'forall';
        const start = this.lx.peek().off;
        cond = this.parseCond();
        condText = this.src.slice(start, this.lastEnd).replace(/\s+/g, ' ').trim();
      } else {
        this.err(`expected 'exists', '~exists', 'forall', 'filter' or 'locations' but found ${this.describe(t)}`, t);
      }
    }
    if (!kind || !cond) {
      const t = this.lx.peek();
      this.err('missing final condition (exists, ~exists or forall)', t);
    }
    return { name, doc, comments: this.lx.comments, init, procs, locations, filter, kind, cond, condText, lines: this.lines };
  }

  private lastEnd = 0;
  private nextTracked(): Tok {
    const t = this.lx.next();
    this.lastEnd = t.end;
    return t;
  }

  // ---- init block ----
  private parseInit(): InitItem[] {
    this.expect('{');
    this.lx.setOcaml(false);
    const items: InitItem[] = [];
    for (;;) {
      const t = this.lx.peek();
      if (t.v === '}' && t.t === 'op') break;
      if (t.t === 'eof') this.err("unterminated init block: expected '}'", t);
      if (this.accept(';')) continue;
      items.push(this.parseInitItem());
      const sep = this.lx.peek();
      if (sep.v === ';' && sep.t === 'op') this.lx.next();
      else if (!(sep.v === '}' && sep.t === 'op')) this.err(`expected ';' in init block but found ${this.describe(sep)}`, sep);
    }
    this.lx.next();
    this.lx.setOcaml(true);
    return items;
  }

  private parseInitItem(): InitItem {
    const t0 = this.lx.peek();
    if (t0.t === 'num') {
      // 0:r1=value
      const th = this.lx.next();
      this.expect(':');
      const reg = this.ident('register name');
      this.expect('=');
      return { k: 'reg', thread: Number(th.v), name: reg.v, value: this.parseInitValue(), pos: this.pos(th) };
    }
    // [type words] [*]* name [= value]
    const words: Tok[] = [];
    let stars = 0;
    for (;;) {
      const t = this.lx.peek();
      if (t.t === 'id') words.push(this.lx.next());
      else if (t.v === '*' && t.t === 'op') {
        this.lx.next();
        stars++;
      } else break;
    }
    if (words.length === 0) this.err(`expected a variable in init block but found ${this.describe(this.lx.peek())}`, this.lx.peek());
    const nameTok = words[words.length - 1];
    const type = words.slice(0, -1).map((w) => w.v).join(' ') + '*'.repeat(stars);
    // `int x[2]` etc. are not supported
    if (this.accept('=')) {
      return { k: 'loc', name: nameTok.v, value: this.parseInitValue(), type: type || undefined, pos: this.pos(nameTok) };
    }
    return { k: 'loc', name: nameTok.v, type: type || undefined, pos: this.pos(nameTok) };
  }

  private parseInitValue(): Value {
    const t = this.lx.next();
    if (t.t === 'num') return Number(t.v);
    if (t.v === '-' && t.t === 'op') {
      const n = this.lx.next();
      if (n.t !== 'num') this.err(`expected a number after '-' but found ${this.describe(n)}`, n);
      return -Number(n.v);
    }
    if (t.v === '&' && t.t === 'op') return this.ident('location name').v;
    if (t.t === 'id') {
      if (t.v === 'ATOMIC_INIT' || t.v === 'ATOMIC_LONG_INIT') {
        this.expect('(');
        const v = this.parseInitValue();
        this.expect(')');
        return v;
      }
      if (t.v === 'NULL') return 0;
      if (t.v === 'true') return 1;
      if (t.v === 'false') return 0;
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
          } else if (t.v === '*' && t.t === 'op') {
            this.lx.next();
            stars++;
          } else break;
        }
        if (!last) this.err(`expected a parameter but found ${this.describe(this.lx.peek())}`, this.lx.peek());
        params.push({ name: last.v, pointerDepth: stars, type: words.slice(0, -1).join(' ') });
        if (this.accept(')')) break;
        this.expect(',');
      }
    }
    const open = this.lx.peek();
    if (open.v !== '{') this.err(`expected '{' to open the body of ${head.v} but found ${this.describe(open)}`, open);
    const body = this.parseBlock().body;
    this.lx.setOcaml(true);
    return { index, params, body, pos: this.pos(head) };
  }

  private stmtText(startOff: number): string {
    return this.src.slice(startOff, this.lastEnd).replace(/\s+/g, ' ').trim();
  }

  private parseBlock(): Stmt & { k: 'block' } {
    const open = this.nextTracked();
    const body: Stmt[] = [];
    for (;;) {
      const t = this.lx.peek();
      if (t.v === '}' && t.t === 'op') break;
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
    if (t.t === 'op' && t.v === '{') return [this.parseBlock()];
    if (t.t === 'op' && t.v === ';') {
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
    if (t.t === 'id' && ['while', 'for', 'do', 'goto', 'switch', 'return'].includes(t.v)) {
      this.err(`'${t.v}' is not supported in litmus process bodies`, t);
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
        let init: Expr | undefined;
        if (this.accept('=')) init = this.parseAssign();
        this.lastEnd = this.lx.peek().off;
        out.push({ k: 'decl', name: name.v, init, pos: this.pos(name), text: this.stmtText(t.off) });
        if (this.accept(',')) continue;
        const semi = this.lx.peek();
        if (semi.v !== ';') this.err(`expected ';' after declaration but found ${this.describe(semi)}`, semi);
        this.nextTracked();
        break;
      }
      return out;
    }
    const e = this.parseExpr();
    const semi = this.lx.peek();
    if (semi.v !== ';' || semi.t !== 'op') this.err(`expected ';' after statement but found ${this.describe(semi)}`, semi);
    this.nextTracked();
    return [{ k: 'expr', e, pos, text: this.stmtText(t.off) }];
  }

  private blockOf(ss: Stmt[], pos: Pos): Stmt {
    return ss.length === 1 ? ss[0] : { k: 'block', body: ss, pos, text: '{...}' };
  }

  // ---- expressions (C precedence) ----
  parseExpr(): Expr {
    let e = this.parseAssign();
    while (this.lx.peek().v === ',' && this.lx.peek().t === 'op') {
      const t = this.nextTracked();
      const b = this.parseAssign();
      e = { k: 'bin', op: ',', a: e, b, pos: this.pos(t) };
    }
    return e;
  }

  private parseAssign(): Expr {
    const lhs = this.parseTernary();
    const t = this.lx.peek();
    if (t.t === 'op' && ['=', '+=', '-=', '*=', '/=', '&=', '|=', '^=', '<<=', '>>='].includes(t.v)) {
      this.nextTracked();
      if (lhs.k !== 'id' && !(lhs.k === 'un' && lhs.op === '*')) this.err('left-hand side of assignment must be a variable or *pointer', t);
      const rhs = this.parseAssign();
      return { k: 'assign', op: t.v, lhs, rhs, pos: lhs.pos };
    }
    return lhs;
  }

  private parseTernary(): Expr {
    const c = this.parseBin(0);
    if (this.lx.peek().v === '?' && this.lx.peek().t === 'op') {
      const t = this.nextTracked();
      const a = this.parseAssign();
      this.expect(':');
      const b = this.parseTernary();
      return { k: 'cond', c, a, b, pos: this.pos(t) };
    }
    return c;
  }

  private static LEVELS: string[][] = [
    ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%'],
  ];

  private parseBin(level: number): Expr {
    if (level >= Parser.LEVELS.length) return this.parseUnary();
    let a = this.parseBin(level + 1);
    for (;;) {
      const t = this.lx.peek();
      if (t.t !== 'op' || !Parser.LEVELS[level].includes(t.v)) return a;
      this.nextTracked();
      const b = this.parseBin(level + 1);
      a = { k: 'bin', op: t.v, a, b, pos: this.pos(t) };
    }
  }

  private parseUnary(): Expr {
    const t = this.lx.peek();
    if (t.t === 'op' && ['!', '~', '-', '*', '&', '+'].includes(t.v)) {
      this.nextTracked();
      const e = this.parseUnary();
      return { k: 'un', op: t.v as '!', e, pos: this.pos(t) };
    }
    if (t.t === 'op' && (t.v === '++' || t.v === '--')) this.err(`'${t.v}' is not supported; write x = x + 1`, t);
    if (t.t === 'op' && t.v === '(') {
      // cast?  (type [*]*)
      this.nextTracked();
      const n = this.lx.peek();
      if (n.t === 'id' && isTypeWord(n.v)) {
        while (this.lx.peek().t === 'id' && isTypeWord(this.lx.peek().v)) this.nextTracked();
        while (this.accept('*')) { /* pointer cast */ }
        this.expect(')');
        return this.parseUnary();
      }
      const e = this.parseExpr();
      const c = this.lx.peek();
      if (c.v !== ')') this.err(`expected ')' but found ${this.describe(c)}`, c);
      this.nextTracked();
      return this.parsePostfix(e);
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePostfix(e: Expr): Expr {
    for (;;) {
      const t = this.lx.peek();
      if (t.t === 'op' && t.v === '(' && e.k === 'id') {
        this.nextTracked();
        const args: Expr[] = [];
        if (!(this.lx.peek().v === ')' && this.lx.peek().t === 'op')) {
          for (;;) {
            args.push(this.parseAssign());
            if (this.accept(',')) continue;
            break;
          }
        }
        const c = this.lx.peek();
        if (c.v !== ')') this.err(`expected ')' to close the call to ${e.name} but found ${this.describe(c)}`, c);
        this.nextTracked();
        e = { k: 'call', name: e.name, args, pos: e.pos };
        continue;
      }
      if (t.t === 'op' && (t.v === '->' || t.v === '.' || t.v === '[')) this.err(`'${t.v}' (structs and arrays) is not supported`, t);
      if (t.t === 'op' && (t.v === '++' || t.v === '--')) this.err(`'${t.v}' is not supported; write x = x + 1`, t);
      return e;
    }
  }

  private parsePrimary(): Expr {
    const t = this.nextTracked();
    if (t.t === 'num') return { k: 'num', v: Number(t.v), pos: this.pos(t) };
    if (t.t === 'id') {
      if (t.v === 'NULL' || t.v === 'false') return { k: 'num', v: 0, pos: this.pos(t) };
      if (t.v === 'true') return { k: 'num', v: 1, pos: this.pos(t) };
      return { k: 'id', name: t.v, pos: this.pos(t) };
    }
    this.err(`expected an expression but found ${this.describe(t)}`, t);
  }

  // ---- final conditions ----
  private parseLocations(): CondVar[] {
    this.expect('[');
    const out: CondVar[] = [];
    for (;;) {
      if (this.accept(']')) break;
      if (this.accept(';')) continue;
      out.push(this.parseCondVar());
    }
    return out;
  }

  private parseCondVar(): CondVar {
    const t = this.nextTracked();
    if (t.t === 'num') {
      this.expect(':');
      const r = this.nextTracked();
      if (r.t !== 'id') this.err(`expected a register after '${t.v}:' but found ${this.describe(r)}`, r);
      return { thread: Number(t.v), name: r.v };
    }
    if (t.t === 'op' && t.v === '*') return this.parseCondVar();
    if (t.t === 'id') return { thread: null, name: t.v };
    this.err(`expected a location or register (like x or 0:r0) but found ${this.describe(t)}`, t);
  }

  private parseCond(): Cond {
    const a = this.parseOr();
    if (this.lx.peek().v === '=>') {
      this.nextTracked();
      return { k: 'imp', a, b: this.parseCond() };
    }
    return a;
  }
  private parseOr(): Cond {
    let a = this.parseAnd();
    while (this.lx.peek().v === '\\/') {
      this.nextTracked();
      a = { k: 'or', a, b: this.parseAnd() };
    }
    return a;
  }
  private parseAnd(): Cond {
    let a = this.parseNot();
    while (this.lx.peek().v === '/\\') {
      this.nextTracked();
      a = { k: 'and', a, b: this.parseNot() };
    }
    return a;
  }
  private parseNot(): Cond {
    const t = this.lx.peek();
    if (t.t === 'op' && t.v === '~') {
      this.nextTracked();
      return { k: 'not', c: this.parseNot() };
    }
    if (t.t === 'op' && t.v === '(') {
      this.nextTracked();
      const c = this.parseCond();
      this.expect(')');
      this.lastEnd = this.lx.peek().off;
      return c;
    }
    if (t.t === 'id' && (t.v === 'true' || t.v === 'false')) {
      this.nextTracked();
      return { k: t.v as 'true' | 'false' };
    }
    const v = this.parseCondVar();
    const op = this.nextTracked();
    if (op.v !== '=' && op.v !== '==' && op.v !== '!=') this.err(`expected '=' in condition but found ${this.describe(op)}`, op);
    const vt = this.lx.peek();
    let value: Value;
    if (vt.t === 'num' && this.peekIsRegAfterNum()) {
      const b = this.parseCondVar();
      const c: Cond = { k: 'eqvar', a: v, b, pos: this.pos(t) };
      return op.v === '!=' ? { k: 'not', c } : c;
    }
    if (vt.t === 'num') value = Number(this.nextTracked().v);
    else if (vt.t === 'op' && vt.v === '-') {
      this.nextTracked();
      const n = this.nextTracked();
      if (n.t !== 'num') this.err(`expected a number after '-' but found ${this.describe(n)}`, n);
      value = -Number(n.v);
    } else if (vt.t === 'op' && vt.v === '&') {
      this.nextTracked();
      value = this.ident('location').v;
      this.lastEnd = this.lx.peek().off;
    } else if (vt.t === 'id') {
      const id = this.nextTracked();
      value = id.v === 'NULL' ? 0 : id.v;
    } else this.err(`expected a value in condition but found ${this.describe(vt)}`, vt);
    return { k: 'atom', v, op: op.v === '!=' ? '!=' : '=', value, pos: this.pos(t) };
  }

  /** Is the peeked number followed by ':' (a `1:r0` register)? */
  private peekIsRegAfterNum(): boolean {
    const t = this.lx.peek();
    let i = t.end;
    while (this.src[i] === ' ') i++;
    return this.src[i] === ':';
  }
}

export function parseLitmus(src: string): LitmusTest {
  return new Parser(src).parse();
}
