import { loadAlertApiSettings } from './alert-settings';

describe('loadAlertApiSettings', () => {
  it('runs without a key (subscriptions then cannot be created) but refuses a malformed one', () => {
    expect(loadAlertApiSettings({}).secretKey).toBeNull();
    expect(loadAlertApiSettings({ ALERT_SECRET_KEY: '' }).secretKey).toBeNull();
    expect(loadAlertApiSettings({ ALERT_SECRET_KEY: 'ab'.repeat(32) }).secretKey).toHaveLength(32);
    expect(() => loadAlertApiSettings({ ALERT_SECRET_KEY: 'abcd' })).toThrow(
      /ALERT_SECRET_KEY: must be 32 bytes/,
    );
  });

  it('checks receivers against the allow-list', () => {
    expect(loadAlertApiSettings({}).isAllowedAddress('127.0.0.1')).toBe(false);
    expect(
      loadAlertApiSettings({ ALERT_RECEIVER_ALLOWLIST: '127.0.0.0/8' }).isAllowedAddress('127.0.0.1'),
    ).toBe(true);
    expect(() => loadAlertApiSettings({ ALERT_RECEIVER_ALLOWLIST: 'nope' })).toThrow(
      /ALERT_RECEIVER_ALLOWLIST/,
    );
  });
});
