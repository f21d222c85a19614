// Editing a destination: its URL, its own headers, the operations it is sent, and how it is
// delivered to (retries, timeouts, requests in flight, what a failure holds back, batches), saved
// with PATCH /v1/sources/:id/destinations/:did. Only what changed is sent.
import { api } from './api.js';
import { h, field, formError, toast } from './dom.js';
import { showError, busy } from './account.js';

const OPERATIONS = ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'];

// a whole number as a number; empty as null (the node's setting); anything else as typed, for the API to name what is wrong
function num(text) {
  const t = text.trim();
  if (t === '') return null;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

function headerRow(name = '', value = '', saved = false) {
  const nameInput = h('input', { name: 'header_name', 'aria-label': 'Header name', placeholder: 'Authorization', value: name, autocomplete: 'off', spellcheck: 'false' });
  const valueInput = h('input', { name: 'header_value', 'aria-label': 'Header value', placeholder: 'Bearer …', value, autocomplete: 'off', spellcheck: 'false' });
  const row = h('div', { class: 'header-row' }, nameInput, valueInput);
  row.append(h('button', { type: 'button', class: 'secondary small-button', 'aria-label': `Remove the header ${name || ''}`.trim(),
    onclick: () => {
      const list = row.parentElement;
      row.remove();
      list.querySelector('input')?.focus();
    } }, 'Remove'));
  if (saved) valueInput.title = 'Saved values are hidden; leave it as it is to keep it, or type a new one.';
  return row;
}

/** The Edit form of destination {@code d} of source {@code sourceId}; {@code saved()} after a save, {@code cancel()} on Cancel. */
export function editDestinationForm(sourceId, d, saved, cancel) {
  const url = field('Webhook URL', { type: 'url', name: 'url', required: true, value: d.url });
  const general = formError();

  const rows = h('div', { class: 'header-rows' }, Object.entries(d.headers || {}).map(([n, v]) => headerRow(n, v, true)));
  const headersError = h('p', { class: 'field-error', hidden: true });
  const addHeader = h('button', { type: 'button', class: 'secondary small-button' }, 'Add header');
  addHeader.addEventListener('click', () => {
    const row = headerRow();
    rows.append(row);
    row.querySelector('input').focus();
  });
  const headers = h('fieldset', { class: 'plain' }, h('legend', {}, 'Headers'),
    h('p', { class: 'hint' }, 'Sent with every request, e.g. Authorization for your endpoint. Saved values are shown hidden (****): '
      + 'leave one as it is to keep it.'), rows, headersError, addHeader);
  headers.field = { input: { focus: () => (rows.querySelector('input') || addHeader).focus() },
    showError: (m) => { headersError.textContent = m || ''; headersError.hidden = !m; } };

  const ops = new Set(d.operations || OPERATIONS);
  const operationsError = h('p', { class: 'field-error', hidden: true });
  const operations = h('fieldset', { class: 'plain' }, h('legend', {}, 'Operations sent'),
    h('div', { class: 'inline-checks' }, OPERATIONS.map((op) => h('div', { class: 'check' },
      h('input', { type: 'checkbox', id: `op-${d.id}-${op}`, name: 'operations', value: op, checked: ops.has(op) }),
      h('label', { for: `op-${d.id}-${op}` }, op)))), operationsError);
  operations.field = { input: { focus: () => operations.querySelector('input').focus() },
    showError: (m) => { operationsError.textContent = m || ''; operationsError.hidden = !m; } };

  const node = 'Empty: the server\'s setting.';
  const maxAttempts = field('Attempts before a delivery fails', { name: 'max_attempts', inputmode: 'numeric', value: d.retry?.max_attempts ?? '' }, node);
  const schedule = field('Delays between attempts (seconds)', { name: 'schedule', value: (d.retry?.schedule || []).join(', '), placeholder: '5, 300, 1800' },
    'Comma-separated; the last one repeats. ' + node);
  const timeout = field('Attempt timeout (ms)', { name: 'timeout_ms', inputmode: 'numeric', value: d.timeout_ms ?? '' }, node);
  const connect = field('Connect timeout (ms)', { name: 'connect_timeout_ms', inputmode: 'numeric', value: d.connect_timeout_ms ?? '' }, node);
  const inFlight = field('Requests in flight at most', { name: 'max_in_flight', inputmode: 'numeric', value: d.max_in_flight ?? '' },
    'Events of different rows sent at once; one row\'s events always go in order. ' + node);
  const onFailure = field('When a delivery fails', { tag: 'select', name: 'on_failure' },
    'Hold keeps the same row\'s later events back until the failed one is retried or skipped.');
  onFailure.input.append(h('option', { value: 'hold', selected: d.on_failure !== 'skip' }, 'Hold the row\'s later events'),
    h('option', { value: 'skip', selected: d.on_failure === 'skip' }, 'Go on with the row\'s later events'));
  const batchEvents = field('Events per request at most', { name: 'batch_max_events', inputmode: 'numeric', value: d.batch?.max_events ?? '' },
    'Empty: one event per request.');
  const batchWait = field('Wait for a batch to fill (ms)', { name: 'batch_max_wait_ms', inputmode: 'numeric', value: d.batch?.max_wait_ms ?? '' });
  const tuning = h('details', { class: 'tuning' }, h('summary', {}, 'Delivery settings'),
    h('div', { class: 'grid-2' }, maxAttempts, schedule, timeout, connect, inFlight, onFailure, batchEvents, batchWait));

  const fields = { url, headers: headers.field, operations: operations.field, 'retry.max_attempts': maxAttempts, 'retry.schedule': schedule, retry: maxAttempts, timeout_ms: timeout,
    connect_timeout_ms: connect, max_in_flight: inFlight, on_failure: onFailure, batch: batchEvents, 'batch.max_events': batchEvents,
    'batch.max_wait_ms': batchWait };

  function wanted() {
    const headerMap = {};
    for (const row of rows.children) {
      const [n, v] = row.querySelectorAll('input');
      if (n.value.trim() || v.value) headerMap[n.value.trim()] = v.value;
    }
    const chosenOps = [...operations.querySelectorAll('input:checked')].map((i) => i.value);
    const attempts = num(maxAttempts.input.value);
    const delays = schedule.input.value.split(/[\s,]+/).filter(Boolean).map(num);
    const events = num(batchEvents.input.value);
    return {
      url: url.input.value.trim(),
      headers: headerMap,
      operations: chosenOps.length === OPERATIONS.length ? null : chosenOps,
      retry: attempts === null && delays.length === 0 ? null : { max_attempts: attempts, schedule: delays.length ? delays : null },
      timeout_ms: num(timeout.input.value),
      connect_timeout_ms: num(connect.input.value),
      max_in_flight: num(inFlight.input.value),
      on_failure: onFailure.input.value,
      batch: events === null ? null : { max_events: events, max_wait_ms: num(batchWait.input.value) },
    };
  }
  const before = {
    url: d.url, headers: d.headers || {}, operations: (d.operations || OPERATIONS).length === OPERATIONS.length ? null : d.operations,
    retry: d.retry ? { max_attempts: d.retry.max_attempts ?? null, schedule: d.retry.schedule ?? null } : null,
    timeout_ms: d.timeout_ms ?? null, connect_timeout_ms: d.connect_timeout_ms ?? null, max_in_flight: d.max_in_flight ?? null,
    on_failure: d.on_failure || 'hold', batch: d.batch ? { max_events: d.batch.max_events, max_wait_ms: d.batch.max_wait_ms } : null,
  };

  const save = h('button', { type: 'submit', class: 'primary' }, 'Save changes');
  const form = h('form', { novalidate: true, class: 'edit-form', 'aria-label': `Edit the destination ${d.url}` }, general, url, headers, operations, tuning,
    h('div', { class: 'actions' }, save, h('button', { type: 'button', class: 'secondary', onclick: cancel }, 'Cancel')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const want = wanted();
    const body = Object.fromEntries(Object.entries(want).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k])));
    if (Object.keys(body).length === 0) {
      general.show('Nothing changed.');
      return;
    }
    busy(save, true, 'Saving…');
    try {
      await api('PATCH', `/v1/sources/${sourceId}/destinations/${d.id}`, body);
      toast('Saved. The next deliveries use the new settings.');
      await saved();
    } catch (e) {
      const target = fields[e.param];
      if (target instanceof Node && tuning.contains(target)) tuning.open = true; // the field named must be seen to be fixed
      showError(e, fields, general);
    } finally {
      if (save.isConnected) busy(save, false);
    }
  });
  return h('div', { class: 'card', id: `edit-${d.id}` }, h('h3', {}, 'Edit destination'), form);
}
