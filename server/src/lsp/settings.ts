/** The server's settings (`mmReview.*`, from initializationOptions or workspace/configuration) and which documents it reads. */
import type { Category } from '../engine/findings';
import { parseVersion } from '../catalog/era';
import type { Severity } from '../patch/model';
import type { Position, Range } from '../util/lineIndex';

export interface Settings {
  differential: boolean;
  categories: Category[] | null;
  severityOverrides: Record<string, Severity | 'off'>;
  /** The kernel version the patches target (`6.19`); '' = the tree's Makefile, else current mainline. */
  kernelVersion: string;
  kernelTree: string;
  maxFileSizeMB: number;
  /** Quiet time after a keystroke before re-analysing (ms). bench/lsp measures the work with 0. */
  debounceMs: number;
  /** Each repaired line of a mangled mail as its own diagnostic (default: one summary per message, the lines as hints). */
  repairDetails: boolean;
}

/**
 * maxFileSizeMB: the worst case (one hunk of short lines) needs about 45 bytes
 * of heap per byte of input (a 30.5 MB hunk analysed within 1.5 GB); the
 * analysis workers have 3 GB each, so 32 MB leaves a margin of two.
 */
export const DEFAULT_SETTINGS: Settings = { differential: true, categories: null, severityOverrides: {}, kernelTree: '', kernelVersion: '', maxFileSizeMB: 32, debounceMs: 150, repairDetails: false };

export function normalizeSettings(s: Settings): Settings {
  return {
    differential: s.differential !== false,
    categories: Array.isArray(s.categories) && s.categories.length ? s.categories : null,
    severityOverrides: normalizeOverrides(s.severityOverrides),
    kernelTree: typeof s.kernelTree === 'string' ? s.kernelTree : '',
    kernelVersion: typeof s.kernelVersion === 'string' && parseVersion(s.kernelVersion) ? s.kernelVersion.trim() : '',
    maxFileSizeMB: typeof s.maxFileSizeMB === 'number' && s.maxFileSizeMB > 0 ? s.maxFileSizeMB : DEFAULT_SETTINGS.maxFileSizeMB,
    debounceMs: typeof s.debounceMs === 'number' && s.debounceMs >= 0 ? s.debounceMs : DEFAULT_SETTINGS.debounceMs,
    repairDetails: s.repairDetails === true,
  };
}

/** VS Code spells the level 'information'; the engine says 'info'. Unknown values are dropped. */
export function normalizeOverrides(o: unknown): Record<string, Severity | 'off'> {
  const out: Record<string, Severity | 'off'> = {};
  if (!o || typeof o !== 'object') return out;
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    const sev = v === 'information' ? 'info' : v;
    if (sev === 'error' || sev === 'warning' || sev === 'info' || sev === 'hint' || sev === 'off') out[k] = sev;
  }
  return out;
}

const PATCH_EXT = /\.(patch|diff|mbox|mbx|eml|mail)$/i;
const PATCH_LANGS = new Set(['diff', 'patch', 'mm-patch', 'mbox', 'eml', 'email', 'mail', 'gitsendemail']);

/** Does this document hold a patch or a mail the engine should analyse? */
export function isPatchDocument(doc: { uri: string; languageId: string; getText(): string }): boolean {
  if (PATCH_LANGS.has(doc.languageId)) return true;
  if (PATCH_EXT.test(doc.uri)) return true;
  if (doc.languageId === 'plaintext' || doc.languageId === 'text' || doc.languageId === '') {
    const head = doc.getText().slice(0, 4096);
    return /^From \S+/m.test(head) || /^diff --git /m.test(head) || /^--- \S.*\n\+\+\+ \S/m.test(head);
  }
  return false;
}

export function isLitmusDocument(doc: { uri: string; languageId: string }): boolean {
  return doc.languageId === 'litmus' || /\.litmus$/i.test(doc.uri);
}

export function overlaps(a: Range, b: Range): boolean {
  const before = (p: Position, q: Position) => p.line < q.line || (p.line === q.line && p.character <= q.character);
  return before(a.start, b.end) && before(b.start, a.end);
}

export function contains(r: Range, p: Position): boolean {
  const le = (x: Position, y: Position) => x.line < y.line || (x.line === y.line && x.character <= y.character);
  return le(r.start, p) && le(p, r.end);
}
