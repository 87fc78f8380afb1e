/**
 * The simulator as the language server uses it: litmus syntax checking for
 * .litmus documents, and the replay / scenario / litmus commands that
 * `workspace/executeCommand` exposes to every LSP client.
 */
import { formatHerd, LitmusSyntaxError, parseLitmus, runLitmus } from '../sim';
import { checkVariant, exportLitmus, listScenarios } from '../sim/scenarios';
import { replay } from '../sim/replay';

type Params = Record<string, string | number>;

export interface SimPort {
  syntaxError(text: string): { message: string; line: number; column: number } | null;
  replay(id: string, variant: 'buggy' | 'fixed', params: Params): object;
  listScenarios(): object[];
  exportLitmus(id: string, variant: 'buggy' | 'fixed', params: Params): string;
  runLitmusText(text: string): { text: string; result: object | null; error?: { message: string; line: number; column: number } };
}

function syntaxError(text: string): { message: string; line: number; column: number } | null {
  try {
    parseLitmus(text);
    return null;
  } catch (e) {
    if (e instanceof LitmusSyntaxError) return { message: e.message, line: e.line, column: e.column };
    return { message: (e as Error).message, line: 1, column: 1 };
  }
}

const port: SimPort = {
  syntaxError,
  replay: (id, variant, params) => replay(id, checkVariant(variant), params),
  listScenarios: () => listScenarios(),
  exportLitmus: (id, variant, params) => exportLitmus(id, checkVariant(variant), params),
  runLitmusText(text) {
    const err = syntaxError(text);
    if (err) return { text: `syntax error at ${err.line}:${err.column}: ${err.message}\n`, result: null, error: err };
    const result = runLitmus(text);
    // The full candidate executions are large; the JSON result keeps the verdict and the states.
    const { witnesses, forbidden, ...summary } = result;
    return { text: formatHerd(result), result: { ...summary, witnesses: witnesses.length, forbidden: forbidden.length } };
  },
};

export function simPort(): SimPort | undefined {
  return port;
}
