/**
 * `mm-review litmus ...` as its own entry point: the bin script comes here
 * for the litmus command so that running litmus tests does not load the
 * patch-review engine (tree-sitter, the rules, the catalog). Many tests in
 * one process then cost little more than the tests themselves.
 */
// first: the tier-up budget must be set before the engine's functions run
import './tiering';
import { runMain } from './io';
import { commandOf } from './args';
import { litmusCommand } from './litmus';

export function main(): void {
  const litmus = commandOf(litmusCommand);
  // results go to descriptor 1 directly: no stdout stream to build (see runMain)
  runMain((args, io) => litmus(args.slice(1), io), { directStdout: true });
}
