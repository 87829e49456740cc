// Search with highlighted snippets, CSV / Excel export of a filtered list, the inboxes on the new
// filters (督办, 待评价), and the statistics page (KPIs, charts, ranking with stars, monthly report).
import { after, before, test } from 'node:test';
import { readFile } from 'node:fs/promises';
import { assert, setup, shot, ok, fill } from './helpers.mjs';

let env;
before(async () => { env = await setup({ cases: 150 }); });
after(async () => { await env?.teardown(); });

async function download(page, selector) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: d.suggestedFilename(), body: await readFile(await d.path()) };
}

test('search: full text with <mark> highlights; case text stays text', async () => {
  const disp = await env.demoLogin('county1.dispatcher');
  ok(await env.post('/api/v1/cases', disp, { channel: 'window', kind: 'dispute', title: '<b>楼道</b>堆物纠纷', description: '楼道里堆放杂物<script>x()</script>，邻居之间因堆物发生争执。', division: '331202001001' }), 201);
  const page = await env.workbench('county1.dispatcher');
  await page.click('[data-test=nav-search]');
  await fill(page, 'search-q', '堆物');
  await page.click('[data-test=search-go]');
  await page.waitForSelector('[data-test=search-hit]');
  assert.ok(await page.locator('[data-test=snippet] mark').count() >= 1, 'matches highlighted');
  assert.equal(await page.locator('[data-test=snippet] b, [data-test=snippet] script').count(), 0, 'no markup from the case text');
  assert.match(await page.textContent('[data-test=snippet] >> nth=0'), /<b>楼道<\/b>|<script>/);
  assert.match(await page.textContent('[data-test=search-total]'), /\d+/);
  await fill(page, 'search-q', '漏水');
  await page.click('[data-test=search-go]');
  await page.waitForFunction(() => /漏水/.test(document.querySelector('[data-test=snippet] mark')?.textContent || ''));
  await shot(page, 'workbench-search');

  // a saved view of the search (per user, in this browser) and the CSV of its hits
  await page.click('[data-test=search-view-save]');
  await page.locator('.el-message-box input').fill('漏水件');
  await page.click('.el-message-box .el-button--primary');
  await fill(page, 'search-q', '堆物');
  await page.click('[data-test=search-go]');
  await page.waitForFunction(() => /堆物/.test(document.querySelector('[data-test=snippet] mark')?.textContent || ''));
  await page.reload();
  await page.click('[data-test=search-view]');
  await page.waitForFunction(() => /漏水/.test(document.querySelector('[data-test=snippet] mark')?.textContent || ''));
  assert.equal(new URL(page.url()).hash, '#/search?q=' + encodeURIComponent('漏水'));
  const hits = ok(await env.get('/api/v1/search?q=' + encodeURIComponent('漏水') + '&count=1&limit=500', disp));
  assert.equal(await page.getAttribute('[data-test=search-export-xlsx]', 'href'), '/api/v1/cases/export.xlsx?q=' + encodeURIComponent('漏水'));
  const { name, body } = await download(page, '[data-test=search-export-csv]');
  assert.match(name, /^cases-\d{8}\.csv$/);
  const text = body.toString('utf8');
  assert.ok(text.startsWith('\ufeff编码,标题,'), text.slice(0, 40));
  const lines = text.trim().split('\r\n');
  assert.equal(lines.length, 1 + Math.min(hits.total, 2000));
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]).sort(), hits.items.map((h) => h.code).sort());
  assert.deepEqual(page.errors, []);
});

test('inboxes: 督办 and 待评价 use the API filters; export CSV and Excel of the current filter', async () => {
  const disp = await env.demoLogin('county1.dispatcher');
  const page = await env.workbench('county1.dispatcher');
  const sup = ok(await env.get('/api/v1/cases?supervised=1&status=pending_assess,pending_dispatch,pending_accept,handling,pending_verify&count=1&limit=1', disp)).total;
  await page.goto(env.url('/#/inbox/supervised'));
  await page.waitForSelector('[data-test=inbox-total]');
  assert.equal(await page.textContent('[data-test=inbox-total]'), `共 ${sup} 件`);
  const unrated = ok(await env.get('/api/v1/cases?status=closed&unrated=1&count=1&limit=1', disp)).total;
  await page.goto(env.url('/#/inbox/closed'));
  await page.waitForSelector('[data-test=inbox-total]');
  assert.equal(await page.textContent('[data-test=inbox-total]'), `共 ${unrated} 件`);
  assert.equal(await page.getAttribute('[data-test=export-csv]', 'href'), '/api/v1/cases/export.csv?status=closed&unrated=1');
  const csv = await download(page, '[data-test=export-csv]');
  assert.match(csv.name, /^cases-\d{8}\.csv$/);
  const text = csv.body.toString('utf8');
  assert.equal(text.charCodeAt(0), 0xfeff, 'BOM for Excel');
  assert.match(text, /^\uFEFF编码,标题,/);
  assert.equal(text.trim().split('\r\n').length, unrated + 1);
  const xlsx = await download(page, '[data-test=export-xlsx]');
  assert.match(xlsx.name, /\.xlsx$/);
  assert.equal(xlsx.body.subarray(0, 2).toString(), 'PK');
  // filters on a list: the count and the export follow them; a saved view brings them back
  await page.goto(env.url('/#/inbox/all'));
  await page.waitForSelector('[data-test=inbox-total]');
  await page.click('[data-test=flt-channel]');
  await page.locator('.el-select-dropdown__item:visible', { hasText: '12345热线' }).click();
  const hot = ok(await env.get('/api/v1/cases?channel=hotline_12345&count=1&limit=1', disp)).total;
  await page.waitForFunction((n) => document.querySelector('[data-test=inbox-total]').textContent === `共 ${n} 件`, hot);
  assert.equal(await page.getAttribute('[data-test=export-csv]', 'href'), '/api/v1/cases/export.csv?channel=hotline_12345');
  const csv2 = (await download(page, '[data-test=export-csv]')).body.toString('utf8');
  assert.equal(csv2.trim().split('\r\n').length, hot + 1);
  await page.click('[data-test=view-save]');
  await page.locator('.el-message-box input').fill('12345 来电');
  await page.click('.el-message-box .el-button--primary');
  await page.waitForSelector('[data-test=view]');
  await shot(page, 'workbench-inbox-export');
  await page.reload();
  await page.waitForSelector('[data-test=inbox-total]');
  await page.click('[data-test=view]');
  await page.waitForFunction((n) => document.querySelector('[data-test=inbox-total]').textContent === `共 ${n} 件`, hot);
  assert.deepEqual(page.errors, []);
});

test('statistics: KPIs equal the API, charts drawn, ranking with stars, monthly report download', async () => {
  const leader = await env.demoLogin('county1.leader');
  const page = await env.workbench('county1.leader');
  await page.click('[data-test=nav-stats]');
  await page.waitForSelector('[data-test=st-table] .el-table__row');
  const y = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());
  const s = ok(await env.get(`/api/v1/stats?from=${y.slice(0, 4)}-01-01&to=${y}&satisfaction=share`, leader));
  assert.equal(Number(await page.textContent('[data-test=kpi-intake] .v')), s.total.intake);
  assert.equal((await page.textContent('[data-test=kpi-closure_rate] .v')).trim(), (100 * s.total.closure_rate).toFixed(1) + '%');
  assert.ok(await page.locator('[data-test=st-chart] canvas').count() === 1, 'ECharts canvas');
  await page.waitForSelector('[data-test=ranking] [data-test=stars]');
  const r = ok(await env.get(`/api/v1/stats/ranking?from=${y.slice(0, 4)}-01-01&to=${y}`, leader));
  assert.equal(await page.getAttribute('[data-test=ranking] [data-test=stars] >> nth=0', 'data-stars'), String(r.items[0].stars));
  await shot(page, 'workbench-stats', { fullPage: true });
  // a township's subtree
  await page.click('[data-test=st-division] input');
  for (const n of ['枫桥示范市', '枫源区']) await page.locator('.el-cascader-node:visible', { hasText: n }).first().click();
  await page.locator('.el-cascader-node:visible', { hasText: '府前街道' }).first().locator('.el-radio').click();
  const town = ok(await env.get(`/api/v1/stats?from=${y.slice(0, 4)}-01-01&to=${y}&division=331202001000`, leader));
  await page.waitForFunction((n) => Number(document.querySelector('[data-test=kpi-intake] .v').textContent) === n, town.total.intake);
  await page.keyboard.press('Escape');
  // by channel
  await page.click('[data-test=st-group]');
  await page.locator('.el-select-dropdown__item:visible', { hasText: '按渠道' }).click();
  await page.click('[data-test=st-query]');
  await page.waitForFunction(() => /网格|窗口/.test(document.querySelector('[data-test=st-table]').textContent));
  const rep = await download(page, '[data-test=report-download]');
  assert.match(rep.name, /\.xlsx$/);
  assert.equal(rep.body.subarray(0, 2).toString(), 'PK');
  assert.deepEqual(page.errors, []);
});

test('inboxes: bulk dispatch of selected cases reports each case; one taken meanwhile fails with 409', async () => {
  const disp = await env.demoLogin('county1.dispatcher');
  const codes = [];
  for (const n of [1, 2, 3]) {
    const c = ok(await env.post('/api/v1/cases', disp, { channel: 'window', kind: 'dispute', title: `批量派单测试${n}`, description: '批量派单的测试案件。', division: '331202001001' }), 201);
    ok(await env.post(`/api/v1/cases/${c.code}/actions/assess`, disp, { category: '0201', grade: 'ordinary', level: 'county' }));
    codes.push(c.code);
  }
  const dept = ok(await env.get('/api/v1/departments?division=331202000000', disp)).items.find((d) => d.division === '331202000000');
  const page = await env.workbench('county1.dispatcher');
  await page.goto(env.url('/#/inbox/dispatch'));
  for (const code of codes) await page.locator('[data-test=inbox-table] tr', { hasText: code }).locator('.el-checkbox').click();
  assert.match(await page.textContent('[data-test=bulk-bar]'), /已选 3 件/);
  await page.click('[data-test=bulk-dispatch]');
  await page.click('[data-test=bulk-lead]');
  await page.locator('.el-select-dropdown__item:visible', { hasText: dept.name }).first().click();
  await page.keyboard.press('Escape');
  // meanwhile another dispatcher dispatches the second case
  ok(await env.post(`/api/v1/cases/${codes[1]}/actions/dispatch`, disp, { lead: { department_id: dept.id } }));
  await page.click('[data-test=bulk-submit]');
  await page.waitForSelector('[data-test=bulk-results]');
  assert.match(await page.textContent('[data-test=bulk-summary]'), /成功 2 件，失败 1 件/);
  assert.equal(await page.getAttribute(`[data-test=bulk-result][data-code="${codes[1]}"]`, 'data-ok'), '0');
  assert.match(await page.textContent(`[data-test=bulk-result][data-code="${codes[1]}"]`), /409 illegal_transition/);
  for (const i of [0, 2]) assert.equal(await page.getAttribute(`[data-test=bulk-result][data-code="${codes[i]}"]`, 'data-ok'), '1');
  await shot(page, 'workbench-inbox-bulk');
  for (const code of codes) {
    const c = ok(await env.get('/api/v1/cases/' + code, disp));
    assert.equal(c.status, 'pending_accept');
    assert.equal(c.assignments.filter((a) => a.role === 'lead').length, 1, `${code} dispatched once`);
  }
  await page.click('[data-test=bulk-close]');
  await page.waitForFunction((cs) => !cs.some((c) => document.querySelector('[data-test=inbox-table]').textContent.includes(c)), codes);
  assert.deepEqual(page.errors, []);
});
