// The intelligence layer in the workbench: routing suggestion with confidence and reasons in the
// intake and assess forms, recommended scenarios and similar cases on the case page, and a
// cross-channel duplicate merged from the case page.
import { after, before, test } from 'node:test';
import { assert, setup, shot, ok, fill, act } from './helpers.mjs';

let env;
before(async () => { env = await setup({ cases: 150 }); });
after(async () => { await env?.teardown(); });

const VILLAGE = '331202001001';

test('suggestion: intake shows category, grade, level, departments with confidence and reasons; assess takes it', async () => {
  const page = await env.workbench('county1.dispatcher');
  await page.goto(env.url('/#/intake'));
  await page.waitForSelector('[data-test=intake-submit]');
  await fill(page, 'title', '邻居装修噪音扰民');
  await fill(page, 'description', '楼上邻居装修每天早上七点就开始电钻施工，噪音很大，多次沟通无果，影响老人休息。');
  await page.waitForSelector('[data-test=cat-suggestion]');
  const panel = await page.textContent('[data-test=suggest-panel]');
  assert.match(panel, /等级/);
  assert.match(panel, /办理层级/);
  assert.match(panel, /命中关键词/);
  assert.match(await page.textContent('[data-test=suggest-confidence] >> nth=0'), /\d+%/);
  await shot(page, 'workbench-intake-suggest', { fullPage: true });
  assert.deepEqual(page.errors, []);

  // the assess dialog asks too; "use" fills category, grade and level
  const disp = await env.demoLogin('county1.dispatcher');
  const c = ok(await env.post('/api/v1/cases', disp, { channel: 'window', kind: 'dispute', title: '邻里漏水纠纷', description: '楼上卫生间漏水导致楼下天花板受损，双方就维修费用协商未果。', division: VILLAGE }), 201);
  await page.goto(env.url('/#/cases/' + c.code));
  await page.waitForSelector('[data-test=case-code]');
  await page.click('[data-test=action-assess]');
  await page.waitForSelector('.el-dialog [data-test=cat-suggestion]');
  assert.match(await page.textContent('.el-dialog [data-test=cat-suggestion]'), /邻里纠纷/);
  await page.click('.el-dialog [data-test=cat-accept]');
  await shot(page, 'workbench-assess-suggest');
  await page.click('[data-test=action-submit]');
  await page.waitForSelector('[data-status=pending_dispatch]');
  const after = ok(await env.get('/api/v1/cases/' + c.code, env.admin));
  assert.match(after.category, /^02/);
  assert.ok(after.grade && after.level, 'grade and level taken from the suggestion');
  assert.deepEqual(page.errors, []);
});

test('case page: recommended scenarios with legal basis, similar cases, and applying a scenario', async () => {
  const code = ok(await env.get('/api/v1/cases?status=handling&category=01&limit=1', env.admin)).items[0]?.code
    || ok(await env.get('/api/v1/cases?status=handling&limit=1', env.admin)).items[0].code;
  const page = await env.workbench('county1.dispatcher');
  await page.goto(env.url('/#/cases/' + code));
  await page.waitForSelector('[data-test=scenario]');
  assert.equal(await page.locator('[data-test=scenario]').count(), 3);
  assert.match(await page.textContent('[data-test=recommendations]'), /法律依据/);
  await page.waitForSelector('[data-test=similar-case]');
  await page.click('[data-test=apply-scenario] >> nth=0');
  await page.waitForSelector('[data-test=applied]');
  await page.locator('[data-test=recommendations]').scrollIntoViewIfNeeded();
  await shot(page, 'workbench-case-recommendations');
  const tl = ok(await env.get(`/api/v1/cases/${code}/timeline`, env.admin)).events;
  assert.ok(tl.some((e) => e.action === 'note' && e.payload && e.payload.scenario_id), 'a note event records the scenario');
  assert.deepEqual(page.errors, []);
});

test('duplicates: a 12345 call and a grid report of the same burst pipe; merged from the case page', async () => {
  const disp = await env.demoLogin('county1.dispatcher');
  const call = ok(await env.post('/api/v1/cases', disp, { channel: 'hotline_12345', kind: 'incident', title: '光明社区3幢门口自来水管爆裂', description: '来电反映光明社区3幢门口自来水管爆裂，大量积水，路面结冰，请尽快处理。', division: VILLAGE }), 201);
  const grid = ok(await env.post('/api/v1/cases', disp, { channel: 'grid', kind: 'incident', title: '光明社区3幢门口水管爆裂', description: '网格员巡查发现光明社区3幢门口自来水管爆裂，积水严重，路面结冰。', division: VILLAGE }), 201);
  const page = await env.workbench('county1.dispatcher');
  await page.goto(env.url('/#/cases/' + grid.code));
  await page.waitForSelector('[data-test=dup-candidate]');
  assert.match(await page.textContent('[data-test=dup-candidate]'), new RegExp(call.code));
  await page.locator('[data-test=duplicates]').scrollIntoViewIfNeeded();
  await shot(page, 'workbench-case-duplicates');
  await page.click('[data-test=merge]');
  await page.locator('.el-message-box input').fill('同一爆管事件，12345 与网格重复上报');
  await page.click('.el-message-box .el-button--primary');
  await page.waitForSelector('[data-status=archived]');
  await page.waitForSelector('[data-test=dup-link]');
  const primary = ok(await env.get(`/api/v1/cases/${call.code}/duplicates`, env.admin));
  assert.ok(primary.candidates.some((x) => x.code === grid.code && x.merged));
  assert.deepEqual(page.errors, []);
});

test('scenario library: admins search, edit and add mediation scenarios', async () => {
  const page = await env.workbench('admin');
  await page.goto(env.url('/#/admin/scenarios'));
  await page.waitForSelector('[data-test=sc-table] .el-table__row');
  const all = ok(await env.get('/api/v1/scenarios', env.admin)).items;
  assert.ok(all.length >= 98, `${all.length} scenarios`);
  await fill(page, 'sc-q', '离婚');
  await page.locator(':is(input)[data-test="sc-q"], [data-test="sc-q"] input').first().press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('[data-test=sc-table] .el-table__row').length < 20);
  await page.click('[data-test=sc-edit] >> nth=0');
  const kw = page.locator('[data-test=sc-keywords] textarea, textarea[data-test=sc-keywords]').first();
  await kw.fill((await kw.inputValue()) + '\n冷静期回访专班');
  await shot(page, 'workbench-scenarios');
  await page.click('[data-test=sc-save]');
  await page.waitForSelector('[data-test=sc-form]', { state: 'hidden' });
  const edited = ok(await env.get('/api/v1/scenarios?q=' + encodeURIComponent('冷静期回访专班'), env.admin)).items;
  assert.equal(edited.length, 1);
  await page.click('[data-test=sc-new]');
  await fill(page, 'sc-name', '直播带货退货纠纷');
  await page.locator('[data-test=sc-categories] textarea, textarea[data-test=sc-categories]').first().fill('0601');
  await page.locator('[data-test=sc-methods] textarea, textarea[data-test=sc-methods]').first().fill('在线调解\n消费维权联动');
  await page.click('[data-test=sc-save]');
  await page.waitForSelector('[data-test=sc-form]', { state: 'hidden' });
  const made = ok(await env.get('/api/v1/scenarios?q=' + encodeURIComponent('直播带货退货'), env.admin)).items;
  assert.equal(made.length, 1);
  assert.deepEqual(made[0].methods, ['在线调解', '消费维权联动']);
  assert.deepEqual(page.errors, []);
});
