import {
  isPublicUnicastAddress,
  literalAddressRefused,
  parseAddressAllowList,
  receiverAddressPolicy,
} from './receiver-address';

describe('receiver address policy', () => {
  describe('given no allow-list', () => {
    const policy = receiverAddressPolicy([]);
    it.each(['8.8.8.8', '2001:4860:4860::8888'])('allows the public address %s', (address) => {
      expect(policy(address)).toBe(true);
    });
    it.each([
      '127.0.0.1',
      '::1',
      '10.1.2.3',
      '192.168.0.1',
      '169.254.169.254',
      '100.100.100.200',
      'fd00::1',
      '::ffff:127.0.0.1',
      '64:ff9b::a00:1',
      '0.0.0.0',
    ])('refuses %s', (address) => {
      expect(policy(address)).toBe(false);
      expect(isPublicUnicastAddress(address)).toBe(false);
    });
  });

  describe('given an allow-list of 127.0.0.1 and 10.0.0.0/8', () => {
    const policy = receiverAddressPolicy(parseAddressAllowList('127.0.0.1, 10.0.0.0/8'));
    it('allows exactly those ranges beside public addresses', () => {
      expect(policy('127.0.0.1')).toBe(true);
      expect(policy('10.200.0.1')).toBe(true);
      expect(policy('127.0.0.2')).toBe(false);
      expect(policy('192.168.0.1')).toBe(false);
      expect(policy('::ffff:127.0.0.1')).toBe(true);
      expect(policy('8.8.8.8')).toBe(true);
    });
  });

  it('names a bad allow-list entry', () => {
    expect(() => parseAddressAllowList('127.0.0.1, intranet')).toThrow(/"intranet"/);
  });

  describe('literalAddressRefused', () => {
    const policy = receiverAddressPolicy([]);
    it('refuses literal internal addresses and localhost before any DNS', () => {
      expect(literalAddressRefused('http://169.254.169.254/latest', policy)).toBe(true);
      expect(literalAddressRefused('http://[::1]:8080/hook', policy)).toBe(true);
      expect(literalAddressRefused('http://2130706433/hook', policy)).toBe(true);
      expect(literalAddressRefused('http://localhost:3000/hook', policy)).toBe(true);
      expect(literalAddressRefused('https://hooks.example.org/hook', policy)).toBe(false);
    });
  });
});
