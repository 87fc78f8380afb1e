/**
 * Kernel versions and the ranges facts hold for.
 *
 * A range is written as the catalog writes `kernels`: `4.5..4.12`
 * (inclusive), `>=5.16`, `<=5.18`, `>5.5`, `<6.3`, or a bare `6.2`. A fact
 * with an era applies only when the target kernel falls in its range; the
 * target comes from the tree's Makefile, the user's setting, or defaults to
 * current mainline (MAINLINE).
 */

/** The newest kernel whose semantics the catalog states (the default target). */
export const MAINLINE = '6.19';

export type Version = readonly [number, number];

export function parseVersion(v: string): Version | undefined {
  const m = /^\s*v?(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function cmp(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** Does version `v` fall in range `kernels`? An unreadable range holds everywhere (no claim). */
export function inRange(kernels: string | undefined, v: Version): boolean {
  if (!kernels) return true;
  const r = kernels.trim();
  const span = /^(\d+\.\d+)\s*\.\.\s*(\d+\.\d+)$/.exec(r);
  if (span) {
    const lo = parseVersion(span[1])!;
    const hi = parseVersion(span[2])!;
    return cmp(v, lo) >= 0 && cmp(v, hi) <= 0;
  }
  const op = /^(>=|<=|>|<|=)?\s*(\d+\.\d+)$/.exec(r);
  if (!op) return true;
  const w = parseVersion(op[2])!;
  const c = cmp(v, w);
  switch (op[1]) {
    case '>=':
      return c >= 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '<':
      return c < 0;
    default:
      return c === 0;
  }
}

/** VERSION and PATCHLEVEL of a kernel tree's top Makefile (`6.19`), or undefined. */
export function makefileVersion(text: string): string | undefined {
  const v = /^VERSION\s*=\s*(\d+)\s*$/m.exec(text);
  const p = /^PATCHLEVEL\s*=\s*(\d+)\s*$/m.exec(text);
  return v && p ? `${v[1]}.${p[1]}` : undefined;
}
