// The dashboard's shell: who is signed in, the navigation, and a hash router (#/sources, #/events/evt_…).
import { api, setCsrf } from './api.js';
import { h, toast } from './dom.js';
import { signUpPage, logInPage, passwordPage } from './account.js';
import { sourcesPage, newSourcePage, sourcePage, destinationsPage } from './sources.js';
import { eventsPage, eventPage } from './events.js';
import { keysPage, usagePage } from './settings.js';

const state = { session: null, leave: null };

const routes = [
  [/^#\/signup$/, () => signUpPage(ctx), false],
  [/^#\/login$/, () => logInPage(ctx), false],
  [/^#\/password$/, () => passwordPage(ctx), false],
  [/^#\/sources$/, () => sourcesPage(ctx), true],
  [/^#\/sources\/new$/, () => newSourcePage(ctx), true],
  [/^#\/sources\/([\w-]+)$/, (m) => sourcePage(ctx, m[1]), true],
  [/^#\/destinations$/, () => destinationsPage(ctx), true],
  [/^#\/events$/, () => eventsPage(ctx), true],
  [/^#\/events\/([\w-]+)$/, (m) => eventPage(ctx, m[1]), true],
  [/^#\/keys$/, () => keysPage(ctx), true],
  [/^#\/usage$/, () => usagePage(ctx), true],
];

// What every page gets: the session, a way to show a page, to navigate, and to run code when the page is left.
const ctx = {
  get session() { return state.session; },
  signedIn(session) {
    state.session = session;
    setCsrf(session?.csrf_token || null);
    renderChrome();
  },
  params: new URLSearchParams(),
  go(hash) {
    if (location.hash === hash) route(); else location.hash = hash;
  },
  // quiet: a refresh of the page already shown, which must not move the keyboard focus
  show(node, { quiet = false } = {}) {
    const main = document.getElementById('main');
    main.replaceChildren(node);
    if (quiet) return;
    const heading = main.querySelector('h1');
    if (heading) document.title = `${heading.textContent} · StreamHook`;
    main.focus({ preventScroll: true });
  },
  onLeave(fn) {
    state.leave = fn;
  },
};

function renderChrome() {
  const signedIn = !!state.session?.signed_in;
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('who').hidden = !signedIn;
  document.getElementById('who-email').textContent = signedIn ? state.session.email : '';
}

function markSection(hash) {
  const section = (hash.split('/')[1] || '');
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.section === section) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
}

async function route() {
  if (state.leave) {
    state.leave();
    state.leave = null;
  }
  const [hash, query] = (location.hash || '').split('?');
  ctx.params = new URLSearchParams(query || '');
  const signedIn = !!state.session?.signed_in;
  for (const [pattern, render, needsSession] of routes) {
    const m = hash.match(pattern);
    if (!m) continue;
    if (needsSession && !signedIn) return ctx.go('#/login');
    if (!needsSession && signedIn && hash !== '#/signup') return ctx.go('#/events');
    markSection(hash);
    try {
      await render(m);
    } catch (e) {
      ctx.show(h('section', { class: 'page' }, h('h1', {}, 'Something went wrong'), h('div', { class: 'alert error', role: 'alert' }, e.message)));
    }
    return;
  }
  if (signedIn) ctx.go('#/events');
  else ctx.go(state.session?.signup === 'open' ? '#/signup' : '#/login');
}

async function start() {
  document.getElementById('logout').addEventListener('click', async () => {
    try {
      await api('POST', '/dashboard/api/logout');
    } finally {
      ctx.signedIn({ signed_in: false, signup: state.session?.signup });
      ctx.go('#/login');
    }
  });
  window.addEventListener('signed-out', () => {
    if (!state.session?.signed_in) return;
    ctx.signedIn({ signed_in: false, signup: state.session.signup });
    toast('Your session ended. Please sign in again.');
    ctx.go('#/login');
  });
  window.addEventListener('hashchange', route);
  try {
    ctx.signedIn(await api('GET', '/dashboard/api/session'));
  } catch (e) {
    ctx.show(h('section', { class: 'page' }, h('h1', {}, 'StreamHook is not reachable'), h('p', {}, e.message)));
    return;
  }
  route();
}

start();
