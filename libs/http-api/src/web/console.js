// The brokered-etl web console: plain browser JavaScript over the API, no build step.
// Everything shown comes from the API and is set with textContent, never as HTML.
'use strict';

(() => {
  const $ = (selector) => document.querySelector(selector);
  const STAGES = ['extracted', 'transformed', 'rejected', 'loaded'];
  const OPEN = new Set(['requested', 'running', 'stalled']);
  const state = { pipelines: [], runs: [], selected: null, events: null, runsTimer: null };

  // ---- API ------------------------------------------------------------------

  // The token lives in this tab's sessionStorage only: gone when the tab closes, never in a cookie
  // (so no other site's page can make the browser send it), never in a URL (logs, history, Referer).
  const TOKEN_KEY = 'etl-token';
  const tokenInput = $('#token');
  tokenInput.value = sessionStorage.getItem(TOKEN_KEY) || '';
  const token = () => tokenInput.value.trim();
  const authHeaders = () => (token() ? { authorization: `Bearer ${token()}` } : {});

  /** The prompt at the top: shown until a token is entered, and again whenever the API answers 401. */
  function askForToken(reason) {
    $('#auth-prompt-reason').textContent = reason;
    $('#auth-prompt').hidden = false;
    tokenInput.focus();
  }

  let tokenTimer = null;
  tokenInput.addEventListener('input', () => {
    sessionStorage.setItem(TOKEN_KEY, token());
    clearTimeout(tokenTimer);
    // a pasted token: load what the page shows once typing stops
    tokenTimer = setTimeout(() => {
      if (!token()) return askForToken('Enter an API token to use the console.');
      $('#auth-prompt').hidden = true;
      void start();
    }, 250);
  });

  /** An API answer that is not 2xx, as an Error whose message says what to do. */
  async function failure(response) {
    const payload = await response.json().catch(() => ({}));
    const message = payload.message || response.statusText;
    if (response.status === 401) {
      askForToken(`The API refused the token: ${message}`);
      return new Error(`${message} (set the API token at the top right)`);
    }
    if (response.status === 403) return new Error(`${message} (this token can read, not change: use a write token)`);
    if (response.status === 429) return new Error(`${message} (retry in ${response.headers.get('retry-after') || 'a few'} s)`);
    // field: the input the API refused (e.g. body.params.limit), for the form to mark
    return Object.assign(new Error(message), { field: payload.field });
  }

  async function api(method, path, body) {
    const headers = { accept: 'application/json', ...authHeaders() };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!response.ok) throw await failure(response);
    return response.json().catch(() => ({}));
  }

  /**
   * A run's server-sent events over fetch: EventSource cannot send the token
   * header, and a token in the URL would end up in logs. Calls onEvent(type,
   * data) per event; resolves when the server ends the stream or `signal` aborts.
   */
  async function readEvents(path, signal, onEvent) {
    const response = await fetch(path, { headers: { accept: 'text/event-stream', ...authHeaders() }, signal });
    if (!response.ok) throw await failure(response);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.*)$/m.exec(block);
        const data = /^data: (.*)$/m.exec(block);
        if (type && data) onEvent(type[1], JSON.parse(data[1]));
      }
    }
  }

  // the API document needs the token too: fetched with it, handed over as a download
  $('#openapi-link').addEventListener('click', async (event) => {
    event.preventDefault();
    try {
      const doc = await api('GET', '/openapi.json');
      const link = el('a', { href: URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' })), download: 'openapi.json' });
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (err) {
      toast(`cannot fetch the API document: ${err.message}`, true);
    }
  });

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

  // Each param's input carries its spec (GET /pipelines) as attributes, so the browser refuses what it can;
  // paramProblem then checks what it cannot (a whole number's spelling, values, a pattern it would not compile),
  // with the API's rules and words (validateParams). Path confinement only the server can judge: its 400 is shown too.
  const currentPipeline = () => state.pipelines.find((p) => p.name === $('#pipeline').value);
  const paramInputs = () => document.querySelectorAll('#params [data-param]');

  /** Browsers compile `pattern` with the v flag, stricter than the server's RegExp: one they would reject is left to paramProblem. */
  function browserPattern(pattern) {
    try {
      return pattern === undefined ? undefined : (new RegExp(pattern, 'v'), pattern);
    } catch {
      return undefined;
    }
  }

  function paramInput(name, spec) {
    const required = spec.required && spec.default === undefined ? '' : undefined;
    const common = { name: `param-${name}`, 'data-param': name, required };
    if (spec.values) {
      const empty = el('option', { value: '', text: required === undefined ? `default${spec.default ? `: ${spec.default}` : ''}` : 'choose one' });
      return el('select', common, empty, ...spec.values.map((value) => el('option', { value, text: value })));
    }
    const placeholder = spec.default || '';
    if (spec.type === 'integer') return el('input', { ...common, type: 'number', step: '1', min: spec.min, max: spec.max, inputmode: 'numeric', placeholder });
    // path params stay text: whether a file is inside the source roots is the server's to say
    return el('input', { ...common, type: 'text', pattern: browserPattern(spec.pattern), maxlength: spec.maxLength, placeholder });
  }

  /** What is wrong with a param's value, in the API's words ("must be at least 1, not 0"), or '' when nothing is. */
  function paramProblem(spec, value) {
    if (value === '') return spec.required && spec.default === undefined ? 'is required' : '';
    if (spec.maxLength !== undefined && value.length > spec.maxLength) return `is longer than ${spec.maxLength} characters`;
    if (spec.values && !spec.values.includes(value)) return `must be one of ${spec.values.join(', ')}, not "${value}"`;
    if (spec.pattern !== undefined && !new RegExp(`^(?:${spec.pattern})$`).test(value)) return `"${value}" does not match ${spec.pattern}`;
    if (spec.type !== 'integer') return '';
    if (!/^-?[0-9]{1,15}$/.test(value)) return `must be a whole number, not "${value}"`;
    if (spec.min !== undefined && Number(value) < spec.min) return `must be at least ${spec.min}, not ${value}`;
    if (spec.max !== undefined && Number(value) > spec.max) return `must be at most ${spec.max}, not ${value}`;
    return '';
  }

  /** The form's error line; `input`, when given, is marked and focused. */
  function showTriggerError(message, input) {
    $('#trigger-error').textContent = message;
    $('#trigger-error').hidden = !message;
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  }

  function clearTriggerError() {
    showTriggerError('');
    for (const input of paramInputs()) input.removeAttribute('aria-invalid');
  }

  function renderParams() {
    const pipeline = currentPipeline();
    const box = $('#params');
    box.replaceChildren();
    clearTriggerError();
    $('#pipeline-description').textContent = pipeline ? pipeline.description : '';
    if (!pipeline) return;
    for (const [name, spec] of Object.entries(pipeline.params)) {
      box.append(el('label', { title: spec.description }, `${name}`, paramInput(name, spec)));
    }
  }

  async function loadPipelines() {
    const { pipelines } = await api('GET', '/pipelines');
    state.pipelines = pipelines;
    $('#pipeline').replaceChildren(...pipelines.map((p) => el('option', { value: p.name, text: p.name })));
    renderParams();
  }

  $('#pipeline').addEventListener('change', renderParams);
  $('#params').addEventListener('input', (event) => event.target.removeAttribute('aria-invalid'));

  // the browser refused the submit (no submit event follows): say which param and why, once per attempt
  let refusalShown = false;
  $('#trigger-form').addEventListener(
    'invalid',
    (event) => {
      const input = event.target;
      if (refusalShown || !input.dataset.param) return;
      refusalShown = true;
      setTimeout(() => (refusalShown = false));
      const spec = currentPipeline().params[input.dataset.param];
      const problem = paramProblem(spec, input.value.trim()) || input.validationMessage;
      showTriggerError(`param "${input.dataset.param}" ${problem}`, input);
    },
    true,
  );

  $('#trigger-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    clearTriggerError();
    const params = {};
    for (const input of paramInputs()) {
      const name = input.dataset.param;
      const value = input.value.trim();
      const problem = paramProblem(currentPipeline().params[name], value);
      if (problem) {
        showTriggerError(`param "${name}" ${problem}`, input);
        return;
      }
      if (value) params[name] = value;
    }
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
      // the API has the last word (a path outside the source roots, a rule this page does not know)
      const refused = /^body\.params\.(.+)$/.exec(err.field || '');
      showTriggerError(`trigger failed: ${err.message}`, refused ? document.querySelector(`#params [data-param="${CSS.escape(refused[1])}"]`) : undefined);
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
    if (!token()) return;
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
        el('td', { class: 'record', text: d.record || (d.valueBytes === null ? '–' : `${d.valueBytes} bytes${'record' in d ? '' : ' (contents hidden: API_EXPOSE_RECORDS=false)'}`) }),
        el('td', { text: d.redrivenAt ? `redriven ${time(d.redrivenAt)}` : 'open' }),
      ),
    );
    $('#detail-dlq tbody').replaceChildren(...rows);
    $('#detail-dlq-empty').hidden = rows.length > 0;
    $('#redrive').disabled = !deadLetters.some((d) => !d.redrivenAt);
  }

  function stopFollowing() {
    if (state.events) state.events.abort();
    state.events = null;
    $('#detail-live').textContent = '';
  }

  /** Follows the selected run's events until `end`; a dropped stream is reopened after 2 s (as EventSource would). */
  async function follow(runId) {
    stopFollowing();
    const controller = new AbortController();
    state.events = controller;
    $('#detail-live').textContent = 'live';
    let ended = false;
    const onEvent = (type, snapshot) => {
      if (state.selected !== runId) return;
      renderDetail({ ...state.detail, ...snapshot });
      state.detail = { ...state.detail, ...snapshot };
      updateRun(snapshot);
      if (type === 'end') ended = true;
    };
    try {
      await readEvents(`/runs/${encodeURIComponent(runId)}/events`, controller.signal, onEvent);
    } catch (err) {
      if (controller.signal.aborted) return;
      toast(`live updates of ${runId} stopped: ${err.message}`, true);
      ended = true;
    }
    if (state.events !== controller) return;
    state.events = null;
    $('#detail-live').textContent = '';
    if (ended) void loadDeadLetters(runId).catch(() => undefined);
    else setTimeout(() => (state.selected === runId && !state.events ? void follow(runId) : undefined), 2000);
  }

  async function selectRun(runId) {
    state.selected = runId;
    renderRuns();
    try {
      const run = await api('GET', `/runs/${encodeURIComponent(runId)}`);
      state.detail = run;
      renderDetail(run);
      await loadDeadLetters(runId);
      if (OPEN.has(run.status)) void follow(runId);
      else stopFollowing();
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

  // nothing is asked of the API before there is a token to ask with
  let started = false;
  async function start() {
    await loadPipelines().catch((err) => toast(`cannot load pipelines: ${err.message}`, true));
    await refreshRuns();
    if (!started) scheduleRuns();
    started = true;
  }
  if (token()) void start();
  else askForToken('This API needs a token: paste one (read, or write to trigger and rerun) in the box at the top right.');
})();
