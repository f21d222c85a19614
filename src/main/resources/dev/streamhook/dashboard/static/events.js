// The live tail of captured events (server-sent events from /dashboard/api/events/stream) and one
// event's page: the body sent, every attempt with its response, Retry and Skip.
import { api, apiWithText } from './api.js';
import { h, field, formError, badge, time, page, toast } from './dom.js';

const OP_KIND = { INSERT: 'ok', UPDATE: 'info', DELETE: 'bad', TRUNCATE: 'warn' };
const DELIVERY_KIND = { succeeded: 'ok', pending: 'info', failed: 'bad', held: 'warn', skipped: 'muted' };
const MAX_ROWS = 200;

export async function eventsPage(ctx) {
  const { data: sources } = await api('GET', '/v1/sources');
  const params = ctx.params;
  const source = field('Source', { tag: 'select', name: 'source_id' });
  source.input.append(h('option', { value: '' }, 'All sources'), ...sources.map((s) => h('option', { value: s.id, selected: s.id === params.get('source_id') }, s.name)));
  const table = field('Table', { name: 'table', placeholder: 'any', value: params.get('table') || '' });
  const operation = field('Operation', { tag: 'select', name: 'operation' });
  operation.input.append(...[['', 'Any'], ['INSERT', 'INSERT'], ['UPDATE', 'UPDATE'], ['DELETE', 'DELETE'], ['TRUNCATE', 'TRUNCATE']]
    .map(([v, t]) => h('option', { value: v, selected: v === (params.get('operation') || '') }, t)));
  const status = field('Delivery', { tag: 'select', name: 'status' });
  status.input.append(...[['', 'Any'], ['pending', 'Pending'], ['succeeded', 'Succeeded'], ['failed', 'Failed'], ['held', 'Held'], ['skipped', 'Skipped']]
    .map(([v, t]) => h('option', { value: v, selected: v === (params.get('status') || '') }, t)));
  const live = h('span', { class: 'live', id: 'live-state', role: 'status' }, 'Connecting…');
  const general = formError();
  const rows = h('tbody', { id: 'tail' });
  const emptyNote = h('p', { class: 'muted', id: 'tail-empty' }, sources.length === 0
    ? h('span', {}, 'No source yet. ', h('a', { href: '#/sources/new' }, 'Add a source'), ' and its changes show up here as they happen.')
    : 'Waiting for changes… insert, update or delete a row in a captured table and it appears here at once.');
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter events' }, source, table, operation, status);

  let stream = null;
  function connect() {
    if (stream) stream.close();
    rows.replaceChildren();
    emptyNote.hidden = false;
    general.show(null);
    const q = new URLSearchParams();
    for (const f of [source, table, operation, status]) if (f.input.value) q.set(f.input.name, f.input.value);
    stream = new EventSource(`/dashboard/api/events/stream?${q}`);
    stream.addEventListener('ready', () => { live.textContent = 'Live'; live.className = 'live on'; });
    stream.addEventListener('captured', (m) => addRow(JSON.parse(m.data), true));
    stream.addEventListener('skipped', (m) => toast(JSON.parse(m.data).message));
    stream.addEventListener('refused', () => { live.textContent = 'Server busy, retrying…'; live.className = 'live off'; });
    stream.onerror = async () => {
      live.textContent = 'Reconnecting…';
      live.className = 'live off';
      // EventSource retries by itself; a session that ended will not come back, so say so
      try { await api('GET', '/dashboard/api/session').then((s) => { if (!s.signed_in) window.dispatchEvent(new CustomEvent('signed-out')); }); } catch { /* the server is away; EventSource retries */ }
    };
  }
  const seen = new Set();
  const sourceNames = Object.fromEntries(sources.map((s) => [s.id, s.name]));
  function addRow(e, fresh) {
    if (seen.has(e.id)) return;
    seen.add(e.id);
    emptyNote.hidden = true;
    const row = h('tr', { class: fresh ? 'fresh' : null, 'data-event-id': e.id },
      h('td', {}, time(e.committed_at)),
      h('td', {}, badge(e.operation, OP_KIND[e.operation])),
      h('td', { class: 'mono' }, `${e.schema}.${e.table}`),
      h('td', { class: 'col-source' }, sourceNames[e.source_id] || e.source_id),
      h('td', {}, h('a', { class: 'mono event-id', href: `#/events/${e.id}`, title: e.id }, e.id)));
    rows.prepend(row);
    while (rows.children.length > MAX_ROWS) rows.lastElementChild.remove();
  }
  filters.addEventListener('change', () => {
    const q = new URLSearchParams();
    for (const f of [source, table, operation, status]) if (f.input.value) q.set(f.input.name, f.input.value);
    history.replaceState(null, '', `#/events${q.size ? `?${q}` : ''}`);
    connect();
  });
  filters.addEventListener('submit', (ev) => ev.preventDefault());
  ctx.onLeave(() => stream && stream.close());

  ctx.show(page('Events', h('div', { class: 'toolbar' }, h('p', { class: 'muted' }, 'Every change captured, as it happens.'), live),
    filters, general,
    h('div', { class: 'table-wrap' }, h('table', { class: 'events' },
      h('caption', { class: 'visually-hidden' }, 'Captured events, newest first'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Committed'), h('th', { scope: 'col' }, 'Operation'), h('th', { scope: 'col' }, 'Table'),
        h('th', { scope: 'col', class: 'col-source' }, 'Source'), h('th', { scope: 'col' }, 'Event'))),
      rows)), emptyNote));
  connect();
}

export async function eventPage(ctx, id) {
  let timer = null;
  ctx.onLeave(() => clearTimeout(timer));
  async function render(quiet = false) {
    const { data: e, text } = await apiWithText('GET', `/v1/events/${id}`);
    const [source, dests] = await Promise.all([api('GET', `/v1/sources/${e.source_id}`), api('GET', `/v1/sources/${e.source_id}/destinations`)]);
    const destinations = Object.fromEntries(dests.data.map((d) => [d.id, d]));
    const body = JSON.stringify(e.payload, null, 2);
    // the API writes the stored body verbatim between these two keys: the bytes sent and signed
    const start = text.indexOf('"payload":') + '"payload":'.length;
    const exact = text.slice(start, text.lastIndexOf(',"deliveries":'));
    ctx.show(page(`${e.operation} on ${e.schema}.${e.table}`,
      h('p', { class: 'muted' }, h('a', { href: '#/events' }, '← All events')),
      h('div', { class: 'card facts' }, h('dl', {},
        h('dt', {}, 'Event ID'), h('dd', { class: 'mono' }, e.id),
        h('dt', {}, 'Committed'), h('dd', {}, time(e.committed_at)),
        h('dt', {}, 'Captured'), h('dd', {}, time(e.created_at)),
        h('dt', {}, 'LSN'), h('dd', { class: 'mono' }, e.lsn),
        h('dt', {}, 'Source'), h('dd', {}, h('a', { href: `#/sources/${e.source_id}` }, source.name)))),
      h('h2', {}, 'Deliveries'),
      e.deliveries.length === 0 ? h('p', { class: 'muted' }, 'This event has no destination: add one to its source.')
        : e.deliveries.map((d) => delivery(e, d, destinations[d.destination_id], () => render(true))),
      h('h2', {}, 'Body sent'),
      h('div', { class: 'card' },
        h('p', { class: 'muted small' }, 'The same, byte for byte, on every attempt and retry, to every destination. Each delivery above lists its headers.'),
        h('pre', { class: 'code', id: 'event-body' }, body),
        h('details', {}, h('summary', {}, 'Exact bytes sent (what the signature covers)'),
          h('pre', { class: 'code', id: 'event-body-exact' }, exact)))), { quiet });
    if (e.deliveries.some((d) => d.status === 'pending')) timer = setTimeout(() => render(true).catch(() => {}), 1500);
  }
  await render();
}

// The headers of this delivery's requests: fixed ones, the signature headers of the destination's scheme
// (their values are computed per attempt with its secret, which the page never sees), and its own headers, masked.
function headersSent(e, d, dest) {
  const last = d.attempts[d.attempts.length - 1];
  const seconds = last ? String(Math.floor(Date.parse(last.started_at) / 1000)) : '<unix seconds of the attempt>';
  const lines = ['Content-Type: application/json', 'User-Agent: StreamHook/1.0', `X-StreamHook-Event-ID: ${e.id}`, `X-StreamHook-Timestamp: ${seconds}`];
  const scheme = dest?.signature_scheme || 'streamhook';
  if (dest?.secret) {
    if (scheme !== 'standard_webhooks') lines.push('X-StreamHook-Signature: <HMAC-SHA256 of the body with the secret>');
    if (scheme !== 'streamhook') lines.push(`webhook-id: ${e.id}`, `webhook-timestamp: ${seconds}`, 'webhook-signature: <v1,… (Standard Webhooks)>');
  }
  for (const [name, value] of Object.entries(dest?.headers || {})) lines.push(`${name}: ${value}`);
  return h('details', {}, h('summary', {}, last ? 'Request headers (last attempt)' : 'Request headers'), h('pre', { class: 'code' }, lines.join('\n')));
}

/** Retry or Skip for one failed delivery: POST /v1/events/:id/{name}, then the page again, the keyboard kept on the card. */
function action(e, d, general, rerender, { name, label, kind, done }) {
  const button = h('button', { type: 'button', class: kind, id: `${name}-${d.destination_id}` }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await api('POST', `/v1/events/${e.id}/${name}`, { destination_id: d.destination_id });
      toast(done);
      await rerender();
      // the button is gone with the old card: keep the keyboard where the user was
      document.querySelector(`.delivery[data-destination-id="${CSS.escape(d.destination_id)}"]`)?.focus();
    } catch (err) {
      general.show(err.message);
      button.disabled = false;
    }
  });
  return button;
}

function delivery(e, d, dest, rerender) {
  const general = formError();
  const failed = d.status === 'failed';
  const retry = failed ? action(e, d, general, rerender, { name: 'retry', label: 'Retry', kind: 'primary', done: 'Retry queued.' }) : null;
  const skip = failed ? action(e, d, general, rerender, { name: 'skip', label: 'Skip', kind: 'secondary',
    done: 'Skipped: this event is not sent there, and the row\'s later events go on.' }) : null;
  const last = d.attempts[d.attempts.length - 1];
  return h('div', { class: `card delivery ${d.status}`, 'data-destination-id': d.destination_id, tabindex: '-1' },
    h('div', { class: 'delivery-head' },
      h('div', {}, badge(d.status, DELIVERY_KIND[d.status]), ' ', h('span', { class: 'mono wrap' }, d.url)),
      retry || skip ? h('div', { class: 'row-actions' }, retry, skip) : null),
    general,
    d.status === 'failed' && last ? h('p', { class: 'alert error' }, `Failed after ${d.attempt_count} attempt${d.attempt_count === 1 ? '' : 's'}: `,
      last.status_code ? `the endpoint answered ${last.status_code}` : (last.error || 'no answer'),
      '. Fix the endpoint, then press Retry: the same event is sent again with the same ID and body. Or Skip it: it is never sent '
      + 'there, and the later events of its row stop waiting for it.') : null,
    d.status === 'skipped' ? h('p', { class: 'muted' }, 'Skipped: this event is not sent to this destination.') : null,
    d.status === 'pending' && d.next_attempt_at ? h('p', { class: 'muted' }, 'Next attempt ', time(d.next_attempt_at)) : null,
    d.attempts.length === 0 ? h('p', { class: 'muted' }, 'Not attempted yet.') : h('div', { class: 'table-wrap' }, h('table', { class: 'attempts' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, 'Started'), h('th', { scope: 'col' }, 'Took'),
        h('th', { scope: 'col' }, 'Result'), h('th', { scope: 'col' }, 'Response body'))),
      h('tbody', {}, d.attempts.map((a) => h('tr', { class: a.status_code >= 200 && a.status_code < 300 ? 'ok' : 'bad' },
        h('td', { class: 'num' }, a.attempt),
        h('td', {}, time(a.started_at)),
        h('td', { class: 'num' }, `${a.duration_ms} ms`),
        h('td', {}, a.status_code ? badge(String(a.status_code), a.status_code < 300 ? 'ok' : 'bad') : null, a.error ? ` ${a.error}` : ''),
        h('td', {}, a.response_body ? h('pre', { class: 'code small' }, a.response_body) : h('span', { class: 'muted' }, '—'))))))),
    headersSent(e, d, dest));
}
