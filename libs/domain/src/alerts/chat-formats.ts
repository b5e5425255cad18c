import { type AlertPayload, type AlertedEventSummary } from './alert-payload';
import { type ChannelType } from './subscription';

// Ready-made bodies for chat tools that take incoming webhooks. Both carry the alert id in a
// footer: chat tools cannot drop repeats by header, but a person can see one is a repeat.

type Rendered = { title: string; lines: string[]; facts: Array<[string, string]> };

const typeLabel = (type: string) => type.replace(/_/g, ' ');

function eventFacts(event: AlertedEventSummary): Array<[string, string]> {
  const dates = event.startDate
    ? event.endDate && event.endDate !== event.startDate
      ? `${event.startDate} – ${event.endDate}`
      : event.startDate
    : event.eventDate;
  const facts: Array<[string, string]> = [
    ['Type', typeLabel(event.type)],
    ['Countries', event.countries.join(', ')],
    ['When', dates],
    ['Confidence', event.confidence.toFixed(2)],
    ['Sources', String(event.sourceCount)],
  ];
  if (event.actors.length > 0)
    facts.splice(2, 0, ['Actors', event.actors.map((actor) => actor.name).join(', ')]);
  if (event.place) facts.push(['Place', event.place]);
  return facts;
}

/** Title, lines and facts of an alert, in plain text; each chat format marks them up. */
export function renderAlert(alert: AlertPayload): Rendered {
  switch (alert.kind) {
    case 'diplomatic_event.new':
      return {
        title: `New ${typeLabel(alert.diplomaticEvent.type)}: ${alert.diplomaticEvent.countries.join(', ')}`,
        lines: [alert.diplomaticEvent.summary],
        facts: eventFacts(alert.diplomaticEvent),
      };
    case 'diplomatic_event.updated': {
      const what = [
        alert.change.sourceAdded ? `now ${alert.diplomaticEvent.sourceCount} sources` : null,
        alert.change.typeChanged ? `type changed from ${typeLabel(alert.change.previousType)}` : null,
      ].filter(Boolean);
      return {
        title: `Update (${what.join('; ')}): ${typeLabel(alert.diplomaticEvent.type)}, ${alert.diplomaticEvent.countries.join(', ')}`,
        lines: [alert.diplomaticEvent.summary],
        facts: eventFacts(alert.diplomaticEvent),
      };
    }
    case 'spike':
      return {
        title: `Spike: ${alert.spike.label}, ${alert.spike.count} diplomatic events in the week of ${alert.spike.weekStart}`,
        lines: [
          `Usually ${alert.spike.baseline} a week (threshold ${alert.spike.threshold}).`,
          `Latest: ${alert.diplomaticEvent.summary}`,
        ],
        facts: [],
      };
    case 'digest': {
      const { digest } = alert;
      const byType = Object.entries(digest.byType)
        .sort((a, b) => b[1] - a[1])
        .map(([type, count]) => `${typeLabel(type)} ${count}`)
        .join(', ');
      const shown = digest.events.slice(0, 10).map((event) => `• ${event.summary}`);
      const more = digest.total - shown.length;
      return {
        title: `${digest.cadence === 'daily' ? 'Daily' : 'Weekly'} digest: ${digest.total} diplomatic event${digest.total === 1 ? '' : 's'} (${digest.from.slice(0, 10)} – ${digest.to.slice(0, 10)})`,
        lines: [byType, ...shown, ...(more > 0 ? [`… and ${more} more`] : [])],
        facts: [],
      };
    }
    case 'sample':
      return {
        title: 'Sample alert (not a real diplomatic event)',
        lines: [alert.note, alert.diplomaticEvent.summary],
        facts: eventFacts(alert.diplomaticEvent),
      };
    default: {
      const unexpected: never = alert;
      throw new Error(`no rendering for ${(unexpected as AlertPayload).kind}`);
    }
  }
}

/** Slack's mrkdwn treats &, < and > as markup. */
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function slackMessage(alert: AlertPayload): Record<string, unknown> {
  const { title, lines, facts } = renderAlert(alert);
  const blocks: Array<Record<string, unknown>> = [
    { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
  ];
  const body = lines.filter(Boolean).map(slackEscape).join('\n');
  if (body) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: body.slice(0, 3000) } });
  if (facts.length > 0) {
    blocks.push({
      type: 'section',
      fields: facts
        .slice(0, 10)
        .map(([name, value]) => ({ type: 'mrkdwn', text: `*${slackEscape(name)}*\n${slackEscape(value)}` })),
    });
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `${slackEscape(alert.subscriptionName)} · ${alert.id}` }],
  });
  return { text: title, blocks };
}

/** Teams incoming webhooks (Workflows) take a message with an Adaptive Card attachment. */
export function teamsMessage(alert: AlertPayload): Record<string, unknown> {
  const { title, lines, facts } = renderAlert(alert);
  const body: Array<Record<string, unknown>> = [
    { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true },
    ...lines.filter(Boolean).map((line) => ({ type: 'TextBlock', text: line, wrap: true })),
  ];
  if (facts.length > 0)
    body.push({ type: 'FactSet', facts: facts.map(([name, value]) => ({ title: name, value })) });
  body.push({
    type: 'TextBlock',
    text: `${alert.subscriptionName} · ${alert.id}`,
    isSubtle: true,
    size: 'Small',
    wrap: true,
  });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
        },
      },
    ],
  };
}

/** The exact bytes sent to a channel (signed as they are). */
export function alertBody(channel: ChannelType, alert: AlertPayload): string {
  switch (channel) {
    case 'slack':
      return JSON.stringify(slackMessage(alert));
    case 'teams':
      return JSON.stringify(teamsMessage(alert));
    case 'webhook':
    case 'nats':
      return JSON.stringify(alert);
    default: {
      const unexpected: never = channel;
      throw new Error(`no body for channel ${String(unexpected)}`);
    }
  }
}
