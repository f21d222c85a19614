// Sources (a database and its tables) and their destinations (webhook URLs).
import { api } from './api.js';
import { h, field, formError, badge, time, page, toast } from './dom.js';
import { showError, busy } from './account.js';
import { sourceCharts, destinationHealth } from './charts.js';
import { destinationStatus, destinationActions, sourceActions, snapshotProgress } from './manage.js';
import { connectionCheck, renderTables, tablePicker, problemsBox, chosenTables } from './sourceform.js';
import { editSourceForm } from './sourceedit.js';
import { editDestinationForm } from './destinationedit.js';

const STATUS_KIND = { active: 'ok', streaming: 'ok', snapshotting: 'info', paused: 'warn', error: 'bad' };

function statusBadge(status) {
  return badge(status, STATUS_KIND[status] || 'info');
}

function empty(text, action) {
  return h('div', { class: 'card empty' }, h('p', {}, text), action);
}

export async function sourcesPage(ctx) {
  const { data } = await api('GET', '/v1/sources');
  const add = h('a', { class: 'button primary', href: '#/sources/new' }, 'Add source');
  if (data.length === 0) {
    ctx.show(page('Sources', empty('No source yet. A source is a PostgreSQL database whose changes StreamHook captures.', add)));
    return;
  }
  ctx.show(page('Sources', h('div', { class: 'actions end' }, add),
    h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Tables'),
        h('th', { scope: 'col' }, 'Events'), h('th', { scope: 'col' }, 'Last event'))),
      h('tbody', {}, data.map((s) => h('tr', {},
        h('td', {}, h('a', { href: `#/sources/${s.id}` }, s.name)),
        h('td', {}, statusBadge(s.status), s.status_message ? h('div', { class: 'muted small' }, s.status_message) : null),
        h('td', {}, s.tables === '*' ? 'every table' : s.tables.join(', ')),
        h('td', { class: 'num' }, s.stats.events_captured),
        h('td', {}, time(s.stats.last_event_at)))))))));
}

export function newSourcePage(ctx) {
  const name = field('Name', { name: 'name', required: true, placeholder: 'Production Postgres' });
  const uri = field('Connection URI', { name: 'connection_uri', required: true, autocomplete: 'off', spellcheck: 'false',
    placeholder: 'postgres://user:password@host:5432/database' },
    'Tested as you type. The role needs the REPLICATION attribute and SELECT on the tables; the database needs wal_level = logical.');
  const general = formError();
  const discover = h('button', { type: 'button', class: 'secondary' }, 'Find tables');
  const tables = tablePicker();
  const problems = problemsBox();
  const snapshot = h('div', { class: 'check', hidden: true }, h('input', { type: 'checkbox', id: 'snapshot', name: 'snapshot' }),
    h('label', { for: 'snapshot' }, 'Send the rows already in these tables first',
      h('span', { class: 'muted small block' }, 'A snapshot: each existing row goes out as an INSERT, then changes stream on.')));
  const submit = h('button', { type: 'submit', class: 'primary', disabled: true }, 'Create source');
  const fields = { name, connection_uri: uri, tables: tables.field };
  let focusTables = false;
  const check = connectionCheck(uri, (found) => {
    problems.show(found);
    if (!found) {
      tables.hidden = true;
      snapshot.hidden = true;
      submit.disabled = true;
      return;
    }
    submit.disabled = renderTables(tables, found) === 0;
    snapshot.hidden = false;
    if (focusTables) tables.querySelector('input:not([disabled])')?.focus();
  });
  uri.append(check.status);

  discover.addEventListener('click', async () => {
    busy(discover, true, 'Connecting…');
    general.show(null);
    focusTables = true;
    try {
      await check.now();
    } finally {
      focusTables = false;
      busy(discover, false);
    }
  });

  const form = h('form', { novalidate: true }, general, name, uri, h('div', { class: 'actions' }, discover), problems, tables, snapshot,
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const chosen = chosenTables(tables);
    if (chosen.length === 0) {
      general.show('Pick at least one table.');
      return;
    }
    busy(submit, true, 'Creating…');
    try {
      const source = await api('POST', '/v1/sources', { name: name.input.value, type: 'postgresql', connection_uri: uri.input.value.trim(),
        tables: chosen, snapshot: snapshot.querySelector('input').checked });
      toast('Source created. Now add a destination.');
      ctx.go(`#/sources/${source.id}`);
    } catch (e) {
      showError(e, fields, general);
    } finally {
      busy(submit, false);
    }
  });
  ctx.show(page('Add a source', h('div', { class: 'card' }, form)));
}

export async function sourcePage(ctx, id) {
  const [source, destinations, stats, snapshot] = await Promise.all([api('GET', `/v1/sources/${id}`), api('GET', `/v1/sources/${id}/destinations`),
    api('GET', `/v1/sources/${id}/stats?range=1h`).catch(() => null), snapshotProgress(id)]);
  const reload = () => sourcePage(ctx, id);
  const url = field('Webhook URL', { type: 'url', name: 'url', required: true, placeholder: 'https://yourapp.com/webhooks/streamhook' });
  const secret = field('Signing secret (optional)', { type: 'password', name: 'secret', autocomplete: 'off' },
    'StreamHook signs each request with it (X-StreamHook-Signature), so your endpoint can check it came from here.');
  const general = formError();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Add destination');
  const form = h('form', { novalidate: true, class: 'inline-form' }, general, url, secret, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    busy(submit, true, 'Adding…');
    try {
      const body = { url: url.input.value };
      if (secret.input.value) body.secret = secret.input.value;
      await api('POST', `/v1/sources/${id}/destinations`, body);
      toast('Destination added. New changes go to it now.');
      await sourcePage(ctx, id);
    } catch (e) {
      showError(e, { url, secret }, general);
    } finally {
      busy(submit, false);
    }
  });
  const editSourceSlot = h('div');
  const editDestinationSlot = h('div');
  // an edit form opens below what it edits, with the keyboard in its first field; Cancel closes it and
  // gives the keyboard back to the button that opened it
  const open = (slot, make) => {
    const opener = document.activeElement;
    const form = make(() => {
      slot.replaceChildren();
      if (opener?.isConnected) opener.focus();
    });
    slot.replaceChildren(form);
    form.scrollIntoView({ block: 'nearest' });
    form.querySelector('input')?.focus();
  };
  const editSource = () => open(editSourceSlot, (close) => editSourceForm(source, reload, close));
  const editDestination = (d) => open(editDestinationSlot, (close) => editDestinationForm(id, d, reload, close));
  ctx.show(page(source.name,
    h('div', { class: 'card facts' },
      h('dl', {},
        h('dt', {}, 'Status'), h('dd', {}, statusBadge(source.status), source.status_message ? ` ${source.status_message}` : ''),
        h('dt', {}, 'Database'), h('dd', { class: 'mono' }, source.connection_uri),
        h('dt', {}, 'Tables'), h('dd', { id: 'source-tables' }, source.tables === '*' ? 'every table, and those created later' : source.tables.join(', ')),
        h('dt', {}, 'Events captured'), h('dd', {}, source.stats.events_captured),
        h('dt', {}, 'Last event'), h('dd', {}, time(source.stats.last_event_at))),
      sourceActions(source, reload, () => { location.hash = '#/sources'; }, editSource)),
    editSourceSlot,
    snapshot,
    h('h2', {}, 'Destinations'),
    destinations.data.length === 0 ? h('p', { class: 'muted' }, 'No destination yet: changes are captured but not sent anywhere.')
      : destinationTable(destinations.data, null, { stats, sourceId: id, reload, edit: editDestination }),
    editDestinationSlot,
    h('div', { class: 'card' }, h('h3', {}, 'Add a destination'), form),
    sourceCharts(id),
    h('div', { class: 'actions' }, h('a', { class: 'button secondary', href: `#/events?source_id=${id}` }, 'Watch events live'))));
}

// On a source's page ({ stats, sourceId }) each row also shows the last hour's success rate and latency,
// and a button that sends the destination a test event now.
function destinationTable(list, sourceNames, onSource) {
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, sourceNames ? h('th', { scope: 'col' }, 'Source') : null, h('th', { scope: 'col' }, 'URL'),
      h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Signing secret'), onSource ? h('th', { scope: 'col' }, 'Last hour') : null,
      h('th', { scope: 'col' }, 'Added'), onSource ? h('th', { scope: 'col' }, 'Actions') : null)),
    h('tbody', {}, list.map((d) => h('tr', {},
      sourceNames ? h('td', {}, h('a', { href: `#/sources/${d.source_id}` }, sourceNames[d.source_id])) : null,
      h('td', { class: 'mono wrap' }, d.url, (d.warnings || []).map((w) => h('div', { class: 'muted small' }, w))),
      h('td', {}, destinationStatus(d)),
      h('td', { class: 'mono' }, d.secret || 'none (unsigned)'),
      onSource ? h('td', { class: 'small' }, destinationHealth(onSource.stats, d.id)) : null,
      h('td', {}, time(d.created_at)),
      onSource ? h('td', {}, testButton(onSource.sourceId, d), destinationActions(onSource.sourceId, d, onSource.reload, onSource.edit)) : null)))));
}

// Sends one signed test event now and says, beside the button, what the endpoint answered.
function testButton(sourceId, d) {
  const result = h('span', { class: 'small test-result', role: 'status' });
  const button = h('button', { type: 'button', class: 'secondary small-button', 'aria-label': `Send a test event to ${d.url}` }, 'Send test event');
  button.addEventListener('click', async () => {
    busy(button, true, 'Sending…');
    try {
      const r = await api('POST', `/v1/sources/${sourceId}/destinations/${d.id}/test`);
      result.className = `small test-result ${r.delivered ? 'ok-text' : 'bad-text'}`;
      result.textContent = r.delivered ? `Delivered: ${r.status_code} in ${r.duration_ms} ms`
        : `Failed: ${r.status_code ? `answered ${r.status_code}` : r.error || r.error_kind}`;
    } catch (e) {
      result.className = 'small test-result bad-text';
      result.textContent = e.message;
    } finally {
      busy(button, false);
    }
  });
  return h('div', { class: 'test-cell' }, button, result);
}

export async function destinationsPage(ctx) {
  const { data: sources } = await api('GET', '/v1/sources');
  const names = Object.fromEntries(sources.map((s) => [s.id, s.name]));
  const lists = await Promise.all(sources.map((s) => api('GET', `/v1/sources/${s.id}/destinations`)));
  const all = lists.flatMap((l) => l.data);
  ctx.show(page('Destinations', all.length === 0
    ? empty('No destination yet. Open a source to add the URL its changes go to.', h('a', { class: 'button primary', href: '#/sources' }, 'Go to sources'))
    : destinationTable(all, names)));
}
