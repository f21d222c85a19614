// API keys (for scripts and CI) and the month's usage against the plan.
import { api } from './api.js';
import { h, field, formError, time, page, copyButton, toast } from './dom.js';
import { showError, busy } from './account.js';

export async function keysPage(ctx) {
  const { data } = await api('GET', '/v1/api_keys');
  const name = field('Name', { name: 'name', placeholder: 'ci' }, 'What the key is for, so you know which to revoke later.');
  const general = formError();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create key');
  const created = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true, class: 'inline-form' }, general, name, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    busy(submit, true, 'Creating…');
    try {
      const key = await api('POST', '/v1/api_keys', name.input.value ? { name: name.input.value } : {});
      await keysPage(ctx);
      document.getElementById('new-key').replaceChildren(h('div', { class: 'card' },
        h('p', {}, 'Your new key, shown ', h('strong', {}, 'only this once'), ':'),
        h('div', { class: 'secret' }, h('code', {}, key.api_key), copyButton(key.api_key))));
    } catch (e) {
      showError(e, { name }, general);
    } finally {
      busy(submit, false);
    }
  });
  created.id = 'new-key';
  ctx.show(page('API keys', h('p', { class: 'muted' }, 'Keys let scripts use the API with the X-API-Key header. The dashboard needs none.'),
    created,
    h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Key'), h('th', { scope: 'col' }, 'Created'),
        h('th', { scope: 'col' }, 'Last used'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, data.map((k) => {
        const revoke = h('button', { type: 'button', class: 'danger link' }, 'Revoke');
        revoke.addEventListener('click', async () => {
          if (!confirm(`Revoke the key “${k.name || k.prefix}”? Scripts using it stop working at once.`)) return;
          try {
            await api('DELETE', `/v1/api_keys/${k.id}`);
            toast('Key revoked.');
            await keysPage(ctx);
          } catch (e) {
            toast(e.message);
          }
        });
        return h('tr', {}, h('td', {}, k.name || '—'), h('td', { class: 'mono' }, `${k.prefix}…`), h('td', {}, time(k.created_at)),
          h('td', {}, time(k.last_used_at)), h('td', {}, data.length > 1 ? revoke : null));
      })))),
    h('div', { class: 'card' }, h('h2', {}, 'New key'), form)));
}

export async function usagePage(ctx) {
  const u = await api('GET', '/v1/usage');
  const unlimited = u.events_limit === null || u.events_limit >= Number.MAX_SAFE_INTEGER;
  const share = unlimited ? 0 : Math.min(1, u.events_counted / Math.max(1, u.events_limit));
  const bar = h('div', { class: 'bar-fill' });
  bar.style.width = `${(share * 100).toFixed(1)}%`;
  if (share >= 0.9) bar.classList.add('high');
  ctx.show(page('Usage', h('p', { class: 'muted' }, unlimited ? 'This account has no monthly limit.' : 'The free plan counts the events captured each calendar month (UTC).'),
    h('div', { class: 'card' },
      h('p', { class: 'big' }, h('strong', {}, Number(u.events_counted).toLocaleString()),
        unlimited ? ' events this month (no limit)' : ` of ${Number(u.events_limit).toLocaleString()} events this month`),
      unlimited ? null : h('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': u.events_limit, 'aria-valuenow': u.events_counted,
        'aria-label': 'Events used this month' }, bar),
      h('p', { class: 'muted' }, 'The month runs from ', time(u.period_start), ' to ', time(u.period_end), '.'),
      u.events_held > 0 ? h('p', { class: 'alert warn' }, `${u.events_held} events are held until the month turns or the limit rises: they are kept, not lost.`) : null)));
}
