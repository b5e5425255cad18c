// Building the page from data without innerHTML: every text goes in as a text node, so an
// article title can never become markup.

/** h('a', {href: '/x', class: 'y', onclick: fn}, 'text', child…) */
export function h(tag, attributes = {}, ...children) {
  const svg = tag.startsWith('svg:');
  const element = svg
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name === 'value' && !svg) element.value = value;
    else if (name === 'checked' && !svg) element.checked = Boolean(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the contents of an element. */
export function mount(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

// Copies of the server's vocabulary (the watch's countries, libs/contracts' event types): the
// console is static files with no build step. vocabulary.unit.spec.ts fails when they drift.
export const COUNTRY_NAMES = {
  RUS: 'Russia',
  IDN: 'Indonesia',
  MYS: 'Malaysia',
  SGP: 'Singapore',
  THA: 'Thailand',
  VNM: 'Vietnam',
  PHL: 'Philippines',
  MMR: 'Myanmar',
  KHM: 'Cambodia',
  LAO: 'Laos',
  BRN: 'Brunei',
  TLS: 'Timor-Leste',
  ASEAN: 'ASEAN',
};
export const SEA_COUNTRIES = ['IDN', 'MYS', 'SGP', 'THA', 'VNM', 'PHL', 'MMR', 'KHM', 'LAO', 'BRN', 'TLS'];
/** What the filter forms offer: the watch's anchor, its region, and ASEAN as a body. */
export const COUNTRIES = ['RUS', ...SEA_COUNTRIES, 'ASEAN'];

export const EVENT_TYPES = [
  'visit',
  'meeting_talks',
  'agreement',
  'defense_cooperation',
  'arms_trade',
  'military_exercise',
  'bloc_membership',
  'economic_cooperation',
  'statement',
];

/** One colour per series: distinguishable, and dark enough for white text where used. */
export const PALETTE = [
  '#1d4f91',
  '#c8511b',
  '#2a8a4a',
  '#8e3fa0',
  '#b8860b',
  '#0f7c8c',
  '#b0304f',
  '#5c6b1f',
  '#5a5a5a',
  '#7a4b22',
  '#3d63d6',
  '#d1477a',
  '#4a9d9c',
];

/**
 * A fieldset of check boxes, one per value (the filter forms' countries and event types); `more`
 * goes after the boxes inside the same fieldset.
 */
export function checkGroup({ legend, name, values, checked, label }, ...more) {
  return h(
    'fieldset',
    {},
    h('legend', {}, legend),
    h(
      'div',
      { class: 'checks' },
      values.map((value) =>
        h(
          'label',
          { class: 'check' },
          h('input', { type: 'checkbox', name, value, checked: checked.has(value) }),
          ` ${label(value)}`,
        ),
      ),
    ),
    more,
  );
}

export const typeLabel = (type) => type.replace(/_/g, ' ');
export const countryName = (code) => COUNTRY_NAMES[code] ?? code;

export function dateRange(event) {
  if (event.startDate && event.endDate && event.endDate !== event.startDate)
    return `${event.startDate} – ${event.endDate}`;
  return event.startDate ?? event.eventDate;
}

export function dateTime(iso) {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}

export const percent = (value) => `${Math.round(value * 100)}%`;

/** A small status line for errors and results, announced to screen readers. */
export function message(text, kind = 'info') {
  return h('p', { class: `message ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function announce(text) {
  const region = document.getElementById('announcer');
  if (region) region.textContent = text;
}
