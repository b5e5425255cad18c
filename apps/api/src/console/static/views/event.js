// One event: what it is, its sources with links, the evidence sentences highlighted in each
// article, the classification that produced it and the rules version.

import { get } from '../lib/api.js';
import { countryName, dateRange, dateTime, h, percent, typeLabel } from '../lib/dom.js';

const list = (value) => (Array.isArray(value) ? value : []);

/** The article's text with each evidence sentence wrapped in <mark>. */
function highlighted(text, sentences) {
  const spans = [];
  for (const sentence of sentences) {
    const needle = sentence.trim();
    if (!needle) continue;
    const at = text.indexOf(needle);
    if (at >= 0) spans.push([at, at + needle.length]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  const parts = [];
  let cursor = 0;
  for (const [start, end] of spans) {
    if (start < cursor) continue;
    parts.push(text.slice(cursor, start), h('mark', {}, text.slice(start, end)));
    cursor = end;
  }
  parts.push(text.slice(cursor));
  // Paragraphs as the article has them.
  const paragraphs = [[]];
  for (const part of parts) {
    if (typeof part !== 'string') {
      paragraphs.at(-1).push(part);
      continue;
    }
    const pieces = part.split(/\n\s*\n/);
    pieces.forEach((piece, index) => {
      if (index > 0) paragraphs.push([]);
      if (piece) paragraphs.at(-1).push(piece);
    });
  }
  return paragraphs.filter((nodes) => nodes.length).map((nodes) => h('p', {}, nodes));
}

function evidenceList(evidence) {
  if (!evidence.length) return h('p', { class: 'muted' }, 'No evidence recorded.');
  return h(
    'ol',
    { class: 'evidence' },
    evidence.map((item) =>
      h(
        'li',
        {},
        h('mark', {}, item.sentence),
        item.rules?.length
          ? h(
              'ul',
              { class: 'chips rules', 'aria-label': 'Rules that fired' },
              item.rules.map((rule) => h('li', {}, rule)),
            )
          : null,
      ),
    ),
  );
}

function contextList(context) {
  if (!context.length) return null;
  return h(
    'section',
    {},
    h('h4', {}, 'Related context the article recalls'),
    h(
      'ul',
      { class: 'context' },
      context.map((item) =>
        h(
          'li',
          {},
          h('span', { class: `type-badge type-${item.type}` }, typeLabel(item.type)),
          ` ${item.description}`,
          item.date ? ` (${item.date})` : '',
        ),
      ),
    ),
  );
}

function classificationBlock(classification) {
  if (!classification || typeof classification !== 'object') return null;
  const rows = [
    ['Watch', classification.watch],
    ['Rules version', classification.rulesVersion],
    ['Relevant', classification.relevant === undefined ? null : classification.relevant ? 'yes' : 'no'],
    ['Relevance', typeof classification.relevance === 'number' ? percent(classification.relevance) : null],
    ['Event types', list(classification.eventTypes).map(typeLabel).join(', ')],
    ['Countries', list(classification.countries).join(', ')],
    ['Actors', list(classification.actors).join(', ')],
  ].filter(([, value]) => value);
  return h(
    'details',
    { class: 'classification' },
    h('summary', {}, 'Classification of this article'),
    h(
      'dl',
      { class: 'facts' },
      rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
    ),
  );
}

async function sourceCard(source, index) {
  const evidence = list(source.evidence);
  const textBox = h('div', { class: 'article-text' });
  const details = h(
    'details',
    { open: index === 0 },
    h('summary', {}, 'Article text, evidence highlighted'),
    textBox,
  );
  const card = h(
    'article',
    { class: 'card source' },
    h(
      'h3',
      {},
      h('a', { href: source.url, rel: 'noopener noreferrer', target: '_blank' }, source.title || source.url),
    ),
    h(
      'p',
      { class: 'muted' },
      `Published ${dateTime(source.publishedAt)} · feed ${source.feedUrl} · detected ${dateTime(source.detectedAt)} · confidence ${percent(source.confidence)}`,
    ),
    h('h4', {}, 'Evidence'),
    evidenceList(evidence),
    contextList(list(source.context)),
    classificationBlock(source.classification),
    details,
  );
  try {
    const article = await get(`/articles/${encodeURIComponent(source.articleId)}`);
    textBox.append(
      ...highlighted(
        article.text ?? '',
        evidence.map((item) => item.sentence),
      ),
    );
  } catch (error) {
    textBox.append(h('p', { class: 'muted' }, `The article text could not be loaded (${error.message}).`));
  }
  return card;
}

export async function renderEvent(view, _params, id) {
  const back = h('p', {}, h('a', { href: '/console/', 'data-nav': true }, '← All events'));
  let event;
  try {
    event = await get(`/events/${encodeURIComponent(id)}`);
  } catch (error) {
    view.append(
      back,
      h('h1', {}, 'Event'),
      h(
        'p',
        { class: 'message error', role: 'alert' },
        error.status === 404
          ? 'This event is not in the event history (yet): a new detection may take a moment to reach it.'
          : error.message,
      ),
    );
    return;
  }
  const facts = [
    ['Type', typeLabel(event.type)],
    ['Countries', event.countries.map((code) => `${countryName(code)} (${code})`).join(', ')],
    ['When', dateRange(event)],
    ['Place', event.place],
    ['Confidence', percent(event.confidence)],
    ['Sources', String(event.sources.length)],
    ['Topics', event.topics.join(', ')],
    ['Rules version', event.rulesVersion],
    ['First seen', dateTime(event.firstSeenAt)],
    ['Last seen', dateTime(event.lastSeenAt)],
    ['Version', event.version === null ? null : String(event.version)],
  ].filter(([, value]) => value);
  view.append(
    back,
    h('h1', {}, event.summary),
    h(
      'div',
      { class: 'event-head' },
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'Classification'),
        h(
          'dl',
          { class: 'facts' },
          facts.map(([t, v]) => [h('dt', {}, t), h('dd', {}, v)]),
        ),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'Actors'),
        event.actors.length
          ? h(
              'ul',
              { class: 'actors' },
              event.actors.map((actor) =>
                h(
                  'li',
                  {},
                  h('strong', {}, actor.name),
                  [actor.office, actor.country ? countryName(actor.country) : null, actor.role].filter(
                    Boolean,
                  ).length
                    ? ` — ${[actor.office, actor.country ? countryName(actor.country) : null, actor.role].filter(Boolean).join(', ')}`
                    : '',
                ),
              ),
            )
          : h('p', { class: 'muted' }, 'No named actors.'),
      ),
    ),
    h('h2', {}, `Sources (${event.sources.length})`),
  );
  const cards = await Promise.all(event.sources.map((source, index) => sourceCard(source, index)));
  view.append(...cards);
}
