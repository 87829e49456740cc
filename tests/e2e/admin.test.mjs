// Administration of the reference data: 区划与网格 (lazy division tree, the grids of a village
// with households), 部门 (by division, with presence), 事项分类 (the two category trees), 职责清单
// — each reached from the admin menu, showing what the API holds, and narrowed by its filter box;
// then a department and a user edited through their pages (the API holds the change, a bad value
// is refused naming the field, a disabled user is locked out at once).
import { after, before, test } from 'node:test';
import { assert, setup, shot, ok, fill, box } from './helpers.mjs';

let env;
before(async () => { env = await setup({ cases: 20 }); });
after(async () => { await env?.teardown(); });

const rows = (page, table) => page.locator(`[data-test=${table}] .el-table__body-wrapper tr.el-table__row`);

test('admin: divisions and grids, departments, categories and the responsibility list show the API data and filter', async () => {
  const page = await env.workbench('admin');
  const get = async (p) => ok(await env.get('/api/v1' + p, env.admin)).items;

  // 区划与网格: city → county → township → village, then its grids
  await page.locator('.el-sub-menu__title', { hasText: '系统管理' }).click();
  await page.click('[data-test=nav-divisions]');
  await page.waitForURL(/#\/admin\/divisions/);
  const [city] = await get('/divisions');
  const [county] = await get('/divisions?parent=' + city.code);
  const [town] = await get('/divisions?parent=' + county.code);
  const [village] = await get('/divisions?parent=' + town.code);
  const grids = await get('/grids?division=' + village.code);
  assert.ok(grids.length > 0);
  for (const d of [city, county, town]) await page.locator('[data-test=div-tree] .el-tree-node__content', { hasText: d.name }).first().click();
  await page.locator('[data-test=div-tree] .el-tree-node__content', { hasText: village.name }).first().click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=grid-table] tr.el-table__row').length === n, grids.length);
  const first = rows(page, 'grid-table').first();
  assert.match(await first.innerText(), new RegExp(grids[0].name + '[\\s\\S]*' + grids[0].households));
  await shot(page, 'workbench-admin-divisions');
  await fill(page, 'ref-q', grids[1]?.code || grids[0].code);
  await page.waitForFunction(() => document.querySelectorAll('[data-test=grid-table] tr.el-table__row').length === 1);

  // 部门: every department, then filtered to 常驻 police
  await page.click('[data-test=nav-departments]');
  const deps = await get('/departments');
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=dep-table] tr.el-table__row').length === n, deps.length);
  assert.ok(deps.some((d) => d.presence === 'resident'));
  await fill(page, 'ref-q', '派出所');
  const police = deps.filter((d) => d.name.includes('派出所'));
  assert.ok(police.length > 0);
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=dep-table] tr.el-table__row').length === n, police.length);
  assert.match(await rows(page, 'dep-table').first().innerText(), /公安[\s\S]*(常驻|轮驻|随驻)/);
  await shot(page, 'workbench-admin-departments');

  // 事项分类: level-1 rows of each tree; filtering shows a level-2 match under its parent
  await page.click('[data-test=nav-categories]');
  const cats = await get('/categories');
  const top = (k) => cats.filter((c) => c.kind === k && !c.parent).length;
  await page.waitForFunction((n) => [...document.querySelectorAll('[data-test=cat-table] tr.el-table__row')].filter((r) => r.checkVisibility()).length === n, top('dispute'));
  await page.locator('[data-test=cat-kind] .el-radio-button', { hasText: '网格事项' }).click();
  await page.waitForFunction((n) => [...document.querySelectorAll('[data-test=cat-table] tr.el-table__row')].filter((r) => r.checkVisibility()).length === n, top('grid_matter'));
  await fill(page, 'ref-q', '燃气');
  // the match and its level-1 parent, nothing else
  await page.waitForFunction(() => [...document.querySelectorAll('[data-test=cat-table] tr.el-table__row')].filter((r) => r.checkVisibility()).map((r) => r.cells[1].innerText).join('|') === '安全隐患|燃气安全隐患');
  await shot(page, 'workbench-admin-categories');

  // 职责清单: every entry, lead and assisting department kinds in words, then filtered
  await page.click('[data-test=nav-responsibilities]');
  const resp = await get('/responsibilities');
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=resp-table] tr.el-table__row').length === n, resp.length);
  const r0 = resp[0];
  const name0 = cats.find((c) => c.code === r0.category).name;
  assert.match(await rows(page, 'resp-table').first().innerText(), new RegExp(r0.category + ' ' + name0));
  await fill(page, 'ref-q', '彩礼');
  const bride = resp.filter((r) => r.duty.includes('彩礼') || (cats.find((c) => c.code === r.category)?.name || '').includes('彩礼'));
  assert.ok(bride.length > 0 && bride.length < resp.length);
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=resp-table] tr.el-table__row').length === n, bride.length);
  await shot(page, 'workbench-admin-responsibilities');

  // edit an entry: a new lead department kind (one not assisting already); an empty duty is
  // refused, naming the field
  const [lead, leadName] = [['police', '公安'], ['letters', '信访'], ['emergency', '应急管理']]
    .find(([k]) => k !== bride[0].lead_kind && !bride[0].assist_kinds.split(',').includes(k));
  const row = rows(page, 'resp-table').filter({ hasText: bride[0].duty.slice(0, 12) }).first();
  await row.locator('[data-test=resp-edit]').click();
  await page.waitForSelector('[data-test=resp-form]', { state: 'visible' });
  await fill(page, 'resp-duty', '');
  await page.click('[data-test=resp-save]');
  await page.waitForSelector('[data-test=resp-error]:has-text("duty")');
  await page.click('[data-test=resp-lead]');
  await page.locator('.el-select-dropdown__item:visible', { hasText: leadName }).first().click();
  await fill(page, 'resp-duty', '派出所牵头处置彩礼纠纷');
  await page.click('[data-test=resp-save]');
  await page.waitForSelector('[data-test=resp-form]', { state: 'hidden' });
  const edited = (await get('/responsibilities')).find((r) => r.category === bride[0].category && r.level === bride[0].level);
  assert.equal(edited.lead_kind, lead);
  assert.equal(edited.duty, '派出所牵头处置彩礼纠纷');
  assert.equal(edited.assist_kinds, bride[0].assist_kinds);
  await page.waitForSelector('[data-test=resp-table] tr.el-table__row:has-text("派出所牵头处置彩礼纠纷")');
  assert.deepEqual(page.errors, []);
});

test('admin pages are for their roles: a typed URL of one lands a dispatcher on the home page', async () => {
  const page = await env.workbench('county1.dispatcher');
  for (const p of ['/#/admin/users', '/#/admin/responsibilities', '/#/admin/kiosk']) {
    await page.goto(env.url(p));
    await page.waitForFunction(() => location.hash === '#/');
  }
  assert.equal(await page.locator('[data-test=nav-kiosk]').count(), 0, 'no admin menu either');
  const leader = await env.workbench('county1.leader');
  await leader.goto(env.url('/#/admin/kiosk'));
  await leader.waitForSelector('[data-test=nav-kiosk]');
  assert.equal(new URL(leader.url()).hash, '#/admin/kiosk', 'a leader keeps the kiosk page');
  assert.deepEqual(page.errors, []);
});

test('admin: a department and a user edited through the pages', async () => {
  const page = await env.workbench('admin');
  const get = async (p) => ok(await env.get('/api/v1' + p, env.admin)).items;
  await page.locator('.el-sub-menu__title', { hasText: '系统管理' }).click();

  // 部门: rename a police station and make it 轮驻; an empty name is refused, naming the field
  await page.click('[data-test=nav-departments]');
  const deps = await get('/departments');
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=dep-table] tr.el-table__row').length === n, deps.length);
  const dep = deps.find((d) => d.name.includes('派出所') && d.presence !== 'rotating');
  await fill(page, 'ref-q', dep.name);
  const row = rows(page, 'dep-table').filter({ hasText: dep.division }).first();
  await row.locator('[data-test=dep-edit]').click();
  await page.waitForSelector('[data-test=dep-form]', { state: 'visible' });
  await fill(page, 'dep-name', '');
  await page.click('[data-test=dep-save]');
  await page.waitForSelector('[data-test=dep-error]:has-text("name")');
  await fill(page, 'dep-name', dep.name + '（驻村警务室）');
  await page.click('[data-test=dep-pres-rotating]');
  await shot(page, 'workbench-admin-department-edit');
  await page.click('[data-test=dep-save]');
  await page.waitForSelector('[data-test=dep-form]', { state: 'hidden' });
  const edited = (await get('/departments')).find((d) => d.id === dep.id);
  assert.deepEqual(edited, { ...dep, name: dep.name + '（驻村警务室）', presence: 'rotating' });
  await page.waitForSelector(`[data-test=dep-table] tr.el-table__row:has-text("${edited.name}"):has-text("轮驻")`);

  // 用户管理: a clerk gets a new name and the mediator role, and is disabled — at once locked out
  const clerk = await env.login('county1.clerk', 'Fengqiao@2026');
  ok(await env.get('/api/v1/auth/me', clerk));
  await page.click('[data-test=nav-users]');
  await page.waitForSelector('[data-test=user-table] tr.el-table__row:has-text("county1.clerk")');
  await rows(page, 'user-table').filter({ hasText: 'county1.clerk' }).first().locator('[data-test=user-edit]').click();
  await page.waitForSelector('[data-test=user-form]', { state: 'visible' });
  await fill(page, 'user-name', '受理员（已调岗）');
  await page.click('[data-test=user-roles]');
  await page.locator('.el-select-dropdown__item:visible', { hasText: '调解员' }).first().click();
  await page.click('[data-test=user-name]'); // closes the role list (Escape would close the dialog)
  await page.click('[data-test=user-enabled]');
  await shot(page, 'workbench-admin-user-edit');
  await page.click('[data-test=user-save]');
  await page.waitForSelector('[data-test=user-form]', { state: 'hidden' });
  const u = (await get('/users')).find((x) => x.username === 'county1.clerk');
  assert.equal(u.display_name, '受理员（已调岗）');
  assert.deepEqual(u.roles, ['clerk', 'mediator']);
  assert.equal(u.disabled, true);
  assert.equal((await env.get('/api/v1/auth/me', clerk)).status, 401, 'a disabled user is out at once');
  await page.waitForSelector('[data-test=user-table] tr.el-table__row:has-text("county1.clerk") [data-test=user-disabled]');
  await shot(page, 'workbench-admin-users');
  assert.deepEqual(page.errors, []);
});

test('admin: a village renamed, a grid edited and a grid matter added through the pages', async () => {
  const page = await env.workbench('admin');
  const get = async (p) => ok(await env.get('/api/v1' + p, env.admin)).items;
  await page.locator('.el-sub-menu__title', { hasText: '系统管理' }).click();
  await page.click('[data-test=nav-divisions]');
  const [city] = await get('/divisions');
  const [county] = await get('/divisions?parent=' + city.code);
  const [town] = await get('/divisions?parent=' + county.code);
  const [village] = await get('/divisions?parent=' + town.code);
  const node = (name) => page.locator('[data-test=div-tree] .el-tree-node__content', { hasText: name }).first();
  for (const d of [city, county, town, village]) await node(d.name).click();
  await page.waitForSelector('[data-test=grid-table] tr.el-table__row');

  // rename the village: the tree shows the new name, the API has it
  await page.click('[data-test=div-rename]');
  await page.waitForSelector('[data-test=div-form]', { state: 'visible' });
  await fill(page, 'div-name', village.name + '（新）');
  await page.click('[data-test=div-save]');
  await page.waitForSelector('[data-test=div-form]', { state: 'hidden' });
  await node(village.name + '（新）').waitFor();
  assert.equal(ok(await env.get('/api/v1/divisions/' + village.code, env.admin)).name, village.name + '（新）');

  // a grid's households; a broken boundary is refused naming the field
  const [g] = await get('/grids?division=' + village.code);
  await rows(page, 'grid-table').first().locator('[data-test=grid-edit]').click();
  await page.waitForSelector('[data-test=grid-form]', { state: 'visible' });
  await fill(page, 'grid-polygon', '{"type":"Polygon","coordinates":[[[120,30],[120.01,30],[120.01,30.01]]]}');
  await page.click('[data-test=grid-save]');
  await page.waitForSelector('[data-test=grid-error]:has-text("polygon")');
  await fill(page, 'grid-polygon', JSON.stringify((await get(`/grids?division=${village.code}&polygon=1`))[0].polygon));
  await fill(page, 'grid-households', String(g.households + 7));
  await page.click('[data-test=grid-save]');
  await page.waitForSelector('[data-test=grid-form]', { state: 'hidden' });
  assert.equal((await get('/grids?division=' + village.code)).find((x) => x.code === g.code).households, g.households + 7);

  // 事项分类: a new grid matter at the top level, with keywords typed with Chinese commas
  await page.click('[data-test=nav-categories]');
  await page.locator('[data-test=cat-kind] .el-radio-button', { hasText: '网格事项' }).click();
  await page.click('[data-test=cat-new]');
  await page.waitForSelector('[data-test=cat-form]', { state: 'visible' });
  const code = await page.locator(box('cat-code')).first().inputValue();
  assert.match(code, /^G\d\d$/);
  await fill(page, 'cat-name', '共享单车乱停放');
  await fill(page, 'cat-keywords', '共享单车，乱停放、占道');
  await shot(page, 'workbench-admin-category-edit');
  await page.click('[data-test=cat-save]');
  await page.waitForSelector('[data-test=cat-form]', { state: 'hidden' });
  const added = (await get('/categories')).find((c) => c.code === code);
  assert.deepEqual(added, { code, name: '共享单车乱停放', parent: null, kind: 'grid_matter', keywords: '共享单车,乱停放,占道', active: true });
  await page.waitForSelector('[data-test=cat-table] tr.el-table__row:has-text("共享单车乱停放")');
  assert.deepEqual(page.errors, []);
});

