/**
 * Entry of the attribution script `/rum.attribution.js`: the same `data-`
 * attributes and `window.edgeRum` API as `/rum.js`, plus attribution.
 *
 * @example
 * ```html
 * <script async src="/rum/rum.attribution.js" data-site="shop"></script>
 * ```
 */
import { init } from './attribution.ts';
import { fromScript } from './script.ts';

fromScript(init);
