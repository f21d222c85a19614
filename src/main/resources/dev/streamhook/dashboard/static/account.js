// Sign-up, sign-in, and setting a password with an API key (how a private installation's admin starts).
import { api } from './api.js';
import { h, field, formError, copyButton, page } from './dom.js';

function authCard(title, lead, form, footer) {
  return h('section', { class: 'auth' },
    h('div', { class: 'card auth-card' }, h('h1', {}, title), lead ? h('p', { class: 'lead' }, lead) : null, form, footer));
}

// Shows a request's error next to the field it names, or above the form.
export function showError(e, fields, general) {
  for (const f of Object.values(fields)) f.showError(null);
  const target = e.param && fields[e.param];
  if (target) {
    target.showError(e.message);
    target.input.focus();
    general.show(null);
  } else {
    general.show(e.message);
  }
}

function busy(button, on, label) {
  button.disabled = on;
  if (on) {
    button.dataset.label = button.textContent;
    button.textContent = label;
  } else if (button.dataset.label) {
    button.textContent = button.dataset.label;
  }
}

export function signUpPage(ctx) {
  if (ctx.session?.signup !== 'open') return ctx.go('#/login');
  const email = field('E-mail', { type: 'email', name: 'email', autocomplete: 'email', required: true });
  const password = field('Password', { type: 'password', name: 'password', autocomplete: 'new-password', required: true, minlength: 10 },
    'At least 10 characters.');
  const general = formError();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create account');
  const form = h('form', { novalidate: true }, general, email, password, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    busy(submit, true, 'Creating…');
    try {
      const created = await api('POST', '/dashboard/api/signup', { email: email.input.value, password: password.input.value });
      ctx.signedIn(created);
      showKeyOnce(ctx, created.api_key);
    } catch (e) {
      showError(e, { email, password }, general);
    } finally {
      busy(submit, false);
    }
  });
  ctx.show(authCard('Create your account', 'Stream every change in your PostgreSQL tables to your webhooks.', form,
    h('p', { class: 'muted' }, 'Already have an account? ', h('a', { href: '#/login' }, 'Sign in'))));
}

function showKeyOnce(ctx, key) {
  const next = h('a', { class: 'button primary', href: '#/sources/new' }, 'Add your first source');
  ctx.show(page('Your API key',
    h('div', { class: 'card' },
      h('p', {}, 'This key lets scripts and CI use the StreamHook API. It is shown ', h('strong', {}, 'only this once'), ': copy it now and keep it somewhere safe.'),
      h('div', { class: 'secret' }, h('code', { id: 'api-key' }, key), copyButton(key)),
      h('p', { class: 'muted' }, 'You don’t need it for the dashboard: you are signed in.'),
      h('div', { class: 'actions' }, next))));
  next.focus();
}

export function logInPage(ctx) {
  const email = field('E-mail', { type: 'text', name: 'email', autocomplete: 'username', required: true },
    ctx.session?.signup === 'open' ? null : 'The admin of this server signs in as “admin”.');
  const password = field('Password', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const general = formError();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', { novalidate: true }, general, email, password, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    busy(submit, true, 'Signing in…');
    try {
      ctx.signedIn(await api('POST', '/dashboard/api/login', { email: email.input.value, password: password.input.value }));
      ctx.go('#/events');
    } catch (e) {
      showError(e, { email, password }, general);
    } finally {
      busy(submit, false);
    }
  });
  ctx.show(authCard('Sign in', null, form, h('div', { class: 'muted stack' },
    ctx.session?.signup === 'open' ? h('p', {}, 'New here? ', h('a', { href: '#/signup' }, 'Create an account')) : null,
    h('p', {}, 'No password yet? ', h('a', { href: '#/password' }, 'Set one with your API key')))));
}

export function passwordPage(ctx) {
  const key = field('API key', { type: 'password', name: 'api_key', autocomplete: 'off', required: true },
    'On a private installation, the admin key is the one the first start of “streamhook serve” printed.');
  const password = field('New password', { type: 'password', name: 'password', autocomplete: 'new-password', required: true, minlength: 10 },
    'At least 10 characters. Other browsers signed in to this account are signed out.');
  const general = formError();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Set password and sign in');
  const form = h('form', { novalidate: true }, general, key, password, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    busy(submit, true, 'Saving…');
    try {
      ctx.signedIn(await api('POST', '/dashboard/api/password', { api_key: key.input.value, password: password.input.value }));
      ctx.go('#/events');
    } catch (e) {
      showError(e, { api_key: key, password }, general);
    } finally {
      busy(submit, false);
    }
  });
  ctx.show(authCard('Set your password', 'Prove the account is yours with one of its API keys.', form,
    h('p', { class: 'muted' }, h('a', { href: '#/login' }, 'Back to sign in'))));
}

export { busy };
