// Early warning: a planted surge (group dispute with threat words in one grid) raises warnings;
// the page shows the grid map coloured by level, the warnings with their factors and the 48-hour
// forecast; a warning is turned into a case, another dismissed with a reason.
import { after, before, test } from 'node:test';
import { assert, setup, shot, ok } from './helpers.mjs';

let env;
before(async () => { env = await setup({ cases: 100 }); });
after(async () => { await env?.teardown(); });

test('early warning: map, factors, forecast; to a case; dismissed with a reason', async () => {
  const a = env.admin;
  for (let i = 1; i <= 8; i++) {
    ok(await env.post('/api/v1/cases', a, { channel: 'hotline_12345', kind: 'dispute', title: `工地欠薪农民工聚集讨薪（${i}）`, description: '二十多名农民工在工地门口聚集讨要工资，有人扬言跳楼，情绪激动。', grid: '331202001001001', people_count: 25 }), 201);
  }
  const r = ok(await env.post('/api/v1/warnings/recompute', a, {}));
  assert.ok(r.raised >= 1, 'the surge raises warnings');
  const raised = ok(await env.get('/api/v1/warnings?status=raised', a)).items;

  const page = await env.workbench('county1.dispatcher'); // a case is an intake: the centre's dispatcher
  await page.click('[data-test=nav-warnings]');
  await page.waitForSelector('[data-test=w-table] .el-table__row');
  await page.waitForSelector('[data-test=w-map] canvas');
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-test=w-forecast-total]').textContent));
  assert.equal(await page.locator('[data-test=w-table] .el-table__row').count(), raised.length);
  assert.match(await page.textContent('[data-test=w-table]'), /突增/);
  await page.click('[data-test=w-table] .el-table__expand-icon >> nth=0');
  await page.waitForSelector('[data-test=w-factors] .factor');
  assert.match(await page.textContent('[data-test=w-factors]'), /突增检验|扬言/);
  await shot(page, 'workbench-warnings', { fullPage: true });

  // dismiss the last one with a reason, turn the first into a case
  await page.click('[data-test=w-dismiss] >> nth=-1');
  await page.locator('.el-message-box input').fill('已核实：同一讨薪事件，由村级预警跟进');
  await page.click('.el-message-box .el-button--primary');
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=w-dismiss]').length === n, raised.length - 1);
  await page.click('[data-test=w-to-case] >> nth=0');
  await page.click('.el-message-box .el-button--primary');
  await page.waitForSelector('[data-test=case-code]');
  const code = (await page.textContent('[data-test=case-code]')).trim();
  const after = ok(await env.get('/api/v1/warnings', a)).items;
  assert.ok(after.some((w) => w.status === 'case' && w.case_code === code), 'the warning points at its case');
  assert.ok(after.some((w) => w.status === 'dismissed' && /讨薪事件/.test(w.reason || '')));
  assert.deepEqual(page.errors, []);
});
