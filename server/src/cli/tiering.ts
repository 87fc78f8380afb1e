/**
 * Imported first by `mm-review litmus` (cli/litmusMain.ts): let V8 optimise
 * only code that stays hot for longer than its default budget.
 *
 * A run of many small litmus tests is over in a fraction of a second; with
 * V8's default tier-up budget, TurboFan compiles dozens of engine functions
 * that have run a few hundred times and will run only a few hundred more,
 * and that compilation is most of the CPU the process spends beyond Node's
 * own start-up (bench/litmus.js; docs/simulator.md, "Speed"). Eight times
 * the default interrupt budget (the bytecode executed between two tier-up
 * decisions of a function) leaves these short runs in the interpreter and
 * the baseline compiler, while long runs (thousands of candidates, seconds)
 * still reach optimised code after a few more milliseconds. This sets a
 * V8 tuning flag, nothing else: no code is compiled from text.
 *
 * The bin's #! line gives the flag (server/bin/mm-review.js): setting it here
 * would load node:v8, whose heap utilities load Node's stream modules, which
 * Node compiles from source under the #! line's V8 options (its code cache of
 * its own modules holds only without V8 options). Here it is set only when
 * the process did not get it on its command line (`node server/bin/mm-review.js
 * litmus`, tests), by the old way.
 */

/** V8's default `--interrupt-budget` (Node 20: 66 KiB of bytecode) times 8; the bin's #! line carries the same number. */
export const LITMUS_INTERRUPT_BUDGET = 8 * 67584;

if (!process.execArgv.includes(`--interrupt-budget=${LITMUS_INTERRUPT_BUDGET}`)) {
  (require('node:v8') as typeof import('node:v8')).setFlagsFromString(`--interrupt-budget=${LITMUS_INTERRUPT_BUDGET}`);
}
