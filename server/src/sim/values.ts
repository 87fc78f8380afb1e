/**
 * Exact integer values for the litmus engine.
 *
 * A litmus value is an integer or an address (a location name). Integers are
 * exact: a JS number while it is a safe integer, a bigint beyond that. The
 * representation is canonical (a value that fits in a safe integer is never a
 * bigint), so `===`, Map keys and Set membership compare values exactly.
 * Arithmetic goes through `arith`, which falls back to bigint whenever a
 * number result could be inexact; JS bitwise operators (which truncate to 32
 * bits) are only used when both operands fit in 32 bits.
 *
 * herd7 computes C litmus values as 32-bit ints (it rejects decimal literals
 * outside the int32 range and wraps on overflow); this engine computes with
 * exact integers, so the two agree whenever no value leaves that range.
 */

export type Int = number | bigint;
export type Value = Int | string;

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const MIN = -MAX;

/** The canonical form of an integer. */
export function canon(v: bigint): Int {
  return v <= MAX && v >= MIN ? Number(v) : v;
}

/** Parse an integer literal (decimal or 0x hex, optional leading '-'); null if malformed. */
export function parseIntLiteral(text: string): Int | null {
  if (text.length <= 15 && /^[0-9]+$/.test(text)) return Number(text); // below 2^53: exact as a number
  const m = /^(-?)(0[xX][0-9a-fA-F]+|[0-9]+)$/.exec(text);
  if (!m) return null;
  const b = BigInt(m[2]);
  return canon(m[1] ? -b : b);
}

export function isInt(v: Value | undefined): v is Int {
  return typeof v === 'number' || typeof v === 'bigint';
}

const isI32 = (v: number) => v >= -0x80000000 && v <= 0x7fffffff;

function big(v: Int): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

/** C arithmetic and comparisons on exact integers. `/` and `%` by zero give 0 (as the engine always did). */
export function arith(op: string, a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '<': return a < b ? 1 : 0;
      case '>': return a > b ? 1 : 0;
      case '<=': return a <= b ? 1 : 0;
      case '>=': return a >= b ? 1 : 0;
      case '==': return a === b ? 1 : 0;
      case '!=': return a !== b ? 1 : 0;
      case '/': if (b === 0) return 0; if (isI32(a) && isI32(b)) return Math.trunc(a / b); break;
      case '%': return b === 0 ? 0 : a % b;
      case '&': if (isI32(a) && isI32(b)) return a & b; break;
      case '|': if (isI32(a) && isI32(b)) return a | b; break;
      case '^': if (isI32(a) && isI32(b)) return a ^ b; break;
      case '+': case '-': case '*': {
        const r = op === '+' ? a + b : op === '-' ? a - b : a * b;
        if (Number.isSafeInteger(r)) return r;
        break;
      }
      default: break;
    }
  }
  const x = big(a);
  const y = big(b);
  switch (op) {
    case '+': return canon(x + y);
    case '-': return canon(x - y);
    case '*': return canon(x * y);
    case '/': return y === 0n ? 0 : canon(x / y);
    case '%': return y === 0n ? 0 : canon(x % y);
    case '&': return canon(x & y);
    case '|': return canon(x | y);
    case '^': return canon(x ^ y);
    case '<<': return y < 0n || y > 4096n ? 0 : canon(x << y);
    case '>>': return y < 0n ? 0 : canon(x >> (y > 4096n ? 4096n : y));
    case '<': return x < y ? 1 : 0;
    case '>': return x > y ? 1 : 0;
    case '<=': return x <= y ? 1 : 0;
    case '>=': return x >= y ? 1 : 0;
    case '==': return x === y ? 1 : 0;
    case '!=': return x !== y ? 1 : 0;
  }
  throw new Error(`unknown operator ${op}`);
}

export function neg(a: Int): Int {
  return typeof a === 'number' ? (a === 0 ? 0 : -a) : canon(-a);
}

export function bitnot(a: Int): Int {
  return typeof a === 'number' && isI32(a) ? ~a : canon(~big(a));
}

export function isZero(v: Value): boolean {
  return v === 0;
}

/** Decimal text of a value (addresses print as their name). */
export function showValue(v: Value | undefined): string {
  return v === undefined ? '0' : String(v);
}

/**
 * A value as the public API and JSON show it: numbers stay numbers, integers
 * beyond 2^53 become their decimal text (a location name never starts with a
 * digit or '-', so the two cannot be confused).
 */
export function publicValue(v: Value): string | number {
  return typeof v === 'bigint' ? v.toString() : v;
}
