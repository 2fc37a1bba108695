// Which hosts only this machine can reach, decided in one place for the viewer's token rule, its
// Origin check and the CLI's --host: a host is read as a browser's URL parser reads it, so that
// `127.1`, `0x7f.0.0.1` and `2130706433` are all 127.0.0.1, as they are to the system's resolver.

/**
 * A host in the form a browser puts in a page's Origin: lower case, IPv4 shorthand expanded, IPv6 in
 * brackets and compressed (`[::1]`). A host the URL parser cannot read is returned in lower case.
 */
export function canonicalHost(host: string): string {
  return parsedHost(host) ?? host.toLowerCase();
}

function parsedHost(host: string): string | null {
  const h = host.toLowerCase();
  try {
    return new URL(`http://${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}/`).hostname;
  } catch {
    return null;
  }
}

/**
 * True for the hosts that count as loopback: the name `localhost`, every IPv4 address of
 * 127.0.0.0/8 in any form the URL parser reads (`127.0.0.1`, `127.1`, `127.3.2.1`), `::1` and the
 * IPv4-mapped `::ffff:127.x.y.z`. Every other name is not, even one that resolves to loopback.
 */
export function isLoopbackHost(host: string): boolean {
  const h = parsedHost(host);
  if (h === null) return false;
  if (h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}\]$/.exec(h);
  return mapped !== null && Number.parseInt(mapped[1]!, 16) >> 8 === 0x7f;
}
