import { describe, expect, it } from 'vitest';
import { Beacon, MAX_CLS, MAX_EVENTS, MAX_STACK } from '../../worker/schema/beacon.ts';
import { makeBeacon } from '../helpers/beacon.ts';

const parse = (value: unknown) => Beacon.safeParse(value);

describe('beacon schema bounds', () => {
  it('accepts a well-formed beacon', () => {
    expect(parse(makeBeacon()).success).toBe(true);
  });

  it('bounds the number of events', () => {
    const event = { t: 'm', n: 'LCP', v: 1 } as const;
    expect(parse(makeBeacon({ e: Array(MAX_EVENTS).fill(event) })).success).toBe(true);
    expect(parse(makeBeacon({ e: Array(MAX_EVENTS + 1).fill(event) })).success).toBe(false);
    expect(parse(makeBeacon({ e: [] })).success).toBe(false);
  });

  it.each([
    ['negative value', { t: 'm', n: 'LCP', v: -1 }],
    ['huge value', { t: 'm', n: 'LCP', v: 3_600_001 }],
    ['CLS over its bound', { t: 'm', n: 'CLS', v: MAX_CLS + 0.5 }],
    ['unknown metric', { t: 'm', n: 'FID', v: 10 }],
    ['unknown event type', { t: 'x' }],
    ['long message', { t: 'err', k: 'error', msg: 'x'.repeat(501) }],
    ['long stack', { t: 'err', k: 'error', msg: 'x', stack: 'x'.repeat(MAX_STACK + 1) }],
    ['fractional line', { t: 'err', k: 'error', msg: 'x', line: 1.5 }],
    ['long selector', { t: 'm', n: 'CLS', v: 0.1, a: { el: 'x'.repeat(201) } }],
    ['free-form attribution', { t: 'm', n: 'CLS', v: 0.1, a: 'div#x' }],
    ['long custom name', { t: 'ev', name: 'x'.repeat(65) }],
  ])('rejects %s', (_label, event) => {
    expect(parse(makeBeacon({ e: [event as never] })).success).toBe(false);
  });

  it('accepts CLS up to its bound, and other metrics far beyond it', () => {
    expect(parse(makeBeacon({ e: [{ t: 'm', n: 'CLS', v: MAX_CLS }] })).success).toBe(true);
    expect(parse(makeBeacon({ e: [{ t: 'm', n: 'INP', v: MAX_CLS + 0.5 }] })).success).toBe(true);
  });

  it('rejects non-finite numbers (JSON cannot carry them, but objects can)', () => {
    expect(parse(makeBeacon({ e: [{ t: 'm', n: 'LCP', v: Number.NaN }] })).success).toBe(false);
    expect(parse(makeBeacon({ e: [{ t: 'm', n: 'LCP', v: Number.POSITIVE_INFINITY }] })).success).toBe(false);
  });

  it.each([
    ['site', { site: 'Not A Site!' }],
    ['sid', { sid: 'short' }],
    ['bid', { bid: 'x'.repeat(65) }],
    ['version', { v: 2 }],
  ])('rejects a bad %s', (_label, override) => {
    expect(parse({ ...makeBeacon(), ...override }).success).toBe(false);
  });

  it('bounds paths and routes', () => {
    const pv = makeBeacon().pv;
    expect(parse(makeBeacon({ pv: { ...pv, path: `/${'a'.repeat(511)}` } })).success).toBe(true);
    expect(parse(makeBeacon({ pv: { ...pv, path: `/${'a'.repeat(512)}` } })).success).toBe(false);
    expect(parse(makeBeacon({ pv: { ...pv, path: 'https://x.example/a' } })).success).toBe(false);
  });

  it('strips unknown keys at every level', () => {
    const input = { ...makeBeacon(), extra: 1, pv: { ...makeBeacon().pv, query: '?a=1' }, ctx: { ect: '4g', ua: 'x' } };
    const out = parse(input);
    expect(out.success).toBe(true);
    expect(JSON.stringify(out.data)).not.toMatch(/extra|query|"ua"/);
  });
});
