'use strict';
/*
 * Patch text helpers of the real-data benchmarks: reverse a patch (the
 * reversed fix is the patch that introduces the bug), make a
 * `git format-patch`-style unified diff of two versions of a file (for
 * mutants), and wrap a whole file as a new-file patch.
 *
 * Hand-written: these are a few dozen lines over the unified-diff format
 * the engine itself parses; no npm diff library keeps quilt headers,
 * `\ No newline` markers and hunk headings exactly as git writes them.
 */

/** `@@ -a,b +c,d @@ heading` */
const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;

function splitLines(text) {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Index of the first line of the diff (after the mail's message), or -1. */
function diffStart(lines) {
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('diff --git ')) return i;
    if (lines[i].startsWith('--- ') && i + 2 < lines.length && lines[i + 1].startsWith('+++ ') && HUNK.test(lines[i + 2])) return i;
  }
  return -1;
}

const fmtRange = (start, count) => (count === 1 ? `${start}` : `${start},${count}`);

/**
 * Reverse the hunks of one hunk body: every run of changed lines gets its
 * signs swapped, removals first (as git writes them). `\ No newline at end
 * of file` travels with the line it follows.
 */
function reverseHunkBody(body) {
  const out = [];
  let run = [];
  const flush = () => {
    const minus = [];
    const plus = [];
    for (const item of run) {
      const swapped = [(item[0][0] === '+' ? '-' : '+') + item[0].slice(1), ...item.slice(1)];
      (swapped[0][0] === '-' ? minus : plus).push(swapped);
    }
    for (const item of [...minus, ...plus]) out.push(...item);
    run = [];
  };
  for (let i = 0; i < body.length; i++) {
    const l = body[i];
    if (l.startsWith('\\')) {
      // belongs to the previous line
      if (run.length) run[run.length - 1].push(l);
      else out.push(l);
      continue;
    }
    if (l[0] === '+' || l[0] === '-') run.push([l]);
    else {
      flush();
      out.push(l);
    }
  }
  flush();
  return out;
}

/**
 * Reverse a patch or patch mail: the result turns the post-image back into
 * the pre-image. Hunk headers are swapped (`-c,d +a,b`), new/deleted file
 * headers and `index` lines are swapped, quilt-style `--- a/x~name` /
 * `+++ a/x` headers are kept (both name the same file).
 *
 * opts.message: replace the mail's message (everything before the diff) with
 * this text; by default the message is kept.
 */
function reversePatch(text, opts = {}) {
  const lines = splitLines(text);
  const start = diffStart(lines);
  if (start < 0) throw new Error('reversePatch: no diff in the text');
  const out = opts.message !== undefined ? splitLines(opts.message) : lines.slice(0, start);
  let i = start;
  while (i < lines.length) {
    const l = lines[i];
    let m;
    if (l.startsWith('new file mode ')) out.push('deleted file mode ' + l.slice('new file mode '.length));
    else if (l.startsWith('deleted file mode ')) out.push('new file mode ' + l.slice('deleted file mode '.length));
    else if ((m = /^index ([0-9a-f]+)\.\.([0-9a-f]+)(.*)$/.exec(l))) out.push(`index ${m[2]}..${m[1]}${m[3]}`);
    else if (l.startsWith('--- ') && i + 1 < lines.length && lines[i + 1].startsWith('+++ ')) {
      const from = l.slice(4);
      const to = lines[i + 1].slice(4);
      if (from === '/dev/null' || to === '/dev/null') {
        const strip = (p) => p.replace(/^[ab]\//, '');
        out.push(to === '/dev/null' ? '--- /dev/null' : `--- a/${strip(to)}`);
        out.push(from === '/dev/null' ? '+++ /dev/null' : `+++ b/${strip(from)}`);
      } else {
        out.push(l, lines[i + 1]);
      }
      i += 2;
      continue;
    } else if ((m = HUNK.exec(l))) {
      const oldCount = m[2] === undefined ? 1 : Number(m[2]);
      const newCount = m[4] === undefined ? 1 : Number(m[4]);
      out.push(`@@ -${fmtRange(Number(m[3]), newCount)} +${fmtRange(Number(m[1]), oldCount)} @@${m[5]}`);
      let o = oldCount;
      let n = newCount;
      const body = [];
      i++;
      while (i < lines.length && (o > 0 || n > 0 || lines[i].startsWith('\\'))) {
        const b = lines[i];
        if (b.startsWith('\\')) body.push(b);
        else if (b[0] === '+') {
          n--;
          body.push(b);
        } else if (b[0] === '-') {
          o--;
          body.push(b);
        } else if (b[0] === ' ' || b === '') {
          o--;
          n--;
          body.push(b === '' ? ' ' : b);
        } else break; // a malformed hunk: stop here, keep the rest as is
        i++;
      }
      out.push(...reverseHunkBody(body));
      continue;
    } else out.push(l);
    i++;
  }
  return out.join('\n') + '\n';
}

/** The hunk heading git writes by default: the nearest line above that starts like a definition. */
function gitHeading(lines, firstLine) {
  for (let j = firstLine - 1; j >= 0; j--) {
    const l = lines[j];
    if (/^[A-Za-z_$]/.test(l)) return l.slice(0, 80).replace(/\s+$/, '');
  }
  return '';
}

/**
 * A unified diff of two versions of one file, as `git diff` / `git
 * format-patch` write it (`a/rel` `b/rel`, `context` lines of context, git's
 * default hunk headings). Changes further apart than 2*context lines get
 * separate hunks.
 */
function unifiedDiff(oldText, newText, rel, opts = {}) {
  const ctx = opts.context ?? 3;
  const a = splitLines(oldText);
  const b = splitLines(newText);
  // Changed regions by common prefix/suffix, then split on long equal runs.
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  if (pre === a.length && pre === b.length) return '';
  const aEnd = a.length - suf;
  const bEnd = b.length - suf;
  // One edit script over the middle (small: mutations touch a few lines) by LCS.
  const ops = lcsOps(a.slice(pre, aEnd), b.slice(pre, bEnd));
  // ops: [' ', text] | ['-', text] | ['+', text]; positions in a/b.
  const full = [];
  for (let k = 0; k < pre; k++) full.push([' ', a[k]]);
  full.push(...ops);
  for (let k = aEnd; k < a.length; k++) full.push([' ', a[k]]);
  // Group into hunks.
  const hunks = [];
  let ai = 0;
  let bi = 0;
  let cur = null;
  let lastChange = -Infinity;
  const pos = []; // [ai, bi] before each op
  for (const op of full) {
    pos.push([ai, bi]);
    if (op[0] !== '+') ai++;
    if (op[0] !== '-') bi++;
  }
  for (let k = 0; k < full.length; k++) {
    if (full[k][0] === ' ') continue;
    if (cur && k - lastChange <= 2 * ctx) {
      cur.end = k;
    } else {
      if (cur) hunks.push(cur);
      cur = { start: k, end: k };
    }
    lastChange = k;
  }
  if (cur) hunks.push(cur);
  const out = [`diff --git a/${rel} b/${rel}`, `--- a/${rel}`, `+++ b/${rel}`];
  for (const h of hunks) {
    const s = Math.max(0, h.start - ctx);
    const e = Math.min(full.length - 1, h.end + ctx);
    let oc = 0;
    let nc = 0;
    for (let k = s; k <= e; k++) {
      if (full[k][0] !== '+') oc++;
      if (full[k][0] !== '-') nc++;
    }
    const [as, bs] = pos[s];
    const heading = gitHeading(a, as);
    out.push(`@@ -${fmtRange(oc ? as + 1 : as, oc)} +${fmtRange(nc ? bs + 1 : bs, nc)} @@${heading ? ' ' + heading : ''}`);
    for (let k = s; k <= e; k++) out.push(full[k][0] + full[k][1]);
  }
  return out.join('\n') + '\n';
}

/** Longest-common-subsequence edit script of two short line arrays. */
function lcsOps(x, y) {
  const n = x.length;
  const m = y.length;
  if (n * m > 4e6) {
    // too big for the table: everything changed
    return [...x.map((t) => ['-', t]), ...y.map((t) => ['+', t])];
  }
  const L = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i][j] = x[i] === y[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const ops = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      ops.push([' ', x[i]]);
      i++;
      j++;
    } else if (i < n && (j >= m || L[i + 1][j] >= L[i][j + 1])) {
      ops.push(['-', x[i]]); // removals first, as git writes a changed run
      i++;
    } else {
      ops.push(['+', y[j]]);
      j++;
    }
  }
  return ops;
}

/** A minimal `git format-patch` mail around a diff. */
function asMail(diff, subject, body = '') {
  return [
    'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001',
    'From: mm-review bench <bench@localhost>',
    'Date: Thu, 1 Jan 2026 00:00:00 +0000',
    `Subject: [PATCH] ${subject}`,
    '',
    ...(body ? [body, ''] : []),
    '---',
    diff.replace(/\n$/, ''),
    '--',
    '2.43.0',
    '',
  ].join('\n');
}

/** A whole file as a new-file patch (every line added). */
function asNewFilePatch(rel, text) {
  const lines = text.replace(/\n$/, '').split('\n');
  return [
    `diff --git a/${rel} b/${rel}`,
    'new file mode 100644',
    '--- /dev/null',
    `+++ b/${rel}`,
    `@@ -0,0 +1,${lines.length} @@`,
    ...lines.map((l) => '+' + l),
    '',
  ].join('\n');
}

/** Check a patch's hunk counts (for tests): every hunk body matches its header. */
function checkHunkCounts(text) {
  const lines = splitLines(text);
  const problems = [];
  for (let i = 0; i < lines.length; i++) {
    const m = HUNK.exec(lines[i]);
    if (!m) continue;
    let o = m[2] === undefined ? 1 : Number(m[2]);
    let n = m[4] === undefined ? 1 : Number(m[4]);
    let j = i + 1;
    while (j < lines.length && (o > 0 || n > 0)) {
      const c = lines[j][0];
      if (c === '+') n--;
      else if (c === '-') o--;
      else if (c === ' ') {
        o--;
        n--;
      } else if (c !== '\\') break;
      j++;
    }
    if (o !== 0 || n !== 0) problems.push(`line ${i + 1}: ${lines[i]} (left ${o} old, ${n} new)`);
  }
  return problems;
}

module.exports = { reversePatch, unifiedDiff, asMail, asNewFilePatch, checkHunkCounts, gitHeading, splitLines };
