/**
 * workspace/executeCommand: the simulator for any LSP client (replay JSON,
 * the scenario list, litmus export and runs, in the simulator's worker), and
 * `mmReview.dismiss`, which adds a finding to the reviewer's .mm-review.json.
 * Every argument is checked on receipt: a crafted patch reaches these
 * commands through code lenses and hover links.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes, LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { addDismissal } from '../../engine/config';
import { listScenarios } from '../../sim/scenarios';
import type { Position, Range } from '../../util/lineIndex';
import { resolveReplay } from '../replay';
import { SimCancelled, simPort } from '../simPort';
import type { Session } from '../session';
import { DISMISS } from './codeActions';

export const COMMANDS = ['mmReview.replay', 'mmReview.scenarios', 'mmReview.exportLitmus', 'mmReview.runLitmus', DISMISS] as const;

const SCENARIO_IDS = new Set(listScenarios().map((s) => s.id));
const RULE_ID = /^[a-z][a-z-]*\/[a-z][a-z0-9-]*$/;

/**
 * The arguments of mmReview.replay / exportLitmus as they arrive (from a code
 * lens, a hover link, any client): checked field by field, so that a crafted
 * patch cannot smuggle anything else through them. Returns a message when bad.
 */
export function validateReplayArgs(a: Record<string, unknown>):
  | { scenario: string; variant: 'buggy' | 'fixed'; params: Record<string, string | number>; uri: string | null; range: Range | null; rule: string | null }
  | string {
  if (typeof a.scenario !== 'string' || !SCENARIO_IDS.has(a.scenario)) return 'unknown scenario';
  if (a.variant !== undefined && a.variant !== 'buggy' && a.variant !== 'fixed') return 'variant must be "buggy" or "fixed"';
  const params: Record<string, string | number> = {};
  if (a.params !== undefined && a.params !== null) {
    if (typeof a.params !== 'object' || Array.isArray(a.params)) return 'params must be an object';
    const entries = Object.entries(a.params as Record<string, unknown>);
    if (entries.length > 32) return 'too many params';
    for (const [k, v] of entries) {
      if (!/^[A-Za-z][A-Za-z0-9_]{0,39}$/.test(k)) return `bad param name ${JSON.stringify(k.slice(0, 40))}`;
      if (typeof v === 'string' && v.length <= 256) params[k] = v;
      else if (typeof v === 'number' && Number.isFinite(v)) params[k] = v;
      else return `bad value for param ${k}`;
    }
  }
  if (a.uri !== undefined && a.uri !== null && (typeof a.uri !== 'string' || a.uri.length > 4096)) return 'uri must be a string';
  if (a.rule !== undefined && a.rule !== null && (typeof a.rule !== 'string' || !RULE_ID.test(a.rule))) return 'bad rule id';
  let range: Range | null = null;
  if (a.range !== undefined && a.range !== null) {
    const pos = (x: unknown): Position | null => {
      const p = x as Position | null;
      return p && typeof p === 'object' && Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.character >= 0 ? { line: p.line, character: p.character } : null;
    };
    const r = a.range as { start?: unknown; end?: unknown };
    const start = pos(r?.start);
    const end = pos(r?.end);
    if (!start || !end) return 'bad range';
    range = { start, end };
  }
  return { scenario: a.scenario, variant: a.variant === 'fixed' ? 'fixed' : 'buggy', params, uri: (a.uri as string | undefined) ?? null, range, rule: (a.rule as string | undefined) ?? null };
}

/** The arguments of mmReview.dismiss: the finding's fingerprint and what makes the entry readable. */
export function validateDismissArgs(a: Record<string, unknown>): { uri: string; fingerprint: string; rule: string; file?: string; function?: string; line?: string; reason?: string } | string {
  if (typeof a.uri !== 'string' || a.uri.length > 4096) return 'uri must be a string';
  if (typeof a.fingerprint !== 'string' || !/^[0-9a-f]{20}$/.test(a.fingerprint)) return 'bad fingerprint';
  if (typeof a.rule !== 'string' || !RULE_ID.test(a.rule)) return 'bad rule id';
  const out: { uri: string; fingerprint: string; rule: string; file?: string; function?: string; line?: string; reason?: string } = { uri: a.uri, fingerprint: a.fingerprint, rule: a.rule };
  for (const k of ['file', 'function', 'line', 'reason'] as const) {
    const v = a[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || v.length > 1000) return `${k} must be a string`;
    out[k] = v;
  }
  return out;
}

/** Write `text` to `file` through a temporary file and a rename: readers never see half a file. */
function writeAtomically(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text, { flag: 'w' });
  fs.renameSync(tmp, file);
}

export function registerCommands(session: Session): void {
  const { connection, documents } = session;
  connection.onExecuteCommand(async (p, token) => {
    const sim = simPort();
    const bad = (m: string) => new ResponseError(ErrorCodes.InvalidParams, `${p.command}: ${m}`);
    const arg = p.arguments?.[0] ?? {};
    if (!arg || typeof arg !== 'object' || Array.isArray(arg)) throw bad('the argument must be an object');
    // Simulator work runs in a worker thread: hovers and edits are served meanwhile.
    const opts = { token };
    try {
      switch (p.command) {
        case 'mmReview.replay': {
          const x = resolveReplay(arg, (uri) => session.stateOf(uri)?.findings);
          if (x.kind === 'error') throw bad(x.message);
          if (x.kind === 'finding') {
            const r = await sim.call('replayRequest', [x.request], opts);
            if ('unavailable' in r) throw bad(r.unavailable);
            return { ...r, source: { uri: (arg as { uri?: string }).uri ?? null, range: (arg as { range?: unknown }).range ?? null, rule: x.request.rule } };
          }
          const a = validateReplayArgs(arg as Record<string, unknown>);
          if (typeof a === 'string') throw bad(a);
          const r = await sim.call('replay', [a.scenario, a.variant, a.params], opts);
          return { ...r, source: { uri: a.uri, range: a.range, rule: a.rule } };
        }
        case 'mmReview.scenarios':
          return await sim.call('listScenarios', [], opts);
        case 'mmReview.exportLitmus': {
          const x = resolveReplay(arg, (uri) => session.stateOf(uri)?.findings);
          if (x.kind === 'error') throw bad(x.message);
          if (x.kind === 'finding') {
            const t = await sim.call('exportRequest', [x.request], opts);
            if (typeof t !== 'string') throw bad(t.unavailable);
            return t;
          }
          const a = validateReplayArgs(arg as Record<string, unknown>);
          if (typeof a === 'string') throw bad(a);
          return await sim.call('exportLitmus', [a.scenario, a.variant, a.params], opts);
        }
        case 'mmReview.runLitmus': {
          const x = arg as Record<string, unknown>;
          if (x.text !== undefined && typeof x.text !== 'string') throw bad('text must be a string');
          if (x.uri !== undefined && typeof x.uri !== 'string') throw bad('uri must be a string');
          const text = typeof x.text === 'string' ? x.text : typeof x.uri === 'string' ? documents.get(x.uri)?.getText() ?? '' : '';
          if (text.length > session.settings.maxFileSizeMB * 1024 * 1024) throw bad('the litmus text is over mmReview.maxFileSizeMB');
          return await sim.call('runLitmusText', [text], opts);
        }
        case DISMISS: {
          const a = validateDismissArgs(arg as Record<string, unknown>);
          if (typeof a === 'string') throw bad(a);
          const file = session.configTargetFor(a.uri);
          if (!file) throw bad('no workspace folder to keep .mm-review.json in');
          let existing: string | undefined;
          try {
            existing = fs.readFileSync(file, 'utf8');
          } catch {
            existing = undefined;
          }
          let text: string;
          try {
            text = addDismissal(existing, a);
          } catch (e) {
            // a broken file is the reviewer's: say so, never overwrite it
            throw new ResponseError(ErrorCodes.InternalError, `${file}: ${(e as Error).message}; not changed`);
          }
          writeAtomically(file, text);
          session.log(`dismissed ${a.rule} (${a.fingerprint}) in ${file}`);
          session.reanalyzeAll();
          return { file, fingerprint: a.fingerprint };
        }
        default:
          throw bad('unknown command');
      }
    } catch (e) {
      if (e instanceof SimCancelled) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
      throw e;
    }
  });
}
