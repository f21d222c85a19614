// Builds DOM nodes without innerHTML, so nothing a database or an endpoint returns is ever parsed as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

let fieldIds = 0;

// A labelled input: every field has a visible label tied to it, and a place for its error.
export function field(label, attrs = {}, hint) {
  const id = attrs.id || `f${++fieldIds}`;
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const input = h(attrs.tag || 'input', { ...attrs, tag: null, id, 'aria-describedby': [hintId, errorId].filter(Boolean).join(' ') });
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('p', { class: 'hint', id: hintId }, hint) : null, error);
  wrap.input = input;
  wrap.showError = (message) => {
    error.textContent = message || '';
    error.hidden = !message;
    input.setAttribute('aria-invalid', message ? 'true' : 'false');
  };
  return wrap;
}

export function formError() {
  const el = h('div', { class: 'alert error', role: 'alert', hidden: true });
  el.show = (message) => { el.textContent = message || ''; el.hidden = !message; };
  return el;
}

export function badge(text, kind) {
  return h('span', { class: `badge ${kind || text}` }, text);
}

export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return h('time', { datetime: iso, title: iso }, d.toLocaleString());
}

export function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove('show'), 3000);
}

// A copy button for a secret shown once; falls back to selecting the text where the clipboard is not available.
export function copyButton(text, label = 'Copy') {
  const button = h('button', { type: 'button', class: 'secondary' }, label);
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = 'Copied';
    } catch {
      const code = button.parentElement.querySelector('code');
      if (code) window.getSelection().selectAllChildren(code);
      button.textContent = 'Press Ctrl+C to copy';
    }
    setTimeout(() => { button.textContent = label; }, 2500);
  });
  return button;
}

export function page(title, ...children) {
  return h('section', { class: 'page' }, h('h1', {}, title), ...children);
}
