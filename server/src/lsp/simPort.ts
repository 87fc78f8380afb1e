/**
 * The simulator as the language server uses it. (Wired to server/src/sim once
 * the simulator lands; until then the commands report that it is missing.)
 */
export interface SimPort {
  syntaxError(text: string): { message: string; line: number; column: number } | null;
  replay(id: string, variant: 'buggy' | 'fixed', params: Record<string, string | number>): object;
  listScenarios(): object[];
  exportLitmus(id: string, variant: 'buggy' | 'fixed', params: Record<string, string | number>): string;
  runLitmusText(text: string): { text: string; result: object | null };
}

export function simPort(): SimPort | undefined {
  return undefined;
}
