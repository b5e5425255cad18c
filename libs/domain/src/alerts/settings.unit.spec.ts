import { alertSecretKeySetting, receiverAllowListSetting } from './settings';

describe('alerting settings', () => {
  it('accepts a 32-byte key as hex or base64 and names what is wrong otherwise', () => {
    expect(alertSecretKeySetting.safeParse('ab'.repeat(32)).success).toBe(true);
    expect(alertSecretKeySetting.safeParse(Buffer.alloc(32, 7).toString('base64')).success).toBe(true);
    const short = alertSecretKeySetting.safeParse('abcd');
    expect(short.success).toBe(false);
    expect(short.error?.issues[0]?.message).toMatch(/32 bytes/);
    expect(alertSecretKeySetting.safeParse(undefined).error?.issues[0]?.message).toMatch(/is required/);
  });

  it('accepts IPs and CIDRs in the receiver allow-list, empty by default', () => {
    expect(receiverAllowListSetting.parse(undefined)).toBe('');
    expect(receiverAllowListSetting.safeParse('127.0.0.1, 10.0.0.0/8, ::1').success).toBe(true);
    expect(receiverAllowListSetting.safeParse('localhost').success).toBe(false);
  });
});
