/**
 * `/demo`: a page that loads the SDK first-party and gives it something to
 * measure: a large hero block for LCP, a button whose handler does real work
 * (INP), a late banner that shifts the layout (CLS), an error button, an SPA
 * route change (a new page view) and a custom event.
 */
export function demoPage(prefix: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Edge RUM demo</title>
<script src="${prefix}/rum.js" data-site="demo" data-release="demo" defer></script>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 46rem; padding: 1rem; }
  #hero { height: 16rem; background: linear-gradient(135deg, #f6a, #6af); border-radius: 8px;
          display: grid; place-items: center; font-size: 2.5rem; color: white; text-align: center; }
  button { font: inherit; padding: .5rem 1rem; margin: .25rem; }
  #banner { background: #ffd; padding: 2rem; }
  code { background: #f3f3f3; padding: 0 .25rem; }
</style>
</head>
<body>
<div id="slot"></div>
<h1 id="title">Edge RUM demo</h1>
<div id="hero">Largest Contentful Paint</div>
<p>This page sends real beacons to <code>${prefix}/collect</code>: Core Web Vitals, navigation timing,
errors and custom events. Click the buttons, then switch tabs or close the page to flush.
The attribution build is <code>${prefix}/rum.attribution.js</code>, with the same attributes.</p>
<button id="work">Do some work (INP)</button>
<button id="boom">Throw an error</button>
<button id="route">Go to another route (SPA)</button>
<button id="event">Send a custom event</button>
<p id="out"></p>
<script>
  const out = document.getElementById('out');
  document.getElementById('work').addEventListener('click', () => {
    const end = performance.now() + 120;
    let n = 0;
    while (performance.now() < end) n++;
    out.textContent = 'Busy loop ran ' + n + ' iterations.';
  });
  document.getElementById('boom').addEventListener('click', () => {
    throw new Error('Demo error from the button');
  });
  let item = 0;
  document.getElementById('route').addEventListener('click', () => {
    item += 1;
    // A new path: the SDK starts a page view for route ${prefix}/demo/item/:id.
    history.pushState({}, '', '${prefix}/demo/item/' + (1000 + item));
    document.getElementById('title').textContent = 'Item ' + (1000 + item);
    out.textContent = 'Now on ' + location.pathname + ' (a new page view).';
  });
  document.getElementById('event').addEventListener('click', () => {
    window.edgeRum?.track?.('demo-click', item);
    out.textContent = 'Custom event "demo-click" queued.';
  });
  // A banner inserted above the content after load: a layout shift (CLS).
  setTimeout(() => {
    const banner = document.createElement('div');
    banner.id = 'banner';
    banner.textContent = 'A late banner pushed the page down.';
    document.getElementById('slot').appendChild(banner);
  }, 400);
</script>
</body>
</html>`;
}
