// browser_test.mjs - the hub's web page in a real browser: Debian's
// chromium, headless, driven by puppeteer-core (installed into the build
// folder by the web_npm fixture, tests/web/CMakeLists.txt).
//
//   node browser_test.mjs CONFIG.json
//
// CONFIG (written by test_web_browser.py, which seeded the hub):
//   url, user, password, out (folder for screenshots and downloads),
//   event (id), event_name, hostile (names that must show as text),
//   keep / other (person ids and names to merge), forget (id and name),
//   program (for the daily grid), chromium (path)
// Steps: log in through the form; the events page; open the event; search
// and sort its table; download both files by clicking their links; the
// survey charts; merge two people; forget one; kiosks; both reports; log
// out.  Every page is screenshotted at 390 and 1280 px wide (full page).
// Any dialog (an alert() from a name that ran as script) fails the run.
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = cfg.out;
fs.mkdirSync(out, { recursive: true });
const downloads = path.join(out, 'downloads');
fs.mkdirSync(downloads, { recursive: true });

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}

const browser = await puppeteer.launch({
  executablePath: cfg.chromium || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-dev-shm-usage'],
});
const page = await browser.newPage();
let dialogs = 0;
page.on('dialog', async (d) => { dialogs++; console.log(`FAIL a dialog opened: ${d.message()}`); await d.dismiss(); });
const external = [];
page.on('request', (r) => { if (!r.url().startsWith(cfg.url) && !r.url().startsWith('data:')) external.push(r.url()); });
const cdp = await page.createCDPSession();
await cdp.send('Page.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });

// Screenshots of the current page at both widths, named NAME-390.png and NAME-1280.png;
// also checks that nothing is wider than the window at 390 px except
// inside the scrolling table regions.
async function shoot(name) {
  for (const width of [390, 1280]) {
    await page.setViewport({ width, height: 844, deviceScaleFactor: 1 });
    await new Promise((r) => setTimeout(r, 50));
    await page.screenshot({ path: path.join(out, `${name}-${width}.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `${name} at ${width} px: no sideways scrolling of the page (${overflow} px)`);
  }
  await page.setViewport({ width: 1280, height: 844 });
}

async function go(p) {
  const r = await page.goto(cfg.url + p, { waitUntil: 'load' });
  return r.status();
}

async function text() {
  return page.evaluate(() => document.body.innerText);
}

// Labels: every input, select and button that a person uses has a name.
async function labelled(name) {
  const missing = await page.evaluate(() => {
    const bad = [];
    for (const el of document.querySelectorAll('input:not([type=hidden]), select, button')) {
      const lab = (el.labels && el.labels.length) || el.getAttribute('aria-label') ||
        (el.tagName === 'BUTTON' && el.textContent.trim());
      if (!lab) bad.push(el.outerHTML.slice(0, 80));
    }
    return bad;
  });
  check(missing.length === 0, `${name}: every control is labelled ${missing.join(' ')}`);
}

// Hostile names: shown as text, never as markup.
async function hostileAsText(name) {
  const res = await page.evaluate((hostile) => {
    const body = document.body.innerText;
    return {
      shown: hostile.filter((h) => body.includes(h)),
      imgs: document.querySelectorAll('img').length,
      scripts: document.querySelectorAll('script').length,
    };
  }, cfg.hostile);
  check(res.imgs === 0 && res.scripts === 0, `${name}: no <img> or <script> made from data`);
  return res.shown;
}

try {
  // ---- log in
  let st = await go('/');
  check(page.url().startsWith(cfg.url + '/login'), `anonymous / goes to the log-in page (${page.url()})`);
  await labelled('log in');
  await shoot('login');
  await page.type('#user', cfg.user);
  await page.type('#password', 'wrong password');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  check((await text()).includes('Wrong user name or password'), 'a wrong password is refused with a message');
  await page.$eval('#password', (e) => { e.value = ''; });
  await page.type('#password', cfg.password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  check(page.url() === cfg.url + '/', `logged in, on the events page (${page.url()})`);

  // ---- events
  const t = await text();
  check(t.includes(cfg.event_name), 'the events page lists the event');
  check(t.includes(cfg.kiosk_line), `check-ins per kiosk shown (${cfg.kiosk_line})`);
  await hostileAsText('events');
  await labelled('events');
  await shoot('events');

  // ---- a new event, made at the hub (kiosks get it at their next sync)
  try {
    await page.click('details.new-event summary');
    await labelled('new event');
    await shoot('event-new-form');
    await page.type('#ev-name', cfg.new_event);
    await page.type('#ev-program', cfg.program);
    await Promise.all([page.waitForNavigation(), page.click('details.new-event button[type=submit]')]);
    const nt = await text();
    check(nt.includes('The event was made') && nt.includes(cfg.new_event), `a new event "${cfg.new_event}" is made and listed`);
    await shoot('event-made');
  } catch (e) {
    console.log(`FAIL new event: ${e.message}`);
    failures++;
  }

  // ---- the event, by its link
  await Promise.all([page.waitForNavigation(), page.click(`a[href="/events/${cfg.event}"]`)]);
  check(page.url() === `${cfg.url}/events/${cfg.event}`, 'the event link opens /events/ID');
  const rows = await page.$$eval('table.attendance tbody tr', (r) => r.length);
  check(rows === cfg.event_people, `attendance table has ${cfg.event_people} rows (${rows})`);
  const shown = await hostileAsText('event');
  check(shown.length === cfg.hostile.length, `hostile names shown as text on the event page (${shown.length}/${cfg.hostile.length})`);
  await labelled('event');
  await shoot('event');
  // search
  await page.type('#q', cfg.search);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  const found = await page.$$eval('table.attendance tbody tr', (r) => r.map((x) => x.innerText));
  check(found.length === 1 && found[0].includes(cfg.search_finds), `search "${cfg.search}" finds one row with ${cfg.search_finds}`);
  await shoot('event-search');
  // sort by family name, then the other way (keyboard: focus the link, Enter)
  await go(`/events/${cfg.event}`);
  const famLink = await page.$$('table.attendance thead th a');
  const labels = await page.$$eval('table.attendance thead th a', (a) => a.map((x) => x.textContent));
  const fam = labels.findIndex((l) => l.startsWith('Family name'));
  check(fam >= 0, 'a Family name column to sort by');
  await famLink[fam].focus();
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  const sorted = await page.$$eval('table.attendance tbody tr', (r, i) => r.map((x) => x.cells[i].innerText), fam);
  const copy = [...sorted].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
  check(JSON.stringify(sorted.map((s) => s.toLowerCase()[0])) === JSON.stringify(copy.map((s) => s.toLowerCase()[0])),
    `sorted by family name: ${sorted.join(' | ')}`);
  const ariaSort = await page.$$eval('th[aria-sort]', (t) => t.map((x) => x.getAttribute('aria-sort')));
  check(ariaSort.length === 1 && ariaSort[0] === 'ascending', 'the sorted column says aria-sort=ascending');
  await shoot('event-sorted');

  // ---- downloads, by clicking the links
  for (const [sel, file] of [['a[href$="attendance.csv"]', 'attendance.csv'], ['a[href$="attendance.xlsx"]', 'attendance.xlsx']]) {
    const target = path.join(downloads, file);
    if (fs.existsSync(target)) fs.unlinkSync(target);
    await page.click(sel);
    let waited = 0;
    while (!fs.existsSync(target) && waited < 20000) { await new Promise((r) => setTimeout(r, 100)); waited += 100; }
    check(fs.existsSync(target) && fs.statSync(target).size > 0, `downloaded ${file}`);
  }

  // ---- survey answers
  await go(`/events/${cfg.event}/answers`);
  const charts = await page.$$eval('figure.chart svg[role=img]', (s) => s.length);
  check(charts >= 1, `survey answers drawn as ${charts} SVG chart(s)`);
  check((await text()).includes(cfg.chart_label), `a chart shows ${cfg.chart_label}`);
  await hostileAsText('answers');
  await shoot('answers');

  // ---- people: merge two, forget one
  await go('/people');
  await hostileAsText('people');
  await labelled('people');
  await shoot('people');
  try {
  await page.click(`input[name=keep][value="${cfg.keep}"]`);
  await page.click(`input[name=other][value="${cfg.other}"]`);
  await Promise.all([page.waitForNavigation(), page.click('form.people > p > button[type=submit]')]);
  let pt = await text();
  check(pt.includes('The records were merged'), 'merge: the page says the records were merged');
  await shoot('people-merged');
  await Promise.all([page.waitForNavigation(), page.click(`button[formaction="/people/forget"][value="${cfg.forget}"]`)]);
  check((await text()).includes('cannot be undone'), 'forget asks first');
  await labelled('forget');
  await shoot('forget-confirm');
  await Promise.all([page.waitForNavigation(), page.click('button.danger')]);
  pt = await text();
  check(pt.includes('The person was forgotten'), 'forget: the page says the person was forgotten');
  check(!pt.includes(cfg.forget_name), `the forgotten person's name (${cfg.forget_name}) is gone from the people page`);
  await go(`/events/${cfg.event}`);
  check(!(await text()).includes(cfg.forget_name), 'and from the event page');
  } catch (e) {
    console.log(`FAIL merge and forget: ${e.message}`);
    failures++;
  }

  // ---- kiosks
  await go('/kiosks');
  check((await text()).includes(cfg.kiosk_name), 'the kiosks page lists the kiosk');
  await hostileAsText('kiosks');
  await labelled('kiosks');
  await shoot('kiosks');

  // ---- reports
  await go('/reports/programs?from=2026-01&to=2026-12');
  check((await text()).includes(cfg.program), 'the program report has the program');
  // month rows: [month, people, new, returning, sessions, check-ins, per person]
  const months = await page.$$eval('section', (secs) => secs.map((sec) => [sec.querySelector('h2').innerText,
    [...sec.querySelectorAll('tbody tr')].map((tr) => [...tr.cells].map((c) => c.innerText))]));
  for (const [prog, month, want] of cfg.report) {
    const sec = months.find((m) => m[0] === prog);
    const row = sec && sec[1].find((r) => r[0] === month);
    check(row && JSON.stringify(row.slice(1)) === JSON.stringify(want),
      `program report ${prog} ${month}: ${row ? row.slice(1).join(' ') : 'missing'} (want ${want.join(' ')})`);
  }
  await labelled('programs');
  await shoot('programs');
  await go(`/reports/grid?program=${encodeURIComponent(cfg.program)}&from=2026-07-01&to=2026-07-31`);
  const gridRows = await page.$$eval('table.grid tbody tr', (r) => r.length);
  check(gridRows >= 1, `the daily grid has ${gridRows} people`);
  await labelled('grid');
  await shoot('grid');
  const gridFile = path.join(downloads, 'daily-attendance.xlsx');
  await page.click('a[href^="/reports/grid.xlsx"]');
  let w = 0;
  while (!fs.existsSync(gridFile) && w < 20000) { await new Promise((r) => setTimeout(r, 100)); w += 100; }
  check(fs.existsSync(gridFile), 'downloaded the daily grid as XLSX');

  // ---- Vietnamese
  await go('/');
  await Promise.all([page.waitForNavigation(), page.click('a[hreflang=vi]')]);
  check((await text()).includes('Sự kiện'), 'the page in Vietnamese');
  await shoot('events-vi');
  await Promise.all([page.waitForNavigation(), page.click('a[hreflang=en]')]);

  // ---- not found, log out
  st = await go('/no/such/page');
  check(st === 404, 'an unknown page is 404');
  await go('/');
  await Promise.all([page.waitForNavigation(), page.click('form.logout button')]);
  check(page.url().startsWith(cfg.url + '/login'), 'log out returns to the log-in page');
  await go('/kiosks');
  check(page.url().startsWith(cfg.url + '/login'), 'after log-out, pages need a log-in again');
  check(dialogs === 0, 'no dialog ever opened (no name ran as script)');
  check(external.length === 0, `nothing loaded from elsewhere ${external.join(' ')}`);
} catch (e) {
  console.log(`FAIL ${e.stack}`);
  failures++;
  await page.screenshot({ path: path.join(out, 'failure.png'), fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}
console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
