// The console's shell: routes (history API under /console/), the API key, the live badge.

import { forgetKey, get, getKey, setKey } from './lib/api.js';
import { announce, h, mount } from './lib/dom.js';
import { followedSubscription, onLive, start as startLive, stop as stopLive } from './lib/live.js';
import { renderCharts } from './views/charts.js';
import { renderEvent } from './views/event.js';
import { renderEvents } from './views/events.js';
import { renderFeeds } from './views/feeds.js';
import { renderSubscriptions } from './views/subscriptions.js';

export const BASE = '/console/';
const NO_KEY = 'diplowatch.browseWithoutKey';

const routes = [
  { pattern: /^$/, section: 'events', title: 'Events', render: renderEvents },
  { pattern: /^events\/([^/]+)$/, section: 'events', title: 'Event', render: renderEvent },
  { pattern: /^charts$/, section: 'charts', title: 'Charts', render: renderCharts },
  {
    pattern: /^subscriptions$/,
    section: 'subscriptions',
    title: 'Subscriptions',
    render: renderSubscriptions,
  },
  { pattern: /^feeds$/, section: 'feeds', title: 'Feeds', render: renderFeeds },
];

let cleanup = null;

/** Goes to a console URL without a reload (push: a new history entry; else replace). */
export function navigate(url, { push = true } = {}) {
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
  void render({ focus: push });
}

async function render({ focus = false } = {}) {
  const main = document.getElementById('main');
  const rest = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '';
  const route = routes.find((candidate) => candidate.pattern.test(rest));
  cleanup?.();
  cleanup = null;
  for (const link of document.querySelectorAll('nav a[data-section]')) {
    if (route && link.dataset.section === route.section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (!route) {
    document.title = 'Not found · diplowatch';
    mount(
      main,
      h('h1', {}, 'Not found'),
      h('p', {}, h('a', { href: BASE, 'data-nav': true }, 'Back to the events')),
    );
    return;
  }
  document.title = `${route.title} · diplowatch`;
  if (!getKey() && sessionStorage.getItem(NO_KEY) !== 'yes') {
    // Nothing is asked of the API before there is a key: each call would only be refused.
    mount(
      main,
      h('h1', {}, 'Welcome to the diplowatch console'),
      h(
        'p',
        {},
        'Paste your API key in the box above to see the diplomatic events, charts, subscriptions and feeds.',
      ),
      h(
        'p',
        { class: 'muted' },
        'A server set up for reading without a key (API_READ_OPEN) can also be browsed without one: ',
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: () => {
              sessionStorage.setItem(NO_KEY, 'yes');
              keyPanel.hidden = true;
              void render({ focus: true });
            },
          },
          'Browse without a key',
        ),
      ),
    );
    return;
  }
  const params = new URLSearchParams(location.search);
  const match = rest.match(route.pattern);
  const args = match.slice(1).map(decodeURIComponent);
  const view = h('div', { class: 'view', dataset: { view: route.section } });
  mount(main, view);
  try {
    cleanup = (await route.render(view, params, ...args)) ?? null;
  } catch (error) {
    view.append(h('p', { class: 'message error', role: 'alert' }, error.message));
  }
  if (focus) {
    const heading = main.querySelector('h1');
    (heading ?? main).setAttribute('tabindex', '-1');
    (heading ?? main).focus({ preventScroll: false });
  }
}

// Links inside the console are followed without a reload; modified clicks open as usual.
document.addEventListener('click', (event) => {
  const link = event.target.closest?.('a[data-nav]');
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(link.getAttribute('href'));
});
window.addEventListener('popstate', () => void render());

// The API key panel.
const keyPanel = document.getElementById('key-panel');
const keyInput = document.getElementById('key-input');
const keyMessage = document.getElementById('key-message');

function showKeyPanel(text = '') {
  keyPanel.hidden = false;
  keyMessage.textContent = text;
  keyMessage.className = text ? 'message error' : 'message';
  keyInput.focus();
}

document.getElementById('key-button').addEventListener('click', () => {
  if (keyPanel.hidden) showKeyPanel();
  else keyPanel.hidden = true;
});

document.getElementById('key-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  setKey(key, document.getElementById('key-remember').checked);
  try {
    await get('/events?limit=1');
    keyInput.value = '';
    keyPanel.hidden = true;
    announce('API key accepted');
    resumeLive();
    void render({ focus: true });
  } catch (error) {
    showKeyPanel(`This key was not accepted (${error.message}).`);
  }
});

document.getElementById('key-forget').addEventListener('click', () => {
  forgetKey();
  stopLive();
  showKeyPanel('Key forgotten.');
});

window.addEventListener('dw:unauthorized', () => showKeyPanel('The API needs a valid key.'));

// The live badge in the header.
const liveStatus = document.getElementById('live-status');
const LIVE_TEXT = {
  off: 'Live off',
  connecting: 'Connecting…',
  on: 'Live',
  reconnecting: 'Reconnecting…',
  error: 'Live error',
};
onLive((kind, payload) => {
  if (kind === 'state') {
    liveStatus.dataset.state = payload.status;
    liveStatus.textContent = LIVE_TEXT[payload.status] ?? payload.status;
    liveStatus.title = payload.detail ?? '';
  } else if (kind === 'event') {
    announce(`New event: ${payload.summary}`);
  }
});

/** (Re)opens the followed subscription's stream with the current key. */
function resumeLive() {
  stopLive();
  const id = followedSubscription();
  if (id && getKey()) startLive(id);
}

if (!getKey()) showKeyPanel();
resumeLive();
void render();
