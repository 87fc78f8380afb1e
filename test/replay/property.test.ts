/**
 * A property of every replay, over the whole corpus (buggy, fixed and clean
 * patches), the examples, the seed patches and the replay fixtures: every
 * warning or error a rule reports has a replay of its own race, and
 *  - the buggy variant reaches the bad outcome (Sometimes; Always only when
 *    nothing on the path can fail: the leak of a reference held before the
 *    hunk) and the fixed variant never does (Never, every execution counted);
 *  - every step names where it comes from: a line of the finding's function
 *    (or of the other function of the document the trace names), the rule's
 *    fix at such a line, or a catalogued counterpart protocol; every lane
 *    is the finding's function or a counterpart;
 *  - every variable (a litmus location and the name it is shown by) is an
 *    object or field of the patch or words for one, never a catalogued API
 *    name;
 *  - a finding whose roles cannot be bound says why, and no replay is built.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { catalog } from 'mm-review-server/catalog/index';
import type { Analysis } from 'mm-review-server/engine/index';
import type { Finding } from 'mm-review-server/engine/findings';
import { requestOf, type Replay } from 'mm-review-server/protocol/replay';
import { ROOT, analysisOf, replayOf } from './helpers';
import { ALL_RULES } from 'mm-review-server/rules/index';

function inputs(): string[] {
  const under = (dir: string, re: RegExp) =>
    fs.existsSync(path.join(ROOT, dir)) ? fs.readdirSync(path.join(ROOT, dir)).filter((f) => re.test(f)).sort().map((f) => `${dir}/${f}`) : [];
  return [
    ...under('test/corpus', /\.patch$/),
    ...under('examples', /\.(mbox|eml|patch)$/),
    ...under('test/patch/fixtures/seeds', /\.txt$/),
    ...under('test/replay/fixtures', /\.patch$/),
  ];
}

/** 1-based document lines of a function of the document (both images, every hunk line they came from). */
function linesOf(a: Analysis, name: string, file?: string): Set<number> {
  const out = new Set<number>();
  for (const fn of a.functions) {
    if (fn.name !== name || (file && fn.path !== file)) continue;
    for (const img of [fn.pre, fn.post]) {
      if (!img) continue;
      for (const o of img.origin) if (o.kind === 'patch') out.add(a.index.positionAt(o.line.span.start).line + 1);
    }
  }
  return out;
}

const API: ReadonlySet<string> = new Set(catalog.names());
const identsOf = (s: string) => s.match(/[A-Za-z_]\w*/g) ?? [];

function checkReplay(where: string, a: Analysis, f: Finding, r: Replay): void {
  const own = linesOf(a, f.function ?? '', f.file);
  assert.ok(own.size > 0, `${where}: the finding's function ${f.function} has no lines`);
  const other = (fn: string) => linesOf(a, fn);
  for (const lane of r.cpus) {
    assert.ok(lane.origin === 'patch' || lane.origin === 'counterpart', `${where}: lane ${lane.name} is neither the patch's nor a counterpart`);
    if (lane.origin === 'counterpart') assert.ok(lane.protocol, `${where}: counterpart lane ${lane.name} names no protocol`);
    else assert.ok(lane.fn === f.function || (lane.fn && other(lane.fn).size > 0), `${where}: lane ${lane.name} runs ${lane.fn}, not a function of the document`);
  }
  for (const s of r.steps) {
    const o = s.origin;
    const at = `${where} #${s.index} ${s.text}`;
    if (!o) {
      // the one step with no origin is the verdict's own note (SAFE / the bad outcome) heading a story
      assert.equal(s.kind, 'note', `${at}: a step with no origin`);
      assert.match(s.text, /^(SAFE|FORBIDDEN|ALLOWED|BUG)\b|execution/, `${at}: a step with no origin`);
      continue;
    }
    if (o.kind === 'patch') {
      const lines = o.fn ? other(o.fn) : own;
      assert.ok(lines.has(o.line), `${at}: L${o.line} is not a line of ${o.fn ?? f.function}`);
    } else if (o.kind === 'fix') {
      if (o.line !== undefined) assert.ok((o.fn ? other(o.fn) : own).has(o.line), `${at}: the fix at L${o.line} is not in ${o.fn ?? f.function}`);
    } else if (o.kind === 'counterpart') {
      assert.ok(o.protocol.length > 0, `${at}: a counterpart step names no protocol`);
    } else {
      assert.fail(`${at}: a finding's replay has a ${o.kind} step`);
    }
  }
  for (const l of r.locations ?? []) {
    for (const id of identsOf(l.ident)) assert.ok(!API.has(id), `${where}: location ${l.ident} is named after the API ${id}`);
    // the object a location is shown as: the root of a path (`folio` of `folio->_refcount`), never an API
    const root = /^[*&(]*([A-Za-z_]\w*)(?:->|\.|\[|$)/.exec(l.name)?.[1];
    if (root) assert.ok(!API.has(root), `${where}: location ${l.name} is an API name`);
  }
  // the litmus declares exactly those locations
  const init = /^\{([^}]*)\}/m.exec(r.litmus)?.[1] ?? '';
  for (const id of identsOf(init.replace(/\b(int|atomic_t|spinlock_t|unsigned|long|char|bool)\b/g, ''))) assert.ok(!API.has(id), `${where}: litmus variable ${id} is an API name`);
}

describe('every replay of every finding (corpus, examples, seeds, fixtures)', () => {
  const files = inputs();
  it('finds the inputs', () => assert.ok(files.length > 100, `${files.length} inputs`));
  let replays = 0;
  for (const file of files) {
    it(file, () => {
      const a = analysisOf(file);
      for (const f of a.findings) {
        if (f.category === 'input' || (f.severity !== 'warning' && f.severity !== 'error')) continue;
        const where = `${file}:${f.range.start.line + 1} ${f.rule}`;
        const req = requestOf(f);
        if (ALL_RULES.find((r) => r.id === f.rule)?.notARace) {
          // the rule says its findings are not races: the replay says so, and nothing is simulated
          assert.ok('unavailable' in req && req.unavailable.length > 20, `${where}: a rule with no race gave a replay request`);
          continue;
        }
        assert.ok(!('unavailable' in req), `${where}: no replay: ${'unavailable' in req ? req.unavailable : ''}`);
        const b = replayOf(f, 'buggy');
        const x = replayOf(f, 'fixed');
        assert.ok(!('unavailable' in b), `${where}: buggy: ${'unavailable' in b ? b.unavailable : ''}`);
        assert.ok(!('unavailable' in x), `${where}: fixed: ${'unavailable' in x ? x.unavailable : ''}`);
        const B = b as Replay;
        const X = x as Replay;
        assert.ok(B.verdict.complete && X.verdict.complete, `${where}: incomplete run`);
        if (B.verdict.observation === 'Always') {
          assert.ok(!f.trace!.events.some((e) => e.kind === 'acquire' && !e.note), `${where}: Always although the path's acquire can fail`);
        } else assert.equal(B.verdict.observation, 'Sometimes', `${where}: buggy`);
        assert.equal(X.verdict.observation, 'Never', `${where}: fixed`);
        assert.ok(X.verdict.negative > 0, `${where}: the fixed variant has no execution`);
        assert.ok(X.fixReason && X.fixReason.length > 20, `${where}: the fixed variant does not say what forbids the outcome`);
        assert.equal(B.finding?.rule, f.rule);
        checkReplay(`${where} buggy`, a, f, B);
        checkReplay(`${where} fixed`, a, f, X);
        replays += 2;
      }
    });
  }
  it('replays some findings of every warning or error rule with a case', () => assert.ok(replays >= 90, `${replays} replays`));
});

describe('a role that cannot be bound', () => {
  it('gives no replay, and the request says why', () => {
    const a = analysisOf('test/corpus/02-folio-leak-large.buggy.patch');
    const f = a.findings.find((x) => x.rule === 'ref-balance/leak')!;
    for (const bad of ['folio_put(folio)', 'return -EFAULT', 'a b', '']) {
      const g: Finding = { ...f, trace: { ...f.trace!, roles: { ...f.trace!.roles, object: bad } } };
      const r = requestOf(g);
      assert.ok('unavailable' in r, `object bound to ${JSON.stringify(bad)}`);
      assert.match(r.unavailable, /cannot play the object|not an object/);
    }
    const u: Finding = { ...f, trace: { ...f.trace!, unbound: 'the object of this leak is an expression, not an object of the patch' } };
    assert.deepEqual(requestOf(u), { unavailable: 'the object of this leak is an expression, not an object of the patch' });
  });
});
