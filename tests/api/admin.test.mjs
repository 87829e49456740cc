// Administration: users, the holiday calendar and its effect on deadlines, the SLA policy,
// reference data, /metrics and /healthz.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { ADMIN_USER, TEST_PASSWORD, assertError, ok, setup } from './helpers.mjs';

const DAY_MS = 86400000;
const dayOf = (date) => Date.parse(`${date}T00:00:00Z`) / DAY_MS; // day number of "YYYY-MM-DD"
const dateOf = (day) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const weekday = (day) => ((((day + 3) % 7) + 7) % 7) + 1; // 1 Monday .. 7 Sunday

/** Working-day arithmetic as the deadline rules define it (core/calendar.c), over the calendar's
 * exceptions (day → 'off' | 'work'): the deadline keeps the time of day of the start, or starts
 * at midnight of the next working day when registered on a rest day. */
function working(exc, day) {
  return exc.has(day) ? exc.get(day) === 'work' : weekday(day) <= 5;
}
function nextWorking(exc, day) {
  do day++; while (!working(exc, day));
  return day;
}
function addWorkingDays(exc, startTime, n) {
  // startTime: "YYYY-MM-DDTHH:MM:SS+08:00" (China time, as the API writes it)
  let day = dayOf(startTime.slice(0, 10));
  let tod = startTime.slice(11, 19);
  if (!working(exc, day)) {
    day = nextWorking(exc, day);
    tod = '00:00:00';
  }
  for (let i = 0; i < n; i++) day = nextWorking(exc, day);
  return `${dateOf(day)}T${tod}+08:00`;
}

describe('administration', () => {
  let ctx;
  let dispatcher;

  before(async () => {
    ctx = await setup();
    dispatcher = await ctx.user('ad-dispatcher', ['dispatcher', 'clerk'], { division: ctx.county });
  });
  after(async () => {
    if (ctx) await ctx.teardown();
  });

  describe('users', () => {
    it('lists users without password material', async () => {
      const res = await ctx.get('/api/v1/users', ctx.admin);
      const items = ok(res).items;
      assert.ok(items.length >= 3);
      for (const u of items) {
        assert.deepEqual(Object.keys(u).sort(), ['created_at', 'department_id', 'disabled', 'display_name', 'division',
          'failed_logins', 'id', 'locked_until', 'roles', 'username']);
      }
      assert.ok(!/argon2|pw_hash|password/i.test(res.text), 'no password material in the users list');
      const me = items.find((u) => u.username === ADMIN_USER);
      assert.deepEqual(me.roles, ['admin']);
      const d = items.find((u) => u.username === 'ad-dispatcher');
      assert.deepEqual(d.roles, ['clerk', 'dispatcher']);
      assert.equal(d.division, ctx.county);
    });

    it('creates users (201) and validates them', async () => {
      const add = (body) => ctx.post('/api/v1/users', ctx.admin, body);
      const good = { username: 'ad-new', password: TEST_PASSWORD, roles: ['mediator'], display_name: '新调解员', division: ctx.townshipA };
      const res = await add(good);
      const u = ok(res, 201);
      assert.equal(u.username, 'ad-new');
      assert.deepEqual(u.roles, ['mediator']);
      assert.equal(u.division, ctx.townshipA);
      assert.equal(u.department_id, null);
      assert.ok(!/argon2|password/i.test(res.text));
      const s = await ctx.login('ad-new');
      assert.equal(s.user.display_name, '新调解员');
      assertError(await add(good), 409, 'username_taken', 'username');
      const dep = ctx.departments[0].id;
      for (const [body, code, field] of [
        [{ ...good, username: 'ad-h', roles: ['handler'], division: undefined }, 'required', 'department_id'],
        [{ ...good, username: 'ad-x', roles: ['emperor'] }, 'invalid_value', 'roles'],
        [{ ...good, username: 'ad-x', roles: [] }, 'required', 'roles'],
        [{ ...good, username: 'ad-x', roles: 'clerk' }, 'invalid_type', 'roles'],
        [{ ...good, username: 'ad-x', roles: [5] }, 'invalid_value', 'roles'],
        [{ ...good, username: 'Bad Name' }, 'invalid_value', 'username'],
        [{ ...good, username: 'x' }, 'too_short', 'username'],
        [{ ...good, username: 'ad-x', password: 'short' }, 'too_short', 'password'],
        [{ ...good, username: 'ad-x', password: 'p'.repeat(129) }, 'too_long', 'password'],
        [{ ...good, username: 'ad-x', division: '999999999999' }, 'unknown_division', 'division'],
        [{ ...good, username: 'ad-x', division: `${ctx.countyCode}999999` }, 'unknown_division', 'division'],
        [{ ...good, username: 'ad-x', department_id: 987654 }, 'unknown_department', 'department_id'],
        [{ ...good, username: 'ad-x', department_id: 'x' }, 'invalid_type', 'department_id'],
        [{ ...good, username: 'ad-x', is_root: true }, 'unknown_field', 'is_root'],
        [{ username: 'ad-x', roles: ['clerk'] }, 'required', 'password'],
      ]) {
        for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
        assertError(await add(body), 400, code, field);
      }
      // a handler with its department is fine
      ok(await add({ username: 'ad-handler', password: TEST_PASSWORD, roles: ['handler'], department_id: dep }), 201);
      const names = ok(await ctx.get('/api/v1/users', ctx.admin)).items.map((x) => x.username);
      assert.ok(!names.includes('ad-x') && !names.includes('ad-h'), 'no refused user was created');
    });

    it('changes passwords: an admin for anyone, a user for itself only', async () => {
      await ctx.user('ad-pw', ['clerk']);
      const path = '/api/v1/users/ad-pw/password';
      ok(await ctx.put(path, ctx.admin, { password: 'Admin-Set-Pw-1' }));
      const s = await ctx.login('ad-pw', 'Admin-Set-Pw-1');
      assertError(await ctx.put(path, s, { password: 'Self-Set-Pw-2' }), 400, 'required', 'old_password');
      assertError(await ctx.put(path, s, { password: 'Self-Set-Pw-2', old_password: 'wrong-old-pw' }), 401, 'bad_credentials', 'old_password');
      ok(await ctx.put(path, s, { password: 'Self-Set-Pw-2', old_password: 'Admin-Set-Pw-1' }));
      await ctx.login('ad-pw', 'Self-Set-Pw-2');
      assertError(await ctx.put(`/api/v1/users/${ADMIN_USER}/password`, s, { password: 'Hijack-Pw-123' }), 403, 'forbidden_role');
      assertError(await ctx.put(path, ctx.admin, { password: 'short' }), 400, 'too_short', 'password');
      assertError(await ctx.put(path, ctx.admin, { password: 'Long-Enough-1', old: 'x' }), 400, 'unknown_field', 'old');
      assertError(await ctx.put('/api/v1/users/nobody-at-all/password', ctx.admin, { password: 'Long-Enough-1' }), 404, 'not_found', 'username');
      await ctx.login(ADMIN_USER);
    });

    it('non-admins get 403 on every admin endpoint', async () => {
      assertError(await ctx.get('/api/v1/users', dispatcher), 403, 'forbidden_role');
      assertError(await ctx.post('/api/v1/users', dispatcher, { username: 'ad-y', password: TEST_PASSWORD, roles: ['admin'] }), 403, 'forbidden_role');
      assertError(await ctx.put('/api/v1/users/ad-pw/password', dispatcher, { password: 'Long-Enough-1' }), 403, 'forbidden_role');
      assertError(await ctx.put('/api/v1/calendar/2030-01-02', dispatcher, { kind: 'off' }), 403, 'forbidden_role');
      assertError(await ctx.post('/api/v1/sla-policy', dispatcher, { unit: 'days', amount: 1 }), 403, 'forbidden_role');
      assertError(await ctx.put('/api/v1/sla-policy/1', dispatcher, { unit: 'days', amount: 1 }), 403, 'forbidden_role');
      // reads of the calendar and the policy are for every signed-in user
      ok(await ctx.get('/api/v1/calendar', dispatcher));
      ok(await ctx.get('/api/v1/sla-policy', dispatcher));
      assertError(await ctx.api('GET', '/api/v1/sla-policy'), 401, 'unauthenticated');
    });
  });

  describe('SLA policy', () => {
    let ruleId;

    it('lists the default policy', async () => {
      const items = ok(await ctx.get('/api/v1/sla-policy', dispatcher)).items;
      assert.ok(items.length >= 9, `${items.length} rules`);
      for (const r of items) {
        assert.deepEqual(Object.keys(r).sort(), ['amount', 'channel', 'grade', 'id', 'level', 'response_hours', 'unit', 'warn_fraction']);
      }
      const ordinary = items.find((r) => r.grade === 'ordinary' && r.level === null && r.channel === null);
      assert.ok(ordinary, JSON.stringify(items));
      assert.equal(ordinary.unit, 'workdays');
      assert.equal(ordinary.amount, 3);
      assert.equal(ordinary.warn_fraction, 0.75);
      const hotline = items.find((r) => r.channel === 'hotline_12345' && r.grade === 'ordinary');
      assert.equal(hotline.amount, 7);
    });

    it('validates new rules', async () => {
      const before = ok(await ctx.get('/api/v1/sla-policy', ctx.admin)).items.length;
      for (const [body, code, field] of [
        [{}, 'required', 'unit'],
        [{ unit: 'days' }, 'required', 'amount'],
        [{ unit: 'weeks', amount: 1 }, 'invalid_value', 'unit'],
        [{ unit: 'days', amount: -1 }, 'out_of_range', 'amount'],
        [{ unit: 'days', amount: 10001 }, 'out_of_range', 'amount'],
        [{ unit: 'days', amount: '3' }, 'invalid_type', 'amount'],
        [{ unit: 'days', amount: 1.5 }, 'invalid_type', 'amount'],
        [{ unit: 'days', amount: 3, warn_fraction: 1.5 }, 'out_of_range', 'warn_fraction'],
        [{ unit: 'days', amount: 3, warn_fraction: 0 }, 'out_of_range', 'warn_fraction'],
        [{ unit: 'days', amount: 3, grade: 'epic' }, 'invalid_value', 'grade'],
        [{ unit: 'days', amount: 3, level: 'galaxy' }, 'invalid_value', 'level'],
        [{ unit: 'days', amount: 3, channel: 'fax' }, 'invalid_value', 'channel'],
        [{ unit: 'days', amount: 3, response_hours: 721 }, 'out_of_range', 'response_hours'],
        [{ unit: 'days', amount: 3, priority: 1 }, 'unknown_field', 'priority'],
        ['[]', 'invalid_json', 'body'],
        ['{"unit":"days",', 'invalid_json', 'body'],
      ]) {
        assertError(await ctx.post('/api/v1/sla-policy', ctx.admin, body), 400, code, field);
      }
      assert.equal(ok(await ctx.get('/api/v1/sla-policy', ctx.admin)).items.length, before, 'nothing was added');
    });

    it('adds a rule (201) and replaces it (PUT)', async () => {
      const r = ok(await ctx.post('/api/v1/sla-policy', ctx.admin, {
        grade: 'ordinary', channel: 'letters_visits', unit: 'workdays', amount: 12, warn_fraction: 0.5, response_hours: 8,
      }), 201);
      assert.ok(Number.isInteger(r.id) && r.id > 0);
      assert.deepEqual({ ...r, id: 0 }, {
        id: 0, grade: 'ordinary', level: null, channel: 'letters_visits', unit: 'workdays', amount: 12, warn_fraction: 0.5, response_hours: 8,
      });
      ruleId = r.id;
      const p = ok(await ctx.put(`/api/v1/sla-policy/${ruleId}`, ctx.admin, {
        grade: 'ordinary', channel: 'letters_visits', unit: 'workdays', amount: 10,
      }));
      assert.equal(p.id, ruleId);
      assert.equal(p.amount, 10);
      assert.equal(p.warn_fraction, 0.75);
      const items = ok(await ctx.get('/api/v1/sla-policy', ctx.admin)).items;
      const stored = items.find((x) => x.id === ruleId);
      assert.equal(stored.amount, 10);
      assert.equal(stored.channel, 'letters_visits');
      assertError(await ctx.put(`/api/v1/sla-policy/${ruleId}`, ctx.admin, { unit: 'fortnights', amount: 1 }), 400, 'invalid_value', 'unit');
    });

    it('PUT to a rule that does not exist is 404 and adds nothing', async () => {
      const before = ok(await ctx.get('/api/v1/sla-policy', ctx.admin)).items;
      for (const id of ['99999', 'abc', '0', '-1']) {
        assertError(await ctx.put(`/api/v1/sla-policy/${id}`, ctx.admin, { unit: 'days', amount: 1 }), 404, 'not_found');
      }
      const afterItems = ok(await ctx.get('/api/v1/sla-policy', ctx.admin)).items;
      assert.equal(afterItems.length, before.length);
    });

    it('a new rule applies to new cases at once', async () => {
      const c = await ctx.intake(dispatcher, { channel: 'letters_visits' });
      const d = await ctx.act(dispatcher, c.code, 'dispatch', ctx.dispatchBody({ withAssessment: true }));
      const exc = await calendarExceptions();
      assert.equal(d.due_at, addWorkingDays(exc, d.created_at, 10));
    });
  });

  /** The calendar's exceptions as a map day → 'off' | 'work', read through the API. */
  async function calendarExceptions() {
    const items = ok(await ctx.get('/api/v1/calendar', ctx.admin)).items;
    const exc = new Map();
    for (const i of items) {
      assert.match(i.date, /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(['off', 'work'].includes(i.kind), JSON.stringify(i));
      exc.set(dayOf(i.date), i.kind);
    }
    return exc;
  }

  describe('the calendar', () => {
    /** A letters_visits case dispatched as ordinary: 10 working days under the rule above. */
    async function dispatched() {
      const c = await ctx.intake(dispatcher, { channel: 'letters_visits', title: '日历测试' });
      return ctx.act(dispatcher, c.code, 'dispatch', ctx.dispatchBody({ withAssessment: true }));
    }

    it('ships the official holidays', async () => {
      const items = ok(await ctx.get('/api/v1/calendar?year=2026', ctx.admin)).items;
      assert.ok(items.some((i) => i.date === '2026-10-01' && i.kind === 'off'), 'National Day 2026');
      assert.ok(items.every((i) => i.date.startsWith('2026-')));
      assertError(await ctx.get('/api/v1/calendar?year=1999', ctx.admin), 400, 'out_of_range', 'year');
      assertError(await ctx.get('/api/v1/calendar?year=20x6', ctx.admin), 400, 'out_of_range', 'year');
    });

    it('a new holiday and a make-up working day (调休) move the deadlines of new dispatches', async () => {
      let exc = await calendarExceptions();
      const a = await dispatched();
      assert.equal(a.due_at, addWorkingDays(exc, a.created_at, 10), 'baseline deadline: 10 working days');

      // a holiday on the first working day after registration: one working day later
      // (a plain weekday, not already an exception, so removing it later restores the baseline)
      let h = nextWorking(exc, dayOf(a.created_at.slice(0, 10)));
      while (exc.has(h)) h = nextWorking(exc, h);
      const holiday = dateOf(h);
      const put = ok(await ctx.put(`/api/v1/calendar/${holiday}`, ctx.admin, { kind: 'off', name: '测试假日' }));
      assert.deepEqual(put, { date: holiday, kind: 'off', name: '测试假日' });
      exc = await calendarExceptions();
      assert.equal(exc.get(dayOf(holiday)), 'off');
      const b = await dispatched();
      assert.equal(b.due_at, addWorkingDays(exc, b.created_at, 10));
      if (b.created_at.slice(0, 10) === a.created_at.slice(0, 10)) {
        assert.ok(Date.parse(b.due_at) > Date.parse(a.due_at), `${b.due_at} after ${a.due_at}`);
      }

      // a weekend day worked in exchange, inside the 10-day window: one working day earlier
      let w = dayOf(b.created_at.slice(0, 10)) + 1;
      while (weekday(w) < 6 || exc.has(w)) w++;
      const workday = dateOf(w);
      ok(await ctx.put(`/api/v1/calendar/${workday}`, ctx.admin, { kind: 'work', name: '测试调休' }));
      exc = await calendarExceptions();
      const c = await dispatched();
      assert.equal(c.due_at, addWorkingDays(exc, c.created_at, 10));
      if (c.created_at.slice(0, 10) === b.created_at.slice(0, 10)) {
        assert.ok(Date.parse(c.due_at) < Date.parse(b.due_at), `${c.due_at} before ${b.due_at}`);
      }

      // existing deadlines stay as they were
      assert.equal((await ctx.getCase(ctx.admin, a.code)).due_at, a.due_at);

      // removing both exceptions restores the baseline
      assert.deepEqual(ok(await ctx.put(`/api/v1/calendar/${holiday}`, ctx.admin, { kind: null })), { date: holiday, kind: null, name: '' });
      ok(await ctx.put(`/api/v1/calendar/${workday}`, ctx.admin, {}));
      exc = await calendarExceptions();
      assert.ok(!exc.has(dayOf(holiday)) && !exc.has(w));
      const d = await dispatched();
      assert.equal(d.due_at, addWorkingDays(exc, d.created_at, 10));
      if (d.created_at.slice(0, 10) === a.created_at.slice(0, 10)) assert.equal(d.due_at, a.due_at);
    });

    it('validates calendar edits', async () => {
      for (const [date, body, status, code, field] of [
        ['2026-02-30', { kind: 'off' }, 400, 'invalid_time', 'date'],
        ['20260101', { kind: 'off' }, 400, 'invalid_time', 'date'],
        ['2030-01-02', { kind: 'both' }, 400, 'invalid_value', 'kind'],
        ['2030-01-02', { kind: 'holiday' }, 400, 'invalid_value', 'kind'],
        ['2030-01-02', { kind: 5 }, 400, 'invalid_type', 'kind'],
        ['2030-01-02', { kind: 'off', colour: 'red' }, 400, 'unknown_field', 'colour'],
        ['2030-01-02', { kind: 'off', name: 'n'.repeat(64) }, 400, 'too_long', 'name'],
        ['2030-01-02', '[]', 400, 'invalid_json', 'body'],
      ]) {
        assertError(await ctx.put(`/api/v1/calendar/${date}`, ctx.admin, body), status, code, field);
      }
      const items = ok(await ctx.get('/api/v1/calendar?year=2030', ctx.admin)).items;
      assert.ok(!items.some((i) => i.date === '2030-01-02'), 'nothing was written');
    });
  });

  describe('reference data', () => {
    it('divisions, grids, departments, categories, methods, responsibilities', async () => {
      const d = ok(await ctx.get(`/api/v1/divisions/${ctx.villageA}`, dispatcher));
      assert.equal(d.code, ctx.villageA);
      assert.equal(d.level, 'village');
      assert.equal(d.parent, ctx.townshipA);
      assertError(await ctx.get('/api/v1/divisions/999999999999', dispatcher), 400, 'invalid_value', 'code');
      assertError(await ctx.get(`/api/v1/divisions/${ctx.countyCode}999999`, dispatcher), 404, 'not_found', 'code');
      assertError(await ctx.get('/api/v1/divisions?parent=12', dispatcher), 400, 'invalid_value', 'parent');
      assertError(await ctx.get('/api/v1/grids', dispatcher), 400, 'required', 'division');
      ok(await ctx.get(`/api/v1/grids?division=${ctx.villageA}`, dispatcher));
      assertError(await ctx.get('/api/v1/categories?kind=stories', dispatcher), 400, 'invalid_value', 'kind');
      const cats = ok(await ctx.get('/api/v1/categories?kind=dispute', dispatcher)).items;
      assert.ok(cats.length > 0 && cats.every((c) => c.kind === 'dispute'));
      assert.ok(ok(await ctx.get('/api/v1/resolution-methods', dispatcher)).items.length > 0);
      const resp = ok(await ctx.get('/api/v1/responsibilities', dispatcher)).items;
      assert.ok(resp.length > 0);
      const look = await ctx.get(`/api/v1/responsibilities/lookup?category=${resp[0].category}&division=${ctx.villageA}`, dispatcher);
      if (look.status === 200) assert.equal(look.json.category, resp[0].category);
      else assertError(look, 404, 'not_found');
      assertError(await ctx.get(`/api/v1/responsibilities/lookup?division=${ctx.villageA}`, dispatcher), 400, 'required', 'category');
      assertError(await ctx.get(`/api/v1/responsibilities/lookup?category=${resp[0].category}&division=${ctx.villageA}&level=galaxy`, dispatcher),
        400, 'invalid_value', 'level');
      assertError(await ctx.api('GET', '/api/v1/departments'), 401, 'unauthenticated');
    });
  });

  describe('the responsibility list (权责清单)', () => {
    const list = async () => ok(await ctx.get('/api/v1/responsibilities', ctx.admin)).items;
    const audit = () => execFileSync('sqlite3', [ctx.db, "SELECT target || ' ' || detail FROM audit WHERE action = 'resp_put' ORDER BY id"], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);

    it('PUT sets an entry (category × level), adds a new one, is audited and seen by the lookup', async () => {
      const before = await list();
      const cat = ok(await ctx.get('/api/v1/categories?kind=dispute', ctx.admin)).items.find((c) => c.parent && !before.some((r) => r.category === c.code));
      assert.ok(cat, 'a level-2 category without an entry of its own');
      const body = { category: cat.code, level: 'township', lead_kind: 'police', assist_kinds: ['justice', 'community'], duty: '派出所牵头调处，司法所、村居配合' };
      const res = ok(await ctx.put('/api/v1/responsibilities', ctx.admin, body));
      assert.deepEqual(res, { ...body, assist_kinds: 'justice,community' });
      let after = await list();
      assert.equal(after.length, before.length + 1);
      assert.deepEqual(after.find((r) => r.category === cat.code && r.level === 'township'), res);
      const look = ok(await ctx.get(`/api/v1/responsibilities/lookup?category=${cat.code}&division=${ctx.villageA}&level=township`, ctx.admin));
      assert.equal(look.lead_kind, 'police');
      assert.equal(look.duty, body.duty);
      // the same key again replaces it; level null is "any level", a separate entry
      ok(await ctx.put('/api/v1/responsibilities', ctx.admin, { ...body, lead_kind: 'justice', assist_kinds: [], duty: '司法所牵头' }));
      ok(await ctx.put('/api/v1/responsibilities', ctx.admin, { ...body, level: null }));
      after = await list();
      assert.equal(after.length, before.length + 2);
      assert.deepEqual(after.find((r) => r.category === cat.code && r.level === 'township'),
        { category: cat.code, level: 'township', lead_kind: 'justice', assist_kinds: '', duty: '司法所牵头' });
      assert.equal(after.find((r) => r.category === cat.code && r.level === null).lead_kind, 'police');
      assert.deepEqual(audit().slice(-3), [`resp/${cat.code}/township police`, `resp/${cat.code}/township justice`, `resp/${cat.code}/any police`]);
    });

    it('bad fields are 400 naming the field, unknown category or department kind 404, non-admins 403; nothing written', async () => {
      const before = await list();
      const n = audit().length;
      const good = { category: '0101', level: 'village', lead_kind: 'justice', assist_kinds: ['women'], duty: '调解' };
      const put = (b, who = ctx.admin) => ctx.put('/api/v1/responsibilities', who, b);
      for (const [patch, status, code, field] of [
        [{ category: undefined }, 400, 'required', 'category'],
        [{ category: 7 }, 400, 'invalid_type', 'category'],
        [{ category: 'X'.repeat(16) }, 400, 'too_long', 'category'],
        [{ category: '9999' }, 404, 'not_found', 'category'],
        [{ level: 'galaxy' }, 400, 'invalid_value', 'level'],
        [{ lead_kind: undefined }, 400, 'required', 'lead_kind'],
        [{ lead_kind: 'wizards' }, 404, 'not_found', 'lead_kind'],
        [{ assist_kinds: 'women' }, 400, 'invalid_type', 'assist_kinds'],
        [{ assist_kinds: ['women', 3] }, 400, 'invalid_value', 'assist_kinds'],
        [{ assist_kinds: ['women', 'women'] }, 400, 'duplicate', 'assist_kinds'],
        [{ assist_kinds: ['justice'] }, 400, 'duplicate', 'assist_kinds'],
        [{ assist_kinds: ['women', 'dragons'] }, 404, 'not_found', 'assist_kinds'],
        [{ assist_kinds: Array(9).fill('women') }, 400, 'too_many', 'assist_kinds'],
        [{ duty: '' }, 400, 'required', 'duty'],
        [{ duty: '职'.repeat(100) }, 400, 'too_long', 'duty'],
        [{ colour: 'red' }, 400, 'unknown_field', 'colour'],
      ]) {
        const b = { ...good, ...patch };
        for (const k of Object.keys(patch)) if (patch[k] === undefined) delete b[k];
        const res = await put(b);
        try { assertError(res, status, code, field); } catch (err) { err.message = JSON.stringify(patch) + ': ' + err.message; throw err; }
      }
      assertError(await put(good, dispatcher), 403, 'forbidden_role');
      assertError(await ctx.api('PUT', '/api/v1/responsibilities', { body: good }), 401, 'unauthenticated');
      assert.deepEqual(await list(), before);
      assert.equal(audit().length, n);
    });
  });

  describe('settings', () => {
    it('lists the editable settings and validates changes', async () => {
      const items = ok(await ctx.get('/api/v1/settings', ctx.admin)).items;
      const m = items.find((x) => x.key === 'sla.supervise_margin_hours');
      assert.equal(m.value, 24);
      const put = (key, body, auth = ctx.admin) => ctx.put(`/api/v1/settings/${key}`, auth, body);
      assert.equal(ok(await put('sla.supervise_margin_hours', { value: 48 })).value, 48);
      assert.equal(ok(await ctx.get('/api/v1/settings', ctx.admin)).items.find((x) => x.key === 'sla.supervise_margin_hours').value, 48);
      assertError(await put('sla.supervise_margin_hours', { value: 0 }), 400, 'out_of_range', 'value');
      assertError(await put('sla.supervise_margin_hours', { value: '48' }), 400, 'invalid_type', 'value');
      assertError(await put('sla.supervise_margin_hours', { value: 5, x: 1 }), 400, 'unknown_field', 'x');
      assertError(await put('no.such.key', { value: 5 }), 404, 'not_found', 'key');
      const clerk = await ctx.user('st-clerk', ['clerk'], { division: ctx.townshipA });
      assertError(await put('sla.supervise_margin_hours', { value: 30 }, clerk), 403, 'forbidden_role');
      ok(await put('sla.supervise_margin_hours', { value: 24 }));
    });
  });

  describe('/metrics and /healthz', () => {
    const STATUSES = ['pending_assess', 'pending_dispatch', 'pending_accept', 'handling', 'pending_verify', 'closed', 'archived'];

    async function metrics() {
      const res = await ctx.api('GET', '/metrics');
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      const values = new Map();
      for (const line of res.text.split('\n')) {
        if (!line) continue;
        if (line.startsWith('#')) {
          assert.match(line, /^# (HELP|TYPE) [a-z_]+ .+$/, line);
          continue;
        }
        const m = /^([a-z_]+(?:\{[a-z_]+="[^"\\]*"(?:,[a-z_]+="[^"\\]*")*\})?) (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/.exec(line);
        assert.ok(m, `not Prometheus text: ${line}`);
        values.set(m[1], Number(m[2]));
      }
      assert.match(res.text, /^# TYPE fengqiao_cases gauge$/m);
      return values;
    }

    it('is Prometheus text with cases by status', async () => {
      const v = await metrics();
      let sum = 0;
      for (const s of STATUSES) {
        const key = `fengqiao_cases{status="${s}"}`;
        assert.ok(v.has(key), `missing ${key}`);
        sum += v.get(key);
      }
      assert.equal(sum, await ctx.caseCount());
      assert.ok(v.get('fengqiao_http_requests_total') > 0);
      assert.ok(v.get('fengqiao_users') >= 3);
      assert.ok(v.get('fengqiao_sessions') >= 1);
      assert.ok(v.has('fengqiao_http_responses_total{class="2xx"}'));
      assert.equal(v.get('fengqiao_http_responses_total{class="5xx"}'), 0);
    });

    it('counts a new case', async () => {
      const before = (await metrics()).get('fengqiao_cases{status="pending_assess"}');
      await ctx.intake(dispatcher);
      const after = (await metrics()).get('fengqiao_cases{status="pending_assess"}');
      assert.equal(after, before + 1);
    });

    it('/healthz answers without a session', async () => {
      const h = ok(await ctx.api('GET', '/healthz'));
      assert.equal(h.status, 'ok');
      assert.ok(Number.isInteger(h.uptime_s) && h.uptime_s >= 0);
      const head = await ctx.api('HEAD', '/healthz');
      assert.equal(head.status, 200);
    });
  });
});
