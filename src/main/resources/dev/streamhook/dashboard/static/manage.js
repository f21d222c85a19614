// What a user does to a source or a destination once it exists: edit (the forms are in sourceedit.js and
// destinationedit.js), pause, resume, enable, rotate the secret, replay failed deliveries, delete (after a
// confirmation), and a snapshot's progress.
import { api } from './api.js';
import { h, badge, copyButton, toast } from './dom.js';
import { busy } from './account.js';

function action(label, run, attrs = {}) {
  const button = h('button', { type: 'button', class: 'secondary small-button', ...attrs }, label);
  button.addEventListener('click', async () => {
    busy(button, true, `${label}…`);
    try {
      await run(button);
    } catch (e) {
      toast(e.message);
    } finally {
      if (button.isConnected) busy(button, false);
    }
  });
  return button;
}

/** The destination's status, and why StreamHook disabled it when it did. */
export function destinationStatus(d) {
  const kind = { active: 'ok', paused: 'warn', disabled: 'bad' }[d.status] || 'info';
  return h('div', {}, badge(d.status, kind),
    d.status === 'disabled' && d.disabled_reason ? h('p', { class: 'small bad-text disabled-reason' }, d.disabled_reason) : null);
}

/**
 * Edit ({@code edit(d)} opens the form), pause or resume (enable, when disabled), rotate the secret, replay failed
 * deliveries, delete after a confirmation. {@code reload} redraws the page.
 */
export function destinationActions(sourceId, d, reload, edit) {
  const path = `/v1/sources/${sourceId}/destinations/${d.id}`;
  const shown = h('div', { class: 'secret-once', hidden: true });
  const buttons = [h('button', { type: 'button', class: 'secondary small-button', 'aria-label': `Edit ${d.url}`, onclick: () => edit(d) }, 'Edit')];
  if (d.status === 'active') {
    buttons.push(action('Pause', async () => {
      await api('PATCH', path, { status: 'paused' });
      toast('Paused: its events wait, in order, until you resume it.');
      await reload();
    }, { 'aria-label': `Pause ${d.url}` }));
  } else {
    const label = d.status === 'disabled' ? 'Enable' : 'Resume';
    buttons.push(action(label, async () => {
      await api('PATCH', path, { status: 'active' });
      toast(d.status === 'disabled' ? 'Enabled: what waited goes out now, in order.' : 'Resumed: what waited goes out now, in order.');
      await reload();
    }, { 'aria-label': `${label} ${d.url}` }));
  }
  buttons.push(action('Rotate secret', async () => {
    const r = await api('POST', `${path}/rotate_secret`);
    const code = h('code', { id: `secret-${d.id}` }, r.secret);
    shown.replaceChildren(h('p', { class: 'small' }, 'The new secret, shown this once. The old one keeps signing beside it until ',
      r.destination.previous_secret_expires_at ? new Date(r.destination.previous_secret_expires_at).toLocaleString() : 'its grace period ends', '.'),
    h('div', { class: 'secret' }, code, copyButton(r.secret)));
    shown.hidden = false;
  }, { 'aria-label': `Rotate the secret of ${d.url}` }));
  buttons.push(action('Replay failed', async () => {
    const r = await api('POST', `${path}/replay`, { status: 'failed' });
    toast(r.queued_deliveries === 0 ? 'Nothing failed: nothing to replay.'
      : `${r.queued_deliveries} failed ${r.queued_deliveries === 1 ? 'delivery goes' : 'deliveries go'} out again, in order.`);
  }, { 'aria-label': `Replay the failed deliveries of ${d.url}` }));
  const confirm = h('div', { class: 'alert error confirm', role: 'alert', hidden: true },
    h('p', {}, `Delete the destination ${d.url}? No event is sent to it from now on, not even those waiting or failed, and its delivery `
      + 'history (attempts and responses) is deleted with it. The source and its events stay. This cannot be undone.'),
    h('div', { class: 'actions' },
      action('Delete destination', async () => {
        await api('DELETE', path);
        toast(`Deleted the destination ${d.url}.`);
        await reload();
      }, { class: 'danger-solid small-button' }),
      h('button', { type: 'button', class: 'secondary small-button', onclick: () => { confirm.hidden = true; ask.focus(); } }, 'Cancel')));
  const ask = h('button', { type: 'button', class: 'secondary small-button danger-outline', 'aria-label': `Delete ${d.url}`,
    onclick: () => { confirm.hidden = false; confirm.querySelector('button').focus(); } }, 'Delete');
  buttons.push(ask);
  return h('div', { class: 'row-actions' }, buttons, shown, confirm);
}

/** Edit the source ({@code edit()} opens the form), pause or resume it, and delete it after saying what that does. */
export function sourceActions(source, reload, deleted, edit) {
  const path = `/v1/sources/${source.id}`;
  const paused = source.status === 'paused';
  const toggle = action(paused ? 'Resume delivery' : 'Pause delivery', async () => {
    await api('PATCH', path, { status: paused ? 'active' : 'paused' });
    toast(paused ? 'Resumed: the backlog goes out in order.' : 'Paused: changes are still captured and wait, in order.');
    await reload();
  });
  const confirm = h('div', { class: 'alert error confirm', role: 'alert', hidden: true },
    h('p', {}, `Delete "${source.name}"? Capture stops, the replication slot and publication are dropped from the database, and the source's events are deleted. This cannot be undone.`),
    h('div', { class: 'actions' },
      action('Delete for good', async () => {
        await api('DELETE', path);
        toast(`Deleted "${source.name}".`);
        await deleted();
      }, { class: 'danger-solid small-button' }),
      h('button', { type: 'button', class: 'secondary small-button', onclick: () => { confirm.hidden = true; ask.focus(); } }, 'Cancel')));
  const ask = h('button', { type: 'button', class: 'secondary small-button danger-outline',
    onclick: () => { confirm.hidden = false; confirm.querySelector('button').focus(); } }, 'Delete source');
  const editButton = h('button', { type: 'button', class: 'secondary small-button', onclick: edit }, 'Edit source');
  return h('div', {}, h('div', { class: 'actions' }, editButton, toggle, ask), confirm);
}

/**
 * The source's initial snapshot and backfills still running, with rows sent per table; when none runs, how the
 * initial snapshot ended (rows sent per table); null when the source had none.
 */
export async function snapshotProgress(sourceId) {
  const { data } = await api('GET', `/v1/sources/${sourceId}/backfills`).catch(() => ({ data: [] }));
  const snapshot = data.find((b) => b.kind === 'snapshot');
  const running = data.filter((b) => b.status === 'running' || b.status === 'waiting');
  const shown = running.length ? running : (snapshot ? [snapshot] : []);
  if (shown.length === 0) return null;
  const title = running.length ? 'Snapshot in progress' : snapshot.status === 'failed' ? 'Snapshot failed' : 'Snapshot finished';
  return h('div', { class: 'card snapshot' }, h('h3', {}, title),
    shown.map((b) => h('div', {}, b.error ? h('p', { class: 'bad-text small' }, b.error) : null, b.tables.map((t) => {
      const finished = t.status === 'done';
      const pct = finished ? 100 : t.rows_estimated ? Math.min(100, Math.round((t.rows_done / t.rows_estimated) * 100)) : null;
      const rows = `${t.rows_done.toLocaleString()} row${t.rows_done === 1 ? '' : 's'}`;
      return h('div', { class: 'progress-row' }, h('span', { class: 'mono' }, t.table),
        h('progress', { max: 100, value: pct ?? 0, 'aria-label': `${t.table}: ${rows} sent${finished ? ', finished' : ''}` }),
        h('span', { class: 'small muted' }, finished ? `${rows} sent, finished`
          : `${rows}${pct === null ? '' : ` (${pct}%)`}${b.status === 'waiting' ? ', waiting for a destination' : ''}`));
    }))));
}
