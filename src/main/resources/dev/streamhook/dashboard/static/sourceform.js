// The parts of a source's forms shared by creating and editing: the connection URI tested as it is
// typed, and the table picker fed by table discovery.
import { api } from './api.js';
import { h } from './dom.js';

/**
 * Tests the connection URI in {@code uri} (a field()) with POST /v1/sources/discover 600 ms after the
 * last keystroke and when the field is left. One request at a time: a value typed meanwhile is
 * tested once the answer is in, values in between never are, and only the answer for what the
 * field holds is shown. {@code shown(found)} gets each discovery shown (null when the field is
 * emptied); errors go under the field, with the API's message. Returns { status, now() }: the
 * status line to place under the field, and a test of the current value right away (Find tables).
 */
export function connectionCheck(uri, shown, { delay = 600, keepEmpty = false } = {}) {
  const status = h('p', { class: 'hint check-status', role: 'status', 'aria-live': 'polite' });
  let timer = null;
  let wanted = null; // the value to test
  let done = null; // the value whose answer is shown
  let running = null;

  function say(text, kind) {
    status.textContent = text || '';
    status.className = `hint check-status ${kind || ''}`;
  }

  async function pump() {
    while (wanted !== null && wanted !== done) {
      const value = wanted;
      say('Testing the connection…', 'muted');
      let found = null;
      let error = null;
      try {
        found = await api('POST', '/v1/sources/discover', { connection_uri: value });
      } catch (e) {
        error = e;
      }
      if (value !== uri.input.value.trim()) continue; // typed on meanwhile: that answer is stale
      done = value;
      if (error) {
        say(null);
        uri.showError(error.message);
        shown(null, error);
      } else {
        uri.showError(null);
        const capturable = found.data.filter((t) => t.capturable).length;
        say(`Connected: ${found.data.length} table${found.data.length === 1 ? '' : 's'}`
          + (capturable === found.data.length ? '' : `, ${capturable} can be captured`)
          + (found.problems.length ? `, but ${found.problems.length === 1 ? 'a problem' : 'problems'} to fix (below)` : ''), found.problems.length ? 'warn-text' : 'ok-text');
        shown(found, null);
      }
    }
  }

  function request(force) {
    clearTimeout(timer);
    const value = uri.input.value.trim();
    if (!value) {
      wanted = null;
      done = null;
      say(null);
      uri.showError(null);
      if (!keepEmpty) shown(null, null);
      return running || Promise.resolve();
    }
    wanted = value;
    if (force && !running) done = null;
    if (!running) running = pump().finally(() => { running = null; });
    return running;
  }

  uri.input.addEventListener('input', () => {
    clearTimeout(timer);
    say(null); // what was said is about the value before
    timer = setTimeout(() => request(false), delay);
  });
  uri.input.addEventListener('blur', () => request(false));
  return { status, now: () => request(true) };
}

/**
 * The tables of a discovery as checkboxes in {@code fieldset}: on a redraw those the user ticked stay
 * ticked, else those in {@code checked}. Tables that cannot be captured are shown disabled, with why
 * and the fix. Returns how many can be picked.
 */
export function renderTables(fieldset, found, checked = []) {
  const boxes = [...fieldset.querySelectorAll('input[name=tables]')];
  const keep = new Set(boxes.length ? boxes.filter((i) => i.checked).map((i) => i.value) : checked);
  const rows = found.data.map((t) => {
    const id = `table-${t.name.replace(/[^\w-]/g, '_')}`;
    return h('div', { class: 'check' },
      h('input', { type: 'checkbox', id, name: 'tables', value: t.name, disabled: !t.capturable, checked: t.capturable && keep.has(t.name) }),
      h('label', { for: id }, h('span', { class: 'mono' }, t.name),
        h('span', { class: 'muted small' }, ` replica identity ${t.replica_identity}${t.primary_key ? '' : ', no primary key'}`),
        t.capturable ? null : h('span', { class: 'field-error small block' }, t.reason),
        t.advice ? h('span', { class: 'muted small block' }, t.advice) : null));
  });
  fieldset.replaceChildren(fieldset.querySelector('legend'),
    ...(rows.length ? rows : [h('p', { class: 'muted' }, 'This database has no table the role can read.')]), fieldset.error);
  fieldset.hidden = false;
  return found.data.filter((t) => t.capturable).length;
}

/** An empty table picker: a fieldset with its legend and a place for the API's error about tables. */
export function tablePicker() {
  const error = h('p', { class: 'field-error', hidden: true });
  const fieldset = h('fieldset', { class: 'tables', hidden: true }, h('legend', {}, 'Tables to capture'), error);
  fieldset.error = error;
  // showError() (account.js) reaches it as a field: the message under the list, focus on its first box
  fieldset.field = {
    input: { focus: () => (fieldset.querySelector('input:not([disabled])') || fieldset).focus() },
    showError: (message) => { error.textContent = message || ''; error.hidden = !message; },
  };
  return fieldset;
}

/** Where a discovery's problems (wal_level, the REPLICATION attribute) are said; show(found) fills it, show(null) hides it. */
export function problemsBox() {
  const box = h('div', { class: 'alert warn', role: 'status', hidden: true });
  box.show = (found) => {
    box.replaceChildren(...(found ? found.problems.map((p) => h('p', {}, p)) : []));
    box.hidden = !found || found.problems.length === 0;
  };
  return box;
}

export function chosenTables(fieldset) {
  return [...fieldset.querySelectorAll('input[name=tables]:checked')].map((i) => i.value);
}
