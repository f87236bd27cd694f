/**
 * `/demo`: a page that loads the SDK first-party and gives it something to
 * measure: a large image-like block for LCP, a button whose handler does real
 * work (INP), a late banner that shifts the layout (CLS), and an error button.
 */
export function demoPage(prefix: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Edge RUM demo</title>
<script src="${prefix}/rum.js" data-site="demo" defer></script>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 46rem; padding: 1rem; }
  #hero { height: 16rem; background: linear-gradient(135deg, #f6a, #6af); border-radius: 8px;
          display: grid; place-items: center; font-size: 2.5rem; color: white; }
  button { font: inherit; padding: .5rem 1rem; margin: .25rem; }
  #banner { background: #ffd; padding: 2rem; }
</style>
</head>
<body>
<div id="slot"></div>
<h1>Edge RUM demo</h1>
<div id="hero">Largest Contentful Paint</div>
<p>This page sends real beacons to <code>${prefix}/collect</code>: Core Web Vitals, navigation timing
and errors. Click the buttons, then switch tabs or close the page to flush.</p>
<button id="work">Do some work (INP)</button>
<button id="boom">Throw an error</button>
<p id="out"></p>
<script>
  document.getElementById('work').addEventListener('click', () => {
    const end = performance.now() + 120;
    let n = 0;
    while (performance.now() < end) n++;
    document.getElementById('out').textContent = 'Busy loop ran ' + n + ' iterations.';
  });
  document.getElementById('boom').addEventListener('click', () => {
    throw new Error('Demo error from the button');
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
