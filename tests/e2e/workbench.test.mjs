// Workbench basics: login messages, home counts, the English switch, scope (404 page), inboxes.
import { after, before, test } from 'node:test';
import { Server } from '../api/helpers.mjs';
import { assert, setup, shot, ok, fill, box, DEMO_PASSWORD } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.teardown(); });

test('login: a wrong password says so; the right one opens the home page with counts', async () => {
  const page = await env.page();
  await page.goto(env.url('/'));
  await page.waitForURL(/#\/login/);
  await shot(page, 'workbench-login');
  await fill(page, 'username', 'county1.dispatcher');
  await fill(page, 'password', 'wrong-password');
  await page.click('[data-test=login-submit]');
  await page.waitForSelector('[data-test=login-error]');
  assert.match(await page.textContent('[data-test=login-error]'), /用户名或密码错误/);
  await fill(page, 'password', DEMO_PASSWORD);
  await page.click('[data-test=login-submit]');
  await page.waitForSelector('[data-test=count-assess] .n');
  await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-test=count-assess] .n').textContent.trim()));
  const n = Number(await page.textContent('[data-test=count-assess] .n'));
  const j = ok(await env.get('/api/v1/cases?status=pending_assess&count=1&limit=1', await env.demoLogin('county1.dispatcher')));
  assert.equal(n, j.total);
  await shot(page, 'workbench-home');
  await page.click('[data-test=count-overdue]');
  await page.waitForSelector('[data-test=inbox-total]');
  await shot(page, 'workbench-inbox-overdue');
  assert.deepEqual(page.errors, []);
});

test('login: five wrong passwords lock the account, and the page says for how long', async () => {
  const page = await env.page();
  await page.goto(env.url('/#/login'));
  await fill(page, 'username', 'town03.clerk');
  let last = 0;
  for (let i = 0; i < 5; i++) {
    await fill(page, 'password', 'wrong-' + i);
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
    await page.click('[data-test=login-submit]');
    const r = await answered;
    last = r.status();
    if (i < 4) assert.equal(last, 401, `attempt ${i + 1}`);
  }
  assert.equal(last, 423, 'the fifth failure locks the account');
  await page.waitForFunction(() => /锁定/.test(document.querySelector('[data-test=login-error]').textContent));
  await shot(page, 'workbench-login-locked');
});

test('English switch: the workbench speaks English and remembers it', async () => {
  const page = await env.workbench('county1.dispatcher');
  await page.waitForSelector('[data-test=lang]');
  assert.match(await page.textContent('.fq-aside'), /一表通受理/);
  await page.click('header [data-test=lang]');
  await page.waitForFunction(() => /Intake/.test(document.querySelector('.fq-aside').textContent));
  assert.match(await page.textContent('.fq-aside'), /Cases/);
  await page.reload();
  await page.waitForFunction(() => /Intake/.test(document.querySelector('.fq-aside')?.textContent || ''));
  await shot(page, 'workbench-home-en');
});

test('scope: a township user cannot open another township\'s case (404 page)', async () => {
  // a case in township 02, registered by the county
  const county = await env.demoLogin('county1.dispatcher');
  const villages = ok(await env.get('/api/v1/divisions?parent=331202002000', county)).items;
  const c = ok(await env.post('/api/v1/cases', county, { channel: 'window', kind: 'dispute', title: '仓桥街道的纠纷', description: '只属于仓桥街道的案件', division: villages[0].code }), 201);
  const page = await env.workbench('town01.dispatcher');
  await page.goto(env.url('/#/cases/' + c.code));
  await page.waitForSelector('[data-test=not-found]');
  assert.match(await page.textContent('[data-test=not-found]'), /不存在或不在您的权限范围内/);
  await shot(page, 'workbench-case-404');
  // and town02 sees it
  const p2 = await env.workbench('town02.dispatcher');
  await p2.goto(env.url('/#/cases/' + c.code));
  await p2.waitForSelector('[data-test=case-code]');
  assert.equal((await p2.textContent('[data-test=case-code]')).trim(), c.code);
});

test('phone width: the workbench home and a case fit 375 px', async () => {
  const page = await env.workbench('county1.dispatcher', { width: 375, height: 740, mobile: true });
  await page.waitForSelector('[data-test=count-assess]');
  await shot(page, 'workbench-home-375');
  const width = () => page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok((await width()) <= 380, `home is ${await width()}px wide`);
  const code = ok(await env.get('/api/v1/cases?status=handling&limit=1', env.admin)).items[0].code;
  await page.goto(env.url('/#/cases/' + code));
  await page.waitForSelector('[data-test=timeline]');
  assert.ok((await width()) <= 380, `case page is ${await width()}px wide`);
  await shot(page, 'workbench-case-375');
  await page.goto(env.url('/#/intake'));
  await page.waitForSelector('[data-test=intake-submit]');
  assert.ok((await width()) <= 380, `intake is ${await width()}px wide`);
});

test('intake: the location is picked on the grid map or found by name (division, grid, lat/lon)', async () => {
  const grids = ok(await env.get('/api/v1/grids?division=331202001001', env.admin)).items;
  const [third, fifth] = [grids[2], grids[4]];
  const page = await env.workbench('county1.clerk');
  await page.goto(env.url('/#/intake'));
  await page.waitForSelector('[data-test=loc-map][data-scope="331202000000"] canvas');
  // the address search over township, village and grid names
  // typed as a clerk would: the grid number in digits (GET /places matches 第三网格)
  await page.locator(box('loc-search')).first().fill('光明社区3网格');
  await page.locator('[data-test=loc-option]:visible', { hasText: third.name }).first().click();
  await page.waitForFunction(() => /光明社区/.test(document.querySelector('[data-test=division] input').value));
  await page.waitForSelector(`.el-select__selected-item:has-text("${third.name}")`);
  assert.match(await page.textContent('[data-test=loc-coords]'), new RegExp(`${third.name} · ${third.lat.toFixed(5)}, ${third.lon.toFixed(5)}`));
  // the map now shows the township; a click on the fifth grid takes it and the clicked point
  await page.waitForSelector('[data-test=loc-map][data-scope="331202001000"] canvas');
  const map = page.locator('[data-test=loc-map]');
  const [x, y] = await map.evaluate((el, g) => el.fqToPixel(g.lon, g.lat), fifth);
  await map.click({ position: { x, y } });
  await page.waitForFunction((n) => document.querySelector('[data-test=loc-coords]')?.textContent.startsWith(n), fifth.name);
  await fill(page, 'title', '地图选点测试');
  await fill(page, 'description', '在网格地图上点选了第五网格的位置。');
  await shot(page, 'workbench-intake-map');
  await page.click('[data-test=intake-submit]');
  await page.waitForSelector('[data-test=case-code]');
  const c = ok(await env.get('/api/v1/cases/' + (await page.textContent('[data-test=case-code]')).trim(), env.admin));
  assert.equal(c.division, '331202001001');
  assert.equal(c.grid, fifth.code);
  assert.ok(Math.abs(c.lat - fifth.lat) < 0.0005 && Math.abs(c.lon - fifth.lon) < 0.0005, `clicked ${c.lat},${c.lon} near ${fifth.lat},${fifth.lon}`);
  assert.deepEqual(page.errors, []);
});

// last in this file: it restarts the server 31 minutes in the future
test('login: a session idle past the timeout returns to the login page saying so (401 session_expired)', async () => {
  const page = await env.workbench('county1.dispatcher');
  await page.waitForSelector('[data-test=count-assess]');
  const port = env.port;
  await env.stopServer();
  env.server = await Server.start(env, { env: { FQ_FAKE_NOW: String(Date.now() + 31 * 60 * 1000) }, extraArgs: ['--port', String(port)] });
  const answered = page.waitForResponse((r) => r.url().includes('/api/v1/cases'));
  await page.click('.fq-aside >> text=待派单');
  assert.equal((await answered).status(), 401);
  await page.waitForURL(/#\/login/);
  await page.waitForSelector('[data-test=login-error]');
  assert.match(await page.textContent('[data-test=login-error]'), /会话已超时（30 分钟无操作），请重新登录/);
  await shot(page, 'workbench-login-expired');
  // logging in again goes back to the page that was asked for
  await fill(page, 'username', 'county1.dispatcher');
  await fill(page, 'password', DEMO_PASSWORD);
  await page.click('[data-test=login-submit]');
  await page.waitForURL(/#\/inbox\/dispatch/);
  ok(await env.get('/api/v1/auth/me', env.admin = await env.demoLogin('admin')));
});
