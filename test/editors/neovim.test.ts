/**
 * Neovim, as docs/editors.md tells a reviewer to set it up: the Lua block of
 * the "Neovim" section, read from the page itself, runs in `nvim --headless`
 * (Debian's neovim package: 0.7.2 on bookworm) with `mm-review-lsp` on PATH,
 * on a git format-patch file (filetype diff or gitsendemail) and on an mbox
 * series (filetype mail). The diagnostics must arrive with their rule codes
 * and a hover on a finding must explain it. CI installs neovim (.ci/run);
 * elsewhere the test is skipped when there is no nvim.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const haveNvim = nvim.status === 0;
// CI installs neovim: there a missing nvim is a failure, not a skip
const skip = !haveNvim && process.env.CI !== 'true' ? 'nvim is not installed (apt-get install neovim)' : false;

/** The documented configuration: the first Lua block of the Neovim section of docs/editors.md. */
function documentedConfig(): string {
  const md = fs.readFileSync(path.join(ROOT, 'docs', 'editors.md'), 'utf8');
  const sec = md.slice(md.indexOf('## Neovim'), md.indexOf('\n## ', md.indexOf('## Neovim') + 1));
  const m = /```lua\n([\s\S]*?)```/.exec(sec);
  assert.ok(m, 'docs/editors.md has a Lua block in its Neovim section');
  return m[1];
}

/** Waits for the diagnostics, asks for a hover on the first rule finding, writes what it saw as JSON. */
const DRIVER = `
local out = { version = vim.version().major .. '.' .. vim.version().minor, filetype = vim.bo.filetype, diagnostics = {} }
vim.wait(60000, function() return #vim.diagnostic.get(0) > 0 end, 100)
for _, d in ipairs(vim.diagnostic.get(0)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
  table.insert(out.diagnostics, { lnum = d.lnum, col = d.col, code = code, severity = d.severity, message = d.message })
end
for _, d in ipairs(out.diagnostics) do
  if d.code and not string.find(d.code, '^input/') then
    local res = vim.lsp.buf_request_sync(0, 'textDocument/hover', { textDocument = { uri = vim.uri_from_bufnr(0) }, position = { line = d.lnum, character = d.col } }, 30000)
    for _, r in pairs(res or {}) do
      if r.result and r.result.contents then out.hover = { code = d.code, text = r.result.contents.value or r.result.contents } end
    end
    break
  end
end
local clients = {}
for _, c in pairs(vim.lsp.get_active_clients()) do table.insert(clients, c.name) end
out.clients = clients
local f = io.open(os.getenv('MM_OUT'), 'w')
f:write(vim.fn.json_encode(out))
f:close()
vim.cmd('qa!')
`;

interface Seen {
  version: string;
  filetype: string;
  clients: string[];
  diagnostics: { lnum: number; col: number; code?: string; severity: number; message: string }[];
  hover?: { code: string; text: string };
}

describe('Neovim (nvim --headless) with the configuration of docs/editors.md', { skip }, () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-review-nvim-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    // `mm-review-lsp` on PATH, as `npm link` puts it there
    const shim = path.join(dir, 'bin', 'mm-review-lsp');
    fs.writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'server', 'bin', 'mm-review-lsp.js')}" "$@"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'init.lua'), documentedConfig());
    fs.writeFileSync(path.join(dir, 'driver.lua'), DRIVER);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function open(file: string): Seen {
    const out = path.join(dir, `${path.basename(file)}.json`);
    const r = spawnSync('nvim', ['--headless', '-u', path.join(dir, 'init.lua'), '-i', 'NONE', file, '-c', `luafile ${path.join(dir, 'driver.lua')}`], {
      cwd: dir,
      env: { ...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, MM_OUT: out, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
      encoding: 'utf8',
      timeout: 120000,
    });
    assert.equal(r.status, 0, `nvim exited with ${r.status}: ${r.stderr}`);
    assert.ok(fs.existsSync(out), `the driver wrote nothing: ${r.stdout} ${r.stderr}`);
    return JSON.parse(fs.readFileSync(out, 'utf8')) as Seen;
  }

  it('a git format-patch file: the finding as a diagnostic with its rule code, and its hover', () => {
    const file = path.join(dir, 'seed004-devmap-speculative.patch');
    fs.copyFileSync(path.join(ROOT, 'test', 'lsp', 'fixtures', 'seed004-devmap-speculative.patch'), file);
    const seen = open(file);
    assert.ok(['diff', 'gitsendemail'].includes(seen.filetype), seen.filetype);
    assert.deepEqual(seen.clients, ['mm_review']);
    const f = seen.diagnostics.find((d) => d.code === 'spec-ref/pgmap-hook-skipped');
    assert.ok(f, `Neovim ${seen.version} got: ${JSON.stringify(seen.diagnostics)}`);
    assert.match(fs.readFileSync(file, 'utf8').split('\n')[f.lnum], /page_cache_get_speculative\(page\)/);
    assert.equal(f.severity, 1, 'an error');
    assert.ok(seen.hover, 'a hover on the finding');
    assert.match(seen.hover.text, /spec-ref\/pgmap-hook-skipped/);
    assert.match(seen.hover.text, /dev\\?_pagemap/);
  });

  it('an mbox series (filetype mail): the findings of every patch', () => {
    const file = path.join(dir, 'gup-stable-pin-series.mbox');
    fs.copyFileSync(path.join(ROOT, 'examples', 'gup-stable-pin-series.mbox'), file);
    const seen = open(file);
    assert.equal(seen.filetype, 'mail');
    const codes = new Set(seen.diagnostics.map((d) => d.code));
    for (const c of ['ref-balance/leak', 'spec-ref/no-revalidation', 'atomic-sleep/sleep-in-atomic', 'barrier/store-load-order']) assert.ok(codes.has(c), `${c} in ${[...codes].join(', ')}`);
    assert.ok(seen.hover && seen.hover.text.includes(seen.hover.code));
  });
});
