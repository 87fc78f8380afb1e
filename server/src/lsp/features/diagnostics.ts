/**
 * Diagnostics: documents in, `publishDiagnostics` out. Patches and mails are
 * analysed by the Session (debounced, in the workers); their findings become
 * diagnostics with the rule as code (linked to its page), related
 * information, and the data the code actions and lenses need. Litmus files
 * get syntax diagnostics. In a trusted kernel tree, findings also appear on
 * the real C files. `mmReview/status` says what the status bar shows.
 */
import { collectIfGrown } from '../../util/gc';
import { jsonOnce } from '../encoder';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from '../../engine/findings';
import type { Severity } from '../../patch/model';
import { ruleInfo } from '../../rules/registry';
import { LineIndex } from '../../util/lineIndex';
import { noReplayReason, replayable, replayArgsFor } from '../replay';
import { simPort } from '../simPort';
import type { Session } from '../session';
import { isLitmusDocument, isPatchDocument } from '../settings';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};


/** The main thread's collection after a quiet time (reset by each publication). */
let idleCollect: ReturnType<typeof setTimeout> | undefined;
/**
 * When the main thread collects in the quiet time (util/gc.ts collectIfGrown): its live heap is
 * small (~16 MB on a 50k-line series: modules, the document, the held findings and their
 * diagnostics), but each publication leaves a few MB of promoted garbage, and with the workers'
 * thresholds (48 MB floor, twice the live heap) it sat anywhere between 21 and 48 MB committed
 * when the editor paused. Collecting above 24 MB or a quarter more than was live compacts
 * ~16 MB in the quiet time: no measurable change of the server's CPU per edit on the 50k-line
 * series, and the RSS after a pause no longer depends on it (docs/performance.md, "i11b").
 */
const MAIN_COLLECT = { factor: 1.25, floor: 24 * 1024 * 1024, slack: 8 * 1024 * 1024 };
export function findingKey(f: Finding): string {
  return `${f.rule}@${f.range.start.line}:${f.range.start.character}`;
}

export function toDiagnostic(f: Finding, uri: string): Diagnostic {
  const info = ruleInfo(f.rule);
  const d: Diagnostic = {
    range: f.range,
    severity: SEVERITY[f.severity],
    code: f.rule,
    codeDescription: { href: info.docUri },
    source: 'mm-review',
    message: f.message,
  };
  // Only what a finding has: a keystroke republishes every diagnostic of the document.
  const related = f.related.map((r) => ({ location: { uri, range: r.range }, message: r.message }));
  // the rest of a long explanation, at the finding itself (the message is kept to ~200 characters)
  if (f.detail) related.unshift({ location: { uri, range: f.range }, message: f.detail });
  if (related.length) d.relatedInformation = related;
  if (f.scenario || f.fixes || f.fingerprint || replayable(f)) {
    d.data = {
      key: findingKey(f),
      scenario: f.scenario ?? null,
      scenarioParams: f.scenarioParams ?? null,
      fingerprint: f.fingerprint ?? null,
      // the finding's own race (lsp/replay.ts): the command's arguments name the finding, the server rebuilds the request
      ...(replayable(f) && !noReplayReason(f) ? { replay: replayArgsFor(f, uri) } : {}),
    };
  }
  return d;
}

/**
 * The diagnostic of a finding, made once per finding object and document:
 * an edit keeps the objects of unchanged findings (analysisPort.ts), so a
 * keystroke converts only what changed. Never mutate the result.
 */
const diagnostics = new WeakMap<Finding, { uri: string; d: Diagnostic }>();
function diagnosticOf(f: Finding, uri: string): Diagnostic {
  const hit = diagnostics.get(f);
  if (hit && hit.uri === uri) return hit.d;
  // its JSON text is made once too, for every publication of it (encoder.ts)
  const d = jsonOnce(toDiagnostic(f, uri));
  diagnostics.set(f, { uri, d });
  return d;
}

export function infoDiagnostic(code: string, message: string, severity: DiagnosticSeverity): Diagnostic {
  return { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity, source: 'mm-review', code, message, codeDescription: { href: ruleInfo(code).docUri } };
}

/** The real path of `rel` under the tree `root` (itself a real path), or null when it is outside, missing or not a file. */
function insideTree(root: string, rel: string): string | null {
  try {
    const real = fs.realpathSync(path.resolve(root, rel));
    if (real !== root && !real.startsWith(root + path.sep)) return null;
    return fs.statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

export function registerDiagnostics(session: Session): void {
  const { connection, documents } = session;
  /** C files of the kernel tree that got diagnostics from each patch. */
  const treeUrisOf = new Map<string, string[]>();

  const status = (uri: string, findings: number, running: boolean) => void connection.sendNotification('mmReview/status', { uri, findings, running });

  session.onDidStartAnalysis(({ uri, findings }) => status(uri, findings, true));

  session.onDidAnalyze(({ uri, version, outcome, ms, treeRoot }) => {
    let diagnostics: Diagnostic[];
    let findings: Finding[] = [];
    if (outcome.kind === 'too-large') {
      diagnostics = [infoDiagnostic('input/too-large', `This document is larger than mmReview.maxFileSizeMB (${session.settings.maxFileSizeMB} MB): not analysed.`, DiagnosticSeverity.Information)];
    } else if (outcome.kind === 'failed') {
      connection.console.error(`analysis of ${uri} failed: ${outcome.error}`);
      diagnostics = [
        outcome.outOfMemory
          ? infoDiagnostic('input/too-large', 'The analysis of this document ran out of memory and was stopped; nothing else was affected. Split the document, or lower mmReview.maxFileSizeMB.', DiagnosticSeverity.Warning)
          : infoDiagnostic('input/internal-error', `mm-review could not analyse this document: ${outcome.error.split('\n')[0]}`, DiagnosticSeverity.Error),
      ];
    } else if (outcome.kind === 'done') {
      const r = outcome.result;
      findings = r.findings;
      diagnostics = findings.map((f) => diagnosticOf(f, uri));
      session.log(`${path.basename(uri)} v${version}: ${findings.length} finding(s) in ${ms.toFixed(1)} ms (engine ${r.ms.toFixed(1)} ms${r.incremental ? ', incremental' : ''}; ${r.budget.functions} function(s), ${r.budget.work} work unit(s)${r.budget.skipped ? `, ${r.budget.skipped} skipped` : ''})`);
    } else return;
    const prevTree = treeUrisOf.get(uri) ?? [];
    const treeUris = treeRoot ? publishTreeDiagnostics(treeRoot, findings, uri) : [];
    for (const u of prevTree) if (!treeUris.includes(u)) void connection.sendDiagnostics({ uri: u, diagnostics: [] });
    treeUrisOf.set(uri, treeUris);
    void connection.sendDiagnostics({ uri, version, diagnostics });
    // hints (each line of a repaired whitespace run) are not findings a reviewer counts
    status(uri, diagnostics.filter((d) => d.severity !== DiagnosticSeverity.Hint).length, false);
    // Lenses asked for before this analysis finished were computed on older text: ask the client to re-ask.
    if (session.canRefreshLenses) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    // the previous version's findings and diagnostics are garbage now: collect once the editor is quiet (util/gc.ts)
    if (idleCollect) clearTimeout(idleCollect);
    idleCollect = setTimeout(() => {
      idleCollect = undefined;
      collectIfGrown(MAIN_COLLECT.factor, MAIN_COLLECT.floor, MAIN_COLLECT.slack);
    }, 500);
    idleCollect.unref();
  });

  /**
   * Findings also shown on the real C files of the kernel tree, at the patched
   * lines: only on files that really are inside the tree (real paths: no
   * `../` in a patch path, no symlink out of the tree gets a diagnostic).
   */
  function publishTreeDiagnostics(root: string, findings: Finding[], patchUri: string): string[] {
    const byFile = new Map<string, Diagnostic[]>();
    const real = new Map<string, string | null>();
    for (const f of findings) {
      if (!f.file || !f.fileLine || f.category === 'input') continue;
      let file = real.get(f.file);
      if (file === undefined) real.set(f.file, (file = insideTree(root, f.file)));
      if (!file) continue;
      const uri = pathToFileURL(file).toString();
      const d = toDiagnostic(f, patchUri);
      d.range = { start: { line: f.fileLine - 1, character: 0 }, end: { line: f.fileLine - 1, character: 1000 } };
      d.relatedInformation = [{ location: { uri: patchUri, range: f.range }, message: 'reported on this patch line' }];
      let l = byFile.get(uri);
      if (!l) byFile.set(uri, (l = []));
      l.push(d);
    }
    for (const [uri, diagnostics] of byFile) void connection.sendDiagnostics({ uri, diagnostics });
    return [...byFile.keys()];
  }

  function litmusDiagnostics(doc: TextDocument): void {
    const diagnostics: Diagnostic[] = [];
    const text = doc.getText();
    if (text.length > session.settings.maxFileSizeMB * 1024 * 1024) {
      void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: [infoDiagnostic('input/too-large', `This document is larger than mmReview.maxFileSizeMB (${session.settings.maxFileSizeMB} MB): not checked.`, DiagnosticSeverity.Information)] });
      return;
    }
    const err = simPort().syntaxError(text);
    if (err) {
      // the parser counts lines at '\n' only; the editor also at a lone '\r': map through the offset
      let off = 0;
      for (let l = 1; l < err.line; l++) {
        const nl = text.indexOf('\n', off);
        if (nl < 0) break;
        off = nl + 1;
      }
      const { line, character } = new LineIndex(text).positionAt(off + Math.max(0, err.column - 1));
      diagnostics.push({
        range: { start: { line, character }, end: { line, character: character + 1 } },
        severity: DiagnosticSeverity.Error,
        source: 'mm-review',
        code: 'litmus/syntax',
        message: err.message,
      });
    }
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  }

  const changed = (doc: TextDocument, delay?: number) => {
    if (isLitmusDocument(doc)) litmusDiagnostics(doc);
    else if (isPatchDocument(doc)) session.schedule(doc, delay);
  };
  // TextDocuments reports an open as a content change too: analyse an opened document once, at once
  const justOpened = new Map<string, number>();
  documents.onDidOpen((e) => {
    justOpened.set(e.document.uri, e.document.version);
    changed(e.document, 0);
  });
  documents.onDidChangeContent((e) => {
    if (justOpened.get(e.document.uri) === e.document.version) return;
    justOpened.delete(e.document.uri);
    changed(e.document);
  });
  documents.onDidClose((e) => {
    const uri = e.document.uri;
    justOpened.delete(uri);
    for (const u of treeUrisOf.get(uri) ?? []) void connection.sendDiagnostics({ uri: u, diagnostics: [] });
    treeUrisOf.delete(uri);
    session.forget(uri);
    void connection.sendDiagnostics({ uri, diagnostics: [] });
  });
  session.onDidReset(() => {
    for (const d of documents.all()) if (isLitmusDocument(d)) litmusDiagnostics(d);
  });
}
