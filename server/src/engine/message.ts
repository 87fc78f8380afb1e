/**
 * Messages a reviewer reads in a list: a finding's message is kept to about
 * 200 characters, the rest of the rule's explanation goes to `detail` (shown
 * in the hover, as related information and as a CLI note). Done here, once,
 * for every rule, rather than by rewording each rule's text:
 *  1. whole sentences while they fit;
 *  2. a first sentence that is too long is cut after a clause (`:` or `;`)
 *     that fits, which then ends the message;
 *  3. a first clause that is still too long loses its parenthetical asides
 *     (`(FOLL_PIN)`, `(patch 1/3)`), then is cut at a comma and marked `…`.
 * In cases 2–3 the detail is the rest; in case 3 it is the whole text (the
 * message left something out of the middle).
 */
import type { Finding } from './findings';

export const MESSAGE_LIMIT = 200;

interface Unit {
  text: string;
  /** The boundary after this unit: a sentence end, a clause end (`:`/`;`), or none (the last). */
  end: 'sentence' | 'clause' | 'none';
}

/** Split at top-level sentence and clause boundaries (not inside parentheses, brackets or backticks). */
function units(text: string): Unit[] {
  const out: Unit[] = [];
  let depth = 0;
  let code = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '`') code = !code;
    if (code) continue;
    if (c === '(' || c === '[' || c === '\u201c') depth++;
    else if ((c === ')' || c === ']' || c === '\u201d') && depth > 0) depth--;
    if (depth > 0 || text[i + 1] !== ' ') continue;
    const next = text[i + 2] ?? '';
    if ((c === '.' || c === '!' || c === '?') && /[A-Z`0-9]/.test(next) && !/\b(?:e\.g|i\.e|etc|vs)\.$/.test(text.slice(Math.max(0, i - 4), i + 1))) {
      out.push({ text: text.slice(start, i + 1), end: 'sentence' });
      start = i + 2;
    } else if (c === ':' || c === ';') {
      out.push({ text: text.slice(start, i + 1), end: 'clause' });
      start = i + 2;
    }
  }
  if (start < text.length) out.push({ text: text.slice(start), end: 'none' });
  return out;
}

/** Drop top-level parenthetical asides that follow a blank (` (FOLL_PIN)`), not a call's `()`. */
function withoutAsides(text: string): string {
  let out = '';
  let depth = 0;
  let code = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '`' && depth === 0) code = !code;
    if (!code && depth === 0 && c === ' ' && text[i + 1] === '(') {
      depth = 1;
      i++;
      continue;
    }
    if (depth > 0) {
      if (c === '(') depth++;
      else if (c === ')') depth--;
      continue;
    }
    out += c;
  }
  return out;
}

/** Cut at the last top-level `, ` that keeps the text within the limit (or at a blank), marked `…`. */
function cut(text: string, limit: number): string {
  let depth = 0;
  let code = false;
  let best = -1;
  for (let i = 0; i < Math.min(text.length, limit); i++) {
    const c = text[i];
    if (c === '`') code = !code;
    if (code) continue;
    if (c === '(' || c === '[' || c === '\u201c') depth++;
    else if ((c === ')' || c === ']' || c === '\u201d') && depth > 0) depth--;
    else if (depth === 0 && c === ',' && text[i + 1] === ' ' && i > limit / 3) best = i;
  }
  if (best < 0) best = text.lastIndexOf(' ', limit - 1);
  if (best <= 0) best = limit - 1;
  let end = best;
  while (end > 0 && /[\s,;:]/.test(text[end - 1])) end--; // a loop: `/[\s,;:]+$/` is quadratic on long runs
  return text.slice(0, end) + '…';
}

/** A message cut after a clause: `;` ends a sentence, `:` announces what the detail says. */
const ended = (s: string) => s.replace(/;$/, '.').replace(/:$/, ': …');
// an identifier (`spin_unlock() at ...`, `folio->mapping ...`) keeps its case
const capital = (s: string) => (/^[a-z_][A-Za-z0-9_]*(?:\(|->|\.|\[)/.test(s) || /^[a-z]+_/.test(s) ? s : s.charAt(0).toUpperCase() + s.slice(1));
/** The rule's advice ("Use smp_mb() here.", "Add … after it."): worth keeping in the message when it fits. */
const ADVICE = /^(?:Use|Add|Take|Put|Release|Replace|Call|Move|Drop|Pass|Re-check|Check|Insert|Keep|Hold|Open|Close)\b/;

/** The message (≤ ~limit characters) and what it leaves for the detail. */
export function splitMessage(text: string, limit = MESSAGE_LIMIT): { message: string; detail?: string } {
  if (text.length <= limit) return { message: text };
  const us = units(text);
  const first = us[0];
  // 1–2: whole units (sentences, then clauses of a long first sentence) while they fit
  if (first && first.text.length <= limit && us.length > 1) {
    let msg = first.text;
    let k = 1;
    for (; k < us.length; k++) {
      if (us[k - 1].end === 'clause' && msg.length + 1 + us[k].text.length > limit) break;
      if (msg.length + 1 + us[k].text.length > limit) break;
      msg += ' ' + us[k].text;
    }
    let restUnits = us.slice(k);
    // the advice at the end, when it fits after what was kept
    const last = us[us.length - 1];
    msg = ended(msg);
    if (restUnits.length > 1 && ADVICE.test(last.text) && msg.length + 1 + last.text.length <= limit) {
      msg += ' ' + last.text;
      restUnits = restUnits.slice(0, -1);
    }
    const rest = restUnits.map((u) => u.text).join(' ');
    return { message: msg, detail: rest ? capital(rest) : undefined };
  }
  // 3: the first clause alone is too long: without its asides, then cut
  const head = first ? first.text : text;
  const lean = withoutAsides(head);
  const message = lean.length <= limit ? (first && first.end !== 'none' ? ended(lean) : lean) : cut(lean, limit);
  return { message, detail: text };
}

/** Recent splits (the language server shortens the same messages on every keystroke). */
const splits = new Map<string, { message: string; detail?: string }>();

/** Shorten a finding's message in place (the rest goes to `detail`). */
export function shorten(f: Finding, limit = MESSAGE_LIMIT): void {
  if (f.detail !== undefined) return;
  const key = `${limit}|${f.message}`;
  let s = splits.get(key);
  if (!s) {
    s = splitMessage(f.message, limit);
    if (splits.size >= 10_000) splits.clear();
    splits.set(key, s);
  }
  f.message = s.message;
  if (s.detail) f.detail = s.detail;
}
