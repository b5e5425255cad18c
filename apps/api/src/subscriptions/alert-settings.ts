import { ServiceUnavailableException } from '@nestjs/common';
import { parseEnv } from '@diplowatch/config';
import {
  alertSecretKeySetting,
  parseAddressAllowList,
  parseSecretKey,
  receiverAddressPolicy,
  receiverAllowListSetting,
} from '@diplowatch/domain';
import { z } from 'zod';

export const ALERT_API_SETTINGS = Symbol('ALERT_API_SETTINGS');

export type AlertApiSettings = {
  /** Seals new subscriptions' secrets; null: subscriptions cannot be created on this server. */
  secretKey: Buffer | null;
  /** Receiver addresses allowed (public, or in ALERT_RECEIVER_ALLOWLIST), as the alerter checks them. */
  isAllowedAddress: (address: string) => boolean;
};

/** The API's share of the alerting environment (the alerter's own schema is apps/alerter/src/alerter.env.ts). */
const alertApiEnvSchema = z.object({
  // Optional here: without it the API serves everything but creating subscriptions.
  ALERT_SECRET_KEY: z.union([z.literal(''), alertSecretKeySetting]).optional(),
  ALERT_RECEIVER_ALLOWLIST: receiverAllowListSetting,
});

export function loadAlertApiSettings(env: NodeJS.ProcessEnv = process.env): AlertApiSettings {
  const parsed = parseEnv(alertApiEnvSchema, env);
  return {
    secretKey: parsed.ALERT_SECRET_KEY ? parseSecretKey(parsed.ALERT_SECRET_KEY) : null,
    isAllowedAddress: receiverAddressPolicy(parseAddressAllowList(parsed.ALERT_RECEIVER_ALLOWLIST)),
  };
}

export function requireSecretKey(settings: AlertApiSettings): Buffer {
  if (!settings.secretKey) {
    throw new ServiceUnavailableException(
      'alert subscriptions are not configured on this server (ALERT_SECRET_KEY is not set)',
    );
  }
  return settings.secretKey;
}
