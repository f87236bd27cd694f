/**
 * Transport: sendBeacon first, fetch keepalive when it refuses, an ordinary
 * fetch beyond the 60,000 in-flight bytes, retries for failed fetches.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { transport } from '../../sdk/lib/transport.ts';

const body = (bytes: number) => 'x'.repeat(bytes);

describe('transport', () => {
  let beacons: string[];
  let beaconAccepts: boolean;

  beforeEach(() => {
    vi.useFakeTimers();
    beacons = [];
    beaconAccepts = true;
    vi.stubGlobal('navigator', {
      sendBeacon: (_url: string, data: string) => {
        if (beaconAccepts) beacons.push(data);
        return beaconAccepts;
      },
    });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('uses sendBeacon while the page has keepalive budget', () => {
    const post = vi.fn();
    transport('/rum/collect', post)(body(1000));
    expect(beacons).toHaveLength(1);
    expect(post).not.toHaveBeenCalled();
  });

  it('falls back to fetch keepalive when sendBeacon refuses', async () => {
    beaconAccepts = false;
    const post = vi.fn().mockResolvedValue(new Response(null, { status: 202 }));
    transport('/rum/collect', post)(body(1000));
    expect(post).toHaveBeenCalledWith('/rum/collect', { method: 'POST', body: body(1000), keepalive: true });
  });

  it('never has more than 60,000 bytes of keepalive requests in flight, and never drops the rest', async () => {
    const post = vi.fn().mockResolvedValue(new Response(null, { status: 202 }));
    const send = transport('/rum/collect', post);
    send(body(40_000));
    send(body(30_000));
    expect(beacons).toHaveLength(1);
    expect(post).toHaveBeenCalledTimes(1);
    expect(post.mock.calls[0]![1]).toMatchObject({ keepalive: false });
    // Beacon bytes are released after 10 s; then keepalive is available again.
    await vi.advanceTimersByTimeAsync(10_000);
    send(body(30_000));
    expect(beacons).toHaveLength(2);
  });

  it('retries failed fetches with backoff, not 4xx answers', async () => {
    beaconAccepts = false;
    const post = vi
      .fn()
      .mockRejectedValueOnce(new TypeError('network'))
      .mockResolvedValueOnce(new Response(null, { status: 503 }))
      .mockResolvedValue(new Response(null, { status: 202 }));
    transport('/rum/collect', post)('{}');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(post).toHaveBeenCalledTimes(3);

    const rejected = vi.fn().mockResolvedValue(new Response(null, { status: 400 }));
    transport('/rum/collect', rejected)('{}');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(rejected).toHaveBeenCalledTimes(1);
  });
});
