// The grid terminal: a report made offline waits in the visible IndexedDB queue and is sent once
// the connection returns — exactly once, photo included.
import { after, before, test } from 'node:test';
import { assert, setup, shot, ok, fill, sleep } from './helpers.mjs';

let env;
before(async () => { env = await setup({ cases: 50 }); });
after(async () => { await env?.teardown(); });

async function casesTitled(title) {
  const j = ok(await env.get('/api/v1/cases?channel=grid&limit=500', env.admin));
  return j.items.filter((c) => c.title === title);
}

test('grid terminal: an offline report is queued, then synced exactly once', async () => {
  const page = await env.page({ width: 375, height: 740, mobile: true, geolocation: { latitude: 30.0384, longitude: 120.5716 } });
  await page.goto(env.url('/m/'));
  await fill(page, 'username', 'grid0001');
  await fill(page, 'password', 'Fengqiao@2026');
  await page.click('[data-test=login-submit]');
  await page.waitForSelector('[data-test=report-submit]');
  await page.evaluate(() => navigator.serviceWorker && navigator.serviceWorker.ready);
  await shot(page, 'm-report');
  const photo = await page.screenshot({ type: 'png' });

  await page.context().setOffline(true);
  await page.waitForSelector('[data-test=net].van-tag--danger');
  const title = '楼道堆放杂物堵塞消防通道';
  await page.click('[data-test=category]');
  await page.locator('.van-cascader__option:visible', { hasText: '安全隐患' }).first().click();
  await page.locator('.van-cascader__option:visible', { hasText: '消防安全隐患' }).first().click();
  await page.click('text=获取定位');
  await page.waitForFunction(() => document.querySelector('[data-test=gps] input').value === '30.03840, 120.57160');
  await fill(page, 'title', title);
  await fill(page, 'description', '光明社区 3 幢楼道堆放纸箱杂物，堵塞消防通道，存在火灾隐患。');
  await page.setInputFiles('[data-test=photo] input[type=file]', { name: 'scene.png', mimeType: 'image/png', buffer: photo });
  await sleep(300);
  await page.click('[data-test=report-submit]');
  await page.waitForSelector('[data-test=queue-item]');
  assert.equal(await page.locator('[data-test=queue-item]').count(), 1);
  await shot(page, 'm-queue-offline');
  await sleep(500);
  assert.equal((await casesTitled(title)).length, 0, 'nothing sent while offline');

  await page.context().setOffline(false);
  await page.waitForFunction(() => !document.querySelector('[data-test=queue-item]'), null, { timeout: 15000 });
  const got = await casesTitled(title);
  assert.equal(got.length, 1, 'sent once');
  const c = ok(await env.get('/api/v1/cases/' + got[0].code, env.admin));
  assert.equal(c.attachments.length, 1, 'with its photo');
  assert.equal(c.channel, 'grid');
  assert.equal(c.category, 'G0101');
  assert.ok(Math.abs(c.lat - 30.0384) < 1e-6 && Math.abs(c.lon - 120.5716) < 1e-6, `lat/lon ${c.lat},${c.lon}`);

  // reload and sync again: still one
  await page.reload();
  await page.waitForSelector('[data-test=report-submit]');
  await page.click('[data-test=tab-queue]');
  await page.click('[data-test=sync]');
  await sleep(500);
  assert.equal((await casesTitled(title)).length, 1, 'never duplicated');
  await page.click('[data-test=tab-mine]');
  await page.waitForSelector('[data-test=mine-item]');
  assert.match(await page.textContent('[data-test=mine-item] >> nth=0'), new RegExp(title));
  await shot(page, 'm-mine');
  assert.deepEqual(page.errors, []);
});

test('grid terminal tasks: follow-ups with 满意/不满意, offline through the queue, recorded exactly once', async () => {
  const clerk = await env.demoLogin('county1.clerk');
  const method = ok(await env.get('/api/v1/resolution-methods', clerk)).items[0].code;
  const codes = [];
  for (const title of ['楼道灯不亮已修复', '垃圾清运不及时已处理']) {
    const c = ok(await env.post('/api/v1/cases', clerk, { channel: 'window', kind: 'request', title, description: title + '，当场联系处理。', division: '331202001001', grid: '331202001001002', resolve_on_spot: { result: '已联系物业处理完毕', method } }), 201);
    codes.push(c.code);
  }
  const followUps = async (code) => (ok(await env.get('/api/v1/cases/' + code, env.admin)).records || []).filter((r) => r.kind === 'follow_up');

  const page = await env.page({ width: 375, height: 740, mobile: true });
  await page.goto(env.url('/m/'));
  await fill(page, 'username', 'grid0001');
  await fill(page, 'password', 'Fengqiao@2026');
  await page.click('[data-test=login-submit]');
  await page.click('[data-test=tab-tasks]');
  for (const code of codes) await page.waitForSelector(`[data-test=task][data-code="${code}"]`);
  await shot(page, 'm-tasks');

  // offline: the follow-up (不满意) waits in the queue
  await page.context().setOffline(true);
  await page.waitForSelector('[data-test=net].van-tag--danger');
  await page.click(`[data-test=task][data-code="${codes[0]}"] .van-cell`);
  await page.click('[data-test=sat-dissatisfied]');
  await fill(page, 'fu-content', '上门回访，群众反映灯又坏了，不满意。');
  await shot(page, 'm-task-follow-up');
  await page.click('[data-test=fu-submit]');
  await page.waitForSelector(`[data-test=task][data-code="${codes[0]}"]`, { state: 'detached' });
  await page.click('[data-test=tab-queue]');
  await page.waitForSelector('[data-test=queue-item]');
  assert.match(await page.textContent('[data-test=queue-item]'), /楼道灯不亮已修复 · 回访 不满意/);
  assert.equal((await followUps(codes[0])).length, 0, 'nothing sent while offline');
  await page.context().setOffline(false);
  await page.waitForFunction(() => !document.querySelector('[data-test=queue-item]'), null, { timeout: 15000 });
  const [f] = await followUps(codes[0]);
  assert.equal(f.satisfaction, 'dissatisfied');
  assert.equal(f.method, 'visit');

  // the answer is lost on the way back: the next sync finds the follow-up there and does not repeat it
  let lost = 0;
  await page.route('**/actions/follow_up', async (route) => {
    if (lost++) return route.continue();
    await route.fetch(); // the server records it …
    await route.abort('connectionreset'); // … and the phone never hears back
  });
  await page.click('[data-test=tab-tasks]');
  await page.click(`[data-test=task][data-code="${codes[1]}"] .van-cell`);
  await page.click('[data-test=sat-satisfied]');
  await fill(page, 'fu-content', '电话回访，群众满意。');
  await page.click('[data-test=fu-submit]');
  await page.click('[data-test=tab-queue]');
  await page.waitForSelector('[data-test=queue-item]');
  assert.equal((await followUps(codes[1])).length, 1, 'the server has it');
  await page.click('[data-test=sync]');
  await page.waitForFunction(() => !document.querySelector('[data-test=queue-item]'), null, { timeout: 15000 });
  assert.equal((await followUps(codes[1])).length, 1, 'recorded exactly once');
  assert.equal(lost, 1, 'not posted again');
  await page.click('[data-test=tab-tasks]');
  await page.waitForSelector('[data-test=task]', { state: 'detached' });
  assert.deepEqual(page.errors, []);
});
