// The page of `nedra serve`: a MapLibre map of one run (or two side by side) with its layers,
// legends, targets, the values under a click, the validation curves and the manifest.
// Everything comes from this server; the style has no glyphs, sprites or remote sources.
'use strict';

const TEXT = {
  en: {
    synthetic: 'SYNTHETIC', run: 'Run', compare: 'Compare with', none: '—', layers: 'Layers',
    selection: 'Selection', 'click-hint': 'Click a target for its evidence, or anywhere for the value of every layer there.',
    targets: 'Ranked targets', rank: 'Rank', area: 'Area, km²', 'mean-score': 'Mean score',
    uncertainty: 'Uncertainty', validation: 'Validation', manifest: 'Run manifest',
    report: 'Open the full report (report.html)', 'show-manifest': 'Show run.json',
    target: 'Target', 'peak-score': 'Peak score', deposits: 'Known deposits', 'top-evidence': 'Top evidence (weight contribution)',
    values: 'Values at', 'no-data': 'no data', 'success-rate': 'Success-rate curve', 'prediction-rate': 'Prediction-rate curve',
    'fraction-area': 'fraction of area (by decreasing score)', 'fraction-deposits': 'fraction of deposits',
    'pa-plot': 'Prediction–area plot', 'score-threshold': 'score threshold (rank)', 'prediction': 'prediction rate',
    'area-left': '1 − occupied area', roc: 'ROC curve', fpr: 'false-positive rate (cells without a deposit)',
    tpr: 'true-positive rate', 'roc-auc': 'ROC AUC', 'sr-auc': 'Success-rate AUC', interval: 'interval',
    'pa-crossing': 'P–A crossing', outline: 'Study area', 'no-curves': 'No validation curves in this run.',
    opacity: 'opacity', assessment: 'Resource assessment of its tract',
    'undiscovered': 'Undiscovered deposits, mean', 'p-none': 'P(no deposit)', quantity: 'Quantity', mean: 'Mean',
  },
  ru: {
    synthetic: 'СИНТЕТИЧЕСКИЕ ДАННЫЕ', run: 'Расчёт', compare: 'Сравнить с', none: '—', layers: 'Слои',
    selection: 'Выбор', 'click-hint': 'Щёлкните по перспективному участку, чтобы увидеть его признаки, или в любом месте — значения всех слоёв.',
    targets: 'Перспективные участки', rank: 'Ранг', area: 'Площадь, км²', 'mean-score': 'Средняя оценка',
    uncertainty: 'Неопределённость', validation: 'Оценка качества', manifest: 'Манифест расчёта',
    report: 'Открыть полный отчёт (report.html)', 'show-manifest': 'Показать run.json',
    target: 'Участок', 'peak-score': 'Максимальная оценка', deposits: 'Известные месторождения', 'top-evidence': 'Главные признаки (вклад веса)',
    values: 'Значения в точке', 'no-data': 'нет данных', 'success-rate': 'Кривая успешности', 'prediction-rate': 'Кривая прогноза',
    'fraction-area': 'доля площади (по убыванию оценки)', 'fraction-deposits': 'доля месторождений',
    'pa-plot': 'График прогноз–площадь', 'score-threshold': 'порог оценки (ранг)', 'prediction': 'доля предсказанных месторождений',
    'area-left': '1 − доля занятой площади', roc: 'ROC-кривая', fpr: 'доля ложных срабатываний (ячейки без месторождений)',
    tpr: 'доля верных срабатываний', 'roc-auc': 'ROC AUC', 'sr-auc': 'AUC кривой успешности', interval: 'интервал',
    'pa-crossing': 'Пересечение P–A', outline: 'Площадь исследования', 'no-curves': 'В этом расчёте нет кривых оценки качества.',
    opacity: 'непрозрачность', assessment: 'Оценка ресурсов участка',
    'undiscovered': 'Невыявленных месторождений, среднее', 'p-none': 'P(нет месторождений)', quantity: 'Величина', mean: 'Среднее',
  },
  be: {
    synthetic: 'СІНТЭТЫЧНЫЯ ДАНЫЯ', run: 'Разлік', compare: 'Параўнаць з', none: '—', layers: 'Слаі',
    selection: 'Выбар', 'click-hint': 'Пстрыкніце па перспектыўным участку, каб убачыць яго прыкметы, або ў любым месцы — значэнні ўсіх слаёў.',
    targets: 'Перспектыўныя ўчасткі', rank: 'Ранг', area: 'Плошча, км²', 'mean-score': 'Сярэдняя ацэнка',
    uncertainty: 'Нявызначанасць', validation: 'Ацэнка якасці', manifest: 'Маніфест разліку',
    report: 'Адкрыць поўную справаздачу (report.html)', 'show-manifest': 'Паказаць run.json',
    target: 'Участак', 'peak-score': 'Максімальная ацэнка', deposits: 'Вядомыя радовішчы', 'top-evidence': 'Галоўныя прыкметы (уклад вагі)',
    values: 'Значэнні ў пункце', 'no-data': 'няма даных', 'success-rate': 'Крывая паспяховасці', 'prediction-rate': 'Крывая прагнозу',
    'fraction-area': 'доля плошчы (па змяншэнні ацэнкі)', 'fraction-deposits': 'доля радовішчаў',
    'pa-plot': 'Графік «прагноз–плошча»', 'score-threshold': 'парог ацэнкі (ранг)', 'prediction': 'доля прадказаных радовішчаў',
    'area-left': '1 − доля занятай плошчы', roc: 'ROC-крывая', fpr: 'доля ілжывых спрацоўванняў (ячэйкі без радовішчаў)',
    tpr: 'доля правільных спрацоўванняў', 'roc-auc': 'ROC AUC', 'sr-auc': 'AUC крывой паспяховасці', interval: 'інтэрвал',
    'pa-crossing': 'Перасячэнне P–A', outline: 'Плошча даследавання', 'no-curves': 'У гэтым разліку няма крывых ацэнкі якасці.',
    opacity: 'непразрыстасць', assessment: 'Ацэнка рэсурсаў участка',
    'undiscovered': 'Невыяўленых радовішчаў, сярэдняе', 'p-none': 'P(няма радовішчаў)', quantity: 'Велічыня', mean: 'Сярэдняе',
  },
};

// How each language writes numbers (as report.html does): decimal separator, thousands separator.
const NUMBERS = { en: ['.', ','], ru: [',', '\u202f'], be: [',', '\u202f'] };
const LANGS = Object.keys(TEXT);
const known = (lang) => (lang && LANGS.includes(lang) ? lang : null);
// The language asked in the address (?lang=ru), else the one chosen before on this browser;
// without either, the run's own language (run.json) once it is loaded, else the browser's.
const chosenLang = known(new URLSearchParams(location.search).get('lang')) || known(localStorage.getItem('nedra-lang'));

const state = {
  lang: chosenLang || known((navigator.language || 'en').slice(0, 2)) || 'en',
  runs: [], run: null, compare: null, visible: {}, opacity: {}, overlays: {}, targets: null, curves: null,
  basemap: null,
};
const t = (key) => (TEXT[state.lang] && TEXT[state.lang][key]) || TEXT.en[key] || key;
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

async function getJson(path) {
  const response = await fetch(path, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

function fmt(v, digits = 4) {
  if (v === null || v === undefined) return t('no-data');
  if (typeof v !== 'number') return String(v);
  const a = Math.abs(v);
  const text = Number.isInteger(v) ? String(v)
    : a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(2) : v.toPrecision(digits);
  return localise(text);
}

// A number as JavaScript writes it (-12345.68, 4.3e-4) with the page language's separators.
function localise(text) {
  const [decimal, group] = NUMBERS[state.lang] || NUMBERS.en;
  const m = /^(-?)(\d+)(?:\.(\d+))?(e[-+]?\d+)?$/.exec(text);
  if (!m) return text;
  const int = m[2].replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${m[1]}${int}${m[3] !== undefined ? decimal + m[3] : ''}${m[4] || ''}`;
}

function translate() {
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  // The button names the next language.
  $('lang').textContent = LANGS[(LANGS.indexOf(state.lang) + 1) % LANGS.length].toUpperCase();
}

// ---- the map -------------------------------------------------------------------------------

const STYLE = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#eef0ea' } }],
};

/** Text made safe to hand to an API that writes HTML. */
function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function tileUrl(run, layer) {
  return `${location.origin}/runs/${encodeURIComponent(run)}/tiles/${encodeURIComponent(layer)}/{z}/{x}/{y}.png`;
}

function addRun(map, run) {
  // The local basemap (nedra serve --basemap), when the server has one: the bottom layer.
  const b = state.basemap;
  if (b) {
    const source = { type: 'raster', tiles: [`${location.origin}${b.tiles}`], tileSize: 256, minzoom: b.minzoom, maxzoom: b.maxzoom };
    if (b.bounds) source.bounds = b.bounds;
    // The file's attribution, shown as text (MapLibre writes it as HTML).
    if (b.attribution) source.attribution = escapeHtml(b.attribution);
    map.addSource('basemap', source);
    map.addLayer({ id: 'basemap', type: 'raster', source: 'basemap', paint: { 'raster-fade-duration': 0 } });
  }
  const layers = [...run.layers].reverse();
  for (const layer of layers) {
    map.addSource(`r-${layer.id}`, {
      type: 'raster', tiles: [tileUrl(run.name, layer.id)], tileSize: 256, bounds: layer.bounds, maxzoom: 16,
    });
    map.addLayer({
      id: `l-${layer.id}`, type: 'raster', source: `r-${layer.id}`,
      layout: { visibility: state.visible[layer.id] ? 'visible' : 'none' },
      paint: { 'raster-opacity': state.opacity[layer.id] ?? 0.85, 'raster-fade-duration': 0 },
    });
  }
  map.addSource('outline', { type: 'geojson', data: `${location.origin}/runs/${encodeURIComponent(run.name)}/outline.geojson` });
  const shown = (key) => ({ visibility: state.overlays[key] === false ? 'none' : 'visible' });
  map.addLayer({ id: 'outline', type: 'line', source: 'outline', layout: shown('outline'), paint: { 'line-color': '#24313d', 'line-width': 1.5 } });
  map.addSource('targets', { type: 'geojson', data: `${location.origin}/runs/${encodeURIComponent(run.name)}/targets.geojson` });
  map.addLayer({ id: 'targets-fill', type: 'fill', source: 'targets', layout: shown('targets'), paint: { 'fill-color': '#e4572e', 'fill-opacity': 0.18 } });
  map.addLayer({ id: 'targets-line', type: 'line', source: 'targets', layout: shown('targets'), paint: { 'line-color': '#c0392b', 'line-width': 1.6 } });
  map.addLayer({
    id: 'targets-selected', type: 'line', source: 'targets', filter: ['==', ['get', 'rank'], -1], layout: shown('targets'),
    paint: { 'line-color': '#ffeb3b', 'line-width': 3.5 },
  });
}

function makeMap(container, run) {
  const map = new maplibregl.Map({
    container, style: STYLE, attributionControl: false, renderWorldCopies: false,
    bounds: unionBounds(run.layers), fitBoundsOptions: { padding: 20 }, maxZoom: 17,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  if (state.basemap && state.basemap.attribution) {
    map.addControl(new maplibregl.AttributionControl({ compact: false }), 'bottom-right');
  }
  map.on('load', () => addRun(map, run));
  return map;
}

function unionBounds(layers) {
  if (!layers.length) return [[-180, -85], [180, 85]];
  const b = layers.map((l) => l.bounds);
  return [[Math.min(...b.map((x) => x[0])), Math.min(...b.map((x) => x[1]))],
    [Math.max(...b.map((x) => x[2])), Math.max(...b.map((x) => x[3]))]];
}

function setVisibility(id, on) {
  state.visible[id] = on;
  for (const map of [window.nedra.map, window.nedra.map2]) {
    if (map && map.getLayer(`l-${id}`)) map.setLayoutProperty(`l-${id}`, 'visibility', on ? 'visible' : 'none');
  }
  renderLayers();
}

function setOpacity(id, value) {
  state.opacity[id] = value;
  for (const map of [window.nedra.map, window.nedra.map2]) {
    if (map && map.getLayer(`l-${id}`)) map.setPaintProperty(`l-${id}`, 'raster-opacity', value);
  }
}

// ---- the side panel ----------------------------------------------------------------------

function legendNode(legend) {
  if (legend.kind === 'continuous') {
    const ramp = el('div', { class: 'ramp' });
    ramp.style.background = `linear-gradient(to right, ${legend.stops.join(', ')})`;
    return el('div', { class: 'legend', 'data-ramp': legend.ramp }, ramp,
      el('div', { class: 'ramp-labels' }, el('span', {}, fmt(legend.min, 3)), el('span', {}, legend.ramp), el('span', {}, fmt(legend.max, 3))));
  }
  const box = el('div', { class: 'legend classes' });
  for (const c of legend.classes) {
    const sw = el('span', { class: 'swatch' });
    sw.style.background = c.colour;
    box.append(el('div', {}, sw, c.label));
  }
  return box;
}

function renderLayers() {
  const list = $('layer-list');
  list.replaceChildren();
  for (const layer of state.run.layers) {
    const on = !!state.visible[layer.id];
    const box = el('input', { type: 'checkbox', 'data-layer': layer.id, onchange: (e) => setVisibility(layer.id, e.target.checked) });
    box.checked = on;
    const range = el('input', {
      type: 'range', min: '0', max: '1', step: '0.05', title: t('opacity'), 'aria-label': `${t('opacity')} ${layer.title}`,
      oninput: (e) => setOpacity(layer.id, Number(e.target.value)),
    });
    range.value = String(state.opacity[layer.id] ?? 0.85);
    const item = el('li', { 'data-layer': layer.id }, el('label', {}, box, el('span', { class: 'name' }, layer.title), range));
    if (on) item.append(legendNode(layer.legend));
    list.append(item);
  }
  const overlays = [['outline', ['outline']], ['targets', ['targets-fill', 'targets-line', 'targets-selected']]];
  for (const [key, ids] of overlays) {
    const box = el('input', { type: 'checkbox', 'data-overlay': key, onchange: (e) => setOverlay(key, ids, e.target.checked) });
    box.checked = state.overlays[key] !== false;
    list.append(el('li', { 'data-overlay': key }, el('label', {}, box, el('span', { class: `${key}-swatch` }), el('span', { class: 'name' }, t(key)))));
  }
}

function setOverlay(key, ids, on) {
  state.overlays[key] = on;
  for (const map of [window.nedra.map, window.nedra.map2]) {
    for (const id of ids) if (map && map.getLayer(id)) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
  }
}

function parseEvidence(text) {
  return String(text || '').split(';').map((s) => s.trim()).filter(Boolean).map((s) => {
    const m = s.match(/^(.*)\(([-+]?[0-9.eE+-]+)\)$/);
    return m ? { name: m[1].trim(), weight: Number(m[2]) } : { name: s, weight: null };
  });
}

function showTarget(props) {
  const box = $('target-info');
  box.replaceChildren();
  if (!props) return;
  const rows = [
    [t('rank'), props.rank], [t('area'), props.area_km2], [t('mean-score'), props.mean_score],
    [t('peak-score'), props.peak_score], [t('uncertainty'), props.mean_uncertainty], [t('deposits'), props.deposits],
  ].filter(([, v]) => v !== undefined);
  const table = el('table', { id: 'target-props' });
  for (const [k, v] of rows) table.append(el('tr', {}, el('th', {}, k), el('td', {}, fmt(v))));
  const evidence = el('ol', { class: 'evidence', id: 'target-evidence' });
  for (const e of parseEvidence(props.top_evidence)) {
    evidence.append(el('li', {}, `${e.name}`, e.weight === null ? '' : ` (${e.weight > 0 ? '+' : ''}${e.weight})`));
  }
  box.append(el('h3', {}, `${t('target')} ${props.rank}`), table, el('p', {}, t('top-evidence')), evidence);
  const tract = tractOf(props.rank);
  if (tract) box.append(tractNode(tract));
  for (const map of [window.nedra.map, window.nedra.map2]) {
    if (map && map.getLayer('targets-selected')) map.setFilter('targets-selected', ['==', ['get', 'rank'], props.rank ?? -1]);
  }
  for (const tr of document.querySelectorAll('#target-table tbody tr')) tr.classList.toggle('selected', tr.dataset.rank === String(props.rank));
}

// The assessment's tract of a target, when the assessment's tracts are the targets by rank.
function tractOf(rank) {
  const a = state.assessment;
  if (!a || !Array.isArray(a.tracts) || !a.tract_source || a.tract_source.id_field !== 'rank') return null;
  return a.tracts.find((tr) => tr.id === rank) || null;
}

function tractNode(tract) {
  const rows = [];
  const pmf = tract.deposit_count && tract.deposit_count.pmf;
  if (pmf) rows.push(el('tr', {}, el('th', {}, t('undiscovered')), el('td', {}, fmt(pmf.mean, 3))));
  if (tract.probability_of_zero !== undefined) rows.push(el('tr', {}, el('th', {}, t('p-none')), el('td', {}, fmt(tract.probability_of_zero, 3))));
  const head = el('tr', {}, el('th', {}, t('quantity')), el('th', {}, t('mean')), el('th', {}, 'F90'), el('th', {}, 'F50'), el('th', {}, 'F10'));
  const q = el('table', { id: 'tract-quantities' }, head);
  for (const x of tract.quantities || []) {
    const e = x.exceedance_quantiles || {};
    q.append(el('tr', {}, el('td', {}, `${x.name}, ${x.unit || ''}`), el('td', {}, fmt(x.mean, 3)), el('td', {}, fmt(e.F90, 3)), el('td', {}, fmt(e.F50, 3)), el('td', {}, fmt(e.F10, 3))));
  }
  return el('div', { id: 'tract-info' }, el('p', {}, t('assessment')), el('table', {}, ...rows), q);
}

async function showPoint(lngLat) {
  const box = $('point-info');
  const q = `lon=${lngLat.lng.toFixed(6)}&lat=${lngLat.lat.toFixed(6)}`;
  try {
    const result = await getJson(`/runs/${encodeURIComponent(state.run.name)}/point?${q}`);
    const table = el('table', { id: 'point-values' });
    for (const v of result.values) {
      table.append(el('tr', { 'data-layer': v.id }, el('th', {}, v.title), el('td', {}, v.label ? `${fmt(v.value)} (${v.label})` : fmt(v.value))));
    }
    box.replaceChildren(el('h3', {}, `${t('values')} ${lngLat.lat.toFixed(4)}° N, ${lngLat.lng.toFixed(4)}° E`), table);
  } catch (e) {
    box.replaceChildren(el('p', { class: 'hint' }, String(e)));
  }
}

function renderTargetTable() {
  const body = $('target-table').querySelector('tbody');
  body.replaceChildren();
  const features = (state.targets && state.targets.features) || [];
  for (const f of features) {
    const p = f.properties;
    const tr = el('tr', { 'data-rank': String(p.rank), onclick: () => { showTarget(p); flyTo(f); } },
      el('td', {}, p.rank), el('td', {}, fmt(p.area_km2, 3)), el('td', {}, fmt(p.mean_score, 3)), el('td', {}, fmt(p.mean_uncertainty, 3)));
    body.append(tr);
  }
}

function flyTo(feature) {
  const coords = [];
  const walk = (c) => (typeof c[0] === 'number' ? coords.push(c) : c.forEach(walk));
  walk(feature.geometry.coordinates);
  const xs = coords.map((c) => c[0]); const ys = coords.map((c) => c[1]);
  window.nedra.map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: 80, maxZoom: 12 });
}

// ---- validation curves as inline SVG ------------------------------------------------------

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// A chart of series [{xs, ys, colour, label}] on [0,1]², the diagonal dashed when asked; the
// labels at the top right, or at the bottom right (right-aligned) when asked.
function chart(id, title, xLabel, yLabel, series, diagonal, labelsBelow) {
  const W = 320; const H = 220; const L = 36; const R = 10; const T = 22; const B = 34;
  const sx = (x) => L + x * (W - L - R); const sy = (y) => H - B - y * (H - T - B);
  const root = svg('svg', { class: 'curve', id, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title });
  root.append(svg('text', { x: L, y: 14 }, title));
  root.append(svg('rect', { x: L, y: T, width: W - L - R, height: H - T - B, fill: 'none', stroke: '#999' }));
  for (const v of [0, 0.5, 1]) {
    root.append(svg('text', { x: sx(v) - 6, y: H - B + 12 }, localise(String(v))));
    root.append(svg('text', { x: 4, y: sy(v) + 3 }, localise(String(v))));
  }
  root.append(svg('text', { x: L, y: H - 4 }, xLabel));
  if (diagonal) root.append(svg('line', { x1: sx(0), y1: sy(0), x2: sx(1), y2: sy(1), stroke: '#bbb', 'stroke-dasharray': '3 3' }));
  let ly = labelsBelow ? H - B - 6 - 12 * (series.length - 1) : T + 12;
  for (const s of series) {
    const pts = [];
    for (let i = 0; i < s.xs.length; i++) {
      if (s.xs[i] === null || s.ys[i] === null) continue;
      pts.push(`${sx(s.xs[i]).toFixed(1)},${sy(s.ys[i]).toFixed(1)}`);
    }
    root.append(svg('polyline', { points: pts.join(' '), fill: 'none', stroke: s.colour, 'stroke-width': 2, class: 'series' }));
    root.append(labelsBelow
      ? svg('text', { x: W - R - 4, y: ly, fill: s.colour, 'text-anchor': 'end' }, s.label)
      : svg('text', { x: W - R - 110, y: ly, fill: s.colour }, s.label));
    ly += 12;
  }
  root.append(svg('text', { x: 4, y: T - 6 }, yLabel));
  return root;
}

function renderCurves() {
  const box = $('curves');
  box.replaceChildren();
  const c = state.curves;
  if (!c || (!c.success_rate && !c.pa_plot && !c.roc)) { box.append(el('p', { class: 'hint' }, t('no-curves'))); return; }
  const s = c.summary || {};
  const lines = [];
  const interval = (v) => (Array.isArray(v) ? ` (${t('interval')} ${fmt(v[0], 3)}–${fmt(v[1], 3)})` : '');
  if (s.roc_auc !== undefined) lines.push(`${t('roc-auc')}: ${fmt(s.roc_auc, 3)}${interval(s.roc_auc_interval)}`);
  if (s.success_rate_auc !== undefined) lines.push(`${t('sr-auc')}: ${fmt(s.success_rate_auc, 3)}${interval(s.success_rate_auc_interval)}`);
  if (s.pa_crossing) lines.push(`${t('pa-crossing')}: ${fmt(s.pa_crossing.prediction_rate, 3)} / ${fmt(s.pa_crossing.occupied_area, 3)}`);
  for (const line of lines) box.append(el('p', { class: 'auc' }, line));
  if (c.success_rate) {
    const series = [{ xs: c.success_rate.fraction_area, ys: c.success_rate.fraction_deposits, colour: '#1f77b4', label: t('success-rate') }];
    if (c.prediction_rate) series.push({ xs: c.prediction_rate.fraction_area, ys: c.prediction_rate.fraction_deposits, colour: '#d62728', label: t('prediction-rate') });
    box.append(chart('curve-success', t('success-rate'), t('fraction-area'), t('fraction-deposits'), series, true));
  }
  if (c.roc && c.roc.false_positive_rate) {
    // The ROC curve of the training deposits, its AUC and bootstrap interval in the legend.
    const label = s.roc_auc === undefined ? t('roc') : `AUC ${fmt(s.roc_auc, 3)}${interval(s.roc_auc_interval)}`;
    const series = [{ xs: c.roc.false_positive_rate, ys: c.roc.true_positive_rate, colour: '#ff7f0e', label }];
    box.append(chart('curve-roc', t('roc'), t('fpr'), t('tpr'), series, true, true));
  }
  if (c.pa_plot && c.pa_plot.prediction_rate) {
    const n = c.pa_plot.prediction_rate.length;
    const xs = c.pa_plot.prediction_rate.map((_, i) => (n > 1 ? i / (n - 1) : 0));
    const series = [
      { xs, ys: c.pa_plot.prediction_rate, colour: '#2ca02c', label: t('prediction') },
      { xs, ys: c.pa_plot.occupied_area.map((a) => (a === null ? null : 1 - a)), colour: '#9467bd', label: t('area-left') },
    ];
    box.append(chart('curve-pa', t('pa-plot'), t('score-threshold'), '', series, false));
  }
}

// ---- runs ----------------------------------------------------------------------------------

async function loadRun(name) {
  state.run = state.runs.find((r) => r.name === name) || state.runs[0];
  const run = state.run;
  state.visible = {}; state.opacity = {};
  if (run.layers.length) state.visible[run.layers[0].id] = true;
  $('run-title').textContent = run.title;
  $('synthetic').hidden = !run.synthetic;
  $('report-link').href = `/runs/${encodeURIComponent(run.name)}/files/report.html`;
  if (window.nedra.map) window.nedra.map.remove();
  window.nedra.map = makeMap('map', run);
  const map = window.nedra.map;
  map.on('click', (e) => {
    const hits = map.getLayer('targets-fill') ? map.queryRenderedFeatures(e.point, { layers: ['targets-fill'] }) : [];
    if (hits.length) showTarget(hits[0].properties); else showTarget(null);
    showPoint(e.lngLat);
  });
  map.on('mousemove', (e) => {
    const hit = map.getLayer('targets-fill') && map.queryRenderedFeatures(e.point, { layers: ['targets-fill'] }).length;
    map.getCanvas().style.cursor = hit ? 'pointer' : '';
  });
  renderLayers();
  const base = `/runs/${encodeURIComponent(run.name)}`;
  const [targets, curves, manifest, assessment] = await Promise.all([
    getJson(`${base}/targets.geojson`).catch(() => null),
    getJson(`${base}/curves`).catch(() => null),
    getJson(`${base}/manifest`).catch(() => null),
    getJson(`${base}/files/assessment/assessment.json`).catch(() => null),
  ]);
  state.targets = targets; state.curves = curves; state.assessment = assessment;
  renderTargetTable();
  renderCurves();
  $('manifest-text').textContent = JSON.stringify(manifest, null, 2);
  await new Promise((resolve) => (map.loaded() ? resolve() : map.once('idle', resolve)));
  setCompare($('compare-select').value);
  document.body.dataset.ready = '1';
}

function setCompare(name) {
  const second = state.runs.find((r) => r.name === name);
  if (window.nedra.map2) { window.nedra.map2.remove(); window.nedra.map2 = null; }
  $('map2').hidden = !second;
  window.nedra.map.resize();
  if (!second) return;
  const map2 = makeMap('map2', second);
  window.nedra.map2 = map2;
  for (const l of second.layers) if (state.visible[l.id] === undefined) state.visible[l.id] = false;
  const a = window.nedra.map;
  let syncing = false;
  const sync = (from, to) => () => {
    if (syncing) return;
    syncing = true;
    to.jumpTo({ center: from.getCenter(), zoom: from.getZoom(), bearing: from.getBearing(), pitch: from.getPitch() });
    syncing = false;
  };
  a.on('move', sync(a, map2));
  map2.on('move', sync(map2, a));
  map2.on('load', () => map2.jumpTo({ center: a.getCenter(), zoom: a.getZoom() }));
}

async function main() {
  window.nedra = { map: null, map2: null, state };
  maplibregl.setWorkerUrl(`${location.origin}/assets/maplibre-gl-worker.js`);
  translate();
  $('lang').addEventListener('click', () => {
    state.lang = LANGS[(LANGS.indexOf(state.lang) + 1) % LANGS.length];
    localStorage.setItem('nedra-lang', state.lang);
    translate(); renderLayers(); renderCurves();
  });
  const { runs, basemap } = await getJson('/api/runs');
  state.runs = runs;
  state.basemap = basemap || null;
  if (!chosenLang && known(runs[0] && runs[0].lang)) {
    state.lang = runs[0].lang;
    translate();
  }
  // Runs of one project share its title: the folder's name tells them apart.
  for (const r of runs) {
    const label = r.title === r.name ? r.name : `${r.title} — ${r.name}`;
    $('run-select').append(el('option', { value: r.name }, label));
    $('compare-select').append(el('option', { value: r.name }, label));
  }
  $('run-select').addEventListener('change', (e) => loadRun(e.target.value));
  $('compare-select').addEventListener('change', (e) => setCompare(e.target.value));
  const params = new URLSearchParams(location.search);
  if (params.get('compare')) $('compare-select').value = params.get('compare');
  await loadRun(params.get('run') || runs[0].name);
}

main().catch((e) => {
  document.body.dataset.error = String(e);
  const box = $('target-info');
  if (box) box.replaceChildren(el('p', { class: 'hint' }, `nedra: ${e}`));
});
