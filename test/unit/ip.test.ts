import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { truncateIp } from '../../worker/collect/ip.ts';

describe('truncateIp', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['10.0.0.1', '10.0.0.0/24'],
    [' 198.51.100.255 ', '198.51.100.0/24'],
    ['2001:db8:abcd:12:34::5', '2001:db8:abcd::/48'],
    ['2001:0db8:0000:0001:0000:0000:0000:0001', '2001:db8:0::/48'],
    ['::1', '0:0:0::/48'],
    ['fe80::1%eth0', 'fe80:0:0::/48'],
    ['[2606:4700::1111]', '2606:4700:0::/48'],
    ['::ffff:198.51.100.9', '198.51.100.0/24'],
    ['::ffff:c633:6409', '198.51.100.0/24'],
    ['0:0:0:0:0:ffff:203.0.113.5', '203.0.113.0/24'],
    // 6to4 embeds the IPv4 address (203.0.113.7) in bits 16-47: only its /24 is kept.
    ['2002:cb00:7107::1', '2002:cb00:7100::/40'],
    ['2002:cb00:71ff:1234::1', '2002:cb00:7100::/40'],
  ])('%s -> %s', (input, expected) => {
    expect(truncateIp(input)).toBe(expected);
  });

  it.each(['', 'unknown', '256.1.1.1', '1.2.3', '1.2.3.4.5', '1:2:3:4:5:6:7:8:9', '1::2::3', 'gggg::1', '01.2.3.4x', null, undefined])(
    'stores no prefix for %s',
    (input) => {
      expect(truncateIp(input)).toBeNull();
    },
  );

  it('never keeps the host part of any IPv4 address', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        const prefix = truncateIp(ip)!;
        expect(prefix.endsWith('.0/24')).toBe(true);
        expect(prefix.split('.').slice(0, 3)).toEqual(ip.split('.').slice(0, 3).map((o) => String(Number(o))));
      }),
    );
  });

  it('never keeps more than 48 bits of any IPv6 address', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const prefix = truncateIp(ip);
        expect(prefix).not.toBeNull();
        if (prefix!.endsWith('::/48')) expect(prefix!.slice(0, -5).split(':')).toHaveLength(3);
        else expect(prefix).toMatch(/\.0\/24$/); // IPv4-mapped
      }),
    );
  });
});
