// The burn-down chart: open devices per day as an inline SVG line, with its numbers in a table
// for screen readers and for reading exact values.
import { el, svg, table } from './dom.js';

// points: [{date: "YYYY-MM-DD", open: n}] in date order.
export function burndownChart(points, title) {
  if (!points.length) return el('p', { class: 'note' }, 'No history yet: the chart starts with the first recorded change.');
  const width = 640, height = 240, left = 44, right = 12, top = 12, bottom = 44;
  const w = width - left - right, h = height - top - bottom;
  const max = Math.max(1, ...points.map(p => p.open));
  const times = points.map(p => Date.parse(p.date + 'T00:00:00Z'));
  const t0 = times[0], t1 = times[times.length - 1];
  const px = i => left + (t1 > t0 ? (times[i] - t0) / (t1 - t0) * w : w / 2);
  const py = v => top + h - v / max * h;
  const ticks = [0, Math.round(max / 2), max].filter((v, i, a) => a.indexOf(v) === i);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img',
                             'aria-label': `${title}: from ${points[0].open} on ${points[0].date} to ` +
                               `${points[points.length - 1].open} on ${points[points.length - 1].date}` },
    ticks.map(v => [
      svg('line', { x1: left, x2: left + w, y1: py(v), y2: py(v), class: 'grid' }),
      svg('text', { x: left - 6, y: py(v) + 4, 'text-anchor': 'end', class: 'tick' }, String(v)),
    ]),
    svg('line', { x1: left, x2: left, y1: top, y2: top + h, class: 'axis' }),
    svg('line', { x1: left, x2: left + w, y1: top + h, y2: top + h, class: 'axis' }),
    svg('text', { x: left, y: top + h + 18, class: 'tick' }, points[0].date),
    points.length > 1
      ? svg('text', { x: left + w, y: top + h + 18, 'text-anchor': 'end', class: 'tick' }, points[points.length - 1].date)
      : null,
    svg('text', { x: left, y: height - 6, class: 'tick' }, 'open devices at the end of each day'),
    svg('polyline', { class: 'line', fill: 'none',
                      points: points.map((p, i) => `${px(i).toFixed(1)},${py(p.open).toFixed(1)}`).join(' ') }),
    points.map((p, i) => svg('circle', { cx: px(i).toFixed(1), cy: py(p.open).toFixed(1), r: 3, class: 'dot' },
      svg('title', {}, `${p.date}: ${p.open} open`))));
  return el('figure', { class: 'chart-box' },
    chart,
    el('figcaption', {}, title),
    el('details', {}, el('summary', {}, 'Numbers'),
      table('Open devices per day', [['Date', p => p.date], ['Open', p => p.open]], points)));
}
