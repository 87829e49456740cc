// Administration of reference data and accounts: departments (create, edit, deactivate rather
// than delete once cases name them), users (roles, scope, disable, unlock; the session cache
// must not keep a disabled user working), divisions and grids (seen by every reader connection
// at once), categories, and the place search of the intake form.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { assertError, ok, setup } from './helpers.mjs';

const sql = (db, q) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();

describe('reference administration', () => {
  let ctx;
  let dispatcher;

  before(async () => {
    ctx = await setup();
    dispatcher = await ctx.user('ar-dispatcher', ['dispatcher', 'clerk'], { division: ctx.county });
  });
  after(async () => {
    if (ctx) await ctx.teardown();
  });
  const del = (path, auth) => ctx.api('DELETE', path, { auth });
  const audit = (action) => sql(ctx.db, `SELECT target || ' ' || detail FROM audit WHERE action = '${action}' ORDER BY id`)
    .split('\n').filter(Boolean);

  describe('departments', () => {
    const good = () => ({ name: '测试司法所', kind: 'justice', division: ctx.townshipA, presence: 'rotating' });

    it('POST creates a department at a centre; its level is the division\'s', async () => {
      const d = ok(await ctx.post('/api/v1/departments', ctx.admin, good()), 201);
      assert.equal(d.name, '测试司法所');
      assert.equal(d.kind, 'justice');
      assert.equal(d.division, ctx.townshipA);
      assert.equal(d.level, 'township');
      assert.equal(d.presence, 'rotating');
      assert.equal(d.active, true);
      const list = ok(await ctx.get(`/api/v1/departments?division=${ctx.townshipA}`, dispatcher)).items;
      assert.deepEqual(list.find((x) => x.id === d.id), d);
      assert.deepEqual(audit('department_add').slice(-1), [`department/${d.id} 测试司法所`]);
      const off = ok(await ctx.post('/api/v1/departments', ctx.admin, { ...good(), name: '停用的所', active: false }), 201);
      assert.equal(off.active, false);
    });

    it('rejects bad input field by field, non-admins (403), and writes nothing', async () => {
      const n = sql(ctx.db, 'SELECT count(*) FROM departments');
      const add = (body) => ctx.post('/api/v1/departments', ctx.admin, body);
      for (const [body, code, field] of [
        [{ ...good(), name: undefined }, 'required', 'name'],
        [{ ...good(), name: 5 }, 'invalid_type', 'name'],
        [{ ...good(), name: 'x'.repeat(200) }, undefined, 'name'],
        [{ ...good(), kind: undefined }, 'required', 'kind'],
        [{ ...good(), kind: 'Bad Kind' }, 'invalid_value', 'kind'],
        [{ ...good(), division: undefined }, 'required', 'division'],
        [{ ...good(), division: '12345' }, undefined, 'division'],
        [{ ...good(), division: '110000000000'.replace('11', '99') }, 'unknown_division', 'division'],
        [{ ...good(), presence: 'sometimes' }, 'invalid_value', 'presence'],
        [{ ...good(), level: 'county' }, 'invalid_value', 'level'],
        [{ ...good(), level: 'galaxy' }, 'invalid_value', 'level'],
        [{ ...good(), active: 'yes' }, 'invalid_type', 'active'],
        [{ ...good(), boss: 'me' }, 'unknown_field', 'boss'],
      ]) assertError(await add(body), 400, code, field);
      assertError(await ctx.post('/api/v1/departments', dispatcher, good()), 403);
      const id = ctx.departments[0].id;
      assertError(await ctx.put(`/api/v1/departments/${id}`, dispatcher, { name: 'x' }), 403);
      assertError(await del(`/api/v1/departments/${id}`, dispatcher), 403);
      assert.equal(sql(ctx.db, 'SELECT count(*) FROM departments'), n);
    });

    it('PUT edits the fields given and keeps the others; 404 for unknown ids', async () => {
      const d = ok(await ctx.post('/api/v1/departments', ctx.admin, { ...good(), name: '待改名' }), 201);
      const e = ok(await ctx.put(`/api/v1/departments/${d.id}`, ctx.admin, { name: '已改名', presence: 'on_call' }));
      assert.deepEqual(e, { ...d, name: '已改名', presence: 'on_call' });
      const moved = ok(await ctx.put(`/api/v1/departments/${d.id}`, ctx.admin, { division: ctx.county, kind: 'police' }));
      assert.equal(moved.level, 'county');
      assert.equal(moved.kind, 'police');
      assert.equal(moved.name, '已改名');
      assertError(await ctx.put(`/api/v1/departments/${d.id}`, ctx.admin, { level: 'village' }), 400, 'invalid_value', 'level');
      assertError(await ctx.put(`/api/v1/departments/${d.id}`, ctx.admin, { name: '' }), 400, undefined, 'name');
      assertError(await ctx.put('/api/v1/departments/99999999', ctx.admin, { name: 'x' }), 404, 'not_found');
      assertError(await ctx.put('/api/v1/departments/abc', ctx.admin, { name: 'x' }), 404, 'not_found');
      const after1 = ok(await ctx.get(`/api/v1/departments?division=${ctx.county}`, ctx.admin)).items.find((x) => x.id === d.id);
      assert.equal(after1.name, '已改名');
      assert.deepEqual(audit('department_put').slice(-2), [`department/${d.id} 已改名`, `department/${d.id} 已改名`]);
    });

    it('DELETE removes an unused department but only deactivates one that cases name', async () => {
      const d = ok(await ctx.post('/api/v1/departments', ctx.admin, { ...good(), name: '临时部门' }), 201);
      assert.deepEqual(ok(await del(`/api/v1/departments/${d.id}`, ctx.admin)), { id: d.id, deleted: true, active: false });
      assertError(await ctx.put(`/api/v1/departments/${d.id}`, ctx.admin, { name: 'x' }), 404);
      assertError(await del(`/api/v1/departments/${d.id}`, ctx.admin), 404);

      // a department that cases were dispatched to
      const used = sql(ctx.db, 'SELECT department_id FROM assignments GROUP BY department_id ORDER BY count(*) DESC LIMIT 1');
      const id = Number(used);
      assert.deepEqual(ok(await del(`/api/v1/departments/${id}`, ctx.admin)), { id, deleted: false, active: false });
      assert.equal(sql(ctx.db, `SELECT active FROM departments WHERE id = ${id}`), '0');
      assert.ok(Number(sql(ctx.db, `SELECT count(*) FROM assignments WHERE department_id = ${id}`)) > 0);
      assert.deepEqual(audit('department_remove').slice(-2), [`department/${d.id} deleted`, `department/${id} deactivated`]);

      // an inactive department takes no new cases
      const c = await ctx.caseIn('pending_dispatch');
      assertError(await ctx.action(ctx.admin, c.code, 'dispatch', { lead: { department_id: id } }),
        400, 'inactive_department', 'lead.department_id');
      const back = ok(await ctx.put(`/api/v1/departments/${id}`, ctx.admin, { active: true }));
      assert.equal(back.active, true);
    });
  });

  describe('users and roles', () => {
    const putUser = (name, body, auth = ctx.admin) => ctx.put(`/api/v1/users/${name}`, auth, body);

    it('PUT changes roles, scope and name; the user\'s very next request sees them', async () => {
      const s = await ctx.user('ar-clerk', ['clerk'], { division: ctx.townshipA, display_name: '受理员甲' });
      assert.deepEqual(ok(await ctx.get('/api/v1/auth/me', s)).roles, ['clerk']); // cached now
      const dep = ctx.departments[1].id;
      const u = ok(await putUser('ar-clerk', { roles: ['clerk', 'handler'], department_id: dep, division: ctx.townshipB, display_name: '受理员乙' }));
      assert.deepEqual(u.roles, ['clerk', 'handler']);
      assert.equal(u.department_id, dep);
      assert.equal(u.division, ctx.townshipB);
      assert.equal(u.display_name, '受理员乙');
      assert.equal(u.disabled, false);
      const me = ok(await ctx.get('/api/v1/auth/me', s));
      assert.deepEqual([me.roles, me.division, me.department_id, me.display_name], [['clerk', 'handler'], ctx.townshipB, dep, '受理员乙']);
      // absent fields keep their value, null clears the scope
      const v = ok(await putUser('ar-clerk', { roles: ['clerk'], division: null, department_id: null }));
      assert.deepEqual([v.roles, v.division, v.department_id, v.display_name], [['clerk'], null, null, '受理员乙']);
      const listed = ok(await ctx.get('/api/v1/users', ctx.admin)).items.find((x) => x.username === 'ar-clerk');
      assert.deepEqual(listed, v);
      assert.deepEqual(audit('user_put').slice(-2), ['ar-clerk display_name,roles,division,department_id', 'ar-clerk roles,division,department_id']);
    });

    it('a disabled user is refused at once, cached session or not, and works again when enabled', async () => {
      const s = await ctx.user('ar-off', ['clerk'], { division: ctx.county });
      ok(await ctx.get('/api/v1/auth/me', s)); // the session is in the cache now
      assert.equal(ok(await putUser('ar-off', { disabled: true })).disabled, true);
      assertError(await ctx.get('/api/v1/auth/me', s), 401, 'unauthenticated');
      assertError(await ctx.get('/api/v1/cases?limit=1', s), 401);
      const login = await ctx.loginRaw('ar-off', 'Test-Passw0rd!2026');
      assert.ok(login.status >= 400 && login.status < 500, `disabled login: ${login.status}`);
      assert.equal(ok(await putUser('ar-off', { disabled: false })).disabled, false);
      ok(await ctx.get('/api/v1/auth/me', await ctx.login('ar-off')));
    });

    it('unlocks an account locked by failed logins', async () => {
      await ctx.user('ar-locky', ['clerk'], { division: ctx.county });
      const from = '127.0.0.77';
      for (let i = 0; i < 5; i++) await ctx.loginRaw('ar-locky', `wrong-password-${i}`, { from });
      assertError(await ctx.loginRaw('ar-locky', 'Test-Passw0rd!2026'), 423, 'locked', 'username');
      const u = ok(await putUser('ar-locky', { unlock: true }));
      assert.equal(u.locked_until, null);
      assert.equal(u.failed_logins, 0);
      ok(await ctx.loginRaw('ar-locky', 'Test-Passw0rd!2026'));
    });

    it('an admin cannot disable or de-admin themself; bad input is refused field by field', async () => {
      const me = ctx.admin.username;
      assertError(await putUser(me, { disabled: true }), 400, 'self_lockout', 'disabled');
      assertError(await putUser(me, { roles: ['leader'] }), 400, 'self_lockout', 'roles');
      ok(await putUser(me, { roles: ['admin', 'leader'] }));
      ok(await putUser(me, { roles: ['admin'] }));
      ok(await ctx.get('/api/v1/users', ctx.admin), 200);
      const before1 = ok(await ctx.get('/api/v1/users', ctx.admin)).items.find((x) => x.username === 'ar-dispatcher');
      for (const [body, code, field] of [
        [{ roles: ['emperor'] }, 'invalid_value', 'roles'],
        [{ roles: [] }, 'required', 'roles'],
        [{ roles: 'admin' }, 'invalid_type', 'roles'],
        [{ division: '123' }, undefined, 'division'],
        [{ division: '990000000000' }, 'unknown_division', 'division'],
        [{ department_id: 99999999 }, 'unknown_department', 'department_id'],
        [{ department_id: 'x' }, 'invalid_type', 'department_id'],
        [{ disabled: 'no' }, 'invalid_type', 'disabled'],
        [{ unlock: 1 }, 'invalid_type', 'unlock'],
        [{ display_name: '' }, undefined, 'display_name'],
        [{ roles: ['handler'] }, 'required', 'department_id'],
        [{ password: 'Another-Passw0rd' }, 'unknown_field', 'password'],
      ]) assertError(await putUser('ar-dispatcher', body), 400, code, field);
      assert.deepEqual(ok(await ctx.get('/api/v1/users', ctx.admin)).items.find((x) => x.username === 'ar-dispatcher'), before1);
      assertError(await putUser('nobody-here', { disabled: true }), 404, 'not_found', 'username');
      assertError(await putUser('ar-clerk', { disabled: true }, dispatcher), 403);
    });
  });

  describe('divisions and grids', () => {
    // a square ring around (lon, lat), closed
    const square = (lon, lat, d = 0.002) => ({ type: 'Polygon', coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]] });
    const everyReader = (path, auth) => Promise.all(Array.from({ length: 8 }, () => ctx.get(path, auth)));

    it('a renamed division is seen by every reader connection at once', async () => {
      const path = `/api/v1/divisions/${ctx.villageA}`;
      const old = ok(await ctx.get(path, dispatcher));
      for (const res of await everyReader(path, dispatcher)) assert.equal(ok(res).name, old.name); // copies loaded
      const d = ok(await ctx.put(path, ctx.admin, { name: '新名社区' }));
      assert.deepEqual(d, { ...old, name: '新名社区' });
      for (const res of await everyReader(path, dispatcher)) assert.equal(ok(res).name, '新名社区');
      assert.deepEqual(audit('division_put').slice(-1), [`${ctx.villageA} 新名社区`]);
      assertError(await ctx.put(path, ctx.admin, { name: '' }), 400, undefined, 'name');
      assertError(await ctx.put(path, ctx.admin, { name: 'x', level: 'city' }), 400, 'unknown_field', 'level');
      assertError(await ctx.put('/api/v1/divisions/990000000000', ctx.admin, { name: 'x' }), 404, 'not_found');
      assertError(await ctx.put(path, dispatcher, { name: 'x' }), 403);
    });

    it('adds a village under a township (code checked) and takes cases there at once', async () => {
      const kids = ok(await ctx.get(`/api/v1/divisions?parent=${ctx.townshipA}`, ctx.admin)).items.map((d) => d.code);
      let n = 1;
      while (kids.includes(ctx.townshipA.slice(0, 9) + String(n).padStart(3, '0'))) n++;
      const code = ctx.townshipA.slice(0, 9) + String(n).padStart(3, '0');
      // before: an intake there is refused (and every reader has loaded its copy)
      for (const res of await everyReader(`/api/v1/divisions/${code}`, ctx.admin)) assertError(res, 404);
      assertError(await ctx.post('/api/v1/cases', ctx.admin, ctx.intakeBody({ division: code })), 400, 'unknown_division', 'division');
      const add = (body) => ctx.post('/api/v1/divisions', ctx.admin, body);
      for (const [body, st, c, field] of [
        [{ code, name: '新村', parent: ctx.county }, 400, 'invalid_value', 'parent'],
        [{ code, name: '新村', parent: '990000000000' }, 400, 'unknown_division', 'parent'],
        [{ code: ctx.townshipB.slice(0, 9) + '001', name: '新村', parent: ctx.townshipA }, 400, 'invalid_value', 'code'],
        [{ code: ctx.townshipA, name: '新村', parent: ctx.townshipA }, 400, 'invalid_value', 'code'],
        [{ code: code.slice(0, 11), name: '新村', parent: ctx.townshipA }, 400, undefined, 'code'],
        [{ code: 331202001001, name: '新村', parent: ctx.townshipA }, 400, 'invalid_type', 'code'],
        [{ code, parent: ctx.townshipA }, 400, 'required', 'name'],
        [{ code, name: '新村', parent: ctx.townshipA, level: 'village' }, 400, 'unknown_field', 'level'],
        [{ code: ctx.villageA, name: '重复', parent: ctx.townshipA }, 409, 'conflict', 'code'],
      ]) assertError(await add(body), st, c, field);
      assertError(await ctx.post('/api/v1/divisions', dispatcher, { code, name: '新村', parent: ctx.townshipA }), 403);
      const v = ok(await add({ code, name: '新建社区', parent: ctx.townshipA }), 201);
      assert.deepEqual(v, { code, name: '新建社区', level: 'village', parent: ctx.townshipA });
      for (const res of await everyReader(`/api/v1/divisions/${code}`, dispatcher)) assert.equal(ok(res).name, '新建社区');
      const c = ok(await ctx.post('/api/v1/cases', ctx.admin, ctx.intakeBody({ division: code })), 201);
      assert.equal(c.division, code);
      assert.ok(ok(await ctx.get(`/api/v1/centres?division=${code}`, ctx.admin)).items.some((x) => x.name === '新建社区综治中心'));
      assert.deepEqual(audit('division_add').slice(-1), [`${code} 新建社区`]);
    });

    it('edits a grid (name, households, polygon) and adds one to a village, seen at once', async () => {
      const [g] = ok(await ctx.get(`/api/v1/grids?division=${ctx.villageA}&polygon=1`, ctx.admin)).items;
      const e = ok(await ctx.put(`/api/v1/grids/${g.code}`, ctx.admin, { name: '改名网格', households: 321, polygon: square(120.5, 30.1) }));
      assert.equal(e.name, '改名网格');
      assert.equal(e.households, 321);
      assert.equal(e.village, g.village);
      assert.deepEqual(e.polygon, square(120.5, 30.1));
      assert.ok(Math.abs(e.lat - 30.1) < 1e-9 && Math.abs(e.lon - 120.5) < 1e-9, 'centre of the new polygon');
      const kept = ok(await ctx.put(`/api/v1/grids/${g.code}`, ctx.admin, { households: 322 }));
      assert.deepEqual(kept, { ...e, households: 322 });

      const all = ok(await ctx.get(`/api/v1/grids?division=${ctx.villageA}`, ctx.admin)).items.map((x) => x.code);
      let n = 1;
      while (all.includes(ctx.villageA + String(n).padStart(3, '0'))) n++;
      const code = ctx.villageA + String(n).padStart(3, '0');
      const intake = () => ctx.post('/api/v1/cases', ctx.admin, ctx.intakeBody({ division: undefined, grid: code }));
      assertError(await intake(), 400, 'unknown_grid', 'grid');
      const body = { code, name: '新增网格', village: ctx.villageA, households: 50, polygon: square(120.6, 30.2) };
      const added = ok(await ctx.post('/api/v1/grids', ctx.admin, body), 201);
      assert.deepEqual([added.code, added.village, added.households, added.name], [code, ctx.villageA, 50, '新增网格']);
      const c = ok(await intake(), 201);
      assert.equal(c.grid, code);
      assert.equal(c.division, ctx.villageA);
      assertError(await ctx.post('/api/v1/grids', ctx.admin, body), 409, 'conflict', 'code');
      assert.deepEqual(audit('grid_add').slice(-1), [`${code} 新增网格`]);
      assert.deepEqual(audit('grid_put').slice(-2).map((x) => x.trim()), [`${g.code} 改名网格`, g.code]);
    });

    it('refuses bad grids and bad polygons, naming the field, writing nothing', async () => {
      const [g] = ok(await ctx.get(`/api/v1/grids?division=${ctx.villageA}&polygon=1`, ctx.admin)).items;
      const put = (body, auth = ctx.admin) => ctx.put(`/api/v1/grids/${g.code}`, auth, body);
      const ring = square(120.5, 30.1).coordinates[0];
      const many = Array.from({ length: 2001 }, (_, i) => [120 + Math.cos(i / 2001 * 2 * Math.PI) / 100, 30 + Math.sin(i / 2001 * 2 * Math.PI) / 100]);
      many.push(many[0]);
      const poly = (coordinates, type = 'Polygon') => ({ polygon: { type, coordinates } });
      for (const [body, code, field] of [
        [poly([ring.slice(0, 4)]), 'invalid_geometry', 'polygon'], // not closed
        [poly([[ring[0], ring[1], ring[0]]]), 'invalid_geometry', 'polygon'], // too few
        [poly([ring.map(([x, y], i) => (i === 2 ? [x + 200, y] : [x, y]))]), 'out_of_range', 'polygon'],
        [poly([ring.map(([x, y], i) => (i === 2 ? [x, 91] : [x, y]))]), 'out_of_range', 'polygon'],
        [poly([ring.map(([x, y], i) => (i === 2 ? [String(x), y] : [x, y]))]), 'invalid_geometry', 'polygon'],
        [poly([many]), 'too_long', 'polygon'],
        [poly([]), 'invalid_geometry', 'polygon'],
        [poly([[ring]], 'Point'), 'invalid_value', 'polygon'],
        [{ polygon: { ...square(120.5, 30.1), crs: 'x' } }, 'unknown_field', 'polygon'],
        [{ polygon: 'POLYGON((1 2))' }, 'invalid_type', 'polygon'],
        [{ households: -1 }, undefined, 'households'],
        [{ households: 'many' }, 'invalid_type', 'households'],
        [{ name: '' }, undefined, 'name'],
        [{ village: ctx.villageB }, 'unknown_field', 'village'],
      ]) assertError(await put(body), 400, code, field);
      assert.deepEqual(ok(await ctx.get(`/api/v1/grids?division=${ctx.villageA}&polygon=1`, ctx.admin)).items[0], g);
      assert.ok(ok(await put(poly([many.slice(0, 1999).concat([many[0]])]))).polygon, '2,000 points are fine');
      assertError(await ctx.put('/api/v1/grids/000000000000000', ctx.admin, { households: 1 }), 404, 'not_found');
      assertError(await put({ households: 1 }, dispatcher), 403);
      const add = (body) => ctx.post('/api/v1/grids', ctx.admin, body);
      const good = { code: ctx.villageA + '999', name: '网格', village: ctx.villageA, polygon: square(120.5, 30.1) };
      for (const [body, code, field] of [
        [{ ...good, code: ctx.villageB + '999' }, 'invalid_value', 'code'],
        [{ ...good, code: ctx.villageA + '000' }, 'invalid_value', 'code'],
        [{ ...good, code: ctx.villageA + 'abc' }, 'invalid_value', 'code'],
        [{ ...good, village: ctx.townshipA }, 'unknown_division', 'village'],
        [{ ...good, polygon: undefined }, 'required', 'polygon'],
        [{ ...good, name: undefined }, 'required', 'name'],
      ]) assertError(await add(body), 400, code, field);
    });
  });

  describe('categories', () => {
    const suggest = async (text) => ok(await ctx.post('/api/v1/suggest', ctx.admin, { text, k: 5 })).suggestions.map((x) => x.category);
    const cats = async () => ok(await ctx.get('/api/v1/categories', ctx.admin)).items;

    it('the GB/T 31000 tree takes routing keywords and an active switch, not new names', async () => {
      const cat = (await cats()).find((c) => c.kind === 'dispute' && c.parent);
      const text = '邻居家的鸸鹋翻墙啄坏了我的菜园';
      assert.notEqual((await suggest(text))[0], cat.code);
      const e = ok(await ctx.put(`/api/v1/categories/${cat.code}`, ctx.admin, { keywords: '鸸鹋,翻墙啄坏' }));
      assert.deepEqual(e, { ...cat, keywords: '鸸鹋,翻墙啄坏', active: true });
      assert.equal((await suggest(text))[0], cat.code, 'the routing model uses the new keywords at once');
      assert.deepEqual((await cats()).find((c) => c.code === cat.code), e);
      assert.equal(ok(await ctx.put(`/api/v1/categories/${cat.code}`, ctx.admin, { active: false })).active, false);
      assert.ok(!(await suggest(text)).includes(cat.code), 'an inactive category is not suggested');
      // nor taken by new cases (intake or assessment); cases that have it keep it
      assertError(await ctx.post('/api/v1/cases', ctx.admin, ctx.intakeBody({ category: cat.code })), 400, 'inactive_category', 'category');
      const c = await ctx.caseIn('pending_assess');
      assertError(await ctx.action(ctx.admin, c.code, 'assess', { category: cat.code, grade: 'ordinary', level: 'county' }),
        400, 'inactive_category', 'category');
      ok(await ctx.put(`/api/v1/categories/${cat.code}`, ctx.admin, { active: true, keywords: cat.keywords || '' }));
      assertError(await ctx.put(`/api/v1/categories/${cat.code}`, ctx.admin, { name: '改个名' }), 400, 'read_only', 'name');
      assert.equal((await cats()).find((c) => c.code === cat.code).name, cat.name);
      assert.deepEqual(audit('category_put').slice(-3).map((x) => x.split(' ')[0]), [cat.code, cat.code, cat.code]);
    });

    it('grid matters (网格事项) can be added, renamed and deactivated', async () => {
      const add = (body) => ctx.post('/api/v1/categories', ctx.admin, body);
      const top = ok(await add({ code: 'G91', name: '测试事项' }), 201);
      assert.deepEqual(top, { code: 'G91', name: '测试事项', parent: null, kind: 'grid_matter', active: true });
      const child = ok(await add({ code: 'G9101', name: '无人机扰民', keywords: '无人机,航拍扰民' }), 201);
      assert.deepEqual(child, { code: 'G9101', name: '无人机扰民', parent: 'G91', kind: 'grid_matter', keywords: '无人机,航拍扰民', active: true });
      assert.equal((await suggest('小区里有人天天放无人机航拍扰民'))[0], 'G9101');
      const renamed = ok(await ctx.put('/api/v1/categories/G9101', ctx.admin, { name: '无人机飞行扰民' }));
      assert.equal(renamed.name, '无人机飞行扰民');
      assert.equal(ok(await ctx.put('/api/v1/categories/G9101', ctx.admin, { active: false })).active, false);
      const listed = (await cats()).find((c) => c.code === 'G9101');
      assert.deepEqual(listed, { ...child, name: '无人机飞行扰民', active: false });
      assert.deepEqual(audit('category_add').slice(-2), ['G91 测试事项', 'G9101 无人机扰民']);
      for (const [body, st, code, field] of [
        [{ code: 'G01', name: '重复' }, 409, 'conflict', 'code'],
        [{ code: 'G9801', name: '没有上级' }, 400, 'unknown_category', 'code'],
        [{ code: 'X91', name: 'x' }, 400, 'invalid_value', 'code'],
        [{ code: 'G9', name: 'x' }, 400, undefined, 'code'],
        [{ code: 'G9a1', name: 'x' }, 400, 'invalid_value', 'code'],
        [{ code: '0201', name: 'x' }, 400, 'invalid_value', 'code'],
        [{ code: 'G92' }, 400, 'required', 'name'],
        [{ code: 'G92', name: 'x', kind: 'dispute' }, 400, 'unknown_field', 'kind'],
        [{ code: 'G92', name: 'x', keywords: ['a'] }, 400, 'invalid_type', 'keywords'],
      ]) assertError(await add(body), st, code, field);
      assertError(await ctx.put('/api/v1/categories/G9101', ctx.admin, { active: 'no' }), 400, 'invalid_type', 'active');
      assertError(await ctx.put('/api/v1/categories/G9101', ctx.admin, { code: 'G9102' }), 400, 'unknown_field', 'code');
      assertError(await ctx.put('/api/v1/categories/G777777', ctx.admin, { active: false }), 404, 'not_found');
      assertError(await ctx.post('/api/v1/categories', dispatcher, { code: 'G93', name: 'x' }), 403);
      assertError(await ctx.put('/api/v1/categories/G9101', dispatcher, { active: true }), 403);
      assert.equal((await cats()).filter((c) => c.code.startsWith('G9')).length, 2);
    });
  });

  describe('places (location by address)', () => {
    const places = (q, extra = '', auth = dispatcher) => ctx.get(`/api/v1/places?q=${encodeURIComponent(q)}${extra}`, auth);

    it('finds a grid from "<village><digit>网格", a village from part of its name, within a subtree', async () => {
      const village = ok(await ctx.get(`/api/v1/divisions/${ctx.villageB}`, ctx.admin));
      const grids = ok(await ctx.get(`/api/v1/grids?division=${ctx.villageB}`, ctx.admin)).items;
      const NUM = '一二三四五六七八九';
      const g = grids.find((x) => new RegExp(`第[${NUM}]网格$`).test(x.name));
      assert.ok(g, `a grid named 第N网格 in ${JSON.stringify(grids.map((x) => x.name))}`);
      const digit = NUM.indexOf(g.name.at(-3)) + 1;
      const typed = `${village.name}${digit}网格`; // e.g. 光明社区3网格
      const [first] = ok(await places(typed)).items;
      assert.deepEqual(first, { type: 'grid', code: g.code, name: g.name, level: 'grid', division: ctx.villageB, grid: g.code, lat: g.lat, lon: g.lon });
      assert.equal(ok(await places(g.name)).items[0].code, g.code, 'the full name');
      // part of the village's name: the village first, with the centre of its grids
      const part = [...village.name].slice(0, 2).join('');
      const items = ok(await places(part, '&limit=20')).items;
      const v = items.find((x) => x.code === ctx.villageB);
      assert.equal(items[0].type, 'division');
      assert.ok(v && v.type === 'division' && v.level === 'village' && v.grid === null);
      const mean = (k) => grids.reduce((a, x) => a + x[k], 0) / grids.length;
      assert.ok(Math.abs(v.lat - mean('lat')) < 1e-9 && Math.abs(v.lon - mean('lon')) < 1e-9);
      // limited to a subtree; wildcards typed by the user match only themselves
      assert.equal(ok(await places(typed, `&division=${ctx.townshipA}`)).items.length, 0);
      assert.equal(ok(await places(typed, `&division=${ctx.townshipB}`)).items[0].code, g.code);
      assert.deepEqual(ok(await places('%')).items, []);
      assert.deepEqual(ok(await places('_')).items, []);
      assert.ok(ok(await places(part, '&limit=1')).items.length === 1);
    });

    it('refuses bad queries', async () => {
      assertError(await ctx.get('/api/v1/places', dispatcher), 400, 'required', 'q');
      assertError(await places('x'.repeat(65)), 400, 'too_long', 'q');
      assertError(await places('光明', '&limit=0'), 400, 'out_of_range', 'limit');
      assertError(await places('光明', '&limit=abc'), 400, 'out_of_range', 'limit');
      assertError(await places('光明', '&division=12'), 400, 'invalid_value', 'division');
      assertError(await ctx.get('/api/v1/places?q=x'), 401);
    });
  });
});
