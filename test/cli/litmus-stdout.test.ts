// `mm-review litmus` writes its results to descriptor 1 itself (cli/io.ts, runMain's
// directStdout, directWriter), not through a stdout stream: the whole output must
// arrive, in order, through a pipe its reader drains late (the command's own pipe, and
// one it shares with a Node parent); a descriptor that refuses more for now (EAGAIN:
// non-blocking and full) hands the rest to the fallback stream, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { directWriter } from 'mm-review-server/cli/io';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'server', 'bin', 'mm-review.js');
const OWN = path.join(ROOT, 'test', 'litmus');

/** The JSON results without their timings. */
function results(out: string): unknown {
  const a = JSON.parse(out) as { stats?: { ms?: number; bound?: unknown } }[];
  for (const r of a) {
    delete r.stats?.ms;
    delete r.stats?.bound;
  }
  return a;
}

/** Run node ARGV with stdout read only after `delayMs`; exit code and what arrived. */
function lateRead(argv: string[], delayMs: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, argv, { cwd: ROOT });
    const chunks: Buffer[] = [];
    let err = '';
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.stdout.pause();
    setTimeout(() => p.stdout.on('data', (c: Buffer) => chunks.push(c)), delayMs);
    p.on('close', (code) => resolve({ code, out: Buffer.concat(chunks).toString('utf8'), err }));
  });
}

test('litmus results through a pipe read late, blocking or non-blocking, are the results read at once', async () => {
  const files = fs.readdirSync(OWN).filter((f) => f.endsWith('.litmus')).sort().map((f) => path.join(OWN, f));
  const args = [BIN, 'litmus', '--format', 'json', ...files];
  const ref = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(ref.status, 0, ref.stderr);
  // more than two 64 KB pipe buffers: the writer has to wait for the reader
  assert.ok(ref.stdout.length > 1 << 17, `only ${ref.stdout.length} bytes`);
  const expected = results(ref.stdout);
  // a Node parent whose own stdout (a pipe) the command inherits
  const parent = `process.stdout.write(''); const r = require('node:child_process').spawnSync(process.execPath, ${JSON.stringify(args)}, { stdio: 'inherit' }); process.exitCode = r.status;`;
  for (const argv of [args, ['-e', parent]]) {
    const r = await lateRead(argv, 400);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(results(r.out), expected);
  }
});

test('directWriter: partial writes continued; from EAGAIN on, the rest and everything after go to the fallback, in order', () => {
  const written: string[] = [];
  const fellBack: string[] = [];
  let room = 25; // the descriptor takes 25 bytes, at most 10 per call, then refuses
  const writeSync = (fd: number, buf: Buffer, off: number, len: number): number => {
    assert.equal(fd, 7);
    if (room === 0) throw Object.assign(new Error('EAGAIN: resource temporarily unavailable'), { code: 'EAGAIN' });
    const n = Math.min(len, 10, room);
    room -= n;
    written.push(buf.subarray(off, off + n).toString('utf8'));
    return n;
  };
  const errors: string[] = [];
  const out = directWriter(7, writeSync, (b) => fellBack.push(b.toString()), (e) => errors.push(String(e.code)));
  out('0123456789abcdef'); // 16 bytes: two calls
  out('ghijklmnopqrstuvwxyz'); // 9 more fit, then EAGAIN
  out('ABC'); // straight to the fallback
  assert.deepEqual(written, ['0123456789', 'abcdef', 'ghijklmno']);
  assert.deepEqual(fellBack, ['pqrstuvwxyz', 'ABC']);
  assert.equal(written.join('') + fellBack.join(''), '0123456789abcdefghijklmnopqrstuvwxyzABC');
  assert.deepEqual(errors, []);
  room = 5;
  out('more'); // once fallen back, never back to the descriptor
  assert.deepEqual(fellBack.at(-1), 'more');
  assert.equal(room, 5);
});

test('directWriter: other write errors (a closed pipe) go to the error handler, nothing to the fallback', () => {
  const errors: string[] = [];
  const fellBack: string[] = [];
  const out = directWriter(1, () => {
    throw Object.assign(new Error('EPIPE: broken pipe'), { code: 'EPIPE' });
  }, (b) => fellBack.push(b.toString()), (e) => errors.push(String(e.code)));
  out('x');
  assert.deepEqual(errors, ['EPIPE']);
  assert.deepEqual(fellBack, []);
});
