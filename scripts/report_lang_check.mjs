// The report in every language, in headless Chromium (run by scripts/report_check.sh): opens
// each REPORT.html with the network disabled and checks the text a reader sees
// (document.body.innerText): the language's own words, no English headings left in Russian
// or Belarusian, no missing-message mark, <html lang>, and figures written the language's way
// (25,122.5000 in English; 25 122,5000 with a narrow no-break space in Russian and Belarusian).
// The words are written here, not read from the catalogues, so a catalogue that loses a
// translation fails.
// Usage: node report_lang_check.mjs LANG=REPORT.html …
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

// playwright-core is an npm package of crates/server/web (its browser test's driver).
const require = createRequire(new URL('../crates/server/web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const words = {
  en: ['Summary', 'Study area', 'Maps', 'Targets', 'Weights of evidence', 'Posterior probability',
    'Uncertainty', 'Provenance'],
  ru: ['Предупреждения', 'условная независимость нарушена', 'Сводка', 'Площадь исследования', 'Карты', 'Перспективные участки', 'Веса признаков',
    'Апостериорная вероятность', 'Неопределённость', 'месторождени', 'на обучающих данных',
    'пространственной кросс-валидации', 'контраст', 'Происхождение данных'],
  be: ['Папярэджанні', 'умоўная незалежнасць парушана', 'Зводка', 'Плошча даследавання', 'Карты', 'Перспектыўныя ўчасткі', 'Вагі прыкмет',
    'Апастэрыёрная верагоднасць', 'Нявызначанасць', 'радовішч', 'на навучальных даных',
    'прасторавай крос-валідацыі', 'кантраст', 'Паходжанне даных'],
};
const english = ['Summary', 'Study area', 'Weights of evidence', 'Success-rate curve',
  'Prior probability', 'Provenance', 'training deposits',
  // The demo's warning, written from the figures run.json records.
  'conditional independence fails'];
// The study area's row: "25,122.5000 km²" / "25 122,5000 км²" (narrow no-break space).
const area = {
  en: /Study area\s+\d{1,3}(,\d{3})*\.\d{4} km²/,
  ru: /Площадь исследования\s+\d{1,3}(\u202f\d{3})*,\d{4} км²/,
  be: /Плошча даследавання\s+\d{1,3}(\u202f\d{3})*,\d{4} км²/,
};
// The prior probability's row: a decimal comma in Russian and Belarusian.
const prior = {
  en: /Prior probability[^\n]*\t\d\.\d{4}/,
  ru: /Априорная вероятность[^\n]*\t\d,\d{4}/,
  be: /Апрыёрная верагоднасць[^\n]*\t\d,\d{4}/,
};

const problems = [];
let checks = 0;
const check = (ok, what) => {
  checks += 1;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) problems.push(what);
};

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--host-resolver-rules=MAP * ~NOTFOUND'],
});
try {
  const page = await browser.newPage();
  for (const arg of process.argv.slice(2)) {
    const [lang, file] = arg.split('=');
    if (!words[lang]) throw new Error(`no expected words for language ${lang}`);
    await page.goto(pathToFileURL(file).href);
    const text = await page.evaluate(() => document.body.innerText);
    const htmlLang = await page.evaluate(() => document.documentElement.lang);
    check(htmlLang === lang, `${lang}: <html lang="${htmlLang}">`);
    const absent = words[lang].filter((w) => !text.includes(w));
    check(absent.length === 0, `${lang}: the language's words are shown${absent.length ? ` (missing: ${absent.join(', ')})` : ''}`);
    if (lang !== 'en') {
      const left = english.filter((w) => text.includes(w));
      check(left.length === 0, `${lang}: no English heading left${left.length ? ` (${left.join(', ')})` : ''}`);
    }
    check(!text.includes('⟦'), `${lang}: no missing-message mark`);
    check(area[lang].test(text), `${lang}: the study area written the language's way (${(text.match(/(Study area|Площадь исследования|Плошча даследавання)[^\n]*/) || ['none'])[0].trim()})`);
    check(prior[lang].test(text), `${lang}: the prior probability written the language's way`);
  }
} finally {
  await browser.close();
}
console.log(`report languages: ${checks - problems.length} passed, ${problems.length} failed`);
process.exit(problems.length ? 1 : 0);
