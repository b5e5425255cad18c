// Charts: events per period by country and by type (GET /stats/timeseries), and a map of
// Southeast Asia shaded by event count with Russia's links (country pairs with RUS).

import { navigate } from '../app.js';
import { get, queryString } from '../lib/api.js';
import { EVENT_TYPES, PALETTE, SEA_COUNTRIES, countryName, h, mount, typeLabel } from '../lib/dom.js';

const DAY = 86_400_000;
const isoDay = (time) => new Date(time).toISOString().slice(0, 10);

/** First day of the period holding `day` (weeks start on Monday, as the API counts them). */
function periodStart(day, interval) {
  const date = new Date(`${day}T00:00:00Z`);
  if (interval === 'month') return `${day.slice(0, 7)}-01`;
  if (interval === 'week') return isoDay(date.getTime() - ((date.getUTCDay() + 6) % 7) * DAY);
  return day;
}

function periods(from, to, interval) {
  const out = [];
  let current = periodStart(from, interval);
  for (let guard = 0; current <= to && guard < 800; guard++) {
    out.push(current);
    const date = new Date(`${current}T00:00:00Z`);
    if (interval === 'month') date.setUTCMonth(date.getUTCMonth() + 1);
    else date.setUTCDate(date.getUTCDate() + (interval === 'week' ? 7 : 1));
    current = isoDay(date.getTime());
  }
  return out;
}

function stackedBars({ rows, from, to, interval, keys, label, colour, title }) {
  const columns = periods(from, to, interval);
  const counts = new Map();
  for (const row of rows) counts.set(`${row.period}|${row.key}`, row.count);
  const totals = columns.map((period) =>
    keys.reduce((sum, key) => sum + (counts.get(`${period}|${key}`) ?? 0), 0),
  );
  const max = Math.max(1, ...totals);
  const width = 720;
  const height = 250;
  const left = 36;
  const bottom = 28;
  const top = 10;
  const plotHeight = height - top - bottom;
  const slot = (width - left - 10) / Math.max(1, columns.length);
  const svg = h('svg:svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart',
    role: 'img',
    'aria-label': title,
  });
  const step = Math.max(1, Math.ceil(max / 4));
  for (let value = 0; value <= max; value += step) {
    const y = top + plotHeight - (value / max) * plotHeight;
    svg.append(
      h('svg:line', { x1: left, x2: width - 10, y1: y, y2: y, class: 'grid' }),
      h('svg:text', { x: left - 6, y: y + 4, 'text-anchor': 'end', class: 'tick-label' }, String(value)),
    );
  }
  const labelEvery = Math.ceil(columns.length / 7);
  columns.forEach((period, index) => {
    const x = left + index * slot;
    let y = top + plotHeight;
    for (const key of keys) {
      const count = counts.get(`${period}|${key}`) ?? 0;
      if (!count) continue;
      const barHeight = (count / max) * plotHeight;
      y -= barHeight;
      svg.append(
        h(
          'svg:rect',
          { x: x + slot * 0.1, y, width: Math.max(1, slot * 0.8), height: barHeight, fill: colour(key) },
          h('svg:title', {}, `${period}: ${label(key)} ${count}`),
        ),
      );
    }
    if (index % labelEvery === 0) {
      svg.append(
        h(
          'svg:text',
          { x: x + slot / 2, y: height - 8, 'text-anchor': 'middle', class: 'tick-label' },
          period.slice(0, interval === 'month' ? 7 : 10),
        ),
      );
    }
  });
  const used = keys.filter((key) => rows.some((row) => row.key === key));
  const legend = h(
    'ul',
    { class: 'legend' },
    used.map((key) =>
      h('li', {}, h('span', { class: 'swatch', dataset: { colour: colour(key) } }), label(key)),
    ),
  );
  for (const swatch of legend.querySelectorAll('.swatch')) swatch.style.background = swatch.dataset.colour;
  const table = h(
    'details',
    {},
    h('summary', {}, 'As a table'),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Period'),
            used.map((key) => h('th', { scope: 'col' }, label(key))),
          ),
        ),
        h(
          'tbody',
          {},
          columns
            .filter((_, index) => totals[index] > 0)
            .map((period) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, period),
                used.map((key) => h('td', { class: 'num' }, String(counts.get(`${period}|${key}`) ?? 0))),
              ),
            ),
        ),
      ),
    ),
  );
  return [rows.length ? svg : h('p', { class: 'muted' }, 'No events in this period.'), legend, table];
}

function shade(count, max) {
  if (!count) return '#e9eef5';
  const t = 0.25 + 0.75 * (count / max);
  const mix = (a, b) => Math.round(a + (b - a) * t);
  return `rgb(${mix(233, 20)}, ${mix(238, 63)}, ${mix(245, 122)})`;
}

async function seaMap(countryCounts, pairCounts) {
  const map = await (await fetch('/console/sea-map.json')).json();
  const [, , width, height] = map.viewBox;
  const max = Math.max(1, ...SEA_COUNTRIES.map((code) => countryCounts.get(code) ?? 0));
  const maxLink = Math.max(1, ...SEA_COUNTRIES.map((code) => pairCounts.get(code) ?? 0));
  const svg = h('svg:svg', {
    viewBox: map.viewBox.join(' '),
    class: 'map',
    role: 'img',
    'aria-label': `Map of Southeast Asia: ${SEA_COUNTRIES.map((code) => `${countryName(code)} ${countryCounts.get(code) ?? 0}`).join(', ')}`,
  });
  svg.append(h('svg:rect', { x: 0, y: 0, width, height, class: 'sea' }));
  for (const country of map.countries.filter((item) => !item.code))
    svg.append(h('svg:path', { d: country.d, class: 'land-context' }));
  const labels = [];
  const [rx, ry] = map.russia;
  const links = h('svg:g', { class: 'links' });
  for (const country of map.countries.filter((item) => item.code)) {
    const count = countryCounts.get(country.code) ?? 0;
    svg.append(
      h(
        'svg:path',
        { d: country.d, fill: shade(count, max), class: 'land', dataset: { country: country.code, count } },
        h('svg:title', {}, `${country.name}: ${count} event${count === 1 ? '' : 's'}`),
      ),
    );
    const [cx, cy] = country.centre;
    const linked = pairCounts.get(country.code) ?? 0;
    if (linked > 0) {
      const bend = (cx - rx) * 0.2;
      links.append(
        h(
          'svg:path',
          {
            d: `M${rx},${ry} Q${(rx + cx) / 2 + bend},${(ry + cy) / 2 - 40} ${cx},${cy}`,
            class: 'link',
            'stroke-width': 1.5 + 6 * (linked / maxLink),
            dataset: { pair: `RUS-${country.code}` },
          },
          h('svg:title', {}, `Russia – ${country.name}: ${linked} event${linked === 1 ? '' : 's'}`),
        ),
      );
    }
    if (count > 0 || ['IDN', 'VNM', 'THA', 'PHL', 'MMR', 'MYS'].includes(country.code))
      labels.push(
        h(
          'svg:text',
          { x: cx, y: cy + 4, 'text-anchor': 'middle', class: 'map-label' },
          count > 0 ? `${country.code} ${count}` : country.code,
        ),
      );
  }
  svg.append(links, ...labels);
  svg.append(
    h('svg:circle', { cx: rx, cy: ry, r: 14, class: 'russia' }),
    h('svg:text', { x: rx, y: ry + 4, 'text-anchor': 'middle', class: 'russia-label' }, 'RUS'),
    h(
      'svg:text',
      { x: rx - 20, y: ry + 5, 'text-anchor': 'end', class: 'map-note' },
      'Russia (to the north) ↗',
    ),
  );
  return svg;
}

export async function renderCharts(view, params) {
  const interval = ['day', 'week', 'month'].includes(params.get('interval'))
    ? params.get('interval')
    : 'week';
  let from = params.get('from');
  let to = params.get('to');
  if (!from || !to) {
    // Default: the year up to the latest event, so a quiet recent month still shows history.
    const latest = await get('/events?limit=1&sort=date&order=desc');
    const end = latest.items[0]?.eventDate ?? isoDay(Date.now());
    to ||= end;
    from ||= isoDay(Date.parse(`${to}T00:00:00Z`) - 364 * DAY);
  }
  const form = h(
    'form',
    { class: 'period card', 'aria-label': 'Period' },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'c-from' }, 'From'),
      h('input', { id: 'c-from', name: 'from', type: 'date', value: from, required: true }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'c-to' }, 'To'),
      h('input', { id: 'c-to', name: 'to', type: 'date', value: to, required: true }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'c-interval' }, 'Per'),
      h(
        'select',
        { id: 'c-interval', name: 'interval' },
        ['day', 'week', 'month'].map((value) => h('option', { value, selected: value === interval }, value)),
      ),
    ),
    h('button', { type: 'submit' }, 'Show'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    navigate(
      `/console/charts${queryString({ from: data.get('from'), to: data.get('to'), interval: data.get('interval') })}`,
    );
  });
  const byCountry = h(
    'section',
    { class: 'card', 'aria-labelledby': 'by-country' },
    h('h2', { id: 'by-country' }, `Events per ${interval} by country`),
  );
  const byType = h(
    'section',
    { class: 'card', 'aria-labelledby': 'by-type' },
    h('h2', { id: 'by-type' }, `Events per ${interval} by type`),
  );
  const mapBox = h(
    'section',
    { class: 'card wide', 'aria-labelledby': 'map-title' },
    h('h2', { id: 'map-title' }, 'Southeast Asia: events and links with Russia'),
  );
  view.append(h('h1', {}, 'Charts'), form, h('div', { class: 'charts-grid' }, byCountry, byType, mapBox));

  const base = { from, to, interval };
  const [countries, types, pairs] = await Promise.all([
    get(`/stats/timeseries${queryString({ ...base, groupBy: 'country' })}`),
    get(`/stats/timeseries${queryString({ ...base, groupBy: 'type' })}`),
    get(`/stats/timeseries${queryString({ ...base, groupBy: 'pair' })}`),
  ]);
  const countryKeys = [...new Set(countries.rows.map((row) => row.key))].sort((a, b) =>
    a === 'RUS' ? -1 : b === 'RUS' ? 1 : a.localeCompare(b),
  );
  const countryColour = (key) => PALETTE[countryKeys.indexOf(key) % PALETTE.length];
  byCountry.append(
    ...stackedBars({
      rows: countries.rows,
      from,
      to,
      interval,
      keys: countryKeys,
      label: countryName,
      colour: countryColour,
      title: `Events per ${interval} by country, ${from} to ${to}`,
    }),
  );
  byType.append(
    ...stackedBars({
      rows: types.rows,
      from,
      to,
      interval,
      keys: EVENT_TYPES,
      label: typeLabel,
      colour: (key) => PALETTE[EVENT_TYPES.indexOf(key) % PALETTE.length],
      title: `Events per ${interval} by type, ${from} to ${to}`,
    }),
  );
  const countryCounts = new Map();
  for (const row of countries.rows) countryCounts.set(row.key, (countryCounts.get(row.key) ?? 0) + row.count);
  const pairCounts = new Map();
  for (const row of pairs.rows) {
    const [a, b] = row.key.split('-');
    const other = a === 'RUS' ? b : b === 'RUS' ? a : null;
    if (other) pairCounts.set(other, (pairCounts.get(other) ?? 0) + row.count);
  }
  mount(
    mapBox,
    mapBox.firstChild,
    await seaMap(countryCounts, pairCounts),
    h(
      'p',
      { class: 'muted small' },
      `${from} to ${to}. Shading: events involving the country; lines: events involving Russia and the country. Natural Earth outlines.`,
    ),
  );
}
