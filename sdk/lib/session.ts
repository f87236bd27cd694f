/**
 * Session id: random, kept in sessionStorage (one tab) and renewed when it
 * was last used more than 30 minutes ago (used: a page view's first beacon).
 * The caller only asks for it when consent is granted and Global Privacy
 * Control is off; otherwise every page view gets a fresh id that is never
 * stored, so nothing links two views.
 */
import { hex } from './ids.ts';

const KEY = 'rum_sid';
/** Idle time after which a new session starts, milliseconds. */
export const SESSION_IDLE = 18e5;

export const sessionId = (): string => {
  let id = hex(16);
  try {
    const [old, at] = (sessionStorage.getItem(KEY) || '').split(' ');
    const now = Date.now();
    if (old && now - +at! < SESSION_IDLE) id = old;
    sessionStorage.setItem(KEY, id + ' ' + now);
  } catch {
    // Storage disabled (privacy modes, sandboxed frames): an unlinked id.
  }
  return id;
};
