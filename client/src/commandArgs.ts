/**
 * Arguments of the extension's commands, checked on receipt. A hover link
 * (`command:mmReview.replay?...`) carries arguments that came, through the
 * server, from a patch: only the shapes below are accepted, anything else is
 * refused before it reaches the server or the file system. The server checks
 * them again (server/src/lsp/server.ts validateReplayArgs).
 *
 * No vscode import: unit-tested under plain Node (test/hostile).
 */

export interface ReplayArgs {
  uri?: string;
  scenario: string;
  variant?: 'buggy' | 'fixed';
  params?: Record<string, string | number>;
  range?: { start: { line: number; character: number }; end: { line: number; character: number } };
  rule?: string;
}

const SCENARIO = /^S\d{1,3}$/;
const PARAM_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
const RULE = /^[a-z][a-z-]*\/[a-z][a-z-]*$/;

function pos(x: unknown): { line: number; character: number } | undefined {
  const p = x as { line?: unknown; character?: unknown } | null;
  if (!p || typeof p !== 'object') return undefined;
  const { line, character } = p;
  return Number.isInteger(line) && Number.isInteger(character) && (line as number) >= 0 && (character as number) >= 0 ? { line: line as number, character: character as number } : undefined;
}

/** The replay request in `x`, or a message saying what is wrong with it. */
export function checkReplayArgs(x: unknown): ReplayArgs | string {
  if (!x || typeof x !== 'object' || Array.isArray(x)) return 'the argument must be an object';
  const a = x as Record<string, unknown>;
  if (typeof a.scenario !== 'string' || !SCENARIO.test(a.scenario)) return 'unknown scenario';
  const out: ReplayArgs = { scenario: a.scenario };
  if (a.variant !== undefined) {
    if (a.variant !== 'buggy' && a.variant !== 'fixed') return 'variant must be buggy or fixed';
    out.variant = a.variant;
  }
  if (a.params !== undefined && a.params !== null) {
    if (typeof a.params !== 'object' || Array.isArray(a.params)) return 'params must be an object';
    const entries = Object.entries(a.params as Record<string, unknown>);
    if (entries.length > 32) return 'too many params';
    const params: Record<string, string | number> = {};
    for (const [k, v] of entries) {
      if (!PARAM_NAME.test(k)) return 'bad param name';
      if (typeof v === 'string' && v.length <= 256) params[k] = v;
      else if (typeof v === 'number' && Number.isFinite(v)) params[k] = v;
      else return `bad value for param ${k}`;
    }
    out.params = params;
  }
  if (a.uri !== undefined && a.uri !== null) {
    if (typeof a.uri !== 'string' || a.uri.length > 4096 || !/^(file|untitled|vscode-[a-z-]+):/.test(a.uri)) return 'bad uri';
    out.uri = a.uri;
  }
  if (a.rule !== undefined && a.rule !== null) {
    if (typeof a.rule !== 'string' || !RULE.test(a.rule)) return 'bad rule id';
    out.rule = a.rule;
  }
  if (a.range !== undefined && a.range !== null) {
    const r = a.range as { start?: unknown; end?: unknown };
    const start = pos(r.start);
    const end = pos(r.end);
    if (!start || !end) return 'bad range';
    out.range = { start, end };
  }
  return out;
}

/** A rule id as the docs folder names it (`ref-balance/leak`): no path can be made of anything else. */
export function isRuleId(x: unknown): x is string {
  return typeof x === 'string' && RULE.test(x);
}

/** A scenario id (`S1`). */
export function isScenarioId(x: unknown): x is string {
  return typeof x === 'string' && SCENARIO.test(x);
}
