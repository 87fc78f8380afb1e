/**
 * The extension's own check of command arguments (client/src/commandArgs.ts),
 * run on what a crafted patch could put in a hover link: only well-formed
 * replay requests pass; rule ids cannot name a path.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';

// the client is compiled by tsc -b to client/out (no vscode import in this module)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const args = require(path.resolve(__dirname, '..', '..', '..', 'client', 'out', 'commandArgs.js')) as {
  checkReplayArgs(x: unknown): object | string;
  isRuleId(x: unknown): boolean;
  isScenarioId(x: unknown): boolean;
};

describe('hostile: client command arguments', () => {
  it('accepts a code lens replay request and keeps only its known fields', () => {
    const ok = args.checkReplayArgs({ uri: 'file:///a.patch', scenario: 'S6', variant: 'buggy', params: { function: 'f', line: 3 }, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 4 } }, rule: 'spec-ref/get-on-lockless-lookup', extra: 'dropped' });
    assert.deepEqual(ok, { uri: 'file:///a.patch', scenario: 'S6', variant: 'buggy', params: { function: 'f', line: 3 }, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 4 } }, rule: 'spec-ref/get-on-lockless-lookup' });
  });

  it('refuses what a crafted link could carry', () => {
    for (const bad of [
      null,
      'S1',
      [{ scenario: 'S1' }],
      { scenario: '../../etc' },
      { scenario: 'S1', variant: 'fixed; evil' },
      { scenario: 'S1', uri: 'https://evil.example/x' },
      { scenario: 'S1', uri: 'command:workbench.action.terminal.new' },
      { scenario: 'S1', params: { __proto__: { polluted: true }, 'a b': 1 } },
      { scenario: 'S1', params: { object: { nested: true } } },
      { scenario: 'S1', params: { object: 'x'.repeat(300) } },
      { scenario: 'S1', rule: '../../../../etc/passwd' },
      { scenario: 'S1', range: { start: { line: 0.5, character: 0 }, end: { line: 0, character: 0 } } },
    ]) {
      assert.equal(typeof args.checkReplayArgs(bad), 'string', JSON.stringify(bad));
    }
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  });

  it('rule and scenario ids', () => {
    assert.equal(args.isRuleId('ref-balance/leak'), true);
    assert.equal(args.isRuleId('input/too-large'), true);
    assert.equal(args.isRuleId('../x'), false);
    assert.equal(args.isRuleId('a/b/c'), false);
    assert.equal(args.isScenarioId('S8'), true);
    assert.equal(args.isScenarioId('S8/../x'), false);
  });
});
