import * as fs from 'node:fs';
import * as path from 'node:path';

/** Repository root (test files run from test/out/sim). */
export const REPO = path.resolve(__dirname, '..', '..', '..');
/**
 * The kernel's litmus tests (tools/memory-model/litmus-tests and
 * Documentation/litmus-tests, each with its `Result:`), copied from
 * ../shared/litmus into test/sim/fixtures/kernel-litmus so that a clean clone
 * is self-contained; MM_LITMUS_DIR overrides.
 */
export const KERNEL_LITMUS = process.env.MM_LITMUS_DIR ?? path.join(REPO, 'test', 'sim', 'fixtures', 'kernel-litmus');
export const OWN_LITMUS = path.join(REPO, 'test', 'litmus');

export function litmusFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.litmus')) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

/** The verdict a test states in its header (`Result: Never`); DEADLOCK means Never with no execution. */
export function expected(src: string): string {
  const m = /^\s*\*?\s*Result:\s*(\w+)/m.exec(src);
  if (!m) throw new Error('no Result: line');
  return m[1];
}
