/**
 * SPA route changes: `history.pushState`, `history.replaceState` and
 * `popstate` call `onChange` after the URL changed. The caller decides whether
 * the path changed enough to start a new page view.
 */
export const onHistory = (onChange: () => void): void => {
  for (const name of ['pushState', 'replaceState'] as const) {
    const original = history[name];
    history[name] = function (this: History, ...args: Parameters<History['pushState']>) {
      original.apply(this, args);
      onChange();
    };
  }
  addEventListener('popstate', onChange);
};
