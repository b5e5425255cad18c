import { apiKeyMatches, issueApiKey, parseApiKey, scopeAllows } from './api-key';

describe('API keys', () => {
  it('issues a key whose secret matches its stored hash and nothing else', () => {
    const issued = issueApiKey();
    const parsed = parseApiKey(issued.key);
    expect(parsed?.id).toBe(issued.id);
    expect(apiKeyMatches(parsed!.secret, issued.hash)).toBe(true);
    const other = issueApiKey();
    expect(apiKeyMatches(parseApiKey(other.key)!.secret, issued.hash)).toBe(false);
  });

  it('never stores the secret itself', () => {
    const issued = issueApiKey();
    expect(issued.hash).not.toContain(parseApiKey(issued.key)!.secret);
  });

  it.each(['', 'dw_', 'Bearer x', 'dw_123_abc', 'dw_zzzzzzzzzzzz_' + 'a'.repeat(43)])(
    'rejects malformed key %p',
    (key) => {
      expect(parseApiKey(key)).toBeNull();
    },
  );

  it('lets admin do everything and write imply read', () => {
    expect(scopeAllows(['admin'], 'write')).toBe(true);
    expect(scopeAllows(['write'], 'read')).toBe(true);
    expect(scopeAllows(['read'], 'write')).toBe(false);
    expect(scopeAllows([], 'read')).toBe(false);
  });
});
