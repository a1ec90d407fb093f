import { BlockList, isIP } from "node:net";

// Addresses a webhook must never reach unless the operator names them: loopback, private,
// link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, unspecified, multicast,
// reserved and documentation ranges. IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) match the
// IPv4 rules: node's BlockList checks them against both.
const blocked = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}

/** True for an address no webhook may reach without the operator's explicit allowance. */
export function isPrivateAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 0) return false;
  return blocked.check(address, version === 4 ? "ipv4" : "ipv6");
}
