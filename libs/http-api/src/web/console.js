// The brokered-etl web console: plain browser JavaScript over the API, no build step.
// Everything shown comes from the API and is set with textContent, never as HTML.
'use strict';

(() => {
  const $ = (selector) => document.querySelector(selector);
  const STAGES = ['extracted', 'transformed', 'rejected', 'loaded'];
  const OPEN = new Set(['requested', 'running', 'stalled']);
  const state = { pipelines: [], runs: [], selected: null, events: null, runsTimer: null };

  // ---- API ------------------------------------------------------------------

  const tokenInput = $('#token');
  tokenInput.value = sessionStorage.getItem('etl-token') || '';
  tokenInput.addEventListener('change', () => sessionStorage.setItem('etl-token', tokenInput.value.trim()));

  async function api(method, path, body) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const token = tokenInput.value.trim();
    if (token && method !== 'GET') headers.authorization = `Bearer ${token}`;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const payload = await response.json().catch(() => ({}));
    if (!response.ok) {
      const hint = response.status === 401 ? ' (set the API token at the top right)' : '';
      throw new Error(`${payload.message || response.statusText}${hint}`);
    }
    return payload;
  }

  // ---- small DOM helpers ----------------------------------------------------

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null) continue;
      if (name === 'class') node.className = value;
      else if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  function toast(message, isError = false) {
    const item = el('div', { class: isError ? 'error' : '', text: message });
    $('#toast').append(item);
    setTimeout(() => item.remove(), isError ? 8000 : 4000);
  }

  const number = (n) => (n === undefined || n === null ? '–' : Number(n).toLocaleString('en-US'));
  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '–');
  function duration(fromIso, toIso) {
    if (!fromIso) return '–';
    const ms = (toIso ? new Date(toIso) : new Date()) - new Date(fromIso);
    if (ms < 1000) return `${ms} ms`;
    if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
    return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  }
  function progressBar(run) {
    const total = run.totalRecords;
    const done = run.counts ? run.counts.loaded + run.counts.rejected : 0;
    const pct = run.status === 'completed' ? 100 : total ? Math.min(100, Math.round((done / total) * 100)) : 0;
    const bar = el('div', { class: 'bar', title: `${pct}%` }, el('span'));
    bar.firstChild.style.width = `${pct}%`;
    return bar;
  }
  const splitsText = (run) => (run.splitCount === undefined || run.splitCount === null ? undefined : `${(run.counts && run.counts.splitsExtracted) || 0}/${run.splitCount} extracted`);
  const statusBadge = (status) => el('span', { class: `status ${status}`, 'data-status': status, text: status });

  // ---- trigger form ---------------------------------------------------------

  function renderParams() {
    const pipeline = state.pipelines.find((p) => p.name === $('#pipeline').value);
    const box = $('#params');
    box.replaceChildren();
    $('#pipeline-description').textContent = pipeline ? pipeline.description : '';
    if (!pipeline) return;
    for (const [name, spec] of Object.entries(pipeline.params)) {
      box.append(el('label', { title: spec.description }, `${name}`, el('input', { name: `param-${name}`, 'data-param': name, placeholder: spec.default || '' })));
    }
  }

  async function loadPipelines() {
    const { pipelines } = await api('GET', '/pipelines');
    state.pipelines = pipelines;
    $('#pipeline').replaceChildren(...pipelines.map((p) => el('option', { value: p.name, text: p.name })));
    renderParams();
  }

  $('#pipeline').addEventListener('change', renderParams);
  $('#trigger-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const params = {};
    for (const input of document.querySelectorAll('#params input')) if (input.value.trim()) params[input.dataset.param] = input.value.trim();
    const body = { pipeline: $('#pipeline').value, params };
    if ($('#run-id').value.trim()) body.runId = $('#run-id').value.trim();
    $('#trigger-button').disabled = true;
    try {
      const { runId } = await api('POST', '/runs', body);
      toast(`run ${runId} requested`);
      $('#run-id').value = '';
      await refreshRuns();
      await selectRun(runId);
    } catch (err) {
      toast(`trigger failed: ${err.message}`, true);
    } finally {
      $('#trigger-button').disabled = false;
    }
  });

  // ---- runs table -----------------------------------------------------------

  function runRow(run) {
    const row = el('tr', { 'data-run-id': run.runId, 'data-status': run.status, class: state.selected === run.runId ? 'selected' : '' });
    const counts = run.counts || {};
    row.append(
      el('td', {}, el('code', { text: run.runId })),
      el('td', { text: run.pipeline }),
      el('td', {}, statusBadge(run.status)),
      ...STAGES.map((stage) => el('td', { class: 'num', 'data-count': stage, text: number(counts[stage]) })),
      el('td', {}, progressBar(run)),
      el('td', { text: time(run.requestedAt) }),
      el('td', { text: duration(run.requestedAt, run.finishedAt) }),
    );
    row.addEventListener('click', () => void selectRun(run.runId));
    return row;
  }

  function renderRuns() {
    $('#runs-table tbody').replaceChildren(...state.runs.map(runRow));
    $('#runs-empty').hidden = state.runs.length > 0;
  }

  /** A run's newest state (from the list or its event stream) replaces its row. */
  function updateRun(run) {
    const index = state.runs.findIndex((r) => r.runId === run.runId);
    if (index >= 0) state.runs[index] = { ...state.runs[index], ...run };
    else state.runs.unshift(run);
    renderRuns();
  }

  async function refreshRuns() {
    try {
      state.runs = (await api('GET', '/runs?limit=20')).runs;
      renderRuns();
    } catch (err) {
      toast(`cannot list runs: ${err.message}`, true);
    }
  }

  // poll the list faster while something is moving; the selected run streams on its own
  function scheduleRuns() {
    clearTimeout(state.runsTimer);
    const busy = state.runs.some((r) => OPEN.has(r.status));
    state.runsTimer = setTimeout(async () => {
      await refreshRuns();
      scheduleRuns();
    }, busy ? 1000 : 5000);
  }

  // ---- run detail -----------------------------------------------------------

  function renderDetail(run) {
    $('#detail').hidden = false;
    $('#detail').dataset.runId = run.runId;
    $('#detail').dataset.status = run.status;
    $('#detail-run-id').textContent = run.runId;
    $('#detail-status').replaceChildren(statusBadge(run.status));
    $('#detail-failure').hidden = !run.failure && !run.stall;
    $('#detail-failure').textContent = run.failure ? `${run.failure.code}: ${run.failure.message}` : run.stall ? `stalled at ${run.stall.stage}: ${run.stall.reason}` : '';

    const facts = [['pipeline', run.pipeline], ['params', JSON.stringify(run.params || {})], ['generation', String(run.generation || 0)], ['total records', number(run.totalRecords)], ['total chunks', number(run.totalChunks)], ['splits', splitsText(run)]];
    if (run.requestedBy) facts.splice(2, 0, ['requested by', run.requestedBy]);
    $('#detail-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { 'data-fact': k, text: v ?? '–' })]));

    const counts = run.counts || {};
    const countRows = [...STAGES, 'chunksExtracted', 'chunksLoaded', 'splitsExtracted'].map((name) => el('tr', { 'data-count': name }, el('th', { text: name }), el('td', { class: 'num', text: number(counts[name]) })));
    $('#detail-counts tbody').replaceChildren(...countRows);

    // a rerun restarts the clock: its start is the reopen, and the first run's extraction is history
    const rerun = (run.generation || 0) > 0;
    const timings = [
      ['requested', time(run.requestedAt)],
      [rerun ? `rerun ${run.generation} started` : 'started', time(run.startedAt)],
      ['source ended', time(run.sourceEndedAt)],
      ['finished', time(run.finishedAt)],
      ...(rerun
        ? [['rerun took', duration(run.reopenedAt || run.startedAt, run.finishedAt)]]
        : [
            ['waited for extractor', duration(run.requestedAt, run.startedAt || undefined)],
            ['extracting', run.startedAt ? duration(run.startedAt, run.sourceEndedAt) : '–'],
            ['total', duration(run.requestedAt, run.finishedAt)],
          ]),
    ];
    $('#detail-timings tbody').replaceChildren(...timings.map(([k, v]) => el('tr', { 'data-timing': k }, el('th', { text: k }), el('td', { class: 'num', text: v }))));
    const rerunnable = run.totalChunks !== undefined && run.totalChunks !== null;
    $('#rerun-transform').disabled = !rerunnable;
    $('#rerun-load').disabled = !rerunnable;
  }

  async function loadDeadLetters(runId) {
    const { deadLetters } = await api('GET', `/dlq?all=true&limit=200&runId=${encodeURIComponent(runId)}`);
    const rows = deadLetters.map((d) =>
      el('tr', { 'data-dead-letter': d.id },
        el('td', { text: time(d.failedAt) }),
        el('td', { text: d.stage }),
        el('td', { text: `${d.errorCode}: ${d.errorMessage}` }),
        el('td', { class: 'record', text: d.record || (d.valueBytes === null ? '–' : `${d.valueBytes} bytes`) }),
        el('td', { text: d.redrivenAt ? `redriven ${time(d.redrivenAt)}` : 'open' }),
      ),
    );
    $('#detail-dlq tbody').replaceChildren(...rows);
    $('#detail-dlq-empty').hidden = rows.length > 0;
    $('#redrive').disabled = !deadLetters.some((d) => !d.redrivenAt);
  }

  function follow(runId) {
    if (state.events) state.events.close();
    state.events = null;
    $('#detail-live').textContent = 'live';
    const source = new EventSource(`/runs/${encodeURIComponent(runId)}/events`);
    state.events = source;
    const onSnapshot = (event) => {
      if (state.selected !== runId) return;
      const snapshot = JSON.parse(event.data);
      renderDetail({ ...state.detail, ...snapshot });
      state.detail = { ...state.detail, ...snapshot };
      updateRun(snapshot);
    };
    source.addEventListener('progress', onSnapshot);
    source.addEventListener('end', (event) => {
      onSnapshot(event);
      // the server closes after `end`; closing here stops the browser reconnecting
      source.close();
      if (state.events === source) state.events = null;
      $('#detail-live').textContent = '';
      void loadDeadLetters(runId).catch(() => undefined);
    });
  }

  async function selectRun(runId) {
    state.selected = runId;
    renderRuns();
    try {
      const run = await api('GET', `/runs/${encodeURIComponent(runId)}`);
      state.detail = run;
      renderDetail(run);
      await loadDeadLetters(runId);
      if (OPEN.has(run.status)) follow(runId);
      else if (state.events) {
        state.events.close();
        state.events = null;
        $('#detail-live').textContent = '';
      }
    } catch (err) {
      toast(`cannot show run ${runId}: ${err.message}`, true);
    }
  }

  async function rerun(from) {
    const runId = state.selected;
    try {
      const result = await api('POST', `/runs/${encodeURIComponent(runId)}/rerun`, { from });
      toast(`run ${runId}: ${result.chunks} chunk(s) re-emitted for ${from}, generation ${result.generation}`);
      await selectRun(runId);
      await refreshRuns();
    } catch (err) {
      toast(`rerun failed: ${err.message}`, true);
    }
  }
  $('#rerun-transform').addEventListener('click', () => void rerun('transform'));
  $('#rerun-load').addEventListener('click', () => void rerun('load'));

  $('#redrive').addEventListener('click', async () => {
    const runId = state.selected;
    try {
      const { redriven } = await api('POST', '/dlq/redrive', { runId });
      toast(`redriven ${redriven.length} dead letter(s)`);
      await loadDeadLetters(runId);
      await selectRun(runId);
    } catch (err) {
      toast(`redrive failed: ${err.message}`, true);
    }
  });

  // ---- start ----------------------------------------------------------------

  loadPipelines().catch((err) => toast(`cannot load pipelines: ${err.message}`, true));
  void refreshRuns().then(scheduleRuns);
})();
