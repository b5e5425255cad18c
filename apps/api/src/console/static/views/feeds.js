// Feeds: the registry with each feed's health, and adding a feed with its first poll's result.

import { api, get } from '../lib/api.js';
import { dateTime, h, message, mount } from '../lib/dom.js';

const CONDITION_HINT = {
  healthy: 'polled without trouble',
  pending: 'not polled yet',
  failing: 'the last polls failed',
  failing_long: 'failing for a long time',
  possible_gap: 'items may have been missed between polls',
  paused: 'not polled',
};

function feedRow(feed, onChange) {
  const health = feed.health;
  return h(
    'tr',
    { dataset: { feedId: feed.id } },
    h(
      'td',
      {},
      h('strong', {}, feed.title ?? '(untitled)'),
      h('br'),
      h('a', { href: feed.url, rel: 'noopener noreferrer', target: '_blank', class: 'url' }, feed.url),
    ),
    h(
      'td',
      {},
      h(
        'span',
        { class: `state state-${feed.condition}`, title: CONDITION_HINT[feed.condition] ?? '' },
        feed.condition.replace(/_/g, ' '),
      ),
    ),
    h(
      'td',
      { class: 'nowrap' },
      dateTime(health.lastCheckedAt),
      h('br'),
      h('small', { class: 'muted' }, health.lastOutcome ?? 'not polled yet'),
    ),
    h(
      'td',
      { class: 'num' },
      String(health.itemsSeen),
      h('br'),
      h(
        'small',
        { class: 'muted' },
        health.lastItemCount === null ? '' : `${health.lastItemCount} last time`,
      ),
    ),
    h(
      'td',
      {},
      health.lastError
        ? h('span', { class: 'error-text' }, `${health.lastErrorCode ?? ''} ${health.lastError}`)
        : health.consecutiveFailures
          ? `${health.consecutiveFailures} failures`
          : '—',
    ),
    h('td', { class: 'nowrap' }, dateTime(health.nextCheckAt)),
    h(
      'td',
      {},
      feed.enabled
        ? h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              onclick: () => onChange(() => api('POST', `/feeds/${feed.id}/pause`)),
            },
            'Pause',
          )
        : h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              onclick: () => onChange(() => api('POST', `/feeds/${feed.id}/resume`)),
            },
            'Resume',
          ),
    ),
  );
}

export async function renderFeeds(view) {
  const tableBox = h(
    'section',
    { class: 'card table-card', 'aria-labelledby': 'feeds-title' },
    h('h2', { id: 'feeds-title' }, 'Registry'),
  );
  const notice = h('div');
  const result = h('div', { id: 'add-result', class: 'form-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card add-feed', 'aria-labelledby': 'add-title' },
    h('h2', { id: 'add-title' }, 'Add a feed'),
    h(
      'p',
      { class: 'muted small' },
      'The server fetches it once now, the way the ingester will, and tells you what it makes of it.',
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'feed-url' }, 'Feed URL'),
      h('input', {
        id: 'feed-url',
        name: 'url',
        type: 'url',
        required: true,
        placeholder: 'https://…/rss.xml',
      }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'feed-title' }, 'Title (optional)'),
      h('input', { id: 'feed-title', name: 'title' }),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add and check')),
    result,
  );
  view.append(h('h1', {}, 'Feeds'), notice, h('div', { class: 'stack' }, form, tableBox));

  async function refresh() {
    try {
      const { items } = await get('/feeds');
      const change = async (action) => {
        try {
          await action();
        } catch (error) {
          mount(notice, message(error.message, 'error'));
        }
        await refresh();
      };
      mount(
        tableBox,
        tableBox.firstChild,
        h(
          'p',
          { class: 'muted small' },
          `${items.length} feed${items.length === 1 ? '' : 's'}: ${items.filter((feed) => feed.condition === 'healthy').length} healthy.`,
        ),
        h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { id: 'feeds-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Feed', 'Condition', 'Last poll', 'Items', 'Problem', 'Next poll', ''].map((label) =>
                  h('th', { scope: 'col' }, label),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              items.map((feed) => feedRow(feed, change)),
            ),
          ),
        ),
      );
    } catch (error) {
      mount(tableBox, tableBox.firstChild, message(error.message, 'error'));
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { url: String(data.get('url')).trim() };
    const title = String(data.get('title') ?? '').trim();
    if (title) body.title = title;
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    mount(result, message('Fetching the feed…'));
    try {
      const { feed, check } = await api('POST', '/feeds', body);
      mount(
        result,
        h(
          'div',
          {
            class: `message ${check.outcome === 'rejected' ? 'error' : 'success'}`,
            role: 'status',
            dataset: { outcome: check.outcome },
          },
          h('strong', {}, `First poll: ${check.outcome}`),
          ` — ${check.format ?? 'unknown format'}, ${check.items ?? 0} item${check.items === 1 ? '' : 's'}`,
          check.title ? ` (“${check.title}”)` : '',
          check.error
            ? h('p', {}, typeof check.error === 'string' ? check.error : JSON.stringify(check.error))
            : null,
          h('p', { class: 'small' }, `Registered as ${feed.url}; the ingester polls it from now on.`),
        ),
      );
      form.reset();
    } catch (error) {
      mount(result, message(error.message, 'error'));
    }
    button.disabled = false;
    await refresh();
  });

  await refresh();
  const timer = setInterval(() => void refresh(), 15_000);
  return () => clearInterval(timer);
}
