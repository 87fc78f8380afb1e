/** docs/catalog.md is generated from the compiled catalog and must not be stale. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..', '..');
const script = path.join(root, 'scripts', 'gen-catalog-doc.js');

function run(...args: string[]) {
  return spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
}

describe('docs/catalog.md', () => {
  it('is up to date with the catalog (regenerate with `node scripts/gen-catalog-doc.js`)', () => {
    const r = run('--check');
    assert.equal(r.status, 0, r.stderr);
  });

  it('the check fails on a stale copy, and a fresh write passes it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-doc-'));
    const file = path.join(dir, 'catalog.md');
    try {
      fs.writeFileSync(file, fs.readFileSync(path.join(root, 'docs', 'catalog.md'), 'utf8').replace('put_page', 'put_pgae'));
      const stale = run('--check', '--out', file);
      assert.equal(stale.status, 1);
      assert.match(stale.stderr, /stale/);
      assert.equal(run('--out', file).status, 0);
      assert.equal(run('--check', '--out', file).status, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has one table per domain and the key entries', () => {
    const md = fs.readFileSync(path.join(root, 'docs', 'catalog.md'), 'utf8');
    for (const h of ['## Page and folio references', '## GUP', '## Locks', '## Barriers', '## Page-table entries', '## Lockless lookups', '## Re-validation patterns', '## Memory-ordering facts', '### Store-buffering protocols', '### Locations of calls'])
      assert.ok(md.includes(h), h);
    for (const n of ['`pin_user_pages`', '`page_cache_get_speculative`', '`start_lockless_pgtbl_walk`', '`xas_reload`', '`waitqueue_active`', '`wait-queue`', '`pmd_populate`', '`__init`'])
      assert.ok(md.includes(n), n);
    // every protocol of the catalog, with its era
    assert.match(md, /\| waker vs sleeper \(lockless waiter check\) \|[^\n]*\| all \(/);
    assert.match(md, /\| GUP pin count vs PG_writeback \|[^\n]*\| RFC \(2018-2019/);
  });
});
