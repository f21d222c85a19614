// Editing a source: its name, its tables (picked from the database's own list) and its connection
// URI (a new password), saved with PATCH /v1/sources/:id.
import { api } from './api.js';
import { h, field, formError, toast } from './dom.js';
import { showError, busy } from './account.js';
import { connectionCheck, renderTables, tablePicker, problemsBox, chosenTables } from './sourceform.js';

const ALL = '*';

/** The Edit source form for {@code source}; {@code saved(updated)} runs after a save, {@code cancel()} on Cancel. */
export function editSourceForm(source, saved, cancel) {
  const current = source.tables === ALL ? ALL : source.tables;
  const name = field('Name', { name: 'name', required: true, value: source.name });
  const uri = field('New connection URI (optional)', { name: 'connection_uri', autocomplete: 'off', spellcheck: 'false', placeholder: source.connection_uri },
    'Leave it empty to keep the current one. A new URI (a new password, a new host) is tested as you type, and must reach the database that '
    + 'holds this source\'s replication slot; capture then goes on from where it was.');
  const general = formError();
  const tables = tablePicker();
  const problems = problemsBox();
  const all = h('input', { type: 'checkbox', id: `all-tables-${source.id}`, name: 'all_tables', checked: current === ALL });
  const allRow = h('div', { class: 'check' }, all, h('label', { for: all.id }, 'Every table, and those created later',
    h('span', { class: 'muted small block' }, 'Captures each table the role can read, as it is created.')));
  const loading = h('p', { class: 'muted', role: 'status' }, 'Listing the database\'s tables…');
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save changes');
  const fields = { name, connection_uri: uri, tables: tables.field };
  const pick = (found) => {
    renderTables(tables, found, current === ALL ? [] : current);
    problems.show(found);
    syncAll();
  };
  // "every table" ticked: the list only says what is captured today
  function syncAll() {
    for (const box of tables.querySelectorAll('input[name=tables]')) {
      if (box.dataset.cannot === undefined) box.dataset.cannot = String(box.disabled);
      box.disabled = all.checked || box.dataset.cannot === 'true';
    }
  }
  all.addEventListener('change', syncAll);

  // a new URI's tables replace the list; emptied again, the source's own list comes back
  const check = connectionCheck(uri, (found, error) => {
    if (found) pick(found);
    else if (!error) loadOwn();
  });
  uri.append(check.status);
  function loadOwn() {
    loading.hidden = false;
    api('GET', `/v1/sources/${source.id}/tables`).then((found) => {
      loading.hidden = true;
      pick(found);
    }).catch((e) => {
      loading.textContent = `The tables cannot be listed: ${e.message}`;
      loading.className = 'alert error';
    });
  }
  loadOwn();

  const form = h('form', { novalidate: true, class: 'edit-form', 'aria-label': `Edit ${source.name}` }, general, name, uri, problems, allRow, loading, tables,
    h('div', { class: 'actions' }, save, h('button', { type: 'button', class: 'secondary', onclick: cancel }, 'Cancel')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {};
    if (name.input.value !== source.name) body.name = name.input.value;
    if (uri.input.value.trim()) body.connection_uri = uri.input.value.trim();
    const chosen = all.checked ? ALL : chosenTables(tables);
    if (!all.checked && chosen.length === 0) {
      showError({ param: 'tables', message: 'Pick at least one table.' }, fields, general);
      return;
    }
    const same = chosen === ALL || current === ALL ? chosen === current : [...chosen].sort().join() === [...current].sort().join();
    if (!same) body.tables = chosen;
    if (Object.keys(body).length === 0) {
      general.show('Nothing changed.');
      return;
    }
    busy(save, true, 'Saving…');
    try {
      const updated = await api('PATCH', `/v1/sources/${source.id}`, body);
      toast(body.tables ? 'Saved. The tables added are captured from now on.' : 'Saved.');
      await saved(updated);
    } catch (e) {
      showError(e, fields, general);
    } finally {
      if (save.isConnected) busy(save, false);
    }
  });
  return h('div', { class: 'card', id: 'edit-source' }, h('h3', {}, 'Edit source'), form);
}
