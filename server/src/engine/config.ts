/**
 * The reviewer's side of a review: a workspace file (`.mm-review.json`) that
 * says, without touching anyone's patch,
 *  - how severe each rule or category is (`"severity": {"barrier/uncommented": "off", "spec-ref": "error"}`);
 *  - which findings were looked at and dismissed ("not a bug"), each keyed by
 *    a stable fingerprint of the finding: its rule, file, function and the
 *    normalised text of its line. Moving a hunk, editing other patches of a
 *    series or re-sending the mail keeps the key; changing the line itself
 *    brings the finding back.
 *
 * The language server reads the file from the workspace folder (any LSP
 * client; `mmReview.dismiss` adds to it), the CLI with `--config FILE` (or the
 * first `.mm-review.json` in the current directory or above it). SARIF
 * `partialFingerprints` carry the same fingerprint.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { Severity } from '../patch/model';

export const CONFIG_FILE = '.mm-review.json';
/** The key of the fingerprint in SARIF `partialFingerprints`. */
export const FINGERPRINT_KEY = 'mmReview/v1';

export interface Dismissal {
  /** The finding's fingerprint (see fingerprint()). Computed from the fields below when absent. */
  fingerprint?: string;
  rule?: string;
  file?: string;
  function?: string;
  /** The finding's line, as text (whitespace is normalised). */
  line?: string;
  /** Why it is not a bug (free text, for the next reader). */
  reason?: string;
}

export interface ReviewConfig {
  /** Severity per rule id or category; "off" silences it. */
  severity: Record<string, Severity | 'off'>;
  dismissed: Dismissal[];
}

export interface LoadedConfig {
  config: ReviewConfig;
  /** The fingerprints of config.dismissed. */
  dismissed: Set<string>;
  /** What was wrong with the file (unknown keys, bad values): reported, never fatal. */
  problems: string[];
}

export const EMPTY_CONFIG: LoadedConfig = { config: { severity: {}, dismissed: [] }, dismissed: new Set(), problems: [] };

/** A line's text as the fingerprint sees it: no diff marker, blanks collapsed. */
export function normalizeLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The stable key of a finding: rule, file, function and the normalised text of its line. */
export function fingerprint(rule: string, file: string | undefined, fn: string | undefined, line: string): string {
  const key = [rule, file ?? '', fn ?? '', normalizeLine(line)].join('\u0000');
  let fp = fingerprints.get(key);
  if (fp === undefined) {
    fp = createHash('sha256').update(key).digest('hex').slice(0, 20);
    // the language server asks again for every finding on every keystroke: remember the recent ones
    if (fingerprints.size >= 20_000) fingerprints.clear();
    fingerprints.set(key, fp);
  }
  return fp;
}
const fingerprints = new Map<string, string>();

const SEVERITIES = new Set(['error', 'warning', 'info', 'information', 'hint', 'off']);

/** Read a config file's text. Never throws: problems are listed and the rest is used. */
export function parseConfig(text: string, source = CONFIG_FILE): LoadedConfig {
  const problems: string[] = [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ...EMPTY_CONFIG, dismissed: new Set(), problems: [`${source}: not JSON (${(e as Error).message})`] };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ...EMPTY_CONFIG, dismissed: new Set(), problems: [`${source}: expected a JSON object`] };
  const o = raw as Record<string, unknown>;
  const config: ReviewConfig = { severity: {}, dismissed: [] };
  for (const k of Object.keys(o)) if (!['$schema', 'severity', 'dismissed'].includes(k)) problems.push(`${source}: unknown key "${k}" (ignored)`);
  if (o.severity !== undefined) {
    if (!o.severity || typeof o.severity !== 'object' || Array.isArray(o.severity)) problems.push(`${source}: "severity" must be an object of rule or category -> level`);
    else
      for (const [k, v] of Object.entries(o.severity as Record<string, unknown>)) {
        if (typeof v !== 'string' || !SEVERITIES.has(v)) {
          problems.push(`${source}: severity of "${k}" must be error, warning, information, hint or off`);
          continue;
        }
        config.severity[k] = v === 'information' ? 'info' : (v as Severity | 'off');
      }
  }
  if (o.dismissed !== undefined) {
    if (!Array.isArray(o.dismissed)) problems.push(`${source}: "dismissed" must be an array`);
    else
      o.dismissed.forEach((d, i) => {
        if (!d || typeof d !== 'object' || Array.isArray(d)) return problems.push(`${source}: dismissed[${i}] must be an object`);
        const x = d as Record<string, unknown>;
        const out: Dismissal = {};
        for (const k of ['fingerprint', 'rule', 'file', 'function', 'line', 'reason'] as const) {
          if (x[k] === undefined) continue;
          if (typeof x[k] !== 'string') problems.push(`${source}: dismissed[${i}].${k} must be a string`);
          else out[k] = x[k] as string;
        }
        if (!out.fingerprint && !(out.rule && out.line !== undefined)) return problems.push(`${source}: dismissed[${i}] needs a fingerprint, or a rule and a line`);
        config.dismissed.push(out);
      });
  }
  const dismissed = new Set(config.dismissed.map((d) => d.fingerprint ?? fingerprint(d.rule!, d.file, d.function, d.line ?? '')));
  return { config, dismissed, problems };
}

/** Read a config file; a missing file is the empty config. */
export function loadConfig(file: string): LoadedConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ...EMPTY_CONFIG, dismissed: new Set() };
    return { ...EMPTY_CONFIG, dismissed: new Set(), problems: [`${file}: cannot read (${(e as Error).message})`] };
  }
  return parseConfig(text, file);
}

/** The first `.mm-review.json` in `dir` or a folder above it (stopping at a git root), or undefined. */
export function findConfig(dir: string): string | undefined {
  let d = path.resolve(dir);
  for (let i = 0; i < 64; i++) {
    const f = path.join(d, CONFIG_FILE);
    if (fs.existsSync(f)) return f;
    if (fs.existsSync(path.join(d, '.git'))) return undefined;
    const up = path.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
  return undefined;
}

/**
 * The text of the config file with one more dismissal (the file's other
 * content and key order kept; created when absent). The same finding twice
 * is one entry.
 */
export function addDismissal(existing: string | undefined, d: Dismissal & { fingerprint: string }): string {
  let obj: Record<string, unknown> = {};
  if (existing !== undefined && existing.trim()) {
    const parsed = JSON.parse(existing) as unknown; // a broken file is not overwritten: the caller reports the error
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${CONFIG_FILE} is not a JSON object`);
    obj = parsed as Record<string, unknown>;
  }
  const list = Array.isArray(obj.dismissed) ? (obj.dismissed as unknown[]) : [];
  if (!list.some((x) => x && typeof x === 'object' && (x as Dismissal).fingerprint === d.fingerprint)) {
    const entry: Dismissal = { fingerprint: d.fingerprint, rule: d.rule };
    if (d.file) entry.file = d.file;
    if (d.function) entry.function = d.function;
    if (d.line !== undefined) entry.line = normalizeLine(d.line);
    if (d.reason) entry.reason = d.reason;
    list.push(entry);
  }
  obj.dismissed = list;
  return JSON.stringify(obj, null, 2) + '\n';
}
