import { isPublicAddress } from './safe-fetch';

describe('isPublicAddress', () => {
  describe('when the address is globally routable unicast', () => {
    it.each(['8.8.8.8', '93.184.216.34', '2001:4860:4860::8888', '2a00:1450:4001::1'])(
      'allows %s',
      (address) => {
        expect(isPublicAddress(address)).toBe(true);
      },
    );
  });

  describe('when the address is internal, special or a tunnel to one', () => {
    it.each([
      ['127.0.0.1', 'loopback'],
      ['127.8.9.10', 'loopback /8'],
      ['::1', 'IPv6 loopback'],
      ['10.0.0.1', 'RFC 1918'],
      ['172.16.5.4', 'RFC 1918'],
      ['192.168.1.1', 'RFC 1918'],
      ['169.254.169.254', 'cloud metadata (link-local)'],
      ['100.100.100.200', 'Alibaba metadata (CGNAT)'],
      ['fd00:ec2::254', 'AWS IPv6 metadata (unique-local)'],
      ['fe80::1', 'IPv6 link-local'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'IPv6 unspecified'],
      ['224.0.0.1', 'multicast'],
      ['ff02::1', 'IPv6 multicast'],
      ['255.255.255.255', 'broadcast'],
      ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
      ['::ffff:10.0.0.1', 'IPv4-mapped private'],
      ['64:ff9b::a00:1', 'NAT64 to 10.0.0.1'],
      ['2002:a00:1::', '6to4 to 10.0.0.1'],
      ['192.0.2.1', 'documentation'],
      ['not-an-ip', 'not an address'],
    ])('refuses %s (%s)', (address) => {
      expect(isPublicAddress(address)).toBe(false);
    });
  });
});
