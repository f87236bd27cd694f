/**
 * Entry of the first-party script `/rum.js`: configured by its `data-`
 * attributes (see `script.ts`), the API at `window.edgeRum`.
 *
 * @example
 * ```html
 * <script async src="/rum/rum.js" data-site="shop" data-sample-rate="0.5"></script>
 * ```
 */
import { init } from './index.ts';
import { fromScript } from './script.ts';

fromScript(init);
