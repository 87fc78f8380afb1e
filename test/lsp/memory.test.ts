/**
 * The language server's memory stays steady over a long editing session
 * (issue 11): 1,000 one-character edits of a patch series, each analysed
 * and published, over real JSON-RPC on stdio. Superseded versions and their
 * analyses must not be retained, and the caches are bounded, so the server's
 * resident set after the last edit is within 10 % of what it was once warm.
 *
 * Not a timing test: the edits run as fast as the server answers; only the
 * resident set (VmRSS of the server process, analysis workers included: they
 * are threads) is asserted. Linux only (/proc).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient, ROOT } from './client';

const EDITS = 1000;
const WARM = 200;

function rssMb(pid: number): number {
  const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(st)![1]) / 1024;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('mm-review-lsp memory over 1,000 edits', { skip: !fs.existsSync('/proc/self/status') && 'needs /proc' }, () => {
  const c = new LspClient();
  after(async () => {
    await c.shutdown();
  });

  it('the resident set after 1,000 edits is within 10 % of the warm resident set', { timeout: 300_000 }, async () => {
    await c.initialize(undefined, {}, { debounceMs: 0 });
    const file = path.join(ROOT, 'examples', 'gup-stable-pin-series.mbox');
    const { uri, text } = c.openFile(file);
    await c.diagnostics(uri, (d) => d.version === 1);
    const lines = text.split('\n');
    // edit sites: C statements in hunks (added or context lines ending in ';')
    const sites = lines.map((l, i) => (/^[+ ]\t.*;$/.test(l) ? i : -1)).filter((i) => i >= 0);
    assert.ok(sites.length > 10);
    const pid = c.proc.pid!;
    const samples: number[] = [];
    let version = 1;
    for (let k = 0; k < EDITS; k += 2) {
      const line = sites[(k * 7919) % sites.length];
      const col = lines[line].length - 1;
      // insert a space before the ';', then remove it: every other version is the original text
      for (const change of [
        { range: { start: { line, character: col }, end: { line, character: col } }, text: ' ' },
        { range: { start: { line, character: col }, end: { line, character: col + 1 } }, text: '' },
      ]) {
        version++;
        const v = version;
        const published = c.diagnostics(uri, (d) => d.version === v);
        c.notify('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [change] });
        await published;
      }
      samples.push(rssMb(pid));
    }
    // warm: the median over edits 150..250 (caches filled, the heap grown to its working size); end: the last 50 edits
    const per = 2;
    const warm = median(samples.slice((WARM - 50) / per, (WARM + 50) / per));
    const end = median(samples.slice(-50 / per));
    const drift = (end - warm) / warm;
    console.log(`# server RSS: ${samples[0].toFixed(0)} MB after 2 edits, ${warm.toFixed(0)} MB warm (edits ${WARM - 50}..${WARM + 50}), ${end.toFixed(0)} MB over the last 50 of ${EDITS} edits (${(drift * 100).toFixed(1)} %)`);
    assert.ok(drift < 0.1, `RSS drifted ${(drift * 100).toFixed(1)} % (${warm.toFixed(0)} -> ${end.toFixed(0)} MB): ${samples.map((s) => s.toFixed(0)).join(' ')}`);
  });
});
