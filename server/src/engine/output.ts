/**
 * Output shapes of `mm-review check`: text, JSON (the CLI contract) and
 * SARIF 2.1.0. Pure functions over findings, shared by the CLI and tests.
 */
import { SEVERITY_RANK, type Finding } from './findings';
import { requestOf } from '../protocol/replay';
import type { Severity } from '../patch/model';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ruleInfo } from '../rules/registry';
import { FINGERPRINT_KEY } from './config';

export interface FileFindings {
  path: string;
  findings: Finding[];
}

export const TOOL_NAME = 'mm-review';
export const TOOL_VERSION = '0.1.0';
export const INFORMATION_URI = 'https://github.com/mm-patch-review/mm-patch-review';

/**
 * `path:line:col: severity: message [rule]`, 1-based line and column like
 * compilers print; then, as `note:` lines at the same place, the rest of the
 * explanation (`detail`), the related locations, and for a finding with a
 * race, the command that replays it.
 */
export function formatText(files: FileFindings[]): string {
  const out: string[] = [];
  for (const f of files) {
    for (const x of f.findings) {
      const at = `${f.path}:${x.range.start.line + 1}:${x.range.start.character + 1}`;
      out.push(`${at}: ${x.severity}: ${x.message} [${x.rule}]`);
      if (x.detail) out.push(`${at}: note: ${x.detail}`);
      for (const r of x.related) {
        out.push(`${f.path}:${r.range.start.line + 1}:${r.range.start.character + 1}: note: ${r.message}`);
      }
      const replay = replayNote(f, x);
      if (replay) out.push(`${at}: note: ${replay}`);
    }
  }
  return out.length ? out.join('\n') + '\n' : '';
}

/** A path as one shell word. */
function shellWord(p: string): string {
  return /^[\w./@%+=:,-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that replays a warning-or-error finding's race, or why it has
 * none (`mm-review replay --finding FILE:LINE`, with `--rule` when another
 * finding starts on the same line).
 */
export function replayNote(f: FileFindings, x: Finding): string | undefined {
  if (SEVERITY_RANK[x.severity] < SEVERITY_RANK.warning || x.category === 'input') return undefined;
  const req = requestOf(x);
  if ('unavailable' in req) return `no replay: ${req.unavailable}`;
  const line = x.range.start.line + 1;
  const shared = f.findings.some((y) => y !== x && y.range.start.line === x.range.start.line && SEVERITY_RANK[y.severity] >= SEVERITY_RANK.warning);
  return `replay: mm-review replay --finding ${shellWord(`${f.path}:${line}`)}${shared ? ` --rule ${x.rule}` : ''}`;
}

/** The JSON contract: {"version":1,"files":[{"path","findings":[...]}]}. */
export function formatJson(files: FileFindings[]): string {
  const doc = {
    version: 1,
    files: files.map((f) => ({
      path: f.path,
      findings: f.findings.map((x) => ({
        rule: x.rule,
        category: x.category,
        severity: x.severity,
        message: x.message,
        ...(x.detail ? { detail: x.detail } : {}),
        range: x.range,
        related: x.related.map((r) => ({ message: r.message, range: r.range })),
        scenario: x.scenario ?? null,
        ...(x.scenarioParams ? { scenarioParams: x.scenarioParams } : {}),
        ...(x.file ? { file: x.file } : {}),
        ...(x.function ? { function: x.function } : {}),
        ...(x.judgedIn ? { judgedIn: x.judgedIn } : {}),
        ...(x.fixes && x.fixes.length ? { fixes: x.fixes } : {}),
        ...(x.fingerprint ? { fingerprint: x.fingerprint } : {}),
      })),
    })),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

function sarifLevel(s: Severity): 'error' | 'warning' | 'note' | 'none' {
  switch (s) {
    case 'error':
      return 'error';
    case 'warning':
      return 'warning';
    case 'info':
      return 'note';
    default:
      return 'none';
  }
}

/** How the run went, for SARIF `invocations`. */
export interface SarifInvocation {
  /** Artifact URIs are relative to this directory (`%SRCROOT%`). */
  cwd: string;
  args: string[];
  start: Date;
  end: Date;
  /** false when an input could not be read. */
  successful: boolean;
  /** Warnings of the run itself (an unreadable input, a problem in the config file). */
  notifications: { level: 'error' | 'warning' | 'note'; message: string }[];
}

/** The documentation page of a rule, as a stable URL (the SARIF helpUri). */
export function ruleHelpUri(id: string): string {
  return `${INFORMATION_URI}/blob/main/${ruleInfo(id).docPath}`;
}

/** A SARIF artifact location: relative to %SRCROOT% (the working directory) when the file is under it. */
function artifact(p: string, cwd: string | undefined): { uri: string; uriBaseId?: string } {
  if (p === '<stdin>') return { uri: 'stdin' };
  if (!cwd) return { uri: encodeURI(p.split(path.sep).join('/')) };
  const abs = path.resolve(cwd, p);
  const rel = path.relative(cwd, abs);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return { uri: encodeURI(rel.split(path.sep).join('/')), uriBaseId: '%SRCROOT%' };
  return { uri: pathToFileURL(abs).href };
}

/** SARIF 2.1.0, for code-scanning tools. Regions are 1-based; endColumn is exclusive. */
export function formatSarif(files: FileFindings[], inv?: SarifInvocation): string {
  const ruleIds = new Set<string>();
  for (const f of files) for (const x of f.findings) ruleIds.add(x.rule);
  const rules = [...ruleIds].sort().map((id) => {
    const info = ruleInfo(id);
    return {
      id,
      name: info.title,
      shortDescription: { text: info.title },
      fullDescription: { text: info.description },
      help: { text: info.description },
      helpUri: ruleHelpUri(id),
      defaultConfiguration: { level: sarifLevel(info.severity) },
      properties: { category: info.category },
    };
  });
  const region = (r: Finding['range']) => ({
    startLine: r.start.line + 1,
    startColumn: r.start.character + 1,
    endLine: r.end.line + 1,
    endColumn: r.end.character + 1,
  });
  const results = [];
  for (const f of files) {
    const loc = artifact(f.path, inv?.cwd);
    for (const x of f.findings) {
      results.push({
        ruleId: x.rule,
        level: sarifLevel(x.severity),
        // code-scanning views have room: the whole explanation
        message: { text: x.detail && !x.detail.startsWith(x.message.replace(/…$/, '')) ? `${x.message} ${x.detail}` : (x.detail ?? x.message) },
        locations: [{ physicalLocation: { artifactLocation: loc, region: region(x.range) } }],
        relatedLocations: x.related.map((r, i) => ({
          id: i + 1,
          message: { text: r.message },
          physicalLocation: { artifactLocation: loc, region: region(r.range) },
        })),
        ...(x.fingerprint ? { partialFingerprints: { [FINGERPRINT_KEY]: x.fingerprint } } : {}),
        properties: { category: x.category, ...(x.scenario ? { scenario: x.scenario } : {}), ...(x.judgedIn ? { judgedIn: x.judgedIn } : {}) },
      });
    }
  }
  const run: Record<string, unknown> = {
    tool: { driver: { name: TOOL_NAME, version: TOOL_VERSION, informationUri: INFORMATION_URI, rules } },
    ...(inv ? { originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(inv.cwd + path.sep).href } } } : {}),
    artifacts: files.map((f) => ({ location: artifact(f.path, inv?.cwd) })),
    results,
  };
  if (inv) {
    run.invocations = [
      {
        executionSuccessful: inv.successful,
        commandLine: ['mm-review', ...inv.args].map((a) => (/^[\w./@%+=:,-]+$/.test(a) ? a : JSON.stringify(a))).join(' '),
        arguments: inv.args,
        workingDirectory: { uri: pathToFileURL(inv.cwd + path.sep).href },
        startTimeUtc: inv.start.toISOString(),
        endTimeUtc: inv.end.toISOString(),
        toolExecutionNotifications: inv.notifications.map((n) => ({ level: n.level, message: { text: n.message } })),
      },
    ];
  }
  const sarif = { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
  return JSON.stringify(sarif, null, 2) + '\n';
}
