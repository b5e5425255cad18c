// Home: the latest diplomatic events as a timeline and a table, with the filters of GET /events
// kept in the page's URL (so a view can be shared), and new events arriving live.

import { navigate } from '../app.js';
import { api, get, queryString } from '../lib/api.js';
import {
  COUNTRIES,
  COUNTRY_NAMES,
  EVENT_TYPES,
  PALETTE,
  checkGroup,
  countryName,
  dateRange,
  h,
  mount,
  percent,
  typeLabel,
} from '../lib/dom.js';
import { follow, followedSubscription, liveEvents, liveState, onLive } from '../lib/live.js';

/** URL parameters the console passes to GET /events as they are. */
const PASSED = [
  'countryMatch',
  'actor',
  'from',
  'to',
  'publishedFrom',
  'publishedTo',
  'minConfidence',
  'q',
  'sort',
  'order',
  'asOf',
];
/** Filters the browser cannot check on a live event (they need the articles). */
const SERVER_ONLY = ['q', 'feed', 'publishedFrom', 'publishedTo', 'asOf'];

const listOf = (params, name) =>
  params
    .getAll(name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);

const splitWords = (value) =>
  String(value ?? '')
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);

export function apiQuery(params) {
  const query = {
    country: listOf(params, 'country'),
    type: listOf(params, 'type'),
    pair: listOf(params, 'pair'),
    feed: params.getAll('feed'),
  };
  for (const name of PASSED) if (params.get(name)) query[name] = params.get(name);
  return query;
}

/** Whether an event from the stream belongs in the current view (null: cannot tell here). */
function matches(event, params) {
  if (SERVER_ONLY.some((name) => params.get(name))) return null;
  const countries = listOf(params, 'country');
  if (countries.length > 0) {
    const has = (code) => event.countries.includes(code);
    const ok = params.get('countryMatch') === 'any' ? countries.some(has) : countries.every(has);
    if (!ok) return false;
  }
  const types = listOf(params, 'type');
  if (types.length > 0 && !types.includes(event.type)) return false;
  const min = Number(params.get('minConfidence') ?? 0);
  if (event.confidence < min) return false;
  const date = event.eventDate ?? event.startDate;
  if (params.get('from') && date && date < params.get('from')) return false;
  if (params.get('to') && date && date > params.get('to')) return false;
  for (const pair of listOf(params, 'pair')) {
    if (
      !pair
        .toUpperCase()
        .split('-')
        .every((code) => event.countries.includes(code))
    )
      return false;
  }
  const actor = params.get('actor')?.toLowerCase().trim();
  if (actor && !event.actors.some((person) => person.name.toLowerCase().includes(actor))) return false;
  return true;
}

function filterForm(params) {
  const countries = new Set(listOf(params, 'country'));
  const types = new Set(listOf(params, 'type'));
  const field = (label, input) => h('div', { class: 'field' }, h('label', { for: input.id }, label), input);
  const form = h(
    'form',
    { class: 'filters', id: 'filters', 'aria-label': 'Filters' },
    h('h2', {}, 'Filters'),
    checkGroup(
      {
        legend: 'Countries',
        name: 'country',
        values: COUNTRIES,
        checked: countries,
        label: (code) => COUNTRY_NAMES[code],
      },
      h(
        'div',
        { class: 'field inline' },
        h('label', { for: 'f-match' }, 'Involving'),
        h(
          'select',
          { id: 'f-match', name: 'countryMatch' },
          h('option', { value: 'all', selected: params.get('countryMatch') !== 'any' }, 'all of them'),
          h('option', { value: 'any', selected: params.get('countryMatch') === 'any' }, 'any of them'),
        ),
      ),
    ),
    checkGroup({
      legend: 'Event types',
      name: 'type',
      values: EVENT_TYPES,
      checked: types,
      label: typeLabel,
    }),
    field(
      'Actor',
      h('input', {
        id: 'f-actor',
        name: 'actor',
        type: 'search',
        value: params.get('actor') ?? '',
        placeholder: 'e.g. Shoigu',
      }),
    ),
    field(
      'Text in the articles',
      h('input', { id: 'f-q', name: 'q', type: 'search', value: params.get('q') ?? '' }),
    ),
    h(
      'div',
      { class: 'field-row' },
      field(
        'From',
        h('input', { id: 'f-from', name: 'from', type: 'date', value: params.get('from') ?? '' }),
      ),
      field('To', h('input', { id: 'f-to', name: 'to', type: 'date', value: params.get('to') ?? '' })),
    ),
    field(
      'Lowest confidence',
      h('input', {
        id: 'f-confidence',
        name: 'minConfidence',
        type: 'number',
        min: 0,
        max: 1,
        step: 0.05,
        value: params.get('minConfidence') ?? '',
        placeholder: '0 – 1',
      }),
    ),
    h(
      'details',
      {
        class: 'more-filters',
        open: ['pair', 'publishedFrom', 'publishedTo', 'feed', 'asOf'].some((name) => params.get(name)),
      },
      h('summary', {}, 'More filters'),
      field(
        'Country pairs',
        h('input', {
          id: 'f-pair',
          name: 'pair',
          value: listOf(params, 'pair').join(', '),
          placeholder: 'RUS-IDN, RUS-VNM',
        }),
      ),
      h(
        'div',
        { class: 'field-row' },
        field(
          'Published from',
          h('input', {
            id: 'f-pfrom',
            name: 'publishedFrom',
            type: 'date',
            value: params.get('publishedFrom') ?? '',
          }),
        ),
        field(
          'Published to',
          h('input', {
            id: 'f-pto',
            name: 'publishedTo',
            type: 'date',
            value: params.get('publishedTo') ?? '',
          }),
        ),
      ),
      field(
        'Source feed URL',
        h('input', { id: 'f-feed', name: 'feed', type: 'url', value: params.get('feed') ?? '' }),
      ),
      field(
        'As known at',
        h('input', {
          id: 'f-asof',
          name: 'asOf',
          value: params.get('asOf') ?? '',
          placeholder: '2025-03-01T00:00:00Z',
        }),
      ),
    ),
    h(
      'div',
      { class: 'field-row' },
      field(
        'Sort by',
        h(
          'select',
          { id: 'f-sort', name: 'sort' },
          h('option', { value: 'date', selected: params.get('sort') !== 'confidence' }, 'event date'),
          h('option', { value: 'confidence', selected: params.get('sort') === 'confidence' }, 'confidence'),
        ),
      ),
      field(
        'Order',
        h(
          'select',
          { id: 'f-order', name: 'order' },
          h('option', { value: 'desc', selected: params.get('order') !== 'asc' }, 'newest / highest first'),
          h('option', { value: 'asc', selected: params.get('order') === 'asc' }, 'oldest / lowest first'),
        ),
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit' }, 'Apply filters'),
      h('a', { href: '/console/', 'data-nav': true, class: 'button secondary' }, 'Clear'),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    const data = new FormData(form);
    const countryList = data.getAll('country');
    if (countryList.length) next.set('country', countryList.join(','));
    if (countryList.length > 1 && data.get('countryMatch') === 'any') next.set('countryMatch', 'any');
    const typeList = data.getAll('type');
    if (typeList.length) next.set('type', typeList.join(','));
    const pairs = splitWords(data.get('pair'));
    if (pairs.length) next.set('pair', pairs.join(','));
    for (const name of [
      'actor',
      'q',
      'from',
      'to',
      'minConfidence',
      'publishedFrom',
      'publishedTo',
      'feed',
      'asOf',
    ]) {
      const value = String(data.get(name) ?? '').trim();
      if (value) next.set(name, value);
    }
    if (data.get('sort') === 'confidence') next.set('sort', 'confidence');
    if (data.get('order') === 'asc') next.set('order', 'asc');
    // More feeds than the form shows (feed=…&feed=…) stay as they were.
    for (const value of params.getAll('feed').slice(1)) next.append('feed', value);
    const search = next.toString();
    navigate(`/console/${search ? `?${search}` : ''}`);
  });
  return form;
}

/** On a phone the filters fold away (open by default on wider screens). */
function filterBox(params) {
  const active = [
    'country',
    'pair',
    'type',
    'actor',
    'q',
    'from',
    'to',
    'minConfidence',
    'feed',
    'publishedFrom',
    'publishedTo',
  ].filter((name) => params.get(name)).length;
  return h(
    'details',
    { class: 'filters-box', open: !window.matchMedia('(max-width: 900px)').matches },
    h('summary', {}, active ? `Filters (${active} active)` : 'Filters'),
    filterForm(params),
  );
}

const typeColour = (type) => PALETTE[Math.max(0, EVENT_TYPES.indexOf(type)) % PALETTE.length];

function eventLink(event, text) {
  return h('a', { href: `/console/events/${encodeURIComponent(event.id)}`, 'data-nav': true }, text);
}

function countryChips(codes) {
  return h(
    'ul',
    { class: 'chips', 'aria-label': 'Countries' },
    codes.map((code) => h('li', { title: countryName(code) }, code)),
  );
}

function actorsText(actors) {
  if (!actors?.length) return '—';
  const names = actors.map((actor) => actor.name);
  return names.length > 3 ? `${names.slice(0, 3).join(', ')} +${names.length - 3}` : names.join(', ');
}

function eventRow(event, live = false) {
  return h(
    'tr',
    { class: live ? 'live-new' : null, dataset: { eventId: event.id } },
    h('td', { class: 'nowrap', 'data-label': 'Date' }, dateRange(event)),
    h(
      'td',
      { 'data-label': 'Type' },
      h('span', { class: `type-badge type-${event.type}` }, typeLabel(event.type)),
    ),
    h('td', {}, countryChips(event.countries)),
    h('td', { 'data-label': 'Actors' }, actorsText(event.actors)),
    h('td', {}, eventLink(event, event.summary), live ? h('span', { class: 'new-badge' }, 'new') : null),
    h(
      'td',
      { class: 'num', 'data-label': 'Confidence' },
      h('meter', { min: 0, max: 1, value: event.confidence, 'aria-hidden': 'true' }),
      ` ${percent(event.confidence)}`,
    ),
    h('td', { class: 'num', 'data-label': 'Sources' }, String(event.sourceCount ?? 1)),
  );
}

function eventsTable(rows) {
  return h(
    'table',
    { class: 'events', id: 'events-table' },
    h('caption', { class: 'visually-hidden' }, 'Diplomatic events'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Date', 'Type', 'Countries', 'Actors', 'Summary', 'Confidence', 'Sources'].map((label) =>
          h('th', { scope: 'col' }, label),
        ),
      ),
    ),
    h('tbody', {}, rows),
  );
}

/** Dots on a time axis, one lane per type; each dot is a link to the event. */
function timeline(events, width = 1000) {
  const dated = events.filter((event) => event.eventDate);
  if (dated.length === 0) return h('p', { class: 'muted' }, 'No events to place on the timeline.');
  const time = (event) => Date.parse(`${event.eventDate}T00:00:00Z`);
  let min = Math.min(...dated.map(time));
  let max = Math.max(...dated.map(time));
  const day = 86_400_000;
  if (max - min < 30 * day) {
    min -= 15 * day;
    max += 15 * day;
  }
  const types = EVENT_TYPES.filter((type) => dated.some((event) => event.type === type));
  const left = width < 600 ? 130 : 150;
  const right = 20;
  const lane = 26;
  const top = 10;
  const height = top + types.length * lane + 30;
  const x = (t) => left + ((t - min) / (max - min)) * (width - left - right);
  const svg = h('svg:svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'timeline',
    role: 'group',
    'aria-label': `Timeline of ${dated.length} events`,
  });
  types.forEach((type, index) => {
    const y = top + index * lane + lane / 2;
    svg.append(
      h('svg:line', { x1: left, x2: width - right, y1: y, y2: y, class: 'lane' }),
      h('svg:text', { x: left - 8, y: y + 4, 'text-anchor': 'end', class: 'lane-label' }, typeLabel(type)),
    );
  });
  // Ticks on whole months or years, as many as fit without their labels touching.
  const spanMonths = (max - min) / (30.44 * day);
  const room = Math.max(2, Math.floor((width - left - right) / 75));
  const step = [1, 3, 6, 12, 24, 60, 120].find((months) => spanMonths / months <= room) ?? 120;
  const first = new Date(min);
  const tick = new Date(
    Date.UTC(first.getUTCFullYear(), step >= 12 ? 0 : first.getUTCMonth() - (first.getUTCMonth() % step), 1),
  );
  const axisY = top + types.length * lane + 18;
  for (let guard = 0; tick.getTime() <= max && guard < 200; guard++) {
    if (tick.getTime() >= min) {
      const tx = x(tick.getTime());
      svg.append(
        h('svg:line', { x1: tx, x2: tx, y1: top, y2: axisY - 12, class: 'tick' }),
        h(
          'svg:text',
          { x: tx, y: axisY, 'text-anchor': 'middle', class: 'tick-label' },
          step >= 12 ? String(tick.getUTCFullYear()) : tick.toISOString().slice(0, 7),
        ),
      );
    }
    tick.setUTCMonth(tick.getUTCMonth() + step);
  }
  for (const event of dated) {
    const y = top + types.indexOf(event.type) * lane + lane / 2;
    const link = h(
      'svg:a',
      { href: `/console/events/${encodeURIComponent(event.id)}`, 'data-nav': true, class: 'dot' },
      h('svg:title', {}, `${dateRange(event)} · ${event.summary}`),
      h('svg:circle', {
        cx: x(time(event)),
        cy: y,
        r: 4 + Math.min(6, (event.sourceCount ?? 1) - 1) + event.confidence * 2,
        fill: typeColour(event.type),
      }),
    );
    svg.append(link);
  }
  return svg;
}

function liveNotice() {
  const state = liveState();
  if (followedSubscription() && state.status !== 'off') {
    return h(
      'p',
      { class: 'live-note' },
      'New events appear here as they are detected (from your followed subscription).',
    );
  }
  const note = h(
    'p',
    { class: 'live-note' },
    'Live updates come from one of your subscriptions (',
    h('a', { href: '/console/subscriptions', 'data-nav': true }, 'follow one'),
    '), or ',
    h(
      'button',
      {
        type: 'button',
        class: 'secondary small-button',
        onclick: async (event) => {
          event.target.disabled = true;
          try {
            // Stream-only (no channels) and no filter: every new event, for this console.
            const created = await api('POST', '/subscriptions', {
              name: 'Console live updates',
              channels: [],
            });
            follow(created.id, created.name);
            note.replaceChildren(
              'New events appear here as they are detected (from “Console live updates”).',
            );
          } catch (error) {
            note.append(h('span', { class: 'error-text' }, ` ${error.message}`));
            event.target.disabled = false;
          }
        },
      },
      'start live updates for every new event',
    ),
    '.',
  );
  return note;
}

export async function renderEvents(view, params) {
  const countries = listOf(params, 'country');
  const heading = h(
    'h1',
    {},
    countries.length
      ? `Events involving ${countries.map(countryName).join(', ')}`
      : 'Latest diplomatic events',
  );
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  const timelineBox = h(
    'section',
    { class: 'card', 'aria-labelledby': 'timeline-title' },
    h('h2', { id: 'timeline-title' }, 'Timeline'),
  );
  const tbody = h('tbody');
  const tableBox = h(
    'section',
    { class: 'card table-card', 'aria-labelledby': 'table-title' },
    h('h2', { id: 'table-title' }, 'Events'),
  );
  const more = h('div', { class: 'actions' });
  const banner = h('div', { class: 'live-banner', role: 'status' });
  mount(
    view,
    h(
      'div',
      { class: 'with-sidebar' },
      filterBox(params),
      h('div', { class: 'content' }, heading, liveNotice(), status, banner, timelineBox, tableBox, more),
    ),
  );

  const shown = [];
  const query = apiQuery(params);
  const load = async (cursor) => {
    const page = await get(`/events${queryString({ ...query, limit: 50, cursor })}`);
    return page;
  };

  let page;
  try {
    page = await load();
  } catch (error) {
    status.textContent = error.message;
    status.className = 'message error';
    return;
  }
  // Events that came live before this view was opened, if the list does not have them yet.
  const early = liveEvents.filter(
    (event) => matches(event, params) && !page.items.some((item) => item.id === event.id),
  );
  shown.push(...early, ...page.items);
  const liveIds = new Set(liveEvents.map((event) => event.id));
  const rows = shown.map((event) => eventRow(event, liveIds.has(event.id)));
  tbody.replaceChildren(...rows);
  const table = eventsTable([]);
  table.querySelector('tbody').replaceWith(tbody);
  tableBox.append(h('div', { class: 'table-scroll' }, table));
  const refreshSummary = () => {
    status.textContent =
      shown.length === 0
        ? 'No events match these filters.'
        : `${shown.length} event${shown.length === 1 ? '' : 's'} shown.`;
    timelineBox.querySelector('svg, p.muted')?.remove();
    timelineBox.append(
      timeline(shown, Math.round(Math.min(1000, Math.max(360, timelineBox.clientWidth - 34)))),
    );
  };
  refreshSummary();

  let cursor = page.nextCursor;
  const moreButton = h('button', { type: 'button', class: 'secondary' }, 'Load more');
  moreButton.addEventListener('click', async () => {
    moreButton.disabled = true;
    try {
      const next = await load(cursor);
      shown.push(...next.items);
      tbody.append(...next.items.map((event) => eventRow(event)));
      cursor = next.nextCursor;
      refreshSummary();
    } catch (error) {
      status.textContent = error.message;
    }
    moreButton.disabled = false;
    moreButton.hidden = !cursor;
  });
  moreButton.hidden = !cursor;
  more.append(moreButton);

  return onLive((kind, event) => {
    if (kind !== 'event') return;
    const fit = matches(event, params);
    if (fit === false) return;
    if (fit === null) {
      mount(
        banner,
        h('span', {}, 'New events have arrived. '),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: () => navigate(location.pathname + location.search, { push: false }),
          },
          'Reload the list',
        ),
      );
      return;
    }
    const index = shown.findIndex((item) => item.id === event.id);
    const row = eventRow(event, true);
    if (index >= 0) {
      shown[index] = event;
      tbody.querySelector(`tr[data-event-id="${CSS.escape(event.id)}"]`)?.replaceWith(row);
    } else {
      shown.unshift(event);
      tbody.prepend(row);
    }
    refreshSummary();
  });
}
