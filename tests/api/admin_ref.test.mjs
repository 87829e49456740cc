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
});
