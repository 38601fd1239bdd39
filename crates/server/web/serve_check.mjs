// The browser test of `nedra serve` (run by scripts/serve_check.sh): drives Debian's Chromium
// through playwright-core over a server started on the demo run, and checks that tiles load,
// the score ramp's colours are on the map, the layer list holds every raster, clicking a target
// shows its evidence, a click shows every layer's value, the curves render, Russian works, two
// runs compare side by side, and no request left the server. Saves screenshots.
// With BASEMAP_ATTRIBUTION (a server started with --basemap): only that the local basemap's
// tiles load under the run and its attribution shows, as text.
// Usage: node serve_check.mjs URL RUN_DIR SCREENSHOT_DIR [BASEMAP_ATTRIBUTION]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [url, runDir, shotDir, basemapAttribution] = process.argv.slice(2);
const origin = new URL(url).origin;
const problems = [];
let checks = 0;
const check = (ok, what) => {
  checks += 1;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) problems.push(what);
};

// Every GeoTIFF of the run folder (not in hidden folders), as the server names its layers.
function rasters(dir, prefix = '') {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...rasters(path, `${prefix}${name}.`));
    else if (/\.tiff?$/i.test(name)) out.push(prefix + name.replace(/\.tiff?$/i, ''));
  }
  return out;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--enable-unsafe-swiftshader', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});
const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
const page = await context.newPage();
const outside = [];
const tiles = [];
const consoleErrors = [];
await context.route('**/*', (route) => {
  const u = route.request().url();
  if (u.startsWith(origin) || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
  outside.push(u);
  return route.abort();
});
page.on('request', (r) => {
  const u = r.url();
  if (!(u.startsWith(origin) || u.startsWith('data:') || u.startsWith('blob:'))) outside.push(u);
});
const basemapTiles = [];
page.on('response', async (r) => {
  if (r.url().includes('/basemap/')) basemapTiles.push(r.status());
  if (!r.url().includes('/tiles/')) return;
  const body = await r.body().catch(() => Buffer.alloc(0));
  tiles.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'], bytes: body.length, png: body.subarray(1, 4).toString() === 'PNG' });
});
page.on('console', (m) => {
  if (m.type() === 'error') consoleErrors.push(m.text());
});
page.on('pageerror', (e) => consoleErrors.push(String(e)));
page.on('crash', () => console.log('FAIL the page crashed (renderer)'));
browser.on('disconnected', () => console.log('the browser disconnected'));

// Waits until a map has drawn everything it has asked for: repaints, then waits for 'idle'
// (which fires only after a change) or for at most 10 s, then for its tiles.
async function settle(which) {
  await page.evaluate((name) => new Promise((resolve) => {
    const map = window.nedra[name];
    const timer = setTimeout(resolve, 10000);
    map.once('idle', () => { clearTimeout(timer); resolve(); });
    map.triggerRepaint();
  }), which);
  await page.waitForFunction((name) => window.nedra[name].areTilesLoaded(), which, { timeout: 30000 }).catch(() => {});
}

await page.goto(url);
await page.waitForSelector('body[data-ready="1"]', { timeout: 60000 }).catch(() => {});
const error = await page.evaluate(() => document.body.dataset.error || null);
check(!error, `the page started${error ? `: ${error}` : ''}`);
await settle('map');

if (basemapAttribution !== undefined) {
  const shown = await page.locator('.maplibregl-ctrl-attrib-inner').first().textContent().catch(() => null);
  const ok = basemapTiles.filter((s) => s === 200).length;
  check(ok > 0 && basemapTiles.every((s) => s === 200 || s === 204), `the local basemap's tiles load (${ok} of ${basemapTiles.length} are 200)`);
  check(shown === basemapAttribution, `its attribution shows as text: ${JSON.stringify(shown)}`);
  check(outside.length === 0, `no request left the server${outside.length ? `: ${outside[0]}` : ''}`);
  await page.screenshot({ path: join(shotDir, 'serve-basemap.png') });
  await browser.close();
  if (problems.length) {
    console.error(`serve_check (basemap): ${problems.length} check(s) failed`);
    process.exit(1);
  }
  console.log(`serve_check (basemap): ${checks} checks passed`);
  process.exit(0);
}

// Tiles.
const good = tiles.filter((x) => x.status === 200 && x.type === 'image/png' && x.bytes > 100 && x.png);
check(tiles.length >= 4 && good.length === tiles.length, `tiles load: ${good.length} of ${tiles.length} are 200, non-empty PNGs`);

// Layer list.
const listed = await page.$$eval('#layer-list li[data-layer]', (items) => items.map((i) => i.dataset.layer));
const expected = rasters(runDir);
check(listed.length === expected.length && expected.every((id) => listed.includes(id)),
  `the layer list holds every raster of the run (${listed.length} listed, ${expected.length} in the folder)`);

// The score ramp's colours on the map, at full opacity with targets hidden.
const firstLayer = listed[0];
await page.locator(`#layer-list li[data-layer="${firstLayer}"] input[type=range]`).fill('1');
await page.evaluate(() => {
  for (const id of ['targets-fill', 'targets-line', 'outline']) window.nedra.map.setLayoutProperty(id, 'visibility', 'none');
});
await settle('map');
const legend = await page.evaluate(() => window.nedra.state.run.layers[0].legend);
const shot = await page.locator('#map').screenshot();
const counts = await page.evaluate(async ({ b64, stops }) => {
  const img = new Image();
  img.src = `data:image/png;base64,${b64}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, 0, img.width, img.height).data;
  const rgb = stops.map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));
  // Distance of a colour to the ramp (its segments between stops).
  const toRamp = (r, g, b) => {
    let best = Infinity;
    for (let s = 0; s + 1 < rgb.length; s++) {
      const [a, c] = [rgb[s], rgb[s + 1]];
      const d = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
      const len = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
      let f = len ? ((r - a[0]) * d[0] + (g - a[1]) * d[1] + (b - a[2]) * d[2]) / len : 0;
      f = Math.max(0, Math.min(1, f));
      const e = [r - a[0] - f * d[0], g - a[1] - f * d[1], b - a[2] - f * d[2]];
      best = Math.min(best, Math.hypot(...e));
    }
    return best;
  };
  const near = (p, q, tol) => Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) <= tol;
  let onRamp = 0; let low = 0; let high = 0; const total = px.length / 4;
  for (let i = 0; i < px.length; i += 4) {
    const c = [px[i], px[i + 1], px[i + 2]];
    if (toRamp(...c) <= 6) onRamp++;
    if (near(c, rgb[0], 12)) low++;
    if (near(c, rgb[rgb.length - 1], 30)) high++;
  }
  return { total, onRamp, low, high };
}, { b64: shot.toString('base64'), stops: legend.stops });
check(legend.ramp === 'viridis' && counts.onRamp / counts.total > 0.25 && counts.low > 1000 && counts.high > 20,
  `the score ramp (${legend.ramp}) is on the map: ${(100 * counts.onRamp / counts.total).toFixed(1)} % of pixels on the ramp, ${counts.low} at its low end, ${counts.high} at its high end`);
await page.locator(`#layer-list li[data-layer="${firstLayer}"] input[type=range]`).fill('0.85');
await page.evaluate(() => {
  for (const id of ['targets-fill', 'targets-line', 'outline']) window.nedra.map.setLayoutProperty(id, 'visibility', 'visible');
});

// Curves.
const curves = await page.evaluate(() => [...document.querySelectorAll('#curves svg polyline.series')]
  .map((p) => p.getAttribute('points').split(' ').length));
check(curves.length >= 3 && curves.every((n) => n >= 3), `validation curves render as SVG (${curves.length} series, points ${curves.join('/')})`);
const roc = await page.evaluate(() => {
  const chart = document.querySelector('#curves svg#curve-roc');
  const line = chart && chart.querySelector('polyline.series');
  return { points: line ? line.getAttribute('points').split(' ').length : 0, legend: chart ? [...chart.querySelectorAll('text')].map((e) => e.textContent).join(' | ') : '' };
});
check(roc.points >= 3 && /AUC \d\.\d+ \(interval [\d.]+–[\d.]+\)/.test(roc.legend),
  `the ROC curve is drawn with its AUC and interval in the legend (${roc.points} points; ${roc.legend.split(' | ').find((x) => x.startsWith('AUC')) || 'no AUC label'})`);
const auc = await page.$$eval('#curves p.auc', (ps) => ps.map((p) => p.textContent));
check(auc.some((s) => s.startsWith('ROC AUC')), `the ROC AUC with its interval is shown (${auc[0] || 'none'})`);
const manifest = await page.evaluate(() => document.getElementById('manifest-text').textContent);
check(manifest.includes('"schema"'), 'the manifest (run.json) is shown');
await settle('map');
await page.screenshot({ path: join(shotDir, 'serve.png') });

// Click a target on the map: find a pixel of the rank-1 target's rendered polygon.
await page.locator('#target-table tbody tr[data-rank="1"]').click();
await settle('map');
await page.evaluate(() => document.getElementById('target-info').replaceChildren());
const spot = await page.evaluate(() => {
  const map = window.nedra.map;
  const { width, height } = map.getCanvas().getBoundingClientRect();
  for (let y = 10; y < height; y += 6) {
    for (let x = 10; x < width; x += 6) {
      const hit = map.queryRenderedFeatures([x, y], { layers: ['targets-fill'] });
      if (hit.length && hit[0].properties.rank === 1) return { x, y };
    }
  }
  return null;
});
check(spot !== null, 'target 1 is drawn on the map');
if (spot) {
  const box = await page.locator('#map canvas').boundingBox();
  await page.mouse.click(box.x + spot.x, box.y + spot.y);
  await page.waitForSelector('#target-evidence li', { timeout: 10000 }).catch(() => {});
  await page.waitForSelector('#point-values tr', { timeout: 10000 }).catch(() => {});
  const evidence = await page.$$eval('#target-evidence li', (items) => items.map((i) => i.textContent));
  const title = await page.evaluate(() => document.querySelector('#target-info h3')?.textContent || '');
  check(title.endsWith(' 1') && evidence.length >= 1 && /\([+-][0-9.]+\)/.test(evidence[0]),
    `clicking target 1 shows its evidence (${evidence.join('; ')})`);
  const tract = await page.$$eval('#tract-quantities tr', (rows) => rows.length);
  check(tract >= 2, `the target's assessment tract is shown (${tract - 1} quantities)`);
  const values = await page.$$eval('#point-values tr', (rows) => rows.map((r) => r.dataset.layer));
  check(values.length === expected.length, `the click shows the value of every layer (${values.length} of ${expected.length})`);
  await page.screenshot({ path: join(shotDir, 'serve-target.png') });
}

// Russian and Belarusian: the button cycles EN → RU → BE → EN; figures take a decimal comma.
const language = async (lang, layers) => {
  await page.locator('#lang').click();
  const heading = await page.locator('#side h2').first().textContent();
  const htmlLang = await page.evaluate(() => document.documentElement.lang);
  check(heading === layers && htmlLang === lang, `the page switches to ${lang} ("${heading}", lang="${htmlLang}")`);
  const aucs = await page.$$eval('#curves p.auc', (ps) => ps.map((p) => p.textContent).join(' '));
  check(/\d,\d{3}/.test(aucs) && !/\d\.\d{3}/.test(aucs), `${lang}: figures with a decimal comma ("${aucs.slice(0, 60)}")`);
};
await language('ru', 'Слои');
await language('be', 'Слаі');
await page.locator('#lang').click();
check(await page.evaluate(() => document.documentElement.lang) === 'en', 'the button comes back to English');

// Two runs side by side, when the server has two.
const runs = await page.evaluate(() => window.nedra.state.runs.map((r) => r.name));
if (runs.length > 1) {
  await page.evaluate(() => window.nedra.map.fitBounds(unionBounds(window.nedra.state.run.layers), { animate: false, padding: 20 }));
  await page.selectOption('#compare-select', runs[1]);
  await page.waitForFunction(() => window.nedra.map2 && window.nedra.map2.loaded(), null, { timeout: 30000 }).catch(() => {});
  await settle('map2');
  await page.evaluate(() => window.nedra.map.zoomIn({ animate: false }));
  await settle('map2');
  const zooms = await page.evaluate(() => [window.nedra.map.getZoom(), window.nedra.map2.getZoom()]);
  const run2Tiles = tiles.filter((x) => x.url.includes(`/runs/${runs[1]}/tiles/`) && x.status === 200).length;
  check(Math.abs(zooms[0] - zooms[1]) < 1e-6 && run2Tiles > 0, `two runs side by side, synchronised (zoom ${zooms[0].toFixed(2)} / ${zooms[1].toFixed(2)}, ${run2Tiles} tiles of ${runs[1]})`);
  await page.screenshot({ path: join(shotDir, 'serve-compare.png') });
}

// ?lang= in the address chooses the page's language over the one chosen before.
const withLang = new URL(page.url());
withLang.searchParams.set('lang', 'be');
await page.goto(withLang.href);
await page.waitForFunction(() => document.documentElement.lang === 'be', null, { timeout: 10000 }).catch(() => {});
const beHeading = await page.locator('#side h2').first().textContent();
check(beHeading === 'Слаі', `?lang=be opens the page in Belarusian ("${beHeading}")`);

const csp = consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e));
check(csp.length === 0, `no Content-Security-Policy violation${csp.length ? `: ${csp[0]}` : ''}`);
check(outside.length === 0, `no request left the server${outside.length ? `: ${outside.slice(0, 3).join(', ')}` : ''} (${tiles.length} tile responses seen)`);
const other = consoleErrors.filter((e) => !csp.includes(e));
if (other.length) console.log(`console errors (not failing): ${other.slice(0, 5).join(' | ')}`);
await browser.close();
if (problems.length) {
  console.error(`serve_check: ${problems.length} check(s) failed`);
  process.exit(1);
}
console.log(`serve_check: ${checks} checks passed`);
