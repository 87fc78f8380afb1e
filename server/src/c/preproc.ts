/**
 * Preprocessor configurations of a function image, the way unifdef sees
 * them: every #if/#ifdef/#elif/#else branch is active or not under an
 * assignment of truth values to the conditional's atoms (`CONFIG_X`,
 * `defined(Y)`, an opaque comparison). A small covering set of assignments
 * is chosen so that every branch is active in at least one variant.
 *
 * `#if 0` is never active. `IS_ENABLED(CONFIG_X)` in a C `if` is C, not
 * preprocessor, and stays.
 */

import { blankBlockComments, cutLineComment } from '../util/text';

/** Boolean expression over atoms. */
export type PExpr =
  | { k: 'const'; v: boolean }
  | { k: 'atom'; name: string }
  | { k: 'not'; e: PExpr }
  | { k: 'and'; a: PExpr; b: PExpr }
  | { k: 'or'; a: PExpr; b: PExpr };

export interface Branch {
  /** 0-based line of the directive opening the branch. */
  line: number;
  kind: 'if' | 'elif' | 'else';
  cond: PExpr;
  /** Content lines (not the directives). */
  lines: number[];
  parent: Branch | null;
  block: CondBlock;
}

export interface CondBlock {
  branches: Branch[];
  parent: Branch | null;
  /** Opened before the image starts (an #else/#endif with no #if in the text). */
  implicit: boolean;
}

export interface CondStructure {
  /** For each line: the innermost branch containing it, or null (top level). */
  branchOf: (Branch | null)[];
  /** Lines that are directives (#if, #define, ... and their continuation lines). */
  directive: boolean[];
  blocks: CondBlock[];
  branches: Branch[];
  /** Atom names, in order of first appearance. */
  atoms: string[];
  /** Atoms standing for a condition not shown (an #else with no #if): true by default. */
  unknownAtoms: Set<string>;
}

// ---------------------------------------------------------------------------
// #if expressions

// A character literal is `'`, then escapes or characters other than `'` and
// `\` (disjoint alternatives: no backtracking), then an optional closing `'`.
// The former `'(?:\\.|[^'])*'` backtracked exponentially on `'` + `\x`*n with
// no closing quote (issue 9; test/hostile checks every regex with recheck).
const TOKEN = /\s*(defined\b|\|\||&&|==|!=|<=|>=|<<|>>|[()!<>+\-*/%^|&~?:,]|[A-Za-z_]\w*|\d\w*|'(?:\\[\s\S]|[^'\\])*'?|\S)/y;

/** Parse a #if expression; comparisons and arithmetic become opaque atoms named by their text. */
export function parseIfExpr(text: string): PExpr {
  const toks: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  const src = cutLineComment(blankBlockComments(text));
  while (TOKEN.lastIndex < src.length && (m = TOKEN.exec(src))) toks.push(m[1]);
  let i = 0;
  const peek = () => toks[i];
  const atomText = (start: number, end: number) => toks.slice(start, end).join(' ');

  function primary(): PExpr {
    const t = toks[i];
    if (t === undefined) return { k: 'atom', name: '?' };
    if (t === '!') {
      i++;
      return { k: 'not', e: primary() };
    }
    if (t === '(') {
      i++;
      const e = or();
      if (peek() === ')') i++;
      return e;
    }
    if (t === 'defined') {
      i++;
      let name: string | undefined;
      if (peek() === '(') {
        i++;
        name = toks[i++];
        if (peek() === ')') i++;
      } else name = toks[i++];
      return { k: 'atom', name: name ?? '?' };
    }
    if (/^(IS_ENABLED|IS_BUILTIN|IS_MODULE|IS_REACHABLE)$/.test(t) && toks[i + 1] === '(') {
      i += 2;
      const name = toks[i++];
      if (peek() === ')') i++;
      return { k: 'atom', name: t === 'IS_MODULE' ? `${name}=m` : name ?? '?' };
    }
    if (/^\d/.test(t)) {
      i++;
      const v = parseInt(t, /^0x/i.test(t) ? 16 : 10);
      return { k: 'const', v: !Number.isNaN(v) && v !== 0 };
    }
    if (/^[A-Za-z_]/.test(t)) {
      i++;
      // a function-like macro call: swallow its arguments into the atom
      if (peek() === '(') {
        let depth = 0;
        const start = i - 1;
        for (; i < toks.length; i++) {
          if (toks[i] === '(') depth++;
          else if (toks[i] === ')' && --depth === 0) {
            i++;
            break;
          }
        }
        return { k: 'atom', name: atomText(start, i) };
      }
      return { k: 'atom', name: t };
    }
    i++;
    return { k: 'atom', name: t };
  }

  /** A comparison or arithmetic expression over primaries is one opaque atom. */
  function relational(): PExpr {
    const start = i;
    const p = primary();
    const t = peek();
    if (t !== undefined && /^(==|!=|<=|>=|<|>|\+|-|\*|\/|%|<<|>>|\^|\||&|\?)$/.test(t) && t !== '||' && t !== '&&') {
      // consume until && / || / ) at this level
      let depth = 0;
      for (; i < toks.length; i++) {
        const u = toks[i];
        if (u === '(') depth++;
        else if (u === ')') {
          if (depth === 0) break;
          depth--;
        } else if ((u === '&&' || u === '||') && depth === 0) break;
      }
      return { k: 'atom', name: atomText(start, i) };
    }
    return p;
  }

  function and(): PExpr {
    let a = relational();
    while (peek() === '&&') {
      i++;
      a = { k: 'and', a, b: relational() };
    }
    return a;
  }

  function or(): PExpr {
    let a = and();
    while (peek() === '||') {
      i++;
      a = { k: 'or', a, b: and() };
    }
    return a;
  }

  return or();
}

export function evalExpr(e: PExpr, env: Map<string, boolean>): boolean {
  switch (e.k) {
    case 'const':
      return e.v;
    case 'atom':
      return env.get(e.name) ?? false;
    case 'not':
      return !evalExpr(e.e, env);
    case 'and':
      return evalExpr(e.a, env) && evalExpr(e.b, env);
    case 'or':
      return evalExpr(e.a, env) || evalExpr(e.b, env);
  }
}

function collectAtoms(e: PExpr, out: string[]): void {
  switch (e.k) {
    case 'atom':
      if (!out.includes(e.name)) out.push(e.name);
      return;
    case 'not':
      collectAtoms(e.e, out);
      return;
    case 'and':
    case 'or':
      collectAtoms(e.a, out);
      collectAtoms(e.b, out);
      return;
    default:
      return;
  }
}

// ---------------------------------------------------------------------------
// Structure

export interface DirectiveLine {
  /** 0-based line. */
  line: number;
  /** Directive keyword (`ifdef`, `else`, `define`, ...), for the first line of a directive. */
  kind?: string;
  /** The directive's full text (continuation lines joined), for the first line. */
  text?: string;
}

/**
 * Build the conditional structure of an image. `directives` lists every
 * line that is part of a directive (first lines carry kind and text).
 * An #else/#endif whose #if is not in the text opens an implicit branch
 * that starts after the last `barrier` line before it (synthesized lines).
 */
export function condStructure(lineCount: number, directives: DirectiveLine[], barrier?: readonly boolean[]): CondStructure {
  const branchOf: (Branch | null)[] = new Array(lineCount).fill(null);
  const directive: boolean[] = new Array(lineCount).fill(false);
  for (const d of directives) directive[d.line] = true;
  const blocks: CondBlock[] = [];
  const branches: Branch[] = [];
  const atoms: string[] = [];
  const unknownAtoms = new Set<string>();
  let cur: Branch | null = null;
  const byLine = new Map<number, DirectiveLine>();
  for (const d of directives) if (d.kind !== undefined) byLine.set(d.line, d);

  // An #else/#elif/#endif with no #if in the image: the lines before it are
  // in an implicit branch opened before the image started.
  const implicitOpen = (atLine: number) => {
    const name = `(#if before line ${atLine + 1})`;
    unknownAtoms.add(name);
    atoms.push(name);
    const block: CondBlock = { branches: [], parent: null, implicit: true };
    const br: Branch = { line: -1, kind: 'if', cond: { k: 'atom', name }, lines: [], parent: null, block };
    block.branches.push(br);
    blocks.push(block);
    branches.push(br);
    // re-parent the top-level lines seen so far, back to the last barrier
    // (a synthesized line: the #if was somewhere above the visible text)
    let from = atLine;
    while (from > 0 && !barrier?.[from - 1]) from--;
    for (let i = from; i < atLine; i++) {
      if (directive[i]) continue;
      if (branchOf[i] === null) {
        branchOf[i] = br;
        br.lines.push(i);
      }
    }
    for (const b of blocks) {
      if (b === block || b.parent !== null || b.branches[0].line < from) continue;
      b.parent = br;
      for (const x of b.branches) x.parent = br;
    }
    return br;
  };

  for (let i = 0; i < lineCount; i++) {
    const d = byLine.get(i);
    if (!d) {
      if (!directive[i] && cur) {
        branchOf[i] = cur;
        cur.lines.push(i);
      }
      continue;
    }
    const kind = d.kind ?? '';
    const rest = blankBlockComments((d.text ?? '').replace(/^\s*#\s*\w+/, '')).trim();
    if (kind === 'if' || kind === 'ifdef' || kind === 'ifndef') {
      let cond: PExpr;
      if (kind === 'if') cond = parseIfExpr(rest);
      else {
        const name = /^[A-Za-z_]\w*/.exec(rest)?.[0] ?? '?';
        cond = kind === 'ifdef' ? { k: 'atom', name } : { k: 'not', e: { k: 'atom', name } };
      }
      collectAtoms(cond, atoms);
      const block: CondBlock = { branches: [], parent: cur, implicit: false };
      const br: Branch = { line: i, kind: 'if', cond, lines: [], parent: cur, block };
      block.branches.push(br);
      blocks.push(block);
      branches.push(br);
      cur = br;
    } else if (kind === 'elif' || kind === 'else' || kind === 'elifdef' || kind === 'elifndef') {
      if (!cur) cur = implicitOpen(i);
      const block = cur.block;
      let cond: PExpr = { k: 'const', v: true };
      if (kind === 'elif') cond = parseIfExpr(rest);
      else if (kind === 'elifdef' || kind === 'elifndef') {
        const name = /^[A-Za-z_]\w*/.exec(rest)?.[0] ?? '?';
        cond = kind === 'elifdef' ? { k: 'atom', name } : { k: 'not', e: { k: 'atom', name } };
      }
      collectAtoms(cond, atoms);
      const br: Branch = { line: i, kind: kind === 'else' ? 'else' : 'elif', cond, lines: [], parent: block.parent, block };
      block.branches.push(br);
      branches.push(br);
      cur = br;
    } else if (kind === 'endif') {
      if (!cur) cur = implicitOpen(i);
      cur = cur.block.parent;
    }
  }
  return { branchOf, directive, blocks, branches, atoms, unknownAtoms };
}

/** Which branch of each block is taken under env (null: none). */
function activeBranches(s: CondStructure, env: Map<string, boolean>): Set<Branch> {
  const active = new Set<Branch>();
  for (const block of s.blocks) {
    if (block.parent && !active.has(block.parent) && !isActive(block.parent, s, env, active)) continue;
    for (const br of block.branches) {
      if (evalExpr(br.cond, env)) {
        active.add(br);
        break;
      }
    }
  }
  // blocks are in text order and parents come before children, so one pass
  // is enough except for implicit blocks re-parenting earlier blocks:
  for (const br of [...active]) {
    for (let p = br.parent; p; p = p.parent) {
      if (!active.has(p)) {
        active.delete(br);
        break;
      }
    }
  }
  return active;
}

function isActive(br: Branch, s: CondStructure, env: Map<string, boolean>, memo: Set<Branch>): boolean {
  if (memo.has(br)) return true;
  if (br.parent && !isActive(br.parent, s, env, memo)) return false;
  for (const b of br.block.branches) {
    if (evalExpr(b.cond, env)) return b === br;
  }
  return false;
}

export interface Configuration {
  label: string;
  assumptions: Record<string, boolean>;
  /** Line i is kept (not blanked). */
  keep: boolean[];
}

export interface Configurations {
  configs: Configuration[];
  symbols: string[];
  /** Branch directive lines no configuration activates. */
  uncovered: number[];
}

const MAX_ENUM_ATOMS = 8;

/**
 * Choose at most `cap` configurations covering every branch: the default
 * (every symbol undefined; atoms for conditions not shown assumed true),
 * then greedily the assignment that activates the most branches not yet
 * covered (fewest changes from the default on ties).
 */
export function chooseConfigurations(s: CondStructure, cap = 8): Configurations {
  const atoms = s.atoms;
  const def = new Map<string, boolean>();
  for (const a of atoms) def.set(a, s.unknownAtoms.has(a));
  const candidates: Map<string, boolean>[] = [];
  if (atoms.length <= MAX_ENUM_ATOMS) {
    const n = atoms.length;
    for (let mask = 0; mask < 1 << n; mask++) {
      const env = new Map<string, boolean>();
      atoms.forEach((a, k) => env.set(a, ((mask >> k) & 1) === 1 ? !def.get(a) : def.get(a)!));
      candidates.push(env);
    }
  } else {
    candidates.push(def);
    for (const a of atoms) candidates.push(new Map(def).set(a, !def.get(a)));
    candidates.push(new Map(atoms.map((a) => [a, !def.get(a)])));
  }
  const changes = (env: Map<string, boolean>) => atoms.reduce((c, a) => c + (env.get(a) !== def.get(a) ? 1 : 0), 0);
  const covers = candidates.map((env) => activeBranches(s, env));
  const chosen: number[] = [0];
  const covered = new Set<Branch>(covers[0]);
  const withLines = s.branches.filter((b) => b.lines.length > 0);
  while (chosen.length < cap) {
    let best = -1;
    let bestGain = 0;
    for (let k = 0; k < candidates.length; k++) {
      if (chosen.includes(k)) continue;
      let gain = 0;
      for (const b of covers[k]) if (!covered.has(b) && withLines.includes(b)) gain++;
      if (gain > bestGain || (gain === bestGain && gain > 0 && best >= 0 && changes(candidates[k]) < changes(candidates[best]))) {
        best = k;
        bestGain = gain;
      }
    }
    if (best < 0 || bestGain === 0) break;
    chosen.push(best);
    for (const b of covers[best]) covered.add(b);
  }
  const uncovered = withLines.filter((b) => !covered.has(b) && b.line >= 0 && !isNeverActive(b)).map((b) => b.line);
  const configs = chosen.map((k) => {
    const env = candidates[k];
    const active = covers[k];
    const keep = s.branchOf.map((br, i) => !s.directive[i] && (br === null || active.has(br)));
    const assumptions: Record<string, boolean> = {};
    for (const a of atoms) assumptions[a] = env.get(a)!;
    const diff = atoms.filter((a) => env.get(a) !== def.get(a));
    const label = diff.length === 0 ? 'default' : diff.map((a) => `${a}=${env.get(a) ? 'y' : 'n'}`).join(', ');
    return { label, assumptions, keep };
  });
  return { configs, symbols: atoms.filter((a) => !s.unknownAtoms.has(a)), uncovered };
}

/** `#if 0` and its children can never be active. */
function isNeverActive(b: Branch): boolean {
  for (let p: Branch | null = b; p; p = p.parent) {
    if (p.cond.k === 'const' && !p.cond.v) return true;
  }
  return false;
}
