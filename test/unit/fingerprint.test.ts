import { describe, expect, it } from 'vitest';
import { errorFingerprint, normaliseFrames, normaliseMessage } from '../../worker/collect/fingerprint.ts';

describe('error fingerprint', () => {
  it('normalises volatile parts of messages', () => {
    expect(normaliseMessage('Cannot read 3 of undefined at https://a.example/x?y=1')).toBe('Cannot read <n> of undefined at <url>');
    expect(normaliseMessage("user 'bob' not found: 550e8400-e29b-41d4-a716-446655440000")).toBe('user <str> not found: <id>');
  });

  it('reduces Chrome and Firefox frames to name@file', () => {
    const chrome = 'TypeError: x\n    at handle (https://a.example/assets/app.3f9a2b1c.js:10:5)\n    at https://a.example/page.html:3:1';
    expect(normaliseFrames(chrome)).toEqual(['handle@app.js', '?@<page>']);
    expect(normaliseFrames('handle@https://b.example/assets/app.js?v=2:99:1')).toEqual(['handle@app.js']);
  });

  it('groups one bug across pages, builds, lines and hosts', async () => {
    const a = await errorFingerprint('error', 'Item 12 missing', 'Error\n    at load (https://a.example/app.1234abcd.js:10:5)\n    at https://a.example/one.html:3:1');
    const b = await errorFingerprint('error', 'Item 97 missing', 'Error\n    at load (https://www.a.example/app.9876fedc.js:11:9)\n    at https://www.a.example/two:8:4');
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('separates different bugs', async () => {
    const a = await errorFingerprint('error', 'Item missing', 'Error\n    at load (https://a.example/app.js:1:1)');
    expect(await errorFingerprint('error', 'Item broken', 'Error\n    at load (https://a.example/app.js:1:1)')).not.toBe(a);
    expect(await errorFingerprint('error', 'Item missing', 'Error\n    at save (https://a.example/app.js:1:1)')).not.toBe(a);
    expect(await errorFingerprint('rejection', 'Item missing', 'Error\n    at load (https://a.example/app.js:1:1)')).not.toBe(a);
  });
});
