/**
 * Session id: random, kept in sessionStorage (one tab) and renewed when it
 * was last used more than 30 minutes ago (used: a page view's first beacon).
 * The caller only asks for it when consent is granted and Global Privacy
 * Control is off; otherwise every page view gets a fresh id that is never
 * stored, so nothing links two views.
 */
import { hex } from './ids.ts';


export const sessionId = (): string => {
  let id = hex(16);
  try {
    const [old, at] = (sessionStorage.getItem('rum_sid') || '').split(' ');
    const now = Date.now();
    // Renewed after 30 idle minutes (18e5 ms).
    if (old && now - +at! < 18e5) id = old;
    sessionStorage.setItem('rum_sid', id + ' ' + now);
  } catch {
    // Storage disabled (privacy modes, sandboxed frames): an unlinked id.
  }
  return id;
};
