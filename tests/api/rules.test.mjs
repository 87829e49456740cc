// The rules around every action: status (409), role (403), scope (404), case codes (400).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertError, badCheck, makeCode, ok, setup } from './helpers.mjs';

const OPEN = ['pending_assess', 'pending_dispatch', 'pending_accept', 'handling', 'pending_verify'];
const STATUSES = [...OPEN, 'closed', 'archived'];
// core/workflow.c: the statuses each action may start from
const FROM = {
  assess: ['pending_assess'],
  resolve_on_spot: ['pending_assess'],
  dispatch: ['pending_assess', 'pending_dispatch'],
  accept: ['pending_accept', 'handling'],
  return: ['pending_accept'],
  escalate: ['pending_assess', 'pending_dispatch', 'handling'],
  urge: ['pending_accept', 'handling', 'pending_verify'],
  supervise: OPEN,
  note: STATUSES.filter((s) => s !== 'archived'),
  mediation: ['handling'],
  resolve: ['handling'],
  verify: ['pending_verify'],
  reject: ['pending_verify'],
  rate: ['closed'],
  follow_up: ['closed'],
  reopen: ['closed'],
  archive: ['closed'],
};

describe('rules', () => {
  let ctx;
  let clerk, dispatcher, handler, assistHandler, mediator, grid, supervisor, leader;
  let scopedB, scopedDept;
  let bodies;

  before(async () => {
    ctx = await setup();
    bodies = {
      assess: { category: ctx.category, grade: 'ordinary', level: 'county' },
      resolve_on_spot: { result: '当场解决', method: ctx.method },
      dispatch: { lead: { department_id: ctx.departments[0].id }, category: ctx.category, grade: 'ordinary', level: 'county' },
      accept: {},
      return: { reason: '退回重派' },
      escalate: { reason: '需要上报' },
      urge: { message: '请加快办理' },
      supervise: { reason: '督办原因' },
      note: { text: '备注' },
      mediation: { content: '调解内容记录' },
      resolve: { result: '已解决', method: ctx.method, success: true },
      verify: {},
      reject: { reason: '不符合要求' },
      rate: { score: 80 },
      follow_up: { method: 'visit', content: '上门回访' },
      reopen: { reason: '重新办理' },
      archive: {},
    };
    clerk = await ctx.user('r-clerk', ['clerk'], { division: ctx.county });
    dispatcher = await ctx.user('r-dispatcher', ['dispatcher'], { division: ctx.county });
    handler = await ctx.user('r-handler', ['handler'], { department_id: ctx.departments[0].id });
    assistHandler = await ctx.user('r-assist', ['handler'], { department_id: ctx.departments[1].id });
    mediator = await ctx.user('r-mediator', ['mediator'], { division: ctx.county });
    grid = await ctx.user('r-grid', ['grid_worker'], { division: ctx.townshipA });
    supervisor = await ctx.user('r-supervisor', ['supervisor'], { division: ctx.county });
    leader = await ctx.user('r-leader', ['leader']);
    scopedB = await ctx.user('r-town-b', ['dispatcher', 'clerk'], { division: ctx.townshipB });
    scopedDept = await ctx.user('r-dept3', ['handler'], { department_id: ctx.departments[3].id });
  });
  after(async () => {
    if (ctx) await ctx.teardown();
  });

  describe('every action in a wrong status answers 409 illegal_transition and changes nothing', () => {
    for (const status of STATUSES) {
      it(`from ${status}`, async () => {
        const c = await ctx.caseIn(status);
        const illegal = Object.keys(FROM).filter((a) => !FROM[a].includes(status));
        assert.ok(illegal.length > 0);
        for (const action of illegal) {
          const res = await ctx.action(ctx.admin, c.code, action, bodies[action]);
          assertError(res, 409, 'illegal_transition', 'action');
        }
        const after = await ctx.getCase(ctx.admin, c.code);
        assert.equal(after.status, status);
        assert.equal(after.event_count, c.event_count, 'no event was written');
        // the actions offered to an admin are exactly the legal ones (+ attach where open to notes)
        const legal = Object.keys(FROM).filter((a) => FROM[a].includes(status));
        if (status !== 'archived') legal.push('attach');
        assert.deepEqual([...after.allowed_actions].sort(), legal.sort());
      });
    }
  });

  describe('a role that may not take an action gets 403 forbidden_role', () => {
    it('clerk, grid worker, mediator and leader on a new case', async () => {
      const c = await ctx.intake(clerk);
      for (const [who, action] of [[clerk, 'assess'], [clerk, 'dispatch'], [clerk, 'supervise'], [clerk, 'urge'],
        [grid, 'assess'], [mediator, 'dispatch'], [leader, 'dispatch'], [leader, 'assess'], [supervisor, 'dispatch']]) {
        assertError(await ctx.action(who, c.code, action, bodies[action]), 403, 'forbidden_role', 'action');
      }
      // a role that may never verify is told so even though the status is wrong too
      assertError(await ctx.action(clerk, c.code, 'verify', {}), 403, 'forbidden_role');
      assertError(await ctx.action(mediator, c.code, 'archive', {}), 403, 'forbidden_role');
      const after = await ctx.getCase(ctx.admin, c.code);
      assert.equal(after.event_count, 1);
    });

    it('department handlers and mediators in handling', async () => {
      const c = await ctx.caseIn('handling');
      for (const [who, action] of [[handler, 'assess'], [handler, 'dispatch'], [handler, 'supervise'], [handler, 'urge'],
        [mediator, 'resolve'], [mediator, 'accept'], [supervisor, 'accept'], [supervisor, 'resolve'], [clerk, 'mediation']]) {
        assertError(await ctx.action(who, c.code, action, bodies[action]), 403, 'forbidden_role', 'action');
      }
      await ctx.act(ctx.admin, c.code, 'resolve', bodies.resolve);
      for (const [who, action] of [[handler, 'verify'], [handler, 'reject'], [mediator, 'verify'], [leader, 'verify']]) {
        assertError(await ctx.action(who, c.code, action, bodies[action]), 403, 'forbidden_role', 'action');
      }
      await ctx.act(supervisor, c.code, 'verify', {});
      for (const [who, action] of [[handler, 'archive'], [handler, 'reopen'], [handler, 'rate'], [handler, 'follow_up'],
        [clerk, 'reopen'], [clerk, 'rate'], [mediator, 'follow_up'], [grid, 'archive']]) {
        assertError(await ctx.action(who, c.code, action, bodies[action]), 403, 'forbidden_role', 'action');
      }
    });

    it('handlers, mediators and supervisors may not register cases', async () => {
      const before = await ctx.caseCount();
      for (const who of [handler, mediator, supervisor, leader]) {
        assertError(await ctx.post('/api/v1/cases', who, ctx.intakeBody()), 403, 'forbidden_role');
      }
      assert.equal(await ctx.caseCount(), before);
      // grid workers and dispatchers may
      ok(await ctx.post('/api/v1/cases', grid, ctx.intakeBody({ channel: 'grid', kind: 'incident' })), 201);
      ok(await ctx.post('/api/v1/cases', dispatcher, ctx.intakeBody({ channel: 'hotline_12345' })), 201);
    });

    it('a handler escalates only while handling', async () => {
      const c = await ctx.caseIn('pending_accept');
      // in scope (dispatched to its department) but not handling: escalate is not for it
      assertError(await ctx.action(handler, c.code, 'escalate', bodies.escalate), 409, 'illegal_transition');
      await ctx.act(handler, c.code, 'return', bodies.return);
      assertError(await ctx.action(handler, c.code, 'escalate', bodies.escalate), 403, 'forbidden_role');
    });

    it('a department that returned its assignment cannot escalate the case', async () => {
      const c = await ctx.intake(clerk);
      await ctx.act(dispatcher, c.code, 'dispatch', ctx.dispatchBody({ lead: 0, assist: [1], withAssessment: true }));
      await ctx.act(assistHandler, c.code, 'return', { reason: '本部门无需协办' });
      await ctx.act(handler, c.code, 'accept');
      const res = await ctx.action(assistHandler, c.code, 'escalate', { reason: '协办部门越权上报' });
      assertError(res, 409, 'no_assignment', 'department_id');
      const after = await ctx.getCase(ctx.admin, c.code);
      assert.equal(after.status, 'handling');
      assert.equal(after.lead_department, ctx.departments[0].id);
    });

    it('only the accepted lead department resolves; an assisting one cannot', async () => {
      let c = await ctx.intake(clerk);
      await ctx.act(dispatcher, c.code, 'dispatch', ctx.dispatchBody({ lead: 0, assist: [1], withAssessment: true }));
      await ctx.act(assistHandler, c.code, 'accept');
      c = await ctx.act(handler, c.code, 'accept');
      assertError(await ctx.action(assistHandler, c.code, 'resolve', bodies.resolve), 409, 'not_lead', 'department_id');
      assertError(await ctx.action(assistHandler, c.code, 'accept'), 409, 'no_assignment', 'department_id');
      assertError(await ctx.action(assistHandler, c.code, 'return', bodies.return), 409, 'illegal_transition');
      const d = await ctx.act(handler, c.code, 'resolve', bodies.resolve);
      assert.equal(d.status, 'pending_verify');
    });

    it('a dispatch from pending_assess needs the assessment (409 not_assessed)', async () => {
      const c = await ctx.intake(clerk);
      assertError(await ctx.action(dispatcher, c.code, 'dispatch', { lead: { department_id: ctx.departments[0].id } }),
        409, 'not_assessed', 'category');
      const after = await ctx.getCase(dispatcher, c.code);
      assert.equal(after.status, 'pending_assess');
      assert.equal(after.event_count, 1);
    });

    it('staff endpoints need a session (401); admin endpoints need the admin role (403)', async () => {
      const c = await ctx.intake(clerk);
      assertError(await ctx.api('GET', `/api/v1/cases/${c.code}`), 401, 'unauthenticated');
      assertError(await ctx.api('POST', `/api/v1/cases/${c.code}/actions/assess`, { body: bodies.assess }), 401, 'unauthenticated');
      assertError(await ctx.api('GET', '/api/v1/cases'), 401, 'unauthenticated');
      assertError(await ctx.get('/api/v1/users', dispatcher), 403, 'forbidden_role');
    });
  });

  describe('scope: what lies outside a user\'s division or department does not exist for it', () => {
    let caseA;
    before(async () => {
      caseA = await ctx.intake(clerk, {
        division: ctx.villageA,
        parties: [{ name: '王五', phone: '13700000000' }],
      });
    });

    it('a township user gets 404 for a case in another township', async () => {
      const code = caseA.code;
      assertError(await ctx.get(`/api/v1/cases/${code}`, scopedB), 404, 'not_found', 'code');
      assertError(await ctx.get(`/api/v1/cases/${code}/timeline`, scopedB), 404, 'not_found', 'code');
      for (const action of ['assess', 'note', 'escalate', 'dispatch', 'resolve_on_spot']) {
        assertError(await ctx.action(scopedB, code, action, bodies[action]), 404, 'not_found', 'code');
      }
      const full = await ctx.getCase(ctx.admin, code);
      assertError(await ctx.post(`/api/v1/cases/${code}/parties/${full.parties[0].id}/reveal`, scopedB), 404, 'not_found');
      const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
      const att = await ctx.api('POST', `/api/v1/cases/${code}/attachments?name=a.png`,
        { auth: scopedB, body: png, headers: { 'Content-Type': 'image/png' } });
      assertError(att, 404, 'not_found');
      assertError(await ctx.get(`/api/v1/cases/${code}/attachments/1`, scopedB), 404, 'not_found');
      const after = await ctx.getCase(ctx.admin, code);
      assert.equal(after.event_count, 1, 'nothing was written');
      // the same answer as for a case that does not exist
      const ghost = makeCode(ctx.countyCode, '20200101', 999999);
      assertError(await ctx.get(`/api/v1/cases/${ghost}`, scopedB), 404, 'not_found', 'code');
    });

    it('a refused attachment leaves no file behind (out of scope, unknown case, archived case)', async () => {
      // a PNG no other test stores
      const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from(`refused ${Date.now()}`)]);
      const sha = createHash('sha256').update(png).digest('hex');
      const stored = () => existsSync(join(ctx.data, 'files', sha.slice(0, 2), sha));
      const attach = (code, auth) => ctx.api('POST', `/api/v1/cases/${code}/attachments?name=x.png`,
        { auth, body: png, headers: { 'Content-Type': 'image/png' } });
      assertError(await attach(caseA.code, scopedB), 404, 'not_found');
      assertError(await attach(makeCode(ctx.countyCode, '20200101', 999998), ctx.admin), 404, 'not_found');
      const archived = await ctx.caseIn('archived');
      assertError(await attach(archived.code, ctx.admin), 409, 'illegal_transition');
      assert.ok(!stored(), 'a refused attachment left its file under data/files');
    });

    it('the list never shows out-of-scope cases', async () => {
      const prefix = ctx.townshipB.slice(0, 9);
      let cursor = null;
      let seen = 0;
      for (let page = 0; page < 20; page++) {
        const q = `/api/v1/cases?limit=100${cursor ? `&cursor=${cursor}` : ''}`;
        const j = ok(await ctx.get(q, scopedB));
        for (const item of j.items) {
          assert.ok(item.division.startsWith(prefix), `out of scope: ${item.code} in ${item.division}`);
          assert.notEqual(item.code, caseA.code);
        }
        seen += j.items.length;
        cursor = j.next_cursor;
        if (!cursor) break;
      }
      const total = ok(await ctx.get('/api/v1/cases?count=1&limit=1', scopedB)).total;
      assert.equal(total, seen);
      assert.ok(total < (await ctx.caseCount()), 'the township sees fewer cases than the admin');
      // asking for the other township explicitly yields nothing
      const other = ok(await ctx.get(`/api/v1/cases?division=${ctx.townshipA}&count=1`, scopedB));
      assert.deepEqual(other.items, []);
      assert.equal(other.total, 0);
    });

    it('a township user registers only within its township', async () => {
      const before = await ctx.caseCount();
      assertError(await ctx.post('/api/v1/cases', scopedB, ctx.intakeBody({ division: ctx.villageA })), 400, 'out_of_scope', 'division');
      assert.equal(await ctx.caseCount(), before);
      const c = await ctx.intake(scopedB, { division: ctx.villageB });
      assert.equal(c.centre, ctx.townshipB);
      assert.equal(c.level, 'township');
      ok(await ctx.get(`/api/v1/cases/${c.code}`, scopedB));
    });

    it('a department handler sees only cases dispatched to its department', async () => {
      const dep = ctx.departments[3].id;
      assertError(await ctx.get(`/api/v1/cases/${caseA.code}`, scopedDept), 404, 'not_found');
      const c = await ctx.intake(clerk);
      assertError(await ctx.get(`/api/v1/cases/${c.code}`, scopedDept), 404, 'not_found');
      assertError(await ctx.action(scopedDept, c.code, 'accept'), 404, 'not_found');
      await ctx.act(dispatcher, c.code, 'dispatch', { lead: { department_id: ctx.departments[0].id },
        assist: [{ department_id: dep }], category: ctx.category, grade: 'ordinary', level: 'county' });
      const seen = ok(await ctx.get(`/api/v1/cases/${c.code}`, scopedDept));
      assert.equal(seen.code, c.code);
      const list = ok(await ctx.get('/api/v1/cases?limit=500&count=1', scopedDept));
      assert.ok(list.items.some((x) => x.code === c.code), 'the assisted case is listed');
      assert.ok(!list.items.some((x) => x.code === caseA.code));
      for (const item of list.items.slice(0, 10)) ok(await ctx.get(`/api/v1/cases/${item.code}`, scopedDept));
      const d = await ctx.act(scopedDept, c.code, 'accept');
      assert.equal(d.status, 'pending_accept');
    });
  });

  describe('case codes', () => {
    let code;
    before(async () => {
      code = (await ctx.intake(clerk)).code;
    });

    it('a code with a wrong check character is 400 invalid_code everywhere', async () => {
      const bad = badCheck(code);
      assertError(await ctx.get(`/api/v1/cases/${bad}`, dispatcher), 400, 'invalid_code', 'code');
      assertError(await ctx.get(`/api/v1/cases/${bad}/timeline`, dispatcher), 400, 'invalid_code', 'code');
      assertError(await ctx.action(dispatcher, bad, 'assess', bodies.assess), 400, 'invalid_code', 'code');
      assertError(await ctx.post(`/api/v1/cases/${bad}/parties/1/reveal`, dispatcher), 400, 'invalid_code', 'code');
      assertError(await ctx.api('GET', `/api/v1/public/cases/${bad}?phone4=0000`), 400, 'invalid_code', 'code');
    });

    it('malformed codes are 400, well-formed unknown ones 404', async () => {
      for (const c of ['123', code.slice(0, 20), `${code}0`, 'ABCDEFGHIJKLMNOPQRSTU', makeCode('000000', '20260101', 1),
        makeCode(ctx.countyCode, '20260230', 1), makeCode(ctx.countyCode, '20261301', 1), `${code.slice(0, 20)}Y`]) {
        assertError(await ctx.get(`/api/v1/cases/${encodeURIComponent(c)}`, dispatcher), 400, 'invalid_code', 'code');
      }
      assertError(await ctx.get(`/api/v1/cases/${makeCode(ctx.countyCode, '20200101', 999999)}`, dispatcher), 404, 'not_found', 'code');
      assertError(await ctx.action(dispatcher, makeCode(ctx.countyCode, '20200101', 999999), 'assess', bodies.assess), 404, 'not_found', 'code');
    });

    it('a lower-case x check character finds the case', async () => {
      const all = ok(await ctx.get('/api/v1/cases?limit=500', ctx.admin)).items;
      const x = all.find((i) => i.code.endsWith('X'));
      if (!x) return; // no such code among the demo cases (1 in 11 has one)
      const c = ok(await ctx.get(`/api/v1/cases/${x.code.slice(0, 20)}x`, ctx.admin));
      assert.equal(c.code, x.code);
    });

    it('unknown actions are refused', async () => {
      assertError(await ctx.action(dispatcher, code, 'fly', {}), 404, 'unknown_action', 'action');
      for (const system of ['intake', 'overdue', 'warn', 'attach']) {
        assertError(await ctx.action(ctx.admin, code, system, {}), 400, 'unknown_action', 'action');
      }
      const after = await ctx.getCase(ctx.admin, code);
      assert.equal(after.event_count, 1);
    });
  });
});
