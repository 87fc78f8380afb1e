/**
 * Subject lines: `Re: [PATCH v2 3/7] mm/gup: ...`, `[RFC,24/37] ...`,
 * `[PATCH 0/5] ...`, `[tip:x86/mm] ...`.
 */

export interface SubjectInfo {
  /** Subject without reply prefixes and bracket tags. */
  title: string;
  /** Starts with Re:/Aw:/Sv:/Antw: (a reply). */
  isReply: boolean;
  /** Starts with Fwd:/Fw:. */
  isForward: boolean;
  /** A tag says PATCH or RFC, or carries an N/M counter. */
  isPatch: boolean;
  version?: number;
  series?: { version?: number; index: number; total: number };
}

const REPLY = /^(?:re|aw|sv|antw|odp|vs)(?:\[\d+\])?\s*:\s*/i;
const FORWARD = /^(?:fwd?|wg|tr)\s*:\s*/i;

export function parseSubject(raw: string): SubjectInfo {
  let s = raw.replace(/\s+/g, ' ').trim();
  const info: SubjectInfo = { title: '', isReply: false, isForward: false, isPatch: false };
  for (let guard = 0; guard < 32; guard++) {
    let m = REPLY.exec(s);
    if (m) {
      info.isReply = true;
      s = s.slice(m[0].length);
      continue;
    }
    m = FORWARD.exec(s);
    if (m) {
      info.isForward = true;
      s = s.slice(m[0].length);
      continue;
    }
    m = /^\[([^\]]{0,200})\]\s*/.exec(s);
    if (m) {
      readTag(m[1], info);
      s = s.slice(m[0].length);
      continue;
    }
    break;
  }
  info.title = s.trim();
  if (info.series && info.version !== undefined) info.series.version = info.version;
  return info;
}

function readTag(tag: string, info: SubjectInfo): void {
  const tokens = tag.split(/[\s,]+/).filter((t) => t.length > 0);
  let patchy = false;
  let counter: { index: number; total: number } | undefined;
  let version: number | undefined;
  for (const t of tokens) {
    if (/^(?:patch|rfc|resend)$/i.test(t)) patchy = true;
    else if (/^patchv\d+$/i.test(t)) {
      patchy = true;
      version = parseInt(t.slice(6), 10);
    } else if (/^v\d{1,4}$/i.test(t)) version = parseInt(t.slice(1), 10);
    else if (/^\d{1,5}\/\d{1,5}$/.test(t)) {
      const [a, b] = t.split('/').map((x) => parseInt(x, 10));
      if (b > 0 && a <= b) counter = { index: a, total: b };
    }
  }
  // "[tip:x86/mm]" is a tag but not a patch marker; "[RFC,24/37]" is
  if (patchy || counter) {
    info.isPatch = true;
    if (version !== undefined) info.version = version;
    if (counter && !info.series) info.series = { index: counter.index, total: counter.total };
  }
}
