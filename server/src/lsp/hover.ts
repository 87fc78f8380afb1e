/**
 * Hover text: for a finding, the rule, why this code breaks it, the kernel
 * semantics of the APIs involved (from the catalog), the correct pairing, a
 * buggy→fixed snippet from the rule's docs page, and a "Replay race" link.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../engine/findings';
import { docsRoot, ruleInfo } from '../rules/registry';
import { describeApi } from '../catalog/describe';

const exampleCache = new Map<string, string | null>();

/** The first fenced code block under a heading containing "Example" in docs/rules/<id>.md. */
export function ruleExample(rule: string): string | null {
  if (exampleCache.has(rule)) return exampleCache.get(rule)!;
  let ex: string | null = null;
  try {
    const md = fs.readFileSync(path.join(docsRoot(), ruleInfo(rule).docPath), 'utf8');
    const sec = md.split(/^#+ /m).find((s) => /^[^\n]*example/i.test(s));
    const m = sec && /```(\w*)\n([\s\S]*?)```/.exec(sec);
    if (m) ex = '```' + (m[1] || 'c') + '\n' + m[2] + '```';
  } catch {
    ex = null; // no docs shipped: the hover just has no example
  }
  exampleCache.set(rule, ex);
  return ex;
}

function commandLink(title: string, command: string, args: unknown): string {
  return `[${title}](command:${command}?${encodeURIComponent(JSON.stringify([args]))})`;
}

export function hoverForFinding(f: Finding, uri: string): string {
  const info = ruleInfo(f.rule);
  const out: string[] = [`**${info.title}** \`${f.rule}\` (${f.severity})`, '', f.message];
  if (info.description && info.description !== f.rule) out.push('', `*Why it matters:* ${info.description}`);
  const apis = [f.scenarioParams?.acquire, f.scenarioParams?.release].filter((x): x is string => typeof x === 'string');
  for (const a of new Set(apis)) {
    const d = describeApi(a);
    if (d) out.push('', d);
  }
  const ex = ruleExample(f.rule);
  if (ex) out.push('', '*Buggy → fixed:*', '', ex);
  const links = [`[Rule documentation](${info.docUri})`];
  if (f.scenario) links.unshift(commandLink('▶ Replay race', 'mmReview.replay', { uri, scenario: f.scenario, variant: 'buggy', params: f.scenarioParams ?? {}, range: f.range, rule: f.rule }));
  out.push('', links.join(' · '));
  return out.join('\n');
}

export function hoverForWord(word: string): string | undefined {
  return describeApi(word);
}
