/**
 * Simulator subcommands (`litmus`, `scenarios`, `replay`, ...), registered
 * into the CLI dispatcher. Owned by the simulator work (server/src/sim/).
 */
import type { Command } from './io';
import { litmusCommand } from '../sim/litmusCli';
import { scenarioCommands } from '../sim/scenarios/cli';

export const simCommands: Record<string, { summary: string; run: Command }> = {
  litmus: { summary: 'run LKMM litmus tests, herd7-style output', run: litmusCommand },
  ...scenarioCommands,
};
