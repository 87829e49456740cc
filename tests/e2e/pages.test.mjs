// Every main page, twice: in English (switched on the workbench) at 1366×768, where the navigation
// and the headers must not keep Chinese-only labels, and at 375 px on a phone, where nothing may
// be wider than the screen. Writes docs/screenshots/*-375.png.
import { after, before, test } from 'node:test';
import { assert, setup, shot, ok, fill, DEMO_PASSWORD } from './helpers.mjs';

let env;
let caseCode;
before(async () => {
  env = await setup({ cases: 120 });
  caseCode = ok(await env.get('/api/v1/cases?status=handling&limit=1', env.admin)).items[0].code;
});
after(async () => { await env?.teardown(); });

const WORKBENCH = [
  ['home', '/#/'], ['intake', '/#/intake'], ['inbox', '/#/inbox/dispatch'], ['search', '/#/search?q=' + encodeURIComponent('纠纷')],
  ['stats', '/#/stats'], ['warnings', '/#/warnings'], ['case', () => '/#/cases/' + caseCode], ['scenarios', '/#/admin/scenarios'],
  ['kiosk', '/#/admin/kiosk'], ['users', '/#/admin/users'], ['calendar', '/#/admin/calendar'], ['sla', '/#/admin/sla'],
  ['divisions', '/#/admin/divisions'], ['departments', '/#/admin/departments'], ['categories', '/#/admin/categories'], ['responsibilities', '/#/admin/responsibilities'],
];
// labels, headers, buttons, placeholders: what the interface says, not the data it shows
const CHROME = '.fq-aside, .fq-header, h1, h3, h4, th, .el-form-item__label, .el-tabs__item, .el-radio-button__inner, .el-button, .el-descriptions__label, .el-table__empty-text, .van-nav-bar, .van-tabbar, .van-cell-group__title, .van-field__label, .label';

/** Chinese text left in the interface's labels of the page (data given in `data` is ignored). */
function chineseLabels(page, data) {
  return page.evaluate(([sel, data]) => {
    const out = new Set();
    const han = /[\u4e00-\u9fff]/;
    const strip = (s) => data.reduce((x, d) => x.split(d).join(''), s);
    for (const el of document.querySelectorAll(sel)) {
      if (!el.checkVisibility() || el.closest('[data-test=lang]')) continue;
      for (const line of (el.innerText || '').split('\n')) if (han.test(strip(line))) out.add(line.trim());
    }
    for (const el of document.querySelectorAll('input[placeholder], textarea[placeholder]')) if (el.checkVisibility() && han.test(el.placeholder)) out.add('placeholder: ' + el.placeholder);
    return [...out];
  }, [CHROME, data]);
}

async function settle(page, selector) {
  await page.waitForSelector(selector);
  await page.waitForTimeout(400); // lists and charts arrive
}

test('English: the workbench, the big screen and the grid terminal keep no Chinese-only labels', async () => {
  const page = await env.workbench('admin');
  await page.click('header [data-test=lang]');
  await page.waitForFunction(() => /Intake/.test(document.querySelector('.fq-aside').textContent));
  const me = ok(await env.get('/api/v1/auth/me', env.admin));
  const c = ok(await env.get('/api/v1/cases/' + caseCode, env.admin));
  const data = [me.display_name, c.title, '中文']; // the switch back is named in its language
  const bad = {};
  for (const [name, path] of WORKBENCH) {
    await page.goto(env.url(typeof path === 'function' ? path() : path));
    await settle(page, '.fq-main .fq-card');
    const left = await chineseLabels(page, data);
    if (left.length) bad[name] = left;
  }
  await page.goto(env.url('/screen/'));
  await settle(page, '[data-test=kpi-today-in]');
  if ((await chineseLabels(page, data)).length) bad.screen = await chineseLabels(page, data);
  await shot(page, 'screen-en');
  // the grid terminal, on a phone: every tab
  const m = await env.page({ width: 375, height: 740, mobile: true, lang: 'en' });
  await m.goto(env.url('/m/'));
  await fill(m, 'username', 'grid0001');
  await fill(m, 'password', DEMO_PASSWORD);
  await m.click('[data-test=login-submit]');
  await settle(m, '[data-test=report-submit]');
  const worker = ok(await env.get('/api/v1/auth/me', await env.demoLogin('grid0001')));
  for (const tab of ['report', 'tasks', 'queue', 'mine']) {
    if (tab !== 'report') await m.click(`[data-test=tab-${tab}]`);
    await m.waitForTimeout(300);
    const left = await chineseLabels(m, [worker.display_name, '中文']);
    if (left.length) bad['m-' + tab] = left;
    if (tab === 'report') await shot(m, 'm-report-en');
  }
  assert.deepEqual(bad, {}, 'Chinese labels left in English: ' + JSON.stringify(bad, null, 1));
  assert.deepEqual(page.errors, []);
  assert.deepEqual(m.errors, []);
});

test('every page fits 1366×768 and a 375-px phone (no horizontal overflow)', async () => {
  const wide = await env.workbench('admin');
  const phone = await env.workbench('admin', { width: 375, height: 740, mobile: true });
  const over = [];
  const width = (p) => p.evaluate(() => document.documentElement.scrollWidth);
  for (const [name, path] of WORKBENCH) {
    for (const [p, max] of [[wide, 1366], [phone, 375]]) {
      await p.goto(env.url(typeof path === 'function' ? path() : path));
      await settle(p, '.fq-main .fq-card');
      const w = await width(p);
      if (w > max) over.push(`${name} is ${w}px wide at ${max}`);
    }
    if (name !== 'home' && name !== 'case') await shot(phone, `workbench-${name}-375`); // those two: workbench.test
  }
  for (const [name, path] of [['portal', '/portal/'], ['m', '/m/']]) {
    await phone.goto(env.url(path));
    await phone.waitForTimeout(600);
    const w = await width(phone);
    if (w > 375) over.push(`${name} is ${w}px wide at 375`);
  }
  assert.deepEqual(over, []);
  assert.deepEqual(wide.errors, []);
  assert.deepEqual(phone.errors, []);
});
