/**
 * Hover text: for a finding, the rule, why this code breaks it, the kernel
 * semantics of the APIs involved (from the catalog), the correct pairing, a
 * buggy→fixed snippet from the rule's docs page, and a "Replay race" link.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../engine/findings';
import { noReplayReason, replayable, replayArgsFor } from './replay';
import { docsRoot, ruleInfo } from '../rules/registry';
import { describeApi } from '../catalog/describe';

const exampleCache = new Map<string, string | null>();

/**
 * The buggy → fixed example of a rule: every fenced code block under the
 * heading containing "Example" in docs/rules/<id>.md, each with the label
 * line above it ("Buggy:", "Fixed:").
 */
export function ruleExample(rule: string): string | null {
  if (exampleCache.has(rule)) return exampleCache.get(rule)!;
  let ex: string | null = null;
  try {
    const md = fs.readFileSync(path.join(docsRoot(), ruleInfo(rule).docPath), 'utf8');
    const sec = md.split(/^#+ /m).find((s) => /^[^\n]*example/i.test(s));
    const blocks: string[] = [];
    // line by line: the last line of text before a fence labels its block
    let label = '';
    let open: { lang: string; label: string; lines: string[] } | undefined;
    for (const line of (sec ?? '').split('\n').slice(1)) {
      if (open) {
        if (line.startsWith('```')) {
          const head = open.label && open.label.length <= 80 ? `*${escapeMarkdown(open.label.replace(/:$/, ''))}:*\n\n` : '';
          blocks.push(head + '```' + open.lang + '\n' + open.lines.map((l) => l + '\n').join('') + '```');
          open = undefined;
        } else open.lines.push(line);
      } else if (line.startsWith('```')) {
        open = { lang: line.slice(3).trim() || 'c', label, lines: [] };
        label = '';
      } else if (line.trim()) label = line.trim();
    }
    if (blocks.length) ex = blocks.join('\n\n');
  } catch {
    ex = null; // no docs shipped: the hover just has no example
  }
  exampleCache.set(rule, ex);
  return ex;
}

/**
 * Markdown-escape text: every ASCII punctuation character gets a backslash
 * (CommonMark allows it for all of them), so patch text can open no link, no
 * image, no emphasis, no HTML and no autolink (`https\://` is not one).
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/** Inline code whose content is shown literally: a backtick fence longer than any run inside. */
export function codeSpan(text: string): string {
  const one = text.replace(/[\r\n]+/g, ' ');
  let longest = 0;
  for (const m of one.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  const pad = one.startsWith('`') || one.endsWith('`') || one.startsWith(' ') || one.endsWith(' ') ? ' ' : '';
  return `${fence}${pad}${one}${pad}${fence}`;
}

/**
 * A finding's message (plain text, with `code` in backticks, made of patch
 * text) as safe markdown: the backticked parts become code spans, the rest is
 * escaped. Nothing in the patch can add a link, an image or a command.
 */
export function messageMarkdown(message: string): string {
  const parts = message.split('`');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    // an odd part is code, unless its closing backtick is missing (the last part of an even split)
    const isCode = i % 2 === 1 && i < parts.length - 1;
    if (isCode) out.push(parts[i] ? codeSpan(parts[i]) : '');
    else out.push(escapeMarkdown(i % 2 === 1 ? '`' + parts[i] : parts[i]));
  }
  return out.join('');
}

/** A command link; the arguments are percent-encoded whole (parentheses too: they would end the link). */
function commandLink(title: string, command: string, args: unknown): string {
  const q = encodeURIComponent(JSON.stringify([args])).replace(/[!'()*~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return `[${escapeMarkdown(title)}](command:${command}?${q})`;
}

/**
 * The hover of a finding. An editor that shows the diagnostic (its message
 * and related information, where the rest of a long explanation is) in the
 * hover itself, as VS Code does, says so (`diagnosticsInHover`): the hover
 * then starts with the rule and never repeats them. For other clients
 * (Neovim's `K`, Emacs' ElDoc) the hover carries the whole explanation.
 */
export function hoverForFinding(f: Finding, uri: string, opts: { diagnosticsInHover?: boolean } = {}): string {
  const info = ruleInfo(f.rule);
  const out: string[] = [`**${escapeMarkdown(info.title)}** ${codeSpan(f.rule)} (${f.severity})`];
  if (!opts.diagnosticsInHover) {
    // an abridged message's detail is the whole text; otherwise the detail is what follows the message
    const abridged = !!f.detail && f.detail.startsWith(f.message.slice(0, 24));
    const whole = abridged ? f.detail! : f.detail ? `${f.message.replace(/ …$/, '')} ${f.detail}` : f.message;
    out.push('', messageMarkdown(whole));
  }
  if (info.description && info.description !== f.rule) out.push('', `*Why it matters:* ${messageMarkdown(info.description)}`);
  const apis = [f.scenarioParams?.acquire, f.scenarioParams?.release].filter((x): x is string => typeof x === 'string');
  for (const a of new Set(apis)) {
    const d = describeApi(a);
    if (d) out.push('', d);
  }
  const ex = ruleExample(f.rule);
  if (ex) out.push('', '*Buggy → fixed:*', '', ex);
  const links = [`[Rule documentation](${info.docUri})`];
  const why = noReplayReason(f);
  if (replayable(f) && !why) links.unshift(commandLink('▶ Replay race', 'mmReview.replay', replayArgsFor(f, uri)));
  out.push('', links.join(' · '));
  if (why) out.push('', `*No replay:* ${escapeMarkdown(why)}`);
  return out.join('\n');
}

export function hoverForWord(word: string): string | undefined {
  return describeApi(word);
}
