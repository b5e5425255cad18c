import { ALERT_API_SETTINGS, loadAlertApiSettings } from './alert-settings';
import { AlertStreamHub } from './alert-stream';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsRepository } from './subscriptions.repository';

/** Registered in api.module.ts: alert subscriptions, delivery log and SSE streams (docs/alerts.md). */
export const subscriptionControllers = [SubscriptionsController];

export function subscriptionProviders() {
  return [
    { provide: ALERT_API_SETTINGS, useFactory: () => loadAlertApiSettings() },
    SubscriptionsRepository,
    AlertStreamHub,
  ];
}
