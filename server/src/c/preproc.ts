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

function collectAtoms(e: PExpr, out: string[], seen: Set<string>): void {
  switch (e.k) {
    case 'atom':
      if (!seen.has(e.name)) {
        seen.add(e.name);
        out.push(e.name);
      }
      return;
    case 'not':
      collectAtoms(e.e, out, seen);
      return;
    case 'and':
    case 'or':
      collectAtoms(e.a, out, seen);
      collectAtoms(e.b, out, seen);
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
  const atomSet = new Set<string>();
  let cur: Branch | null = null;
  const byLine = new Map<number, DirectiveLine>();
  for (const d of directives) if (d.kind !== undefined) byLine.set(d.line, d);

  // An #else/#elif/#endif with no #if in the image: the lines before it are
  // in an implicit branch opened before the image started.
  const implicitOpen = (atLine: number) => {
    const name = `(#if before line ${atLine + 1})`;
    unknownAtoms.add(name);
    atomSet.add(name);
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
      collectAtoms(cond, atoms, atomSet);
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
      collectAtoms(cond, atoms, atomSet);
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

/**
 * Which branch of each block is taken under env (null: none), in one pass
 * over the blocks: each block is decided once, after its parent branch
 * (memoised; implicit blocks, which adopt earlier blocks, are decided when a
 * child first asks). Linear in the number of branches and the size of their
 * conditions: 2,000 nested #ifdefs no longer re-walk their parent chains.
 */
function activeBranches(s: CondStructure, env: Map<string, boolean>, work: { n: number }): Set<Branch> {
  const chosen = new Map<CondBlock, Branch | null>();
  const decide = (block: CondBlock): Branch | null => {
    const hit = chosen.get(block);
    if (hit !== undefined) return hit;
    // walk up to the first decided ancestor, then decide top-down (no recursion: nesting may be deep)
    const chain: CondBlock[] = [];
    for (let b: CondBlock | undefined = block; b && !chosen.has(b); b = b.parent?.block) chain.push(b);
    for (let i = chain.length - 1; i >= 0; i--) {
      const b = chain[i];
      let pick: Branch | null = null;
      if (!b.parent || chosen.get(b.parent.block) === b.parent) {
        for (const br of b.branches) {
          work.n++;
          if (evalExpr(br.cond, env)) {
            pick = br;
            break;
          }
        }
      }
      chosen.set(b, pick);
    }
    return chosen.get(block)!;
  };
  const active = new Set<Branch>();
  for (const block of s.blocks) {
    const br = decide(block);
    if (br) active.add(br);
  }
  return active;
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
  /** Branch decisions made while choosing (a work count, linear in the branches: test/hostile). */
  work: number;
}

/** Total work of chooseConfigurations in this process (bench/hostile reads it). */
export const preprocStats = { work: 0 };

const MAX_ENUM_ATOMS = 8;
/**
 * Candidate assignments tried beyond the exhaustive case: the default, all
 * flipped, and single flips of the first atoms. A bound on work (each
 * candidate costs one pass over the branches); branches still uncovered are
 * reported (`uncovered`).
 */
const MAX_CANDIDATES = 48;

/**
 * Choose at most `cap` configurations covering every branch: the default
 * (every symbol undefined; atoms for conditions not shown assumed true),
 * then greedily the assignment that activates the most branches not yet
 * covered (fewest changes from the default on ties).
 */
export function chooseConfigurations(s: CondStructure, cap = 8): Configurations {
  const atoms = s.atoms;
  const work = { n: 0 };
  const def = new Map<string, boolean>();
  for (const a of atoms) def.set(a, s.unknownAtoms.has(a));
  const candidates: Map<string, boolean>[] = [];
  /** Number of atoms each candidate changes from the default. */
  const changes: number[] = [];
  if (atoms.length <= MAX_ENUM_ATOMS) {
    const n = atoms.length;
    for (let mask = 0; mask < 1 << n; mask++) {
      const env = new Map<string, boolean>();
      atoms.forEach((a, k) => env.set(a, ((mask >> k) & 1) === 1 ? !def.get(a) : def.get(a)!));
      candidates.push(env);
      let c = 0;
      for (let m = mask; m; m &= m - 1) c++;
      changes.push(c);
    }
  } else {
    candidates.push(def);
    changes.push(0);
    for (const a of atoms.slice(0, MAX_CANDIDATES - 2)) {
      candidates.push(new Map(def).set(a, !def.get(a)));
      changes.push(1);
    }
    candidates.push(new Map(atoms.map((a) => [a, !def.get(a)])));
    changes.push(atoms.length);
  }
  const covers = candidates.map((env) => activeBranches(s, env, work));
  const chosen: number[] = [0];
  const picked = new Set<number>(chosen);
  const covered = new Set<Branch>(covers[0]);
  const withLines = new Set(s.branches.filter((b) => b.lines.length > 0));
  while (chosen.length < cap) {
    let best = -1;
    let bestGain = 0;
    for (let k = 0; k < candidates.length; k++) {
      if (picked.has(k)) continue;
      let gain = 0;
      for (const b of covers[k]) if (!covered.has(b) && withLines.has(b)) gain++;
      work.n += covers[k].size;
      if (gain > bestGain || (gain === bestGain && gain > 0 && best >= 0 && changes[k] < changes[best])) {
        best = k;
        bestGain = gain;
      }
    }
    if (best < 0 || bestGain === 0) break;
    chosen.push(best);
    picked.add(best);
    for (const b of covers[best]) covered.add(b);
  }
  const uncovered = [...withLines].filter((b) => !covered.has(b) && b.line >= 0 && !isNeverActive(b)).map((b) => b.line);
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
  preprocStats.work += work.n;
  return { configs, symbols: atoms.filter((a) => !s.unknownAtoms.has(a)), uncovered, work: work.n };
}

/** `#if 0` and its children can never be active (memoised per branch: one walk up the nesting in all). */
const neverActive = new WeakMap<Branch, boolean>();
function isNeverActive(b: Branch): boolean {
  const chain: Branch[] = [];
  let known: boolean | undefined;
  for (let p: Branch | null = b; p; p = p.parent) {
    known = neverActive.get(p);
    if (known !== undefined) break;
    chain.push(p);
  }
  let v = known ?? false;
  for (let i = chain.length - 1; i >= 0; i--) {
    const p = chain[i];
    v = v || (p.cond.k === 'const' && !p.cond.v);
    neverActive.set(p, v);
  }
  return v;
}
