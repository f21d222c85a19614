// Charts of a source and its destinations over the last hour or day, from GET /v1/sources/:id/stats.
// Plain SVG built node by node (no library, no innerHTML); each chart says what it shows in words too.
import { api } from './api.js';
import { h } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 480;
const HEIGHT = 120;

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) if (c) el.append(c);
  return el;
}

function clock(iso, range) {
  const d = new Date(iso);
  return range === '24h' ? d.toLocaleString([], { hour: '2-digit', minute: '2-digit', day: 'numeric' })
    : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function format(value, unit) {
  if (value === null || value === undefined) return '—';
  if (unit === 'bytes') {
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let v = value;
    let i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
  }
  if (unit === 'ms') return `${Math.round(value)} ms`;
  return Math.round(value).toLocaleString();
}

// One bar chart: values (null where nothing was measured) against bucket times.
function barChart(title, points, value, unit, range, kind) {
  const values = points.map(value);
  const present = values.filter((v) => v !== null && v !== undefined);
  const max = Math.max(1, ...present);
  const total = present.reduce((a, b) => a + b, 0);
  const peakAt = values.indexOf(Math.max(...present, -1));
  const summary = present.length === 0 ? 'nothing measured yet'
    : unit === 'count' ? `${format(total)} in all, at most ${format(max)} (${clock(points[peakAt].at, range)})`
      : `at most ${format(Math.max(...present), unit)} (${clock(points[peakAt].at, range)})`;
  const barWidth = WIDTH / points.length;
  const bars = values.map((v, i) => {
    if (!v) return null;
    const height = Math.max(1, (v / max) * (HEIGHT - 4));
    return s('rect', { x: (i * barWidth + 0.5).toFixed(1), y: (HEIGHT - height).toFixed(1), width: Math.max(1, barWidth - 1).toFixed(1),
      height: height.toFixed(1), class: `bar ${kind || ''}` }, s('title', {}, document.createTextNode(`${clock(points[i].at, range)}: ${format(v, unit)}`)));
  });
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: 'none', class: 'chart', 'aria-hidden': 'true', focusable: 'false' },
    s('line', { x1: 0, y1: HEIGHT - 0.5, x2: WIDTH, y2: HEIGHT - 0.5, class: 'axis' }), ...bars);
  return h('figure', { class: 'chart-card', role: 'img', 'aria-label': `${title}: ${summary}` },
    h('figcaption', {}, h('span', { class: 'chart-title' }, title), h('span', { class: 'muted small' }, summary)),
    svg,
    h('div', { class: 'chart-axis muted small' }, h('span', {}, clock(points[0].at, range)), h('span', {}, 'now')));
}

/** A card with the source's charts, a 1 h / 24 h switch, and each destination's success rate and latency. */
export function sourceCharts(sourceId) {
  const body = h('div', { class: 'charts' }, h('p', { class: 'muted' }, 'Loading…'));
  const buttons = ['1h', '24h'].map((range) => h('button', { type: 'button', class: 'secondary small-button', 'aria-pressed': range === '1h' ? 'true' : 'false',
    onclick: () => load(range) }, range === '1h' ? 'Last hour' : 'Last day'));
  const card = h('div', { class: 'card' },
    h('div', { class: 'card-head' }, h('h3', {}, 'Activity'), h('div', { class: 'segmented', role: 'group', 'aria-label': 'Time range' }, buttons)),
    body);
  async function load(range) {
    buttons.forEach((b) => b.setAttribute('aria-pressed', b.textContent === (range === '1h' ? 'Last hour' : 'Last day') ? 'true' : 'false'));
    try {
      const stats = await api('GET', `/v1/sources/${sourceId}/stats?range=${range}`);
      const per = range === '1h' ? 'minute' : '15 minutes';
      const charts = [
        barChart(`Events per ${per}`, stats.points, (p) => p.events, 'count', range),
        barChart('Slot lag', stats.points, (p) => p.slot_lag_bytes, 'bytes', range, 'lag'),
      ];
      for (const d of stats.destinations) {
        charts.push(barChart(`Failed attempts to ${d.url}`, d.points, (p) => p.failed_attempts, 'count', range, 'bad'));
        charts.push(barChart(`Latency to ${d.url} (commit to 2xx, average)`, d.points, (p) => p.latency_avg_ms, 'ms', range, 'latency'));
      }
      body.replaceChildren(h('div', { class: 'chart-grid' }, charts));
    } catch (e) {
      body.replaceChildren(h('p', { class: 'alert error', role: 'alert' }, e.message));
    }
  }
  load('1h');
  return card;
}

/** The destination's success rate and average latency over the last hour, for its row. */
export function destinationHealth(stats, destinationId) {
  const d = stats?.destinations.find((x) => x.id === destinationId);
  if (!d || d.attempts === 0) return h('span', { class: 'muted' }, 'no attempts in the last hour');
  const rate = Math.round(d.success_rate * 1000) / 10;
  return h('span', {}, h('span', { class: rate >= 99 ? 'ok-text' : rate >= 90 ? 'warn-text' : 'bad-text' }, `${rate}% succeeded`),
    h('span', { class: 'muted' }, ` · ${format(d.latency_avg_ms, 'ms')} average · ${d.attempts.toLocaleString()} attempts`));
}
