import { createHmac } from 'node:crypto';
import {
  SecretKeyError,
  generateWebhookSecret,
  openSecret,
  parseSecretKey,
  sealSecret,
  signWebhook,
  signatureHeaders,
  verifyWebhookSignature,
} from './signing';

const secret = 'whsec_test-secret';
const body = '{"id":"alrt_1","kind":"sample"}';

describe('webhook signing', () => {
  describe('given a secret, a timestamp and a body', () => {
    it('signs HMAC-SHA256 over "timestamp.body", in hex', () => {
      const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
      expect(signWebhook(secret, 1700000000, body)).toBe(expected);
      expect(signatureHeaders(secret, 1700000000, body)).toEqual({
        'Diplowatch-Timestamp': '1700000000',
        'Diplowatch-Signature': `v1=${expected}`,
      });
    });
  });

  describe('verifyWebhookSignature', () => {
    const headers = signatureHeaders(secret, 1700000000, body);
    const verify = (overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]> = {}) =>
      verifyWebhookSignature({
        secret,
        body,
        timestamp: headers['Diplowatch-Timestamp'],
        signatureHeader: headers['Diplowatch-Signature'],
        nowSeconds: 1700000060,
        ...overrides,
      });

    it('accepts the signature it made, also among others in the header', () => {
      expect(verify()).toBe(true);
      expect(verify({ signatureHeader: `v0=abc, ${headers['Diplowatch-Signature']}` })).toBe(true);
    });

    it('refuses another body, another secret, a forged or missing signature', () => {
      expect(verify({ body: `${body} ` })).toBe(false);
      expect(verify({ secret: 'whsec_other' })).toBe(false);
      expect(verify({ signatureHeader: 'v1=00' })).toBe(false);
      expect(verify({ signatureHeader: undefined })).toBe(false);
    });

    it('refuses a timestamp outside the tolerance (a replayed request)', () => {
      expect(verify({ nowSeconds: 1700000000 + 301 })).toBe(false);
      expect(verify({ timestamp: 'soon' })).toBe(false);
    });
  });

  it('generates distinct secrets with the whsec_ prefix', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateWebhookSecret()).not.toBe(a);
  });
});

describe('secrets at rest', () => {
  const key = parseSecretKey('00'.repeat(32));

  it('seals and opens a secret; the sealed form does not contain it', () => {
    const sealed = sealSecret(secret, key);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('test-secret');
    expect(openSecret(sealed, key)).toBe(secret);
    expect(sealSecret(secret, key)).not.toBe(sealed);
  });

  it('refuses to open under another key or after tampering', () => {
    const sealed = sealSecret(secret, key);
    expect(() => openSecret(sealed, parseSecretKey('11'.repeat(32)))).toThrow(SecretKeyError);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('whsec_forged!!!!!').toString('base64url');
    expect(() => openSecret(parts.join('.'), key)).toThrow(SecretKeyError);
  });

  it('takes a key as hex or base64, and refuses other lengths', () => {
    expect(parseSecretKey(Buffer.alloc(32, 7).toString('base64'))).toEqual(Buffer.alloc(32, 7));
    expect(parseSecretKey(Buffer.alloc(32, 7).toString('base64url'))).toEqual(Buffer.alloc(32, 7));
    expect(() => parseSecretKey('abcd')).toThrow(SecretKeyError);
  });
});
