// Subscriptions (docs/alerts.md): create, edit, pause, send a sample, read the delivery log,
// and choose the one whose stream feeds the console's live updates.

import { api, get } from '../lib/api.js';
import {
  COUNTRIES,
  COUNTRY_NAMES,
  EVENT_TYPES,
  checkGroup,
  dateTime,
  h,
  message,
  mount,
  typeLabel,
} from '../lib/dom.js';
import { follow, followedSubscription, unfollow } from '../lib/live.js';

const splitList = (text) =>
  String(text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

function filterSummary(filter) {
  const parts = [];
  if (filter.countries?.length)
    parts.push(`${filter.countryMatch === 'any' ? 'any of' : 'all of'} ${filter.countries.join(', ')}`);
  if (filter.pair) parts.push(`pair ${filter.pair.join('–')}`);
  if (filter.types?.length) parts.push(filter.types.map(typeLabel).join(', '));
  if (filter.actors?.length) parts.push(`actors: ${filter.actors.join(', ')}`);
  if (filter.keywords?.length) parts.push(`keywords: ${filter.keywords.join(', ')}`);
  if (filter.minConfidence) parts.push(`confidence ≥ ${filter.minConfidence}`);
  return parts.length ? parts.join(' · ') : 'every event';
}

function subscriptionForm(existing, onDone) {
  const filter = existing?.filter ?? {};
  const options = existing?.options ?? {};
  const countries = new Set(filter.countries ?? []);
  const types = new Set(filter.types ?? []);
  const prefix = existing ? 'e' : 'n';
  const id = (name) => `${prefix}-${name}`;
  const field = (label, input, hint) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: input.id }, label),
      input,
      hint ? h('small', { class: 'muted' }, hint) : null,
    );
  const result = h('div', { class: 'form-result' });
  const form = h(
    'form',
    { class: 'card subscription-form', 'aria-labelledby': id('title') },
    h('h2', { id: id('title') }, existing ? `Edit “${existing.name}”` : 'New subscription'),
    field(
      'Name',
      h('input', {
        id: id('name'),
        name: 'name',
        required: true,
        maxlength: 200,
        value: existing?.name ?? '',
      }),
    ),
    checkGroup(
      {
        legend: 'Countries',
        name: 'countries',
        values: COUNTRIES,
        checked: countries,
        label: (code) => COUNTRY_NAMES[code],
      },
      h(
        'div',
        { class: 'field inline' },
        h('label', { for: id('match') }, 'Involving'),
        h(
          'select',
          { id: id('match'), name: 'countryMatch' },
          h('option', { value: 'all', selected: filter.countryMatch !== 'any' }, 'all of them'),
          h('option', { value: 'any', selected: filter.countryMatch === 'any' }, 'any of them'),
        ),
      ),
    ),
    checkGroup({
      legend: 'Event types (none ticked: all)',
      name: 'types',
      values: EVENT_TYPES,
      checked: types,
      label: typeLabel,
    }),
    field(
      'Actors',
      h('input', { id: id('actors'), name: 'actors', value: (filter.actors ?? []).join(', ') }),
      'Comma-separated, e.g. Shoigu, Lavrov',
    ),
    field(
      'Keywords',
      h('input', { id: id('keywords'), name: 'keywords', value: (filter.keywords ?? []).join(', ') }),
      'Comma-separated words or phrases',
    ),
    field(
      'Lowest confidence',
      h('input', {
        id: id('confidence'),
        name: 'minConfidence',
        type: 'number',
        min: 0,
        max: 1,
        step: 0.05,
        value: filter.minConfidence ?? 0,
      }),
    ),
    h(
      'fieldset',
      {},
      h(
        'legend',
        {},
        existing
          ? 'Channel (leave empty to keep the current channels)'
          : 'Channel (optional: the console stream needs none)',
      ),
      h(
        'div',
        { class: 'field-row' },
        field(
          'Type',
          h(
            'select',
            { id: id('channel-type'), name: 'channelType' },
            h('option', { value: '' }, existing ? 'keep as is' : 'none'),
            ['webhook', 'slack', 'teams', 'nats'].map((type) => h('option', { value: type }, type)),
          ),
        ),
        field(
          'URL',
          h('input', { id: id('channel-url'), name: 'channelUrl', type: 'url', placeholder: 'https://…' }),
        ),
      ),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Alerts'),
      h(
        'label',
        { class: 'check' },
        h('input', { type: 'checkbox', name: 'updates', checked: options.updates }),
        ' also when an event gains a source',
      ),
      h(
        'label',
        { class: 'check' },
        h('input', { type: 'checkbox', name: 'spikes', checked: Boolean(options.spikes) }),
        ' weekly spikes',
      ),
      h(
        'div',
        { class: 'field inline' },
        h('label', { for: id('digest') }, 'Digest'),
        h(
          'select',
          { id: id('digest'), name: 'digest' },
          h('option', { value: '', selected: !options.digest }, 'none'),
          h('option', { value: 'daily', selected: options.digest === 'daily' }, 'daily'),
          h('option', { value: 'weekly', selected: options.digest === 'weekly' }, 'weekly'),
        ),
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit' }, existing ? 'Save changes' : 'Create subscription'),
      existing
        ? h('button', { type: 'button', class: 'secondary', onclick: () => onDone(null) }, 'Cancel')
        : null,
    ),
    result,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {
      name: String(data.get('name')).trim(),
      filter: {
        countries: data.getAll('countries'),
        countryMatch: data.get('countryMatch'),
        actors: splitList(data.get('actors')),
        types: data.getAll('types'),
        minConfidence: Number(data.get('minConfidence') || 0),
        keywords: splitList(data.get('keywords')),
      },
      options: {
        instant: true,
        updates: data.get('updates') === 'on',
        spikes: data.get('spikes') === 'on',
        digest: data.get('digest') || null,
      },
    };
    const channelType = data.get('channelType');
    if (channelType)
      body.channels = [
        channelType === 'nats'
          ? { type: 'nats' }
          : { type: channelType, url: String(data.get('channelUrl')) },
      ];
    else if (!existing) body.channels = [];
    try {
      const saved = existing
        ? await api('PATCH', `/subscriptions/${existing.id}`, body)
        : await api('POST', '/subscriptions', body);
      if (!existing) form.reset();
      onDone(saved);
    } catch (error) {
      mount(result, message(error.message, 'error'));
    }
  });
  return form;
}

function deliveryLog(subscription, alerts, deliveries) {
  return h(
    'section',
    { class: 'card log', 'aria-labelledby': `log-${subscription.id}` },
    h('h2', { id: `log-${subscription.id}` }, `Alerts and deliveries of “${subscription.name}”`),
    h('h3', {}, 'Latest alerts'),
    alerts.items.length
      ? h(
          'ul',
          { class: 'alerts' },
          alerts.items.map((alert) =>
            h(
              'li',
              {},
              h('span', { class: 'badge' }, alert.kind),
              ` #${alert.seq} · ${dateTime(alert.createdAt)} · `,
              alert.payload?.diplomaticEvent?.summary ?? alert.payload?.subscriptionName ?? alert.id,
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'No alerts yet.'),
    h('h3', {}, 'Delivery log'),
    deliveries.items.length
      ? h(
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
                ['Created', 'Alert', 'Channel', 'State', 'Attempts', 'Last answer'].map((label) =>
                  h('th', { scope: 'col' }, label),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              deliveries.items.map((item) =>
                h(
                  'tr',
                  {},
                  h('td', { class: 'nowrap' }, dateTime(item.createdAt)),
                  h('td', {}, `${item.alertKind} #${item.alertSeq}`),
                  h('td', {}, `${item.channel.type} ${item.channel.target ?? ''}`),
                  h('td', {}, h('span', { class: `state state-${item.state}` }, item.state)),
                  h('td', { class: 'num' }, String(item.attempts)),
                  h('td', {}, item.lastError ?? (item.lastStatus ? `HTTP ${item.lastStatus}` : '—')),
                ),
              ),
            ),
          ),
        )
      : h(
          'p',
          { class: 'muted' },
          'No deliveries: this subscription has no channels, or nothing was sent yet.',
        ),
  );
}

export async function renderSubscriptions(view) {
  const listBox = h(
    'section',
    { class: 'subscriptions', 'aria-labelledby': 'subs-title' },
    h('h2', { id: 'subs-title' }, 'Your subscriptions'),
  );
  const notice = h('div', { class: 'notice' });
  const side = h('div', { class: 'side' });
  const logBox = h('div');
  view.append(
    h('h1', {}, 'Subscriptions'),
    h(
      'p',
      { class: 'muted' },
      'Alerts for the events you care about, pushed to webhooks, Slack, Teams or NATS; the one you follow feeds the console’s live updates.',
    ),
    notice,
    h('div', { class: 'two-columns' }, h('div', {}, listBox, logBox), side),
  );

  const showForm = (existing = null) => {
    mount(
      side,
      subscriptionForm(existing, (saved) => {
        if (saved?.secret) {
          mount(
            notice,
            h(
              'div',
              { class: 'message success', role: 'status' },
              `Created “${saved.name}”. Its signing secret, shown this once: `,
              h('code', {}, saved.secret),
            ),
          );
        } else if (saved) mount(notice, message(`Saved “${saved.name}”.`, 'success'));
        void refresh();
        showForm(null);
      }),
    );
  };

  const act = async (label, action) => {
    try {
      await action();
      mount(notice, message(label, 'success'));
    } catch (error) {
      mount(notice, message(error.message, 'error'));
    }
    await refresh();
  };

  async function refresh() {
    let items;
    try {
      ({ items } = await get('/subscriptions'));
    } catch (error) {
      mount(listBox, listBox.firstChild, message(error.message, 'error'));
      return;
    }
    const followed = followedSubscription();
    mount(
      listBox,
      listBox.firstChild,
      items.length === 0
        ? h('p', { class: 'muted' }, 'None yet: create one with the form.')
        : h(
            'ul',
            { class: 'cards' },
            items.map((sub) =>
              h(
                'li',
                { class: 'card subscription', dataset: { subscriptionId: sub.id } },
                h(
                  'h3',
                  {},
                  sub.name,
                  ' ',
                  h('span', { class: `state state-${sub.status}` }, sub.status),
                  sub.id === followed ? h('span', { class: 'state state-live' }, 'followed live') : null,
                ),
                h('p', {}, filterSummary(sub.filter)),
                h(
                  'p',
                  { class: 'muted small' },
                  `Channels: ${sub.channels.length ? sub.channels.map((channel) => `${channel.type} ${channel.target ?? ''}`).join(', ') : 'stream only'} · created ${dateTime(sub.createdAt)}`,
                ),
                h(
                  'div',
                  { class: 'actions' },
                  h('button', { type: 'button', class: 'secondary', onclick: () => showForm(sub) }, 'Edit'),
                  sub.status === 'active'
                    ? h(
                        'button',
                        {
                          type: 'button',
                          class: 'secondary',
                          onclick: () =>
                            act(`Paused “${sub.name}”.`, () => api('POST', `/subscriptions/${sub.id}/pause`)),
                        },
                        'Pause',
                      )
                    : h(
                        'button',
                        {
                          type: 'button',
                          class: 'secondary',
                          onclick: () =>
                            act(`Resumed “${sub.name}”.`, () =>
                              api('POST', `/subscriptions/${sub.id}/resume`),
                            ),
                        },
                        'Resume',
                      ),
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'secondary',
                      onclick: () =>
                        act('Sample alert sent: see the log.', () =>
                          api('POST', `/subscriptions/${sub.id}/sample`),
                        ),
                    },
                    'Send a sample',
                  ),
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'secondary',
                      onclick: async () => {
                        try {
                          const [alerts, deliveries] = await Promise.all([
                            get(`/subscriptions/${sub.id}/alerts?limit=20`),
                            get(`/subscriptions/${sub.id}/deliveries?limit=50`),
                          ]);
                          mount(logBox, deliveryLog(sub, alerts, deliveries));
                          logBox.querySelector('h2')?.setAttribute('tabindex', '-1');
                          logBox.querySelector('h2')?.focus();
                        } catch (error) {
                          mount(logBox, message(error.message, 'error'));
                        }
                      },
                    },
                    'Delivery log',
                  ),
                  sub.id === followed
                    ? h(
                        'button',
                        {
                          type: 'button',
                          class: 'secondary',
                          onclick: () => act('Live updates stopped.', async () => unfollow()),
                        },
                        'Stop following',
                      )
                    : h(
                        'button',
                        {
                          type: 'button',
                          onclick: () =>
                            act(`Following “${sub.name}” live.`, async () => follow(sub.id, sub.name)),
                        },
                        'Follow live',
                      ),
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'danger',
                      onclick: () => {
                        if (!window.confirm(`Delete “${sub.name}” with its alerts and delivery log?`)) return;
                        if (sub.id === followed) unfollow();
                        void act(`Deleted “${sub.name}”.`, () => api('DELETE', `/subscriptions/${sub.id}`));
                      },
                    },
                    'Delete',
                  ),
                ),
              ),
            ),
          ),
    );
  }

  showForm(null);
  await refresh();
}
