/**
 * Arguments of the extension's commands, checked on receipt. A hover link
 * (`command:mmReview.replay?...`) carries arguments that came, through the
 * server, from a patch: only the shapes below are accepted, anything else is
 * refused before it reaches the server or the file system. The server checks
 * them again.
 *
 * The checks are the replay protocol's own (server/src/protocol/replay.ts),
 * shared with the server through the build: client and server cannot drift.
 * No vscode import: unit-tested under plain Node (test/hostile).
 */
export { checkReplayArgs, isRuleId, type ReplayArgs } from 'mm-review-server/protocol/replay';

const SCENARIO = /^S\d{1,3}$/;

/** A seed scenario id (`S1`). */
export function isScenarioId(x: unknown): x is string {
  return typeof x === 'string' && SCENARIO.test(x);
}
