'use strict';
/*
 * Preloaded into a measured child process (`node --require bench/lib/usage.js ...`):
 * when the process exits, writes its own CPU time (user + system, ms), peak
 * RSS (MB) and wall time since this module loaded to the file named by
 * $MM_BENCH_USAGE. Node cannot read a child's rusage, so the child reports it.
 */
const fs = require('node:fs');

const file = process.env.MM_BENCH_USAGE;
const t0 = performance.now();
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    const extra = globalThis.__mmBenchExtra ?? {};
    fs.writeFileSync(file, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, userMs: u.userCPUTime / 1000, sysMs: u.systemCPUTime / 1000, maxRssMB: u.maxRSS / 1024, wallMs: performance.now() - t0, ...extra }));
  });
}
