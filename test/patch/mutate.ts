/** Deterministic mutations of patches and mails (mail-client damage, truncation, byte flips...), shared by the fuzz tests. */
/** mulberry32: small, fast, deterministic. */
export function prng(seedValue: number): () => number {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const MIME_DOC = [
  'From: Fuzz <f@example.org>',
  'Subject: =?UTF-8?q?[PATCH_1/2]_mm:_f=C3=BCzz?=',
  'Content-Type: multipart/mixed; boundary="b"',
  '',
  '--b',
  'Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Some text =3D with a soft =',
  'break and a long flowed ',
  'line.',
  ' mm/a.c | 2 +-',
  ' 1 file changed, 1 insertion(+), 1 deletion(-)',
  '--b',
  'Content-Type: text/x-patch',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('diff --git a/mm/a.c b/mm/a.c\n--- a/mm/a.c\n+++ b/mm/a.c\n@@ -1,3 +1,3 @@ int f(void)\n {\n-\treturn 0;\n+\treturn 1;\n }\n').toString('base64'),
  '--b--',
  '',
].join('\n');

const INSERTS = [
  '@@ -1,3 +1,4 @@',
  '@@ -99999999,99999999 +1 @@ huge',
  '@@ -0,0 +0,0 @@',
  'diff --git a/x.c b/x.c',
  'diff --git ',
  '--- a/x.c',
  '+++ b/x.c',
  '+',
  '-',
  ' ',
  '',
  '+\tfolio_get(folio);',
  '-\tget_page(page);',
  '\\ No newline at end of file',
  '> diff --git a/q b/q',
  '> @@ -1 +1 @@',
  'From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001',
  '>From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001',
  'From mboxrd@z Thu Jan  1 00:00:00 1970',
  'From: Someone <s@example.org>',
  'Subject: Re: [PATCH v2 1/3] x',
  'Content-Type: multipart/mixed; boundary=z',
  'Content-Transfer-Encoding: quoted-printable',
  'Content-Transfer-Encoding: base64',
  '--z',
  '=3D=',
  '=?UTF-8?q?=C3?=',
  'GIT binary patch',
  'literal 12',
  'rename from a',
  'similarity index 101%',
  'new file mode 100644',
  ' 3 files changed, 1 insertion(+), 9 deletions(-)',
  ' mm/x.c | 12 +++---',
  'From: X @ 2017-04-20 21:46 UTC (permalink / raw)',
  '^ permalink raw reply\t[flat|nested] 48+ messages in thread',
  'Message-ID: <a@b> (raw)',
  'diff mbox series',
  'Commit Message',
  'A Person April 7, 2021, 1:44 a.m. UTC | #1',
];

export function mutate(base: string, rnd: () => number): string {
  let t = base;
  const n = 1 + Math.floor(rnd() * 3);
  const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)];
  for (let k = 0; k < n; k++) {
    const op = Math.floor(rnd() * 9);
    const lines = () => t.split('\n');
    switch (op) {
      case 0: // truncate
        t = t.slice(0, Math.floor(rnd() * t.length));
        break;
      case 1: {
        // flip bytes
        const chars = t.split('');
        const flips = 1 + Math.floor(rnd() * 8);
        for (let i = 0; i < flips && chars.length; i++) {
          const at = Math.floor(rnd() * chars.length);
          chars[at] = rnd() < 0.5 ? String.fromCharCode(Math.floor(rnd() * 256)) : pick(['\n', '\r', '=', '@', '+', '-', ' ', '\t', '>', '\u0000', '\ufffd', '"', '\\']);
        }
        t = chars.join('');
        break;
      }
      case 2: {
        // delete lines
        const ls = lines();
        const at = Math.floor(rnd() * ls.length);
        ls.splice(at, 1 + Math.floor(rnd() * 5));
        t = ls.join('\n');
        break;
      }
      case 3: {
        // duplicate lines
        const ls = lines();
        const at = Math.floor(rnd() * ls.length);
        const len = 1 + Math.floor(rnd() * 6);
        ls.splice(at, 0, ...ls.slice(at, at + len));
        t = ls.join('\n');
        break;
      }
      case 4: // CRLF, all or part
        if (rnd() < 0.5) t = t.replace(/\n/g, '\r\n');
        else {
          const cut = Math.floor(rnd() * t.length);
          t = t.slice(0, cut) + t.slice(cut).replace(/\n/g, '\r\n');
        }
        break;
      case 5: {
        // insert diff-ish / mail-ish lines
        const ls = lines();
        const count = 1 + Math.floor(rnd() * 4);
        for (let i = 0; i < count; i++) {
          const line =
            rnd() < 0.2
              ? `@@ -${Math.floor(rnd() * 5000)},${Math.floor(rnd() * 40)} +${Math.floor(rnd() * 5000)},${Math.floor(rnd() * 40)} @@${rnd() < 0.5 ? ' static int f(void)' : ''}`
              : pick(INSERTS);
          ls.splice(Math.floor(rnd() * (ls.length + 1)), 0, line);
        }
        t = ls.join('\n');
        break;
      }
      case 6: {
        // remove the line breaks of a region (a flattened piece)
        const a = Math.floor(rnd() * t.length);
        const b = Math.min(t.length, a + Math.floor(rnd() * 3000));
        t = t.slice(0, a) + t.slice(a, b).replace(/\r?\n/g, ' ') + t.slice(b);
        break;
      }
      case 7: {
        // swap two chunks
        const a = Math.floor(rnd() * t.length);
        const b = Math.floor(rnd() * t.length);
        const [x, y] = a < b ? [a, b] : [b, a];
        const mid = x + Math.floor((y - x) / 2);
        t = t.slice(0, x) + t.slice(mid, y) + t.slice(x, mid) + t.slice(y);
        break;
      }
      default: {
        // expand tabs / wrap long lines (mail-client damage)
        const ls = lines().map((l) => (rnd() < 0.3 ? l.replace(/\t/g, '        ') : l));
        t = ls.flatMap((l) => (l.length > 60 && rnd() < 0.3 ? [l.slice(0, 60), l.slice(60)] : [l])).join('\n');
      }
    }
  }
  return t;
}

