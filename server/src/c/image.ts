/**
 * Turn the parts of one function (one per hunk, on one side) into a
 * FunctionImage: synthesize what the hunks do not show (the heading, the
 * braces around the visible lines, a marker for the lines between hunks, a
 * `;` for an `if (...)` whose body is cut off), mask statement fragments,
 * then configure (preproc.ts), rewrite (sanitize.ts) and parse each variant.
 */
import type { ConfigVariant, FunctionImage, LineOrigin, SyntheticWhy } from './model';
import type { Part } from './segment';
import { LOOP_MACRO } from './kernelMacros';
import { conditionalRole, newScanState, scanLine } from './lexer';
import { chooseConfigurations, condStructure, DirectiveLine } from './preproc';
import { Mask, sanitize } from './sanitize';
import { FunctionCache, defaultCache, parseFresh } from './treesitter';
import { ParsedVariant } from './variant';

export interface ImgLine {
  text: string;
  origin: LineOrigin;
}

export interface ImageDraft {
  lines: ImgLine[];
  masks: Mask[];
  headerLine: number;
  complete: boolean;
  /**
   * Blocks opened above a part's first line (their opener not shown) that the image opened as an `if` of
   * an unknown test, because an `else` follows their close: keys `hunkIndex:depth` (the other side of the
   * patch has the same opener out of sight, and is drafted again with them, `draftImage(.., unseenIfs)`).
   */
  unseenIfs: Set<string>;
}

type OpenerKind = 'fn' | 'if' | 'else' | 'do' | 'switch' | 'loop' | 'init' | 'block' | 'outer';

export const GAP_MARKER = '[mm-review:';

function gapText(n: number | undefined): string {
  return `/* ${GAP_MARKER} ${n === undefined || n < 0 ? 'some' : n} line${n === 1 ? '' : 's'} not shown] */`;
}

function closerFor(kind: OpenerKind, parent: OpenerKind | undefined): string {
  if (kind === 'do') return '} while (0);';
  if (kind === 'init') return parent === 'init' ? '},' : '};';
  return '}';
}

function classify(stmt: string, stack: OpenerKind[]): OpenerKind {
  // a statement after labels (`fail: if (x) {`, `case 1: if (y) {`) is classified by the statement
  let s = stmt.trim();
  for (let i = 0; i < 8; i++) {
    const m = /^(?:case\b[^:?]*:|default\s*:|[A-Za-z_]\w*\s*:)/.exec(s);
    if (!m || s[m[0].length] === ':') break;
    s = s.slice(m[0].length).trimStart();
  }
  if (stack.length === 0) return 'fn';
  const top = stack[stack.length - 1];
  if (/^(else\s+)?if\b/.test(s)) return 'if';
  if (s === 'else') return 'else';
  if (s === 'do') return 'do';
  if (/^switch\b/.test(s)) return 'switch';
  if (/[=,]$/.test(s) || (s === '' && top === 'init') || /\)\s*$/.test(s) && /^\(/.test(s)) return 'init';
  const w = /^[A-Za-z_]\w*/.exec(s)?.[0] ?? '';
  if (w === 'for' || w === 'while' || LOOP_MACRO.test(w)) return 'loop';
  return 'block';
}

const tabs = (n: number) => '\t'.repeat(Math.max(0, n));

/**
 * The opening of an `if` block whose opening line is not shown (its `else` is): the test is unknown (either
 * branch may run), and the block's lines above the hunk are out of sight (a gap inside the block: the
 * way into the `if` part crosses code not shown, the way into the `else` does not).
 */
const UNSEEN_IF = `if (__mm_review_unseen_test) { ${gapText(undefined)}`;

/**
 * Leading statement fragment of a part that starts inside a statement: the
 * lines up to where the running parenthesis balance reaches its lowest
 * negative point (`    VM_FAULT_DONE_COW)))`, `    gup_fast_permitted(start, end)) {`).
 */
function leadingFragment(part: Part): number {
  let run = 0;
  let minRun = 0;
  let minLine = -1;
  for (let i = 0; i < part.lines.length && i < 40; i++) {
    const sc = part.lines[i].scan;
    if (sc.directive || sc.noCode) continue;
    const code = sc.code;
    let boundary = false;
    for (let k = 0; k < code.length; k++) {
      const c = code[k];
      if (c === '(' || c === '[') run++;
      else if (c === ')' || c === ']') {
        run--;
        if (run < minRun) {
          minRun = run;
          minLine = i;
        }
      } else if ((c === ';' || c === '{' || c === '}') && run <= minRun) boundary = true;
    }
    if (boundary) break;
  }
  return minRun < 0 ? minLine : -1;
}

/**
 * A heading whose return type is on the line above it (`struct efc_els_io_req *` /
 * `efc_els_io_alloc_size(struct efc_node *node, ..)`: git names the function by the
 * line that starts with a letter) gets a placeholder type, so the synthesized
 * header parses as a definition. Not for macro-made functions (`SYSCALL_DEFINE3(..)`).
 */
function withReturnType(heading: string): string {
  const t = heading.trimStart();
  const m = /^([A-Za-z_]\w*)\s*\(/.exec(t);
  return m && /[a-z]/.test(m[1]) ? `int ${t}` : heading;
}

export function draftImage(parts: Part[], heading: string, forcedIfs: ReadonlySet<string> = new Set()): ImageDraft {
  const lines: ImgLine[] = [];
  const masks: Mask[] = [];
  const stack: OpenerKind[] = [];
  let headerLine = 0;
  const syn = (text: string, why: SyntheticWhy) => lines.push({ text, origin: { kind: 'synthetic', why } });
  // blocks opened for a part whose opener is not shown: at depth d, the line that opened the latest one
  const openerAt: { line: number; key: string }[] = [];
  const unseenIfs = new Set<string>();
  const openOuter = (hunkIndex: number) => {
    const key = `${hunkIndex}:${stack.length}`;
    openerAt[stack.length] = { line: lines.length, key };
    if (forcedIfs.has(key)) {
      syn(tabs(stack.length) + UNSEEN_IF, 'open-brace');
      unseenIfs.add(key);
      stack.push('if');
    } else {
      syn(tabs(stack.length) + '{', 'open-brace');
      stack.push('outer');
    }
  };
  const closeOne = () => {
    const k = stack.pop()!;
    syn(tabs(stack.length) + closerFor(k, stack[stack.length - 1]), 'close-brace');
  };
  let anyMask = false;
  let prevLast: Part['lines'][number] | undefined;

  parts.forEach((part, pi) => {
    if (pi === 0) {
      if (part.needsHeading) {
        headerLine = lines.length;
        syn(withReturnType(heading), 'heading');
        if (part.startDepth >= 1) {
          syn('{', 'open-brace');
          stack.push('fn');
        }
      } else headerLine = lines.length;
      while (stack.length < part.startDepth) openOuter(part.hunkIndex);
    } else {
      const target = Math.max(1, part.startDepth);
      while (stack.length > target) closeOne();
      const a = prevLast?.fileLine;
      const b = part.lines[0]?.fileLine;
      syn(tabs(stack.length) + gapText(a !== undefined && b !== undefined ? b - a - 1 : undefined), 'gap');
      while (stack.length < part.startDepth) openOuter(part.hunkIndex);
    }
    if (part.startsInComment) syn(tabs(stack.length) + '/*', 'comment-open');

    const base = lines.length;
    const frag = !part.hasHeader || pi > 0 ? leadingFragment(part) : -1;
    for (let i = 0; i <= frag; i++) {
      if (!part.lines[i].scan.directive) masks.push({ line: base + i, kind: 'fragment' });
      anyMask = true;
    }
    for (const l of part.lines) lines.push({ text: l.text, origin: l.origin });

    // walk the code: openers, orphan `else`, the statement pending at the end
    const codes = part.lines.map((l, i) => (l.scan.directive ? '' : i <= frag ? l.scan.code.replace(/[^{}\s]/g, ' ') : l.scan.code));
    // the pending statement runs from (sL, sC) to the current position; its text is built only when needed
    let sL = -1;
    let sC = -1;
    const stmtText = (toL: number, toC: number) => {
      if (sL < 0) return '';
      let t = '';
      for (let j = sL; j <= toL; j++) t += codes[j].slice(j === sL ? sC : 0, j === toL ? toC : undefined) + ' ';
      return t;
    };
    let paren = 0;
    let last: 'none' | 'semi' | OpenerKind = 'none';
    let outerClosedAt = -1;
    const ppStack: { saved: OpenerKind[]; firstEnd: OpenerKind[] | null }[] = [];
    for (let i = 0; i < part.lines.length; i++) {
      const sc = part.lines[i].scan;
      if (sc.directive) {
        const role = conditionalRole(sc.directiveKind);
        if (role === 'open') ppStack.push({ saved: stack.slice(), firstEnd: null });
        else if (role === 'else') {
          const top = ppStack[ppStack.length - 1];
          if (top) {
            if (!top.firstEnd) top.firstEnd = stack.slice();
            stack.length = 0;
            stack.push(...top.saved);
          }
        } else if (role === 'close') {
          const top = ppStack.pop();
          if (top && top.firstEnd) {
            stack.length = 0;
            stack.push(...top.firstEnd);
          }
        }
        continue;
      }
      const code = codes[i];
      for (let k = 0; k < code.length; k++) {
        const c = code.charCodeAt(k);
        if (c === 32 || c === 9) continue;
        if (c === 123 /* { */) {
          stack.push(classify(stmtText(i, k), stack));
          sL = -1;
          last = 'none';
        } else if (c === 125 /* } */) {
          const popped = stack.pop();
          last = popped ?? 'outer';
          // a block the image opened itself (its opener not shown): which one, for an `else` that follows
          outerClosedAt = popped === 'outer' ? stack.length : -1;
          sL = -1;
        } else if (c === 59 /* ; */ && paren === 0) {
          sL = -1;
          last = 'semi';
        } else {
          if (c === 40 || c === 91) paren++;
          else if (c === 41 || c === 93) paren = Math.max(0, paren - 1);
          if (sL < 0) {
            sL = i;
            sC = k;
            if (c === 101 /* e */ && code.startsWith('else', k) && !/\w/.test(code[k + 4] ?? '')) {
              const orphan = last === 'none' || (last !== 'semi' && last !== 'if');
              // `} else {` closing a block whose opener is not shown: that opener was an `if` (its test out
              // of sight), so the two blocks are alternatives, not one after the other
              const opener = orphan && last === 'outer' && outerClosedAt >= 0 ? openerAt[outerClosedAt] : undefined;
              if (opener) {
                lines[opener.line] = { text: tabs(outerClosedAt) + UNSEEN_IF, origin: lines[opener.line].origin };
                unseenIfs.add(opener.key);
              } else if (orphan) {
                masks.push({ line: base + i, kind: 'else', col: k });
                anyMask = true;
              }
            }
          }
        }
      }
    }
    const stmtStart = sL < 0 ? -1 : base + sL;
    const stmt = sL < 0 ? '' : stmtText(part.lines.length - 1, codes[part.lines.length - 1].length);

    const lastScanned = part.lines[part.lines.length - 1];
    prevLast = lastScanned;
    if (part.closed) return;
    if (part.endsInComment) syn(' */', 'comment-close');
    const s = stmt.trim();
    if (s) {
      const maskFrom = (from: number) => {
        for (let j = Math.max(from, base); j < lines.length; j++) {
          const o = lines[j].origin;
          if (o.kind !== 'synthetic' && !masks.some((m) => m.line === j && m.kind === 'fragment')) masks.push({ line: j, kind: 'fragment' });
        }
        anyMask = true;
      };
      if (paren > 0 || /\bdo$/.test(s) || /[=,?(&|+\-*/%<>!^~]$/.test(s) && !/(\+\+|--)$/.test(s)) maskFrom(stmtStart);
      else syn(tabs(stack.length + 1) + ';', 'stub');
    }
  });
  while (stack.length) closeOne();
  const one = parts.length === 1 ? parts[0] : undefined;
  const complete = !!one && one.hasHeader && one.closed && !anyMask && !one.startsInComment;
  return { lines, masks, headerLine, complete, unseenIfs };
}

/** Directive lines of a text (first lines carry kind and the joined text). */
export function directivesOf(lines: string[]): DirectiveLine[] {
  const out: DirectiveLine[] = [];
  const st = newScanState(false);
  let current: DirectiveLine | null = null;
  for (let i = 0; i < lines.length; i++) {
    const wasCont = st.inDirective;
    const sc = scanLine(lines[i], st);
    if (!sc.directive) {
      current = null;
      continue;
    }
    if (wasCont && current) {
      current.text = (current.text ?? '').replace(/\\\s*$/, ' ') + lines[i];
      out.push({ line: i });
    } else {
      current = { line: i, kind: sc.directiveKind ?? '', text: lines[i] };
      out.push(current);
    }
    if (!sc.continues) current = null;
  }
  return out;
}

export interface ImageOptions {
  cache?: FunctionCache;
  maxVariants?: number;
}

interface ImageCore {
  variants: ConfigVariant[];
  symbols: string[];
  uncovered: number[];
}

/** Configure, rewrite and parse a drafted image. */
export function finishImage(draft: ImageDraft, opts: ImageOptions = {}): FunctionImage {
  const texts = draft.lines.map((l) => l.text);
  const text = texts.join('\n');
  const cache = opts.cache ?? defaultCache;
  const maxVariants = opts.maxVariants ?? 8;
  // the configured variants depend on the text, the masks, which lines are synthetic and the cap
  let key = `${maxVariants}|${draft.masks.map((m) => `${m.line}${m.kind[0]}${m.col ?? ''}`).join(',')}|`;
  draft.lines.forEach((l, i) => {
    if (l.origin.kind === 'synthetic') key += i + ',';
  });
  key += '\u0000' + text;
  let core = cache.getImage<ImageCore>(key);
  if (!core) {
    const dirs = directivesOf(texts);
    const structure = condStructure(
      texts.length,
      dirs,
      draft.lines.map((l) => l.origin.kind === 'synthetic'),
    );
    const confs = chooseConfigurations(structure, maxVariants);
    const variants: ConfigVariant[] = confs.configs.map((c) => {
      const vtext = texts.map((t, i) => (c.keep[i] ? t : '')).join('\n');
      const masks = draft.masks.filter((m) => c.keep[m.line]);
      const { parseText: pt, rewrites } = sanitize(vtext, masks);
      // no parse cache: the image cache above is what reuses parses, and a
      // cached tree would outlive the variant's release of it (variant.ts)
      const parsed = parseFresh(pt);
      return new ParsedVariant(c.label, c.assumptions, vtext, pt, rewrites, parsed.tree, parsed.errorLines);
    });
    core = { variants, symbols: confs.symbols, uncovered: confs.uncovered };
    cache.putImage(key, core);
  }
  const maskedLines = [...new Set(draft.masks.filter((m) => m.kind === 'fragment').map((m) => m.line))].sort((a, b) => a - b);
  return {
    text,
    origin: draft.lines.map((l) => l.origin),
    variants: core.variants,
    headerLine: draft.headerLine,
    complete: draft.complete,
    maskedLines,
    symbols: core.symbols,
    uncoveredBranches: core.uncovered,
  };
}
