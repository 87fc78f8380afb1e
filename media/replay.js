// Replay view (webview script). Renders the simulator's Replay JSON posted by
// the extension: one lane per CPU, the steps in execution order, the value each
// read saw and the write it came from, stale reads, the broken invariant, and
// step/back/play/reset controls (keys: ← → space Home End).
// No eval, no inline handlers, no remote resources: the CSP forbids them.
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const app = document.getElementById('app');
  const SVG = 'http://www.w3.org/2000/svg';

  /** @type {any} */ let replay = null;
  /** @type {Record<number, number>} */ let lines = {};
  let pos = -1; // position in replay.steps of the last executed step (-1: none yet)
  let timer = 0;
  let byIndex = new Map(); // step.index -> position

  const saved = vscode.getState();
  if (saved && saved.replay) {
    setReplay(saved.replay, saved.lines || {}, saved.pos);
  }
  /** @type {{scenario: string, variant: string} | null} */ let loading = null;
  /** @type {{scenario: string, variant: string, message: string} | null} */ let failure = null;
  window.addEventListener('message', (ev) => {
    const m = ev.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'replay' && m.replay) {
      loading = null;
      failure = null;
      setReplay(m.replay, m.lines || {}, undefined);
    } else if (m.type === 'loading') {
      loading = { scenario: String(m.scenario), variant: String(m.variant) };
      failure = null;
      if (replay) render();
      else renderStandalone();
    } else if (m.type === 'error') {
      loading = null;
      failure = { scenario: String(m.scenario), variant: String(m.variant), message: String(m.message) };
      if (replay) render();
      else renderStandalone();
    }
  });

  /** Loading or error state before any replay arrived. */
  function renderStandalone() {
    app.textContent = '';
    const b = banner();
    if (b) app.append(b);
  }

  /** The "replaying…" or "failed" banner, or null. */
  function banner() {
    if (loading) {
      const b = el('div', 'banner busy');
      b.setAttribute('role', 'status');
      b.append(el('span', 'spinner'), el('span', '', 'Replaying ' + loading.scenario + ' (' + loading.variant +
        ' variant): the simulator is enumerating the executions the LKMM allows…'));
      return b;
    }
    if (failure) {
      const b = el('div', 'banner failed');
      b.setAttribute('role', 'alert');
      b.append(el('strong', '', 'Replay of ' + failure.scenario + ' (' + failure.variant + ') failed: '), el('span', '', failure.message));
      return b;
    }
    return null;
  }
  vscode.postMessage({ type: 'ready' });

  function setReplay(r, l, p) {
    stop();
    replay = r;
    lines = l;
    byIndex = new Map(r.steps.map((s, i) => [s.index, i]));
    const broken = r.outcome && typeof r.outcome.brokenAtStep === 'number' ? byIndex.get(r.outcome.brokenAtStep) : undefined;
    // Open on the whole race: every step executed, the invariant shown broken.
    pos = typeof p === 'number' ? p : Math.max(r.steps.length - 1, broken === undefined ? -1 : broken);
    render();
  }

  function save() {
    vscode.setState({ replay, lines, pos });
  }

  // ---------------------------------------------------------------- elements
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function button(label, title, onClick, cls) {
    const b = el('button', cls || 'ctl', label);
    b.type = 'button';
    b.title = title;
    b.setAttribute('aria-label', title);
    b.addEventListener('click', onClick);
    return b;
  }

  function render() {
    if (!replay) return;
    const r = replay;
    app.textContent = '';

    // Header: title, seed, variant toggle, export.
    const head = el('header', 'head');
    const h1 = el('h1', 'title');
    h1.append(el('span', 'scenario', r.scenario), ' ', el('span', '', r.title));
    h1.title = r.title;
    head.append(h1);
    const meta = el('div', 'meta');
    if (r.finding) {
      const f = el('span', 'finding', r.finding.rule + ' · ' + r.finding.function + '()' + (r.finding.line ? ' · line ' + r.finding.line : ''));
      f.title = 'The finding this race is built from';
      meta.append(f);
    }
    if (r.seed) meta.append(el('span', 'seed', 'seed ' + r.seed));
    const toggle = el('div', 'variant-toggle' + (loading ? ' busy' : ''));
    toggle.setAttribute('role', 'group');
    toggle.setAttribute('aria-label', 'Variant');
    for (const v of ['buggy', 'fixed']) {
      const b = button(v === 'buggy' ? 'Buggy' : 'Fixed', 'Show the ' + v + ' variant', () => {
        if (v !== r.variant) {
          toggle.classList.add('busy');
          vscode.postMessage({ type: 'variant', variant: v });
        }
      }, 'variant ' + v + (v === r.variant ? ' selected' : ''));
      b.setAttribute('aria-pressed', String(v === r.variant));
      if (loading) b.disabled = true;
      b.dataset.variant = v;
      toggle.append(b);
    }
    meta.append(toggle);
    meta.append(button('Export litmus', 'Open this race as a .litmus test', () => vscode.postMessage({ type: 'export' }), 'ctl export'));
    head.append(meta);
    app.append(head);

    const b = banner();
    if (b) app.append(b);
    app.append(renderOutcome(r));
    app.append(renderControls(r));
    app.append(renderLanes(r));
    app.append(renderDetail(r));

    const lit = el('details', 'litmus');
    lit.append(el('summary', '', 'Litmus program'), el('pre', 'code', r.litmus || ''));
    app.append(lit);
    drawArrow();
    save();
  }

  function renderOutcome(r) {
    const o = r.outcome || {};
    const box = el('section', 'outcome ' + (o.reachable ? 'reachable' : 'unreachable'));
    box.setAttribute('role', 'status');
    const line = el('div', 'outcome-head');
    line.append(el('span', 'badge ' + (o.reachable ? 'bad' : 'good'), o.reachable ? 'REACHABLE' : 'UNREACHABLE'), ' ');
    const inv = el('strong', 'invariant', o.invariant);
    inv.title = o.invariant || '';
    line.append(inv);
    const v = r.verdict;
    if (v) {
      const vd = el('span', 'verdict', 'LKMM: ' + v.observation + ' ' + v.positive + '/' + (v.positive + v.negative) + (v.complete ? '' : ' (search incomplete)'));
      vd.title = v.positive + ' of ' + (v.positive + v.negative) + ' executions the LKMM allows reach the bad outcome';
      line.append(vd);
    }
    box.append(line);
    // the fixed variant: the ordering or pairing that forbids the outcome, in the kernel's terms
    if (!o.reachable && r.fixReason) box.append(el('p', 'fix-reason', '✓ ' + r.fixReason));
    const more = el('details', 'outcome-more');
    more.append(el('summary', '', o.reachable ? 'Why it happens' : 'Why it cannot happen'));
    if (r.summary) more.append(el('p', 'summary', (r.variant === 'fixed' ? 'Fixed: ' : 'Patch: ') + r.summary));
    if (o.explanation) more.append(el('p', 'explanation', o.explanation));
    if (!o.reachable && Array.isArray(o.forbiddenBy) && o.forbiddenBy.length) {
      const ul = el('ul', 'forbidden-list');
      for (const why of o.forbiddenBy) ul.append(el('li', '', why));
      more.append(el('span', 'label', 'Forbidden by'), ul);
    }
    if (o.condition) {
      const c = el('div', 'condition');
      c.append(el('span', 'label', 'Condition '), el('code', '', o.condition));
      more.append(c);
    }
    if (Array.isArray(r.locations) && r.locations.length) {
      const ul = el('ul', 'locations');
      for (const l of r.locations) {
        const li = el('li');
        li.append(el('code', '', l.name), ' (initially ' + l.init + '): ' + l.meaning);
        ul.append(li);
      }
      more.append(el('span', 'label', 'Shared locations'), ul);
    }
    box.append(more);
    return box;
  }

  /** "L54" for a line of the patch, "fix" for the rule's fix, nothing for a counterpart (its lane says it). */
  function originBadge(s) {
    const o = s.origin;
    if (!o) return s.source && s.source.patchLine ? el('span', 'origin patch', 'L' + s.source.patchLine) : null;
    if (o.kind === 'patch') {
      const b = el('span', 'origin patch', 'L' + o.line);
      b.title = 'Line ' + o.line + ' of the patch' + (o.fileLine ? ' (' + o.fileLine + ' in the file)' : '') + (o.fn ? ', in ' + o.fn + '()' : '');
      return b;
    }
    if (o.kind === 'fix') {
      const b = el('span', 'origin fix', 'fix');
      b.title = 'The rule\'s fix' + (o.line ? ', at line ' + o.line + ' of the patch' : '');
      return b;
    }
    return null;
  }

  /** What a step read and wrote, as one line: `folio->_refcount: 0 → 1` for an RMW. */
  function valueLine(s) {
    const rf = (from) => (from === null || from === undefined ? 'initial' : '#' + from);
    if (s.reads && s.writes) return s.reads.location + ': ' + s.reads.value + ' (' + rf(s.reads.from) + ') → ' + s.writes.value;
    if (s.reads) return 'read ' + s.reads.location + ' = ' + s.reads.value + ' (' + rf(s.reads.from) + ')';
    if (s.writes) return s.writes.location + ' := ' + s.writes.value;
    if (s.location !== undefined && s.value !== undefined) return s.location + ' = ' + s.value;
    return '';
  }

  function renderControls(r) {
    const bar = el('nav', 'controls');
    bar.setAttribute('aria-label', 'Replay controls');
    bar.append(
      button('|◀', 'Reset (Home)', reset),
      button('◀', 'Back (←)', back),
      button(timer ? '❙❙' : '▶', timer ? 'Pause (space)' : 'Play (space)', togglePlay, 'ctl play'),
      button('▶|', 'Step (→)', step),
      button('▶▶|', 'Last step (End)', end),
    );
    bar.append(el('span', 'counter', 'Step ' + (pos + 1) + ' / ' + r.steps.length));
    bar.append(el('span', 'hint', '← → step · space play · Home reset'));
    return bar;
  }

  function renderLanes(r) {
    const wrap = el('section', 'lanes-wrap');
    const grid = el('div', 'lanes');
    grid.id = 'lanes';
    grid.style.gridTemplateColumns = 'repeat(' + r.cpus.length + ', minmax(12em, 1fr))';
    const col = new Map(r.cpus.map((c, i) => [c.id, i + 1]));
    r.cpus.forEach((c, i) => {
      const h = el('div', 'lane-head' + (c.origin ? ' ' + c.origin : ''));
      h.append(el('span', 'lane-name', c.name));
      if (c.origin === 'counterpart') h.append(el('span', 'lane-origin', 'counterpart' + (c.protocol ? ': ' + c.protocol : '')));
      else if (c.origin === 'patch') h.append(el('span', 'lane-origin', 'the patch'));
      h.title = c.name + (c.protocol ? ' (' + c.protocol + ')' : '');
      h.style.gridColumn = String(i + 1);
      h.style.gridRow = '1';
      grid.append(h);
      const bg = el('div', 'lane-bg');
      bg.style.gridColumn = String(i + 1);
      bg.style.gridRow = '1 / span ' + (r.steps.length + 1);
      grid.prepend(bg);
    });
    const cur = r.steps[pos];
    const rfSource = cur && cur.readsFrom && cur.readsFrom.step !== null && cur.readsFrom.step !== undefined
      ? byIndex.get(cur.readsFrom.step) : undefined;
    const staleNewer = cur && cur.stale ? byIndex.get(cur.stale.newerStep) : undefined;
    const brokenPos = typeof r.outcome.brokenAtStep === 'number' ? byIndex.get(r.outcome.brokenAtStep) : undefined;

    r.steps.forEach((s, i) => {
      const card = el('div', 'step kind-' + s.kind);
      card.id = 'step-' + i;
      card.style.gridColumn = String(col.get(s.cpu) || 1);
      card.style.gridRow = String(i + 2);
      if (i > pos) card.classList.add('future');
      if (i === pos) card.classList.add('current');
      if (i === rfSource) card.classList.add('rf-source');
      if (i === staleNewer) card.classList.add('stale-newer');
      if (s.stale) card.classList.add('stale');
      const isBroken = i === brokenPos && r.outcome.reachable;
      if (isBroken) card.classList.add('broken-at');
      if (isBroken && i <= pos) card.classList.add('broken');
      card.tabIndex = -1;

      const top = el('div', 'step-top');
      top.append(el('span', 'step-no', '#' + s.index), el('span', 'kind', s.kind));
      const ob = originBadge(s);
      if (ob) top.append(ob);
      const vl = valueLine(s);
      if (vl) {
        const lv = el('code', 'locval', vl);
        lv.title = s.readsFrom ? s.readsFrom.description : vl;
        top.append(lv);
      }
      card.append(top);
      const code = el('code', 'src', s.text);
      code.title = s.explanation || s.text;
      card.append(code);
      if (s.stale) {
        const st = el('div', 'stale-mark', '⚠ stale: #' + s.stale.newerStep + "'s write not yet visible");
        st.title = s.stale.description || '';
        card.append(st);
      }
      if (isBroken) card.append(el('div', 'broken-mark', '✗ invariant broken'));
      const line = lines[s.index];
      if (typeof line === 'number') {
        card.classList.add('has-source');
        card.title = 'Go to line ' + (line + 1) + ' of the patch';
        card.addEventListener('click', () => {
          pos = i;
          render();
          vscode.postMessage({ type: 'reveal', line });
        });
      } else {
        card.addEventListener('click', () => {
          pos = i;
          render();
        });
      }
      grid.append(card);
    });
    wrap.append(grid);
    return wrap;
  }

  function renderDetail(r) {
    const box = el('section', 'detail');
    box.setAttribute('aria-live', 'polite');
    const s = r.steps[pos];
    if (!s) {
      box.append(el('p', 'muted', 'Nothing executed yet. Press → to run the first step.'));
      return box;
    }
    const cpu = r.cpus.find((c) => c.id === s.cpu);
    const h = el('h2', '', 'Step #' + s.index + ' on ' + (cpu ? cpu.name : 'CPU' + s.cpu));
    box.append(h, el('code', 'src big', s.text));
    if (s.explanation) box.append(el('p', '', s.explanation));
    const o = s.origin;
    if (o) box.append(el('p', 'origin-desc', o.kind === 'patch' ? 'Line ' + o.line + ' of the patch' + (o.fileLine ? ' (line ' + o.fileLine + ' of the file)' : '') + (o.fn ? ', in ' + o.fn + '()' : '')
      : o.kind === 'fix' ? "The rule's fix" + (o.line ? ', at line ' + o.line + ' of the patch' + (o.fn ? ' (in ' + o.fn + '())' : '') : '')
      : o.kind === 'counterpart' ? 'The other side: ' + o.protocol : 'Seed ' + o.seed));
    if (s.reads) box.append(el('p', 'rf-desc', 'Read ' + s.reads.location + ' = ' + s.reads.value + ', ' + (s.readsFrom ? s.readsFrom.description : (s.reads.from === null ? 'the initial value' : 'from step #' + s.reads.from))));
    if (s.writes) box.append(el('p', 'rf-desc', 'Wrote ' + s.writes.location + ' = ' + s.writes.value));
    if (s.stale) box.append(el('p', 'stale-desc', '⚠ Stale read: ' + s.stale.description));
    const brokenPos = typeof r.outcome.brokenAtStep === 'number' ? byIndex.get(r.outcome.brokenAtStep) : undefined;
    if (r.outcome.reachable && brokenPos !== undefined && pos >= brokenPos) {
      box.append(el('p', 'broken-desc', '✗ Invariant broken at step #' + r.outcome.brokenAtStep + ': ' + r.outcome.invariant));
    }
    return box;
  }

  // Reads-from arrow for the current step: an SVG overlay on the lanes grid.
  function drawArrow() {
    const grid = document.getElementById('lanes');
    if (!grid || !replay) return;
    const s = replay.steps[pos];
    if (!s || !s.readsFrom || s.readsFrom.step === null || s.readsFrom.step === undefined) return;
    const from = byIndex.get(s.readsFrom.step);
    if (from === undefined) return;
    const a = document.getElementById('step-' + from);
    const b = document.getElementById('step-' + pos);
    if (!a || !b) return;
    const g = grid.getBoundingClientRect();
    const ra = a.getBoundingClientRect();
    const rb = b.getBoundingClientRect();
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'arrows');
    svg.setAttribute('width', String(grid.scrollWidth));
    svg.setAttribute('height', String(grid.scrollHeight));
    const defs = document.createElementNS(SVG, 'defs');
    const marker = document.createElementNS(SVG, 'marker');
    marker.setAttribute('id', 'head');
    marker.setAttribute('viewBox', '0 0 10 10');
    marker.setAttribute('refX', '9');
    marker.setAttribute('refY', '5');
    marker.setAttribute('markerWidth', '7');
    marker.setAttribute('markerHeight', '7');
    marker.setAttribute('orient', 'auto-start-reverse');
    const tip = document.createElementNS(SVG, 'path');
    tip.setAttribute('d', 'M0,0 L10,5 L0,10 z');
    tip.setAttribute('class', 'arrow-head');
    marker.append(tip);
    defs.append(marker);
    svg.append(defs);
    const x1 = ra.left + ra.width / 2 - g.left;
    const y1 = ra.bottom - g.top;
    const x2 = rb.left + (ra.left < rb.left ? 12 : rb.width - 12) - g.left;
    const y2 = rb.top + rb.height / 2 - g.top;
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', 'M' + x1 + ',' + y1 + ' C' + x1 + ',' + (y1 + y2) / 2 + ' ' + x2 + ',' + (y1 + y2) / 2 + ' ' + x2 + ',' + y2);
    path.setAttribute('class', 'arrow' + (s.stale ? ' stale' : ''));
    path.setAttribute('marker-end', 'url(#head)');
    svg.append(path);
    grid.append(svg);
  }

  // ---------------------------------------------------------------- controls
  function go(p) {
    if (!replay) return;
    pos = Math.max(-1, Math.min(replay.steps.length - 1, p));
    render();
    const c = document.getElementById('step-' + pos);
    if (c) c.scrollIntoView({ block: 'nearest' });
  }
  function step() {
    go(pos + 1);
  }
  function back() {
    go(pos - 1);
  }
  function reset() {
    stop();
    go(-1);
  }
  function end() {
    stop();
    go(replay ? replay.steps.length - 1 : -1);
  }
  function stop() {
    if (timer) clearInterval(timer);
    timer = 0;
  }
  function togglePlay() {
    if (!replay) return;
    if (timer) {
      stop();
      render();
      return;
    }
    if (pos >= replay.steps.length - 1) pos = -1;
    timer = setInterval(() => {
      if (!replay || pos >= replay.steps.length - 1) {
        stop();
        render();
        return;
      }
      go(pos + 1);
    }, 900);
    render();
  }

  document.addEventListener('keydown', (e) => {
    if (e.target && /** @type {HTMLElement} */ (e.target).closest && /** @type {HTMLElement} */ (e.target).closest('input, textarea, summary')) return;
    switch (e.key) {
      case 'ArrowRight':
        stop();
        step();
        break;
      case 'ArrowLeft':
        stop();
        back();
        break;
      case ' ':
        togglePlay();
        break;
      case 'Home':
        reset();
        break;
      case 'End':
        end();
        break;
      default:
        return;
    }
    e.preventDefault();
  });
  window.addEventListener('resize', () => {
    const old = document.querySelector('svg.arrows');
    if (old) old.remove();
    drawArrow();
  });
})();
