#!/usr/bin/env node
/*
 * Builds the evaluation corpus (test/corpus/*.patch + expectations.json) from
 * the case sources in test/corpus/cases/*.case.  Run: node test/corpus/gen.js
 *
 * Why a generator: each buggy/fixed pair is two patches against the same
 * pre-image, and the expected findings must point at exact lines of the patch
 * mail.  Writing the three versions once, with per-line variant prefixes, and
 * letting `git diff --no-index` produce the hunks keeps the pair consistent and
 * the expected line numbers exact.
 *
 * Case file format:
 *   subject: mm/gup: short summary          (mail Subject without [PATCH])
 *   from: Name <mail@example.org>
 *   kind: pair | clean                       (clean = one negative patch)
 *   note: free text (why it is tricky / which rule)
 *   kernel: X.Y                              (the kernel version the case's code belongs to; default: current mainline)
 *   context: N | function                   (diff context; function = the whole block, like git -W)
 *   ---
 *   commit message body ...
 *   === path/in/tree.c START_LINE            (one block per file)
 *   <2-char prefix><C line>
 *
 * Prefixes: "  " in every version; "+ " added by both patches; "- " removed
 * by both; "b " only in the buggy post-image; "f " only in the fixed
 * post-image; "x " in the pre-image and the buggy post-image (the fix removes
 * it); "y " in the pre-image and the fixed post-image (the buggy patch removes
 * it).  For kind clean, only "  ", "+ " and "- " are used.
 *
 * Expected findings: a marker "//@rule-id" at the end of a line (stripped from
 * the C text) says the buggy patch must report rule-id on that line;
 * "//@~rule-id" marks an acceptable alternative anchor for the same defect
 * (e.g. the acquire site of a leak whose primary anchor is the leaking return).
 * Markers on "- "/"y " lines point at the removed line of the buggy patch.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const { spawnSync } = require('node:child_process');

const here = __dirname;
const casesDir = path.join(here, 'cases');

function parseCase(file) {
  const text = fs.readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
  const lines = text.split('\n');
  const meta = {};
  let i = 0;
  for (; i < lines.length && lines[i] !== '---'; i++) {
    const m = /^(\w+):\s*(.*)$/.exec(lines[i]);
    if (m) meta[m[1]] = m[2];
  }
  i++;
  const body = [];
  for (; i < lines.length && !lines[i].startsWith('=== '); i++) body.push(lines[i]);
  const blocks = [];
  for (; i < lines.length; i++) {
    const l = lines[i];
    if (l.startsWith('=== ')) {
      const [, p, start] = /^=== (\S+)\s+(\d+)/.exec(l) || [];
      if (!p) throw new Error(`${file}: bad block header ${l}`);
      blocks.push({ path: p, start: Number(start), lines: [] });
      continue;
    }
    if (l === '' && i === lines.length - 1) continue;
    const pre = l.slice(0, 2);
    if (l.length > 0 && !['  ', '+ ', '- ', 'b ', 'f ', 'x ', 'y '].includes(pre)) throw new Error(`${file}:${i + 1}: bad prefix '${pre}'`);
    blocks[blocks.length - 1].lines.push({ tag: l.length ? pre[0] : ' ', text: l.slice(2), src: i + 1 });
  }
  while (body.length && body[body.length - 1] === '') body.pop();
  return { meta, body, blocks };
}

const IN = {
  base: new Set([' ', '-', 'x', 'y']),
  buggy: new Set([' ', '+', 'b', 'x']),
  fixed: new Set([' ', '+', 'f', 'y']),
};

/** Strip markers: returns { text, marks: [{rule, alt}] } */
function stripMarks(text) {
  const marks = [];
  const m = /\s*\/\/@(\S+)\s*$/.exec(text);
  if (!m) return { text, marks };
  for (const r of m[1].split(',')) marks.push({ rule: r.replace(/^~/, ''), alt: r.startsWith('~') });
  return { text: text.slice(0, m.index), marks };
}

function hash(s) {
  let h = 0x811c9dc5;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Diff one block; returns { hunks: string[] (patch lines), oldMap, newMap } mapping version line -> index in hunks. */
function diffBlock(block, version, context) {
  const base = [], post = [];
  const baseSrc = [], postSrc = [];
  for (const l of block.lines) {
    const { text } = stripMarks(l.text);
    if (IN.base.has(l.tag)) { base.push(text); baseSrc.push(l); }
    if (IN[version].has(l.tag)) { post.push(text); postSrc.push(l); }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmcorpus-'));
  const a = path.join(dir, 'a.c'), b = path.join(dir, 'b.c');
  fs.writeFileSync(a, base.join('\n') + '\n');
  fs.writeFileSync(b, post.join('\n') + '\n');
  const r = spawnSync('git', ['diff', '--no-index', '--no-color', ...(context === 'function' ? ['-U100000'] : [`-U${context || 3}`]), '--diff-algorithm=histogram', a, b], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  const out = r.stdout.split('\n');
  const start = out.findIndex((l) => l.startsWith('@@'));
  if (start < 0) throw new Error(`no diff for ${block.path} (${version})`);
  const hunks = [];
  const where = []; // per hunk line: { oldIdx?, newIdx? } (0-based within block)
  let o = 0, n = 0, adds = 0, dels = 0;
  for (const l of out.slice(start)) {
    if (l === '' || l.startsWith('\\')) continue;
    if (l.startsWith('@@')) {
      const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/.exec(l);
      o = Number(m[1]) - 1; n = Number(m[3]) - 1;
      const oc = m[2] === undefined ? 1 : Number(m[2]);
      const nc = m[4] === undefined ? 1 : Number(m[4]);
      const os_ = Number(m[1]) + block.start - 1;
      const ns_ = Number(m[3]) + block.start - 1;
      hunks.push(`@@ -${os_}${m[2] === undefined ? '' : ',' + oc} +${ns_}${m[4] === undefined ? '' : ',' + nc} @@${m[5]}`);
      where.push({});
      continue;
    }
    const c = l[0];
    hunks.push(l);
    if (c === ' ') where.push({ oldIdx: o++, newIdx: n++ });
    else if (c === '-') { where.push({ oldIdx: o++ }); dels++; }
    else if (c === '+') { where.push({ newIdx: n++ }); adds++; }
    else throw new Error(`unexpected diff line ${l}`);
  }
  return { hunks, where, baseSrc, postSrc, adds, dels };
}

function buildPatch(c, name, version) {
  const files = c.blocks.map((b) => ({ block: b, d: diffBlock(b, version, c.meta.context) }));
  const date = 'Mon, 3 Jun 2024 10:00:00 +0200';
  const from = c.meta.from || 'Mira Castellane <mira.castellane@example.org>';
  const tag = version === 'fixed' ? '[PATCH v2]' : '[PATCH]';
  const out = [];
  out.push(`From ${hash(name + version).repeat(5)} Mon Sep 17 00:00:00 2001`);
  out.push(`From: ${from}`);
  out.push(`Date: ${date}`);
  out.push(`Subject: ${tag} ${c.meta.subject}`);
  out.push('');
  out.push(...c.body);
  out.push('');
  out.push(`Signed-off-by: ${from}`);
  out.push('---');
  let tA = 0, tD = 0;
  for (const { block, d } of files) {
    const tot = d.adds + d.dels;
    out.push(` ${block.path} | ${tot} ${'+'.repeat(Math.min(d.adds, 40))}${'-'.repeat(Math.min(d.dels, 40))}`);
    tA += d.adds; tD += d.dels;
  }
  out.push(` ${files.length} file${files.length > 1 ? 's' : ''} changed, ${tA} insertion${tA === 1 ? '' : 's'}(+), ${tD} deletion${tD === 1 ? '' : 's'}(-)`);
  out.push('');
  const expect = [];
  for (const { block, d } of files) {
    out.push(`diff --git a/${block.path} b/${block.path}`);
    out.push(`index ${hash(block.path + 'a').slice(0, 7)}..${hash(block.path + name + version).slice(0, 7)} 100644`);
    out.push(`--- a/${block.path}`);
    out.push(`+++ b/${block.path}`);
    const first = out.length; // 0-based index of first hunk line
    out.push(...d.hunks);
    // map markers
    const newLine = new Map(), oldLine = new Map();
    d.where.forEach((w, k) => {
      if (w.newIdx !== undefined) newLine.set(w.newIdx, first + k + 1);
      else if (w.oldIdx !== undefined) oldLine.set(w.oldIdx, first + k + 1);
    });
    if (version === 'buggy') {
      d.postSrc.forEach((l, idx) => {
        for (const m of stripMarks(l.text).marks) {
          const ln = newLine.get(idx);
          if (!ln) throw new Error(`${name}: marked line not in a hunk: ${l.text}`);
          expect.push({ ...m, line: ln, text: stripMarks(l.text).text.trim(), src: l.src });
        }
      });
      d.baseSrc.forEach((l, idx) => {
        if (l.tag !== '-' && l.tag !== 'y') return;
        for (const m of stripMarks(l.text).marks) {
          const ln = oldLine.get(idx);
          if (!ln) throw new Error(`${name}: marked removed line not in a hunk: ${l.text}`);
          expect.push({ ...m, line: ln, text: stripMarks(l.text).text.trim(), src: l.src });
        }
      });
    }
  }
  out.push('-- ');
  out.push('2.43.0');
  out.push('');
  return { text: out.join('\n'), expect };
}

function main() {
  const files = fs.readdirSync(casesDir).filter((f) => f.endsWith('.case')).sort();
  const expectations = { generatedBy: 'test/corpus/gen.js', cases: {} };
  for (const old of fs.readdirSync(here)) if (old.endsWith('.patch')) fs.unlinkSync(path.join(here, old));
  for (const f of files) {
    const name = f.replace(/\.case$/, '');
    const c = parseCase(path.join(casesDir, f));
    const kind = c.meta.kind || 'pair';
    if (kind === 'clean') {
      const { text } = buildPatch(c, name, 'buggy');
      fs.writeFileSync(path.join(here, `${name}.clean.patch`), text);
      expectations.cases[name] = { kind, note: c.meta.note || '', ...(c.meta.kernel ? { kernelVersion: c.meta.kernel } : {}), file: `${name}.clean.patch` };
      continue;
    }
    const buggy = buildPatch(c, name, 'buggy');
    const fixed = buildPatch(c, name, 'fixed');
    fs.writeFileSync(path.join(here, `${name}.buggy.patch`), buggy.text);
    fs.writeFileSync(path.join(here, `${name}.fixed.patch`), fixed.text);
    // group alternatives with the primary of the same rule
    const primaries = buggy.expect.filter((e) => !e.alt).map((e) => ({ rule: e.rule, line: e.line, text: e.text, alt: [] }));
    for (const a of buggy.expect.filter((e) => e.alt)) {
      const p = primaries.filter((x) => x.rule === a.rule);
      if (p.length !== 1) throw new Error(`${name}: alternative anchor for ${a.rule} needs exactly one primary`);
      p[0].alt.push(a.line);
    }
    if (primaries.length === 0) throw new Error(`${name}: buggy case without an expected finding`);
    expectations.cases[name] = {
      kind,
      note: c.meta.note || '',
      ...(c.meta.kernel ? { kernelVersion: c.meta.kernel } : {}),
      buggy: `${name}.buggy.patch`,
      fixed: `${name}.fixed.patch`,
      expect: primaries.map((p) => (p.alt.length ? p : { rule: p.rule, line: p.line, text: p.text })),
    };
  }
  fs.writeFileSync(path.join(here, 'expectations.json'), JSON.stringify(expectations, null, 1) + '\n');
  const n = Object.values(expectations.cases);
  console.log(`${n.filter((x) => x.kind === 'pair').length} pairs, ${n.filter((x) => x.kind === 'clean').length} clean patches, ${n.reduce((s, x) => s + (x.expect ? x.expect.length : 0), 0)} expected findings`);
}

main();
