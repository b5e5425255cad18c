import { buildSampleAlert } from './alert-payload';
import { evolveAlertedEvent } from './alerted-event';
import { record, subscription } from './alerts.fixtures';
import { alertBody, renderAlert, slackMessage, teamsMessage } from './chat-formats';
import { decideAlerts } from './decide-alerts';

const [alert] = decideAlerts({
  ...evolveAlertedEvent(null, record({ summary: 'Visit: RUS, IDN <b>&</b>' })),
  record: record(),
  subscriptions: [subscription('s-1')],
  alreadyAlerted: new Set(),
  weeklyCount: () => 0,
  now: new Date('2025-02-24T09:00:01.000Z'),
});

describe('chat formats', () => {
  describe('given a new diplomatic event alert', () => {
    it('renders a title and facts', () => {
      const rendered = renderAlert(alert!);
      expect(rendered.title).toBe('New visit: IDN, MYS, RUS');
      expect(rendered.facts).toContainEqual(['Actors', 'Sergei Shoigu']);
    });

    it('makes a Slack message with blocks, escaped, with the alert id in the footer', () => {
      const message = slackMessage(alert!) as { text: string; blocks: Array<Record<string, any>> };
      expect(message.text).toBe('New visit: IDN, MYS, RUS');
      expect(message.blocks[0]).toMatchObject({ type: 'header' });
      expect(message.blocks[1]!.text.text).toBe('Visit: RUS, IDN &lt;b&gt;&amp;&lt;/b&gt;');
      expect(JSON.stringify(message.blocks.at(-1))).toContain(alert!.id);
    });

    it('makes a Teams message with an Adaptive Card', () => {
      const message = teamsMessage(alert!) as Record<string, any>;
      expect(message.type).toBe('message');
      expect(message.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
      expect(message.attachments[0].content.type).toBe('AdaptiveCard');
      expect(JSON.stringify(message)).toContain(alert!.id);
    });

    it('sends the payload itself to webhooks and NATS', () => {
      expect(JSON.parse(alertBody('webhook', alert!))).toEqual(alert);
      expect(alertBody('nats', alert!)).toBe(alertBody('webhook', alert!));
    });
  });

  it('marks a sample as a sample', () => {
    const sample = buildSampleAlert({ id: 's-1', name: 'test' }, new Date('2025-01-01T00:00:00Z'));
    expect(sample.id).toMatch(/^alrt_sample_/);
    expect(renderAlert(sample).title).toMatch(/^Sample alert/);
  });
});
