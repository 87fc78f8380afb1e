/**
 * Simulator subcommands (`litmus`, `scenarios`, `replay`, ...), registered
 * into the CLI dispatcher. Owned by the simulator work (server/src/sim/).
 */
import type { Command } from './io';

export const simCommands: Record<string, { summary: string; run: Command }> = {};
