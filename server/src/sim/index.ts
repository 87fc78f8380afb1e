/**
 * The race simulator's public API: run LKMM C litmus tests and print the
 * result as herd7 does (./run.ts), the scenario library and the replays.
 * See docs/simulator.md.
 */
export * from './run';
export { listScenarios, exportLitmus } from './scenarios/index';
export { replay, renderReplayText, type Replay, type ReplayStep } from './replay';
