/**
 * Truncates a client address to its network prefix: /24 for IPv4, /48 for
 * IPv6 (IPv4-mapped IPv6 is treated as IPv4, and a 6to4 address, whose /48
 * holds a whole IPv4 address, is cut to that address's /24). The full address never leaves
 * this function; callers keep only the prefix.
 *
 * @example
 * ```ts
 * truncateIp('203.0.113.77');        // '203.0.113.0/24'
 * truncateIp('2001:db8:1:2::5');     // '2001:db8:1::/48'
 * truncateIp('::ffff:198.51.100.9'); // '198.51.100.0/24'
 * truncateIp('not an ip');           // null
 * ```
 */
export function truncateIp(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const value = raw.trim();
  const v4 = parseIpv4(value);
  if (v4) return `${v4[0]}.${v4[1]}.${v4[2]}.0/24`;
  const v6 = parseIpv6(value);
  if (!v6) return null;
  // ::ffff:a.b.c.d (RFC 4291 section 2.5.5.2): an IPv4 client seen over IPv6.
  if (v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff) {
    return `${v6[6]! >> 8}.${v6[6]! & 0xff}.${v6[7]! >> 8}.0/24`;
  }
  // 2002:AABB:CCDD::/48 (6to4, RFC 3056) embeds the whole IPv4 address AA.BB.CC.DD: cut that to /24.
  if (v6[0] === 0x2002) {
    return `2002:${v6[1]!.toString(16)}:${(v6[2]! & 0xff00).toString(16)}::/40`;
  }
  const head = v6.slice(0, 3).map((g) => g.toString(16));
  return `${head.join(':')}::/48`;
}

function parseIpv4(value: string): number[] | null {
  const parts = value.split('.');
  if (parts.length !== 4) return null;
  const octets: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    octets.push(n);
  }
  return octets;
}

/** Eight 16-bit groups, or null when the text is not an IPv6 address. */
function parseIpv6(value: string): number[] | null {
  const text = value.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const toGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const groups: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return null;
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        groups.push(parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return groups;
  };
  const head = toGroups(halves[0]!);
  const tail = halves.length === 2 ? toGroups(halves[1]!) : [];
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}
