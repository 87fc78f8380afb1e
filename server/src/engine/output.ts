/**
 * Output shapes of `mm-review check`: text, JSON (the CLI contract) and
 * SARIF 2.1.0. Pure functions over findings, shared by the CLI and tests.
 */
import { SEVERITY_RANK, type Finding } from './findings';
import { requestOf } from '../protocol/replay';
import type { Severity } from '../patch/model';
import { ruleInfo } from '../rules/registry';

export interface FileFindings {
  path: string;
  findings: Finding[];
}

export const TOOL_NAME = 'mm-review';
export const TOOL_VERSION = '0.1.0';
export const INFORMATION_URI = 'https://github.com/mm-patch-review/mm-patch-review';

/** `path:line:col: severity: message [rule]`, 1-based line and column like compilers print. */
export function formatText(files: FileFindings[]): string {
  const out: string[] = [];
  for (const f of files) {
    for (const x of f.findings) {
      out.push(`${f.path}:${x.range.start.line + 1}:${x.range.start.character + 1}: ${x.severity}: ${x.message} [${x.rule}]`);
      for (const r of x.related) {
        out.push(`${f.path}:${r.range.start.line + 1}:${r.range.start.character + 1}: note: ${r.message}`);
      }
      const replay = replayNote(f, x);
      if (replay) out.push(`${f.path}:${x.range.start.line + 1}:${x.range.start.character + 1}: note: ${replay}`);
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
        range: x.range,
        related: x.related.map((r) => ({ message: r.message, range: r.range })),
        scenario: x.scenario ?? null,
        ...(x.scenarioParams ? { scenarioParams: x.scenarioParams } : {}),
        ...(x.file ? { file: x.file } : {}),
        ...(x.function ? { function: x.function } : {}),
        ...(x.judgedIn ? { judgedIn: x.judgedIn } : {}),
        ...(x.fixes && x.fixes.length ? { fixes: x.fixes } : {}),
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

/** SARIF 2.1.0, for code-scanning tools. Regions are 1-based; endColumn is exclusive. */
export function formatSarif(files: FileFindings[]): string {
  const ruleIds = new Set<string>();
  for (const f of files) for (const x of f.findings) ruleIds.add(x.rule);
  const rules = [...ruleIds].sort().map((id) => {
    const info = ruleInfo(id);
    return {
      id,
      name: info.title,
      shortDescription: { text: info.title },
      fullDescription: { text: info.description },
      helpUri: info.docUri,
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
    for (const x of f.findings) {
      results.push({
        ruleId: x.rule,
        level: sarifLevel(x.severity),
        message: { text: x.message },
        locations: [{ physicalLocation: { artifactLocation: { uri: f.path }, region: region(x.range) } }],
        relatedLocations: x.related.map((r, i) => ({
          id: i + 1,
          message: { text: r.message },
          physicalLocation: { artifactLocation: { uri: f.path }, region: region(r.range) },
        })),
        properties: { category: x.category, ...(x.scenario ? { scenario: x.scenario } : {}), ...(x.judgedIn ? { judgedIn: x.judgedIn } : {}) },
      });
    }
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, version: TOOL_VERSION, informationUri: INFORMATION_URI, rules } },
        artifacts: files.map((f) => ({ location: { uri: f.path } })),
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
