/**
 * A line scanner for C: comments, string and character literals, preprocessor
 * directives (with `\` continuations), brace and parenthesis balance.
 *
 * Hand-written because it must work on fragments of C that no parser accepts
 * (a hunk that starts inside a block comment or in the middle of an `if`
 * condition) and must be fast enough to run on every keystroke; tree-sitter
 * is used once the fragments have been rebuilt into whole functions.
 */

export interface ScanState {
  /** Inside a block comment. */
  inComment: boolean;
  /** The previous line was a directive ending in `\`. */
  inDirective: boolean;
}

export interface LineScan {
  /** The line with comments and the contents of string/char literals replaced by spaces (same length). */
  code: string;
  /** The line is (part of) a preprocessor directive. */
  directive: boolean;
  /** For the first line of a directive: its keyword (`if`, `ifdef`, `else`, `define`, ...). */
  directiveKind?: string;
  /** The line ends with `\` inside a directive (the directive continues). */
  continues: boolean;
  /** Net brace change over the line (0 for directives). */
  braceDelta: number;
  /** Lowest running brace balance within the line, relative to its start (<= 0). */
  braceMin: number;
  /** Net parenthesis (and bracket) change. */
  parenDelta: number;
  /** Lowest running parenthesis balance within the line (<= 0). */
  parenMin: number;
  /** Column of the first `{` in code, or -1. */
  firstOpen: number;
  /** The line started inside a block comment. */
  commentBefore: boolean;
  /** The line ends inside a block comment. */
  commentAfter: boolean;
  /** A `*` `/` seen outside any comment (a comment that started before the text). */
  strayCommentEnd: boolean;
  /** Has a comment (or part of one). */
  hasComment: boolean;
  /** No code characters (blank, or only comment). */
  noCode: boolean;
}

export function newScanState(inComment = false): ScanState {
  return { inComment, inDirective: false };
}

const SPACE = 32;

/** Scan one line (without EOL). Mutates `st` to the state after the line. */
export function scanLine(text: string, st: ScanState): LineScan {
  if (!st.inComment && !st.inDirective && !/["'/#\\]/.test(text)) return scanPlain(text);
  const n = text.length;
  const out: number[] = new Array(n);
  const commentBefore = st.inComment;
  let directive = st.inDirective;
  let directiveKind: string | undefined;
  let braceDelta = 0;
  let braceMin = 0;
  let parenDelta = 0;
  let parenMin = 0;
  let firstOpen = -1;
  let stray = false;
  let hasComment = commentBefore;
  let noCode = true;
  let i = 0;
  if (!directive && !st.inComment) {
    let j = 0;
    while (j < n && (text.charCodeAt(j) === SPACE || text.charCodeAt(j) === 9)) j++;
    if (j < n && text.charCodeAt(j) === 35 /* # */) {
      directive = true;
      const m = /^#\s*([A-Za-z_]\w*)/.exec(text.slice(j));
      directiveKind = m ? m[1] : '';
    }
  }
  while (i < n) {
    const c = text.charCodeAt(i);
    if (st.inComment) {
      if (c === 42 /* * */ && text.charCodeAt(i + 1) === 47 /* / */) {
        out[i] = SPACE;
        out[i + 1] = SPACE;
        i += 2;
        st.inComment = false;
        continue;
      }
      out[i++] = SPACE;
      continue;
    }
    if (c === 47 /* / */) {
      const d = text.charCodeAt(i + 1);
      if (d === 42 /* * */) {
        st.inComment = true;
        hasComment = true;
        out[i] = SPACE;
        out[i + 1] = SPACE;
        i += 2;
        continue;
      }
      if (d === 47) {
        hasComment = true;
        for (; i < n; i++) out[i] = SPACE;
        break;
      }
    }
    if (c === 42 && text.charCodeAt(i + 1) === 47) stray = true;
    if (c === 34 /* " */ || c === 39 /* ' */) {
      // literal: keep the quotes, blank the contents
      out[i++] = c;
      noCode = false;
      while (i < n) {
        const e = text.charCodeAt(i);
        if (e === 92 /* \ */) {
          out[i++] = SPACE;
          if (i < n) out[i++] = SPACE;
          continue;
        }
        if (e === c) {
          out[i++] = c;
          break;
        }
        out[i++] = SPACE;
      }
      continue;
    }
    out[i] = c;
    if (c !== SPACE && c !== 9) noCode = false;
    if (!directive) {
      if (c === 123 /* { */) {
        braceDelta++;
        if (firstOpen < 0) firstOpen = i;
      } else if (c === 125 /* } */) {
        braceDelta--;
        if (braceDelta < braceMin) braceMin = braceDelta;
      } else if (c === 40 /* ( */ || c === 91 /* [ */) parenDelta++;
      else if (c === 41 /* ) */ || c === 93 /* ] */) {
        parenDelta--;
        if (parenDelta < parenMin) parenMin = parenDelta;
      }
    }
    i++;
  }
  const code = fromCodes(out);
  const continues = directive && /\\\s*$/.test(text) && !st.inComment;
  st.inDirective = continues;
  return {
    code,
    directive,
    directiveKind,
    continues,
    braceDelta,
    braceMin,
    parenDelta,
    parenMin,
    firstOpen,
    commentBefore,
    commentAfter: st.inComment,
    strayCommentEnd: stray,
    hasComment,
    noCode,
  };
}

/** Fast path: a line with no comment, literal, directive or continuation characters. */
function scanPlain(text: string): LineScan {
  let braceDelta = 0;
  let braceMin = 0;
  let parenDelta = 0;
  let parenMin = 0;
  let firstOpen = -1;
  let noCode = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 32:
      case 9:
        continue;
      case 123:
        braceDelta++;
        if (firstOpen < 0) firstOpen = i;
        break;
      case 125:
        if (--braceDelta < braceMin) braceMin = braceDelta;
        break;
      case 40:
      case 91:
        parenDelta++;
        break;
      case 41:
      case 93:
        if (--parenDelta < parenMin) parenMin = parenDelta;
        break;
      default:
        break;
    }
    noCode = false;
  }
  return {
    code: text,
    directive: false,
    continues: false,
    braceDelta,
    braceMin,
    parenDelta,
    parenMin,
    firstOpen,
    commentBefore: false,
    commentAfter: false,
    strayCommentEnd: false,
    hasComment: false,
    noCode,
  };
}

function fromCodes(codes: number[]): string {
  if (codes.length <= 4096) return String.fromCharCode.apply(null, codes);
  let s = '';
  for (let i = 0; i < codes.length; i += 4096) s += String.fromCharCode.apply(null, codes.slice(i, i + 4096));
  return s;
}

/** Leading indentation in tab stops (a tab = 1, 8 spaces = 1). */
export function indentOf(text: string): number {
  let tabs = 0;
  let spaces = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 9) {
      tabs += 1 + Math.floor(spaces / 8);
      spaces = 0;
    } else if (c === SPACE) spaces++;
    else break;
  }
  return tabs + Math.floor(spaces / 8);
}

/** Leading whitespace has spaces after the tabs (kernel style for continuation lines). */
export function alignedContinuation(text: string): boolean {
  return /^\t+ {1,7}\S/.test(text);
}

/** Directive kinds that open, continue or close a conditional. */
export function conditionalRole(kind: string | undefined): 'open' | 'else' | 'close' | null {
  switch (kind) {
    case 'if':
    case 'ifdef':
    case 'ifndef':
      return 'open';
    case 'elif':
    case 'else':
    case 'elifdef':
    case 'elifndef':
      return 'else';
    case 'endif':
      return 'close';
    default:
      return null;
  }
}

/**
 * Brace depth across preprocessor conditionals the way kernel code is
 * written: each branch of an #if starts from the depth at the #if, and after
 * the #endif the depth is the one the first branch ended with (branches are
 * assumed to balance the same way).
 */
export class DepthTracker {
  depth: number;
  private stack: { atIf: number; firstEnd: number | null }[] = [];
  constructor(start = 0) {
    this.depth = start;
  }
  /** Feed a directive line's kind. */
  directive(kind: string | undefined): void {
    const role = conditionalRole(kind);
    if (role === 'open') this.stack.push({ atIf: this.depth, firstEnd: null });
    else if (role === 'else') {
      const top = this.stack[this.stack.length - 1];
      if (top) {
        if (top.firstEnd === null) top.firstEnd = this.depth;
        this.depth = top.atIf;
      }
    } else if (role === 'close') {
      const top = this.stack.pop();
      if (top && top.firstEnd !== null) this.depth = top.firstEnd;
    }
  }
}
