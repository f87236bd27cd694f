/**
 * Uncaught errors and unhandled promise rejections as error events: message,
 * stack, source, line and column, each cut to the contract's bounds. The
 * source loses its query and is masked like a page path; message and stack
 * lose what follows URLs (`?`, `#`) and have e-mails and long numbers masked
 * (`scrubText`).
 */
import type { Event } from '../types.ts';
import { bare, cut } from './clamp.ts';
import { scrubText } from './scrub.ts';

export type ErrorEvent = Extract<Event, { t: 'err' }>;

type Either = Partial<globalThis.ErrorEvent & PromiseRejectionEvent>;

export const onErrors = (report: (event: ErrorEvent) => void): void => {
  const listener = (e: Either) => {
    const error = e.error || e.reason;
    try {
      report({
        t: 'err',
        k: 'reason' in e ? 'rejection' : 'error',
        msg: cut(scrubText(e.message || error?.message || String(error)), 500)!,
        stack: cut(error?.stack && scrubText(String(error.stack)), 4e3),
        src: cut(bare(e.filename), 300),
        line: e.lineno,
        col: e.colno && Math.min(e.colno, 1e7),
        c: 1,
      });
    } catch {
      // A reason that cannot become a string (a null-prototype object).
    }
  };
  addEventListener('error', listener);
  addEventListener('unhandledrejection', listener);
};
