/**
 * Rule metadata registry: id -> title, category, default severity, docs page.
 * Rules register their descriptors here; parse diagnostics (category 'input')
 * are described by the input-rule table below.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import type { Category } from './api';
import type { Severity } from '../patch/model';

export interface RuleInfo {
  id: string;
  category: Category;
  severity: Severity;
  title: string;
  description: string;
  /** docs/rules/<file>.md, relative to the repository / extension root. */
  docPath: string;
  /** A URI for the docs page (file: URI of the installed docs). */
  docUri: string;
}

const registry = new Map<string, RuleInfo>();

let docsRootCache: string | undefined;
/** The folder that holds docs/rules: found by walking up from this module. */
export function docsRoot(): string {
  if (docsRootCache !== undefined) return docsRootCache;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'docs', 'rules'))) return (docsRootCache = dir);
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return (docsRootCache = path.resolve(__dirname, '..', '..', '..'));
}

export function docFileFor(id: string): string {
  return `docs/rules/${id.replace(/\//g, '--')}.md`;
}

function fileUri(p: string): string {
  const abs = path.resolve(p).split(path.sep).map(encodeURIComponent).join('/');
  return `file://${abs.startsWith('/') ? '' : '/'}${abs}`;
}

export function registerRule(info: Omit<RuleInfo, 'docPath' | 'docUri'> & { docPath?: string }): void {
  const docPath = info.docPath ?? docFileFor(info.id);
  registry.set(info.id, { ...info, docPath, docUri: fileUri(path.join(docsRoot(), docPath)) });
}

export function ruleInfo(id: string): RuleInfo {
  const r = registry.get(id);
  if (r) return r;
  const category = (id.split('/')[0] || 'input') as Category;
  const docPath = docFileFor(id);
  return {
    id,
    category,
    severity: 'warning',
    title: id,
    description: id,
    docPath,
    docUri: fileUri(path.join(docsRoot(), docPath)),
  };
}

export function allRules(): RuleInfo[] {
  return [...registry.values()].sort((a, b) => a.id.localeCompare(b.id));
}
