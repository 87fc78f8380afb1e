import type { RawFinding, Rule, RuleContext, Unit } from '../api';
import { mentions } from '../../c/facts';
import { compiledOutTrace } from '../common/trace';

/** `#ifdef X` where the same patch adds `config X` to a Kconfig file: the C symbol is CONFIG_X. */
function kconfigPrefix(ctx: RuleContext): (RawFinding & { unit: Unit })[] {
  const configs = new Set<string>();
  for (const msg of ctx.doc.messages ?? []) {
    for (const file of msg.files ?? []) {
      const path = file.newPath ?? file.oldPath ?? '';
      if (!/(^|\/)Kconfig[^/]*$/.test(path)) continue;
      for (const h of file.hunks) for (const l of h.lines) if (l.kind === 'add') {
        const m = /^\s*(?:menu)?config\s+([A-Za-z0-9_]+)\s*$/.exec(l.text);
        if (m) configs.add(m[1]);
      }
    }
  }
  if (!configs.size) return [];
  const out: (RawFinding & { unit: Unit })[] = [];
  const seen = new Set<string>();
  for (const unit of ctx.units) {
    if (unit.side !== 'post') continue;
    const img = unit.image;
    const lines = img.text.split('\n');
    lines.forEach((text, i) => {
      const m = /^\s*#\s*(?:ifdef|ifndef|if|elif)\b(.*)$/.exec(text);
      if (!m) return;
      for (const c of configs) {
        const re = new RegExp(`(^|[^\\w])${c}($|[^\\w])`);
        if (!re.test(m[1]) || !mentions(m[1], c)) continue;
        const key = `${unit.fn.path}|${unit.fn.name}|${i}|${c}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const col = text.indexOf(c);
        out.push({
          unit,
          rule: 'bracket/kconfig-prefix',
          message: `\`${c}\` is a Kconfig symbol this patch adds (\`config ${c}\`); the preprocessor sees it as CONFIG_${c}, so this test is never true and the code it guards is never built.`,
          at: { line: i, col, endCol: col + c.length },
          fixes: [{ title: `Test CONFIG_${c}`, edits: [{ at: { line: i, col, endCol: col + c.length }, newText: `CONFIG_${c}` }] }],
          trace: compiledOutTrace(ctx, unit, c, i),
          fingerprint: `bracket/kconfig-prefix|${c}`,
        });
      }
    });
  }
  return out;
}

export const kconfigPrefixRule: Rule = {
  id: 'bracket/kconfig-prefix',
  category: 'bracket',
  severity: 'warning',
  title: '#ifdef on a new Kconfig symbol without CONFIG_',
  description: 'The patch adds `config X` to a Kconfig file but tests `#ifdef X` in C: Kconfig symbols reach the preprocessor as CONFIG_X, so the guarded code (often the counting or barrier half of a bracket) is silently compiled out.',
  check: () => [],
  checkDocument: kconfigPrefix,
};
