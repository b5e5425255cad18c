import { type Channel, type ChannelType, channelKey } from './subscription';

/** One push of one alert to one channel: a row the delivery worker picks up. */
export type PlannedDelivery = {
  channelKey: string;
  channelType: ChannelType;
  /** The URL (or "nats"): kept with the delivery, so later edits do not redirect it. */
  target: string;
  /** Deliveries to one receiver share its concurrency limit: the URL's origin. */
  receiverKey: string;
};

export function planDeliveries(channels: Channel[]): PlannedDelivery[] {
  return channels.map((channel) => ({
    channelKey: channelKey(channel),
    channelType: channel.type,
    target: channel.type === 'nats' ? 'nats' : channel.url,
    receiverKey: channel.type === 'nats' ? 'nats' : new URL(channel.url).origin,
  }));
}

/** NATS names for alerts, derived from the namespace like the event log's (libs/contracts subjects.ts). */
export type AlertTopology = {
  /** The stream of alerts for internal consumers (the "nats" channel). */
  alertStream: string;
  alertSubjects: string;
  alertSubjectFor(subscriptionId: string): string;
  /** Core NATS, not stored: "new deliveries are due" (wakes every alerter replica). */
  deliveryWakeSubject: string;
  /** Core NATS, not stored: "subscription X has new alerts" (wakes the API's SSE streams). */
  alertNotifySubject: string;
};

export function alertTopology(namespace: string): AlertTopology {
  const upper = namespace.toUpperCase().replace(/-/g, '_');
  return {
    alertStream: `${upper}_ALERTS`,
    alertSubjects: `${namespace}.alerts.>`,
    alertSubjectFor: (subscriptionId) => `${namespace}.alerts.${subscriptionId}`,
    deliveryWakeSubject: `${namespace}.alerter.wake`,
    alertNotifySubject: `${namespace}.alerter.alert-created`,
  };
}
