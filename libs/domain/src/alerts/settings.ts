import { z } from 'zod';
import { parseAddressAllowList } from './receiver-address';
import { parseSecretKey } from './signing';

// The alerting settings both the API (sealing secrets, checking receivers) and the alerter
// (opening secrets, delivering) read; one definition so they cannot disagree.

function parses(parse: (value: string) => unknown): (value: string) => boolean {
  return (value) => {
    try {
      parse(value);
      return true;
    } catch {
      return false;
    }
  };
}

/** ALERT_SECRET_KEY: 32 bytes as hex or base64. */
export const alertSecretKeySetting = z
  .string({ error: 'is required: 32 random bytes as hex or base64 (openssl rand -hex 32)' })
  .refine(parses(parseSecretKey), 'must be 32 bytes, as 64 hex characters or base64');

/** ALERT_RECEIVER_ALLOWLIST: private addresses receivers may resolve to anyway (IPs or CIDRs, comma-separated). */
export const receiverAllowListSetting = z
  .string()
  .default('')
  .refine(parses(parseAddressAllowList), 'must list IP addresses or CIDR ranges, comma-separated');
