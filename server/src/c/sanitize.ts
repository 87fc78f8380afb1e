/**
 * Column-stable rewrites that let tree-sitter-c parse kernel C: every edit
 * replaces a range with text of exactly the same length, so each line and
 * column of the tree is a line and column of the variant text (and, through
 * FunctionImage.origin, of the patch).
 */
import type { Rewrite } from './model';
import { newScanState, scanLine } from './lexer';
import {
  ANNOTATIONS,
  ANNOTATION_CALLS,
  BLOCK_MACROS,
  C_KEYWORDS,
  LOOP_MACRO,
  PRIMITIVE_TYPE_WORDS,
  SYSCALL_DEFINE,
  TYPE_OPERATORS,
} from './kernelMacros';

/** A part of the image blanked for parsing in every configuration. */
export interface Mask {
  line: number;
  kind: 'fragment' | 'else';
  /** For 'else': the column of the keyword. */
  col?: number;
}

interface Tok {
  s: string;
  i: number;
}

const TOK = /[A-Za-z_]\w*|\d[\w.]*|->|\+\+|--|&&|\|\||<<|>>|[^\s\w]/g;

const BOUNDARY_BEFORE_STMT = new Set([';', '{', '}', ')', ':', 'else', 'do']);

export interface Sanitized {
  parseText: string;
  rewrites: Rewrite[];
}

export function sanitize(text: string, masks: readonly Mask[] = []): Sanitized {
  const lines = text.split('\n');
  const lineStart: number[] = new Array(lines.length);
  const codes: string[] = new Array(lines.length);
  const commentBefore: boolean[] = new Array(lines.length);
  const st = newScanState(false);
  let off = 0;
  for (let i = 0; i < lines.length; i++) {
    lineStart[i] = off;
    off += lines[i].length + 1;
    const sc = scanLine(lines[i], st);
    codes[i] = sc.directive ? ' '.repeat(lines[i].length) : sc.code;
    commentBefore[i] = sc.commentBefore;
  }
  const rewrites: Rewrite[] = [];
  /** Same-length replacements of `text`, applied at the end. */
  const edits: { index: number; text: string }[] = [];
  const posOf = (index: number) => {
    let lo = 0;
    let hi = lineStart.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStart[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, col: index - lineStart[lo] };
  };
  const record = (kind: Rewrite['kind'], index: number, length: number, replacement: string | null, name?: string) => {
    const { line, col } = posOf(index);
    const original = text.slice(index, index + length);
    rewrites.push({ kind, line, col, index, length, original, name });
    let r = '';
    for (let k = 0; k < length; k++) r += original[k] === '\n' ? '\n' : replacement === null ? ' ' : replacement[k] ?? ' ';
    edits.push({ index, text: r });
  };

  // 1. masks from the image: statement fragments cut by a hunk boundary
  for (const m of masks) {
    const start = lineStart[m.line];
    if (start === undefined) continue;
    const c = codes[m.line];
    if (m.kind === 'else') {
      const col = m.col ?? c.indexOf('else');
      if (col >= 0 && c.startsWith('else', col)) {
        record('else', start + col, 4, null);
        codes[m.line] = c.slice(0, col) + '    ' + c.slice(col + 4);
      }
      continue;
    }
    const raw = lines[m.line];
    const cols = commentColumns(raw, commentBefore[m.line]);
    let a = -1;
    let b = -1;
    for (let k = 0; k < raw.length; k++) {
      const ch = raw[k];
      if (!cols[k] && ch !== ' ' && ch !== '\t' && ch !== '{' && ch !== '}') {
        if (a < 0) a = k;
        b = k;
      }
    }
    if (a < 0) continue;
    rewrites.push({ kind: 'fragment', line: m.line, col: a, index: start + a, length: b - a + 1, original: raw.slice(a, b + 1) });
    // blank code characters only (keep braces, tabs and comments)
    let r = '';
    let cr = '';
    for (let k = a; k <= b; k++) {
      const ch = raw[k];
      const keep = cols[k] || ch === '{' || ch === '}' || ch === '\t';
      r += keep ? ch : ' ';
      cr += keep && !cols[k] ? ch : ' ';
    }
    edits.push({ index: start + a, text: r });
    codes[m.line] = c.slice(0, a) + cr + c.slice(b + 1);
  }

  // 2. tokens
  const codeText = codes.join('\n');
  const toks: Tok[] = [];
  TOK.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOK.exec(codeText))) toks.push({ s: m[0], i: m.index });

  const matchParen = (k: number): number => {
    let depth = 0;
    for (let j = k; j < toks.length; j++) {
      const s = toks[j].s;
      if (s === '(') depth++;
      else if (s === ')' && --depth === 0) return j;
    }
    return -1;
  };
  /** Is the `}` at token j the end of a block that `do` opens? */
  const opensAfterDo = (j: number): boolean => {
    let depth = 0;
    // (bounded: a do-block longer than that is not taken for one; keeps hostile input linear)
    for (let i = j; i >= 0 && i > j - 4096; i--) {
      const t = toks[i].s;
      if (t === '}') depth++;
      else if (t === '{' && --depth === 0) return toks[i - 1]?.s === 'do';
    }
    return false;
  };
  const isIdent = (s: string | undefined) => s !== undefined && /^[A-Za-z_]/.test(s);

  let brace = 0;
  // paren stack: is it a call's argument list (type arguments allowed)?
  const parens: boolean[] = [];
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    const s = t.s;
    if (s === '{') brace++;
    else if (s === '}') brace = Math.max(0, brace - 1);
    else if (s === '(') {
      const prev = toks[k - 1]?.s;
      parens.push(brace > 0 && isIdent(prev) && !C_KEYWORDS.has(prev!) && !TYPE_OPERATORS.has(prev!));
    } else if (s === ')') parens.pop();
    if (!isIdent(s)) continue;

    if (ANNOTATIONS.has(s)) {
      record('annotation', t.i, s.length, null);
      continue;
    }
    const next = toks[k + 1];
    if (ANNOTATION_CALLS.has(s) && next?.s === '(') {
      const close = matchParen(k + 1);
      if (close > 0) {
        const end = toks[close].i + 1;
        record('annotation', t.i, end - t.i, null);
        // skip the blanked group
        k = close;
        continue;
      }
    }
    if (brace === 0 && SYSCALL_DEFINE.test(s) && next?.s === '(') {
      const close = matchParen(k + 1);
      const nameTok = toks[k + 2];
      if (close > 0 && nameTok && isIdent(nameTok.s) && toks[k + 3]?.s === ',') {
        record('syscall', t.i, s.length, 'long', s);
        record('syscall', next.i, 1, ' ', s);
        let comma = 0;
        let depth = 0;
        for (let j = k + 3; j < close; j++) {
          const u = toks[j].s;
          if (u === '(') depth++;
          else if (u === ')') depth--;
          else if (u === ',' && depth === 0) {
            record('syscall', toks[j].i, 1, comma === 0 ? '(' : comma % 2 === 1 ? ' ' : ',', s);
            comma++;
          }
        }
        k = close;
        continue;
      }
    }
    if (brace > 0 && (LOOP_MACRO.test(s) || BLOCK_MACROS.has(s)) && next?.s === '(') {
      const prev = toks[k - 1]?.s;
      const close = matchParen(k + 1);
      const after = close > 0 ? toks[close + 1]?.s : undefined;
      const startsStmt = prev === undefined || BOUNDARY_BEFORE_STMT.has(prev);
      const bodyFollows =
        after !== undefined && (after === '{' || isIdent(after) || after === '(' || after === '*' || after === '++' || after === '--');
      // `do { ... } for_each_vma(vmi, vma);`: the macro is the condition of a do-while
      // (the kernel expands it to `while (...)`), so it reads as `while (...)` too.
      const doWhileCondition = prev === '}' && after === ';' && !BLOCK_MACROS.has(s) && opensAfterDo(k - 1);
      if (close > 0 && startsStmt && (bodyFollows || doWhileCondition) && s.length >= 5) {
        record(BLOCK_MACROS.has(s) ? 'block-macro' : 'loop-macro', t.i, s.length, 'while', s);
        continue;
      }
    }
    // type arguments of calls: `container_of(p, struct x, m)`, `min_t(unsigned long, a, b)`
    const inCall = parens.length > 0 && parens[parens.length - 1];
    const prev = toks[k - 1]?.s;
    if (inCall && (prev === '(' || prev === ',')) {
      if ((s === 'struct' || s === 'union' || s === 'enum') && isIdent(toks[k + 1]?.s)) {
        const after = toks[k + 2]?.s;
        if (after === ',' || after === ')') {
          record('type-arg', t.i, s.length, null);
          k += 1;
          continue;
        }
      }
      if (PRIMITIVE_TYPE_WORDS.has(s) && s !== 'void') {
        let j = k;
        while (j < toks.length && PRIMITIVE_TYPE_WORDS.has(toks[j].s)) j++;
        const after = toks[j]?.s;
        if (after === ',' || after === ')') {
          const start = t.i;
          const end = toks[j - 1].i + toks[j - 1].s.length;
          let repl = text.slice(start, end).replace(/\s/g, '_');
          if (C_KEYWORDS.has(repl) || PRIMITIVE_TYPE_WORDS.has(repl)) repl = repl[0].toUpperCase() + repl.slice(1);
          if (!repl.includes('\n')) record('type-arg', start, end - start, repl);
          k = j - 1;
          continue;
        }
      }
    }
  }
  rewrites.sort((a, b) => a.index - b.index);
  if (edits.length === 0) return { parseText: text, rewrites };
  edits.sort((a, b) => a.index - b.index);
  let out = '';
  let at = 0;
  for (const e of edits) {
    if (e.index < at) continue; // overlapping (cannot happen: tokens are skipped inside edits)
    out += text.slice(at, e.index) + e.text;
    at = e.index + e.text.length;
  }
  out += text.slice(at);
  return { parseText: out, rewrites };
}

/** For each column of a line: is it inside a comment? */
function commentColumns(line: string, startInComment: boolean): boolean[] {
  const res: boolean[] = new Array(line.length).fill(false);
  let inC = startInComment;
  let lit = '';
  for (let k = 0; k < line.length; k++) {
    const c = line[k];
    if (inC) {
      res[k] = true;
      if (c === '*' && line[k + 1] === '/') {
        res[k + 1] = true;
        k++;
        inC = false;
      }
      continue;
    }
    if (lit) {
      if (c === '\\') k++;
      else if (c === lit) lit = '';
      continue;
    }
    if (c === '"' || c === "'") lit = c;
    else if (c === '/' && line[k + 1] === '*') {
      res[k] = res[k + 1] = true;
      k++;
      inC = true;
    } else if (c === '/' && line[k + 1] === '/') {
      for (let j = k; j < line.length; j++) res[j] = true;
      break;
    }
  }
  return res;
}
