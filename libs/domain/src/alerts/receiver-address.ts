import ipaddr from 'ipaddr.js';

// Receiver URLs come from users, so the alerter must not become a way into the internal
// network. The rule is the ingester's (apps/ingester/src/http/safe-fetch.ts, isPublicAddress):
// only globally routable unicast addresses. An operator can allow chosen private ranges
// (ALERT_RECEIVER_ALLOWLIST), e.g. a receiver on the same host in tests.

/**
 * Globally routable unicast only: loopback, RFC 1918, CGNAT, link-local (cloud metadata),
 * unique-local, multicast, broadcast, documentation, 6to4/Teredo/NAT64 and the other reserved
 * ranges are refused; IPv4-mapped IPv6 is judged as the IPv4 it maps.
 */
export function isPublicUnicastAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

export type AddressAllowList = Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;

/** "127.0.0.1, 10.0.0.0/8, ::1" -> ranges. Throws naming the entry that is not an address or CIDR. */
export function parseAddressAllowList(value: string | undefined): AddressAllowList {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.map((entry) => {
    try {
      if (entry.includes('/')) return ipaddr.parseCIDR(entry);
      const address = ipaddr.process(entry);
      return [address, address.kind() === 'ipv4' ? 32 : 128] as [ipaddr.IPv4 | ipaddr.IPv6, number];
    } catch {
      throw new Error(`"${entry}" is neither an IP address nor a CIDR range`);
    }
  });
}

/** The policy a receiver's resolved address must pass: public, or inside an allowed range. */
export function receiverAddressPolicy(allowList: AddressAllowList): (address: string) => boolean {
  return (address) => {
    if (isPublicUnicastAddress(address)) return true;
    if (!ipaddr.isValid(address)) return false;
    const parsed = ipaddr.process(address);
    return allowList.some(
      ([range, bits]) => range.kind() === parsed.kind() && parsed.match([range, bits] as never),
    );
  };
}

/**
 * Checked when a subscription is saved, before any DNS: a URL whose host is a literal address
 * the policy refuses (http://169.254.169.254/…, http://[::1]/…) is refused at once. Host names
 * are checked when delivering, after resolution, as every redirect-free attempt is.
 */
export function literalAddressRefused(url: string, policy: (address: string) => boolean): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return !policy('127.0.0.1');
  return ipaddr.isValid(host) && !policy(host);
}
