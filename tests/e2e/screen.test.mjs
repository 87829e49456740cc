// The big screen: 1920×1080, live through server-sent events; a new case shows within 2 s.
import { after, before, test } from 'node:test';
import { Server } from '../api/helpers.mjs';
import { assert, setup, shot, ok, fill, sleep } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.teardown(); });

let shared; // one browser context: the leader logs in once
test('big screen: today\'s intake rises within 2 s of a new case, and the ticker shows it', async () => {
  const page = await env.page({ width: 1920, height: 1080 });
  shared = page.context();
  await page.goto(env.url('/screen/'));
  // without a kiosk link a leader logs in once
  await fill(page, 'username', 'county1.leader');
  await fill(page, 'password', 'Fengqiao@2026');
  await page.click('[data-test=login-submit]');
  await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-test=kpi-today-in]')?.textContent.trim()));
  await page.waitForSelector('[data-test=conn].ok');
  const before = Number(await page.textContent('[data-test=kpi-today-in]'));
  await sleep(500);
  const clerk = await env.demoLogin('county1.clerk');
  const villages = ok(await env.get('/api/v1/divisions?parent=331202001000', clerk)).items;
  const t0 = Date.now();
  ok(await env.post('/api/v1/cases', clerk, { channel: 'window', kind: 'dispute', title: '大屏测试：宅基地边界纠纷', description: '两户宅基地边界争议。', division: villages[0].code }), 201);
  await page.waitForFunction((n) => Number(document.querySelector('[data-test=kpi-today-in]').textContent) === n + 1, before, { timeout: 2000 });
  const took = Date.now() - t0;
  assert.ok(took <= 2000, `took ${took} ms`);
  assert.match(await page.textContent('[data-test=ticker]'), /大屏测试：宅基地边界纠纷/);
  // rates of this year's cohort from /stats, and the department ranking
  assert.match(await page.textContent('[data-test=kpi-closure-rate]'), /^\d+\.\d%$/);
  assert.match(await page.textContent('[data-test=kpi-satisfaction-rate]'), /^\d+\.\d%$/);
  await page.waitForSelector('[data-test=screen-ranking] li');
  assert.deepEqual(page.errors, []);
});

test('kiosk link: made on the workbench, opens the screen without a password, live; revoked at once', async () => {
  const wb = await env.workbench('county1.leader');
  await wb.click('text=系统管理');
  await wb.click('[data-test=nav-kiosk]');
  await fill(wb, 'kiosk-name', '指挥大厅 1 号屏');
  await wb.click('[data-test=kiosk-create]');
  await wb.waitForSelector('[data-test=kiosk-url]');
  const url = (await wb.textContent('[data-test=kiosk-url]')).trim();
  assert.match(url, /\/screen\/\?kiosk=/);
  await wb.evaluate(() => window.scrollTo(0, 0));
  await shot(wb, 'workbench-kiosk-links');

  const page = await env.page({ width: 1920, height: 1080 }); // a fresh browser: no session cookie
  const auths = new Set();
  page.on('request', (r) => { if (r.url().includes('/api/v1/')) auths.add(r.url().includes('kiosk=') ? 'query' : (r.headers().authorization || 'none').split(' ')[0]); });
  await page.goto(url);
  await page.waitForSelector('[data-test=conn].ok');
  await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-test=kpi-today-in]')?.textContent.trim()));
  await page.waitForFunction(() => /%$/.test(document.querySelector('[data-test=kpi-settlement-rate]')?.textContent.trim()));
  await page.waitForSelector('[data-test=screen-ranking] li');
  await page.waitForSelector('[data-test=screen-map] canvas');
  assert.deepEqual([...auths].sort(), ['Kiosk', 'query'], 'every call carries the kiosk token');
  const before = Number(await page.textContent('[data-test=kpi-today-in]'));
  const clerk = await env.demoLogin('county1.clerk');
  const villages = ok(await env.get('/api/v1/divisions?parent=331202001000', clerk)).items;
  ok(await env.post('/api/v1/cases', clerk, { channel: 'hotline_12345', kind: 'request', title: '大屏免登录：路灯不亮', description: '小区路灯坏了。', division: villages[0].code }), 201);
  await page.waitForFunction((n) => Number(document.querySelector('[data-test=kpi-today-in]').textContent) === n + 1, before, { timeout: 2000 });
  await sleep(800);
  await shot(page, 'screen');

  // revoked on the workbench: the link stops working
  wb.once('dialog', () => {});
  await wb.click('[data-test=kiosk-revoke]');
  await wb.click('.el-message-box .el-button--primary');
  await wb.waitForSelector('text=已吊销');
  await page.reload();
  await page.waitForSelector('[data-test=kiosk-revoked]');
  assert.deepEqual(page.errors, []);
});

test('big screen: survives a server restart by reconnecting', async () => {
  const page = await shared.newPage(); // the leader's session from the first test
  await page.goto(env.url('/screen/'));
  await page.waitForSelector('[data-test=conn].ok');
  const port = env.port;
  await env.stopServer();
  await page.waitForSelector('[data-test=conn]:not(.ok)', { timeout: 10000 });
  env.server = await Server.start(env, { timerInterval: 200, extraArgs: ['--port', String(port)] });
  assert.equal(env.port, port);
  await page.waitForSelector('[data-test=conn].ok', { timeout: 10000 });
  const before = Number(await page.textContent('[data-test=kpi-today-in]'));
  const clerk = await env.demoLogin('county1.clerk');
  const villages = ok(await env.get('/api/v1/divisions?parent=331202001000', clerk)).items;
  ok(await env.post('/api/v1/cases', clerk, { channel: 'window', kind: 'request', title: '重启后的新案件', description: '服务器重启后登记。', division: villages[0].code }), 201);
  await page.waitForFunction((n) => Number(document.querySelector('[data-test=kpi-today-in]').textContent) === n + 1, before, { timeout: 3000 });
});
