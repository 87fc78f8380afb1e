/**
 * The CLI on hostile inputs: endless devices and streams are refused at the
 * 256 MiB input limit (read with a cap, never whole), and `export-litmus -o`
 * neither overwrites a file nor writes through a symlink unless told to.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { readFileCapped, readStreamCapped, InputError } from 'mm-review-server/cli/input';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'server', 'bin', 'mm-review.js');

function cli(args: string[], opts: { cwd?: string; stdin?: number | 'pipe' } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, encoding: 'utf8', stdio: [opts.stdin ?? 'pipe', 'pipe', 'pipe'] });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('hostile: CLI input limits', () => {
  it('`check /dev/zero`: refused at the 256 MiB limit, exit 2, a message', () => {
    const r = cli(['check', '/dev/zero']);
    assert.equal(r.code, 2);
    assert.match(r.err, /\/dev\/zero: larger than the 256 MiB input limit; not read/);
  });

  it('`check -` with /dev/zero as stdin: refused the same way', () => {
    const fd = fs.openSync('/dev/zero', 'r');
    try {
      const r = cli(['check', '-'], { stdin: fd });
      assert.equal(r.code, 2);
      assert.match(r.err, /<stdin>: larger than the 256 MiB input limit; not read/);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('`check -` from an endless pipe: refused, and the writer sees the pipe closed', async () => {
    const p = spawn(process.execPath, [BIN, 'check', '-'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.stdin.on('error', () => undefined); // EPIPE once the CLI stops reading
    const chunk = Buffer.alloc(1 << 20, 0x61);
    let written = 0;
    let closed = false;
    p.stdin.on('close', () => (closed = true));
    const code = await new Promise<number | null>((resolve) => {
      p.on('exit', (c) => resolve(c));
      const pump = () => {
        while (!closed && written < 600 * (1 << 20)) {
          written += chunk.length;
          if (!p.stdin.write(chunk)) return void p.stdin.once('drain', pump);
        }
        p.stdin.end();
      };
      pump();
    });
    assert.equal(code, 2);
    assert.match(err, /<stdin>: larger than the 256 MiB input limit/);
    assert.ok(written < 600 * (1 << 20), `the writer was stopped (wrote ${written >> 20} MiB)`);
  });

  it('the capped readers stop one byte past the limit', async () => {
    await assert.rejects(readStreamCapped(endless(), '<s>', 1000), (e: Error) => e instanceof InputError && /larger than the 0\.00095\d* MiB input limit/.test(e.message));
    const s = new PassThrough();
    s.end(Buffer.alloc(1000, 1));
    assert.equal((await readStreamCapped(s, '<s>', 1000)).length, 1000);
    assert.throws(() => readFileCapped('/dev/zero', 'z', 4096), /z: larger than/);
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mm-cap-')), 'x.patch');
    fs.writeFileSync(f, Buffer.alloc(5000));
    assert.throws(() => readFileCapped(f, 'x.patch', 4096), /x\.patch: file is 0 MiB; the input limit is/);
    assert.equal(readFileCapped(f, 'x.patch', 5000).length, 5000);
  });
});

function endless(): PassThrough {
  const s = new PassThrough();
  const feed = () => {
    while (s.write(Buffer.alloc(256, 0x62)));
    s.once('drain', feed);
  };
  feed();
  return s;
}

describe('hostile: export-litmus -o', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-export-'));
  const victim = path.join(dir, 'victim.txt');
  fs.writeFileSync(victim, 'precious\n');
  fs.writeFileSync(path.join(dir, 'existing.litmus'), 'keep me\n');
  fs.symlinkSync(victim, path.join(dir, 'link.litmus'));
  fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling.litmus'));

  it('refuses an existing file, a symlink and a dangling symlink, and writes nothing through them', () => {
    for (const name of ['existing.litmus', 'link.litmus', 'dangling.litmus']) {
      const r = cli(['export-litmus', 'S1', '-o', name], { cwd: dir });
      assert.equal(r.code, 2, name);
      assert.match(r.err, new RegExp(`${name.replace('.', '\\.')} already exists.*not overwritten \\(use --force to overwrite\\)`));
    }
    assert.equal(fs.readFileSync(victim, 'utf8'), 'precious\n');
    assert.equal(fs.readFileSync(path.join(dir, 'existing.litmus'), 'utf8'), 'keep me\n');
    assert.equal(fs.existsSync(path.join(dir, 'nowhere')), false);
  });

  it('writes a new file, and overwrites with --force', () => {
    assert.equal(cli(['export-litmus', 'S1', '-o', 'new.litmus'], { cwd: dir }).code, 0);
    assert.match(fs.readFileSync(path.join(dir, 'new.litmus'), 'utf8'), /^C S1-buggy/);
    assert.equal(cli(['export-litmus', 'S1', '-o', 'existing.litmus', '--force'], { cwd: dir }).code, 0);
    assert.match(fs.readFileSync(path.join(dir, 'existing.litmus'), 'utf8'), /^C S1-buggy/);
  });
});
