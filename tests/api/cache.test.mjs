// The case response cache and the session cache: every write shows in the next read. Each test
// first reads the case twice and checks on /metrics that the second read was a cache hit, so the
// write after it must drop a cached copy (a missed invalidation fails the test): an action, a
// mediation record, an attachment, joint dispatch (assignments and the department scope), a
// repeat-petition link written by another case's intake, the deadline timer, a merge. Then the
// session cache (logout, own password changed twice, a user disabled by another process), and a
// stress run: concurrent actions and reads, final reads compared with a restarted server's.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';

import { assertError, isoSeconds, ok, setup, sleep, TEST_PASSWORD } from './helpers.mjs';

let ctx, clerk, dispatcher, mediator;

async function metric(name) {
  const res = await ctx.get('/metrics', ctx.admin);
  assert.equal(res.status, 200);
  const text = res.text;
  const hit = new RegExp(`^${name.replace(/[{}"]/g, (c) => '\\' + c)} (\\d+)$`, 'm').exec(text);
  assert.ok(hit, `no ${name} in /metrics`);
  return Number(hit[1]);
}

const hits = () => metric('fengqiao_case_cache_requests_total{result="hit"}');

/** Reads a case twice, asserting that the second read came from the cache; the case JSON. */
async function cached(auth, code) {
  const first = await ctx.getCase(auth, code);
  const h0 = await hits();
  const second = await ctx.getCase(auth, code);
  assert.equal(await hits(), h0 + 1, 'the second read was not a cache hit');
  assert.deepEqual(second, first);
  return second;
}

async function until(what, fn, ms = 10000, every = 100) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
}

before(async () => {
  ctx = await setup();
  clerk = await ctx.user('cc-clerk', ['clerk'], { division: ctx.county });
  dispatcher = await ctx.user('cc-dispatcher', ['dispatcher'], { division: ctx.county });
  mediator = await ctx.user('cc-mediator', ['mediator'], { division: ctx.county });
});

after(() => ctx.teardown());

describe('case cache', () => {
  it('an action, a mediation record and an attachment show in the next read', async () => {
    const c = await ctx.caseIn('handling');
    assert.equal((await cached(dispatcher, c.code)).urge_count, 0);
    await ctx.act(dispatcher, c.code, 'urge', { message: '请尽快办理' });
    let d = await ctx.getCase(dispatcher, c.code);
    assert.equal(d.urge_count, 1);
    assert.equal(d.event_count, c.event_count + 1);

    await cached(mediator, c.code);
    await ctx.act(mediator, c.code, 'mediation', { session: 1, participants: '甲、乙', content: '当面协商。', agreement: '按时停工' });
    d = await ctx.getCase(mediator, c.code);
    assert.equal(d.records.filter((r) => r.kind === 'mediation').length, 1);

    await cached(ctx.admin, c.code);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    ok(await ctx.api('POST', `/api/v1/cases/${c.code}/attachments?name=a.png`, { auth: ctx.admin, body: png, headers: { 'Content-Type': 'application/octet-stream' } }));
    d = await ctx.getCase(ctx.admin, c.code);
    assert.equal(d.attachments.length, 1);
    assert.equal(d.attachments[0].name, 'a.png');
  });

  it('scope is checked on every read: a department sees a cached case once dispatched to it', async () => {
    const dep = ctx.departments[2];
    const handler = await ctx.user('cc-handler', ['handler'], { division: ctx.county, department_id: dep.id });
    const outsider = await ctx.user('cc-outsider', ['dispatcher'], { division: ctx.townshipB });
    const c = await ctx.intake(clerk);
    await cached(dispatcher, c.code);
    assertError(await ctx.get(`/api/v1/cases/${c.code}`, handler), 404, 'not_found', 'code');
    assertError(await ctx.get(`/api/v1/cases/${c.code}`, outsider), 404, 'not_found', 'code');
    await ctx.act(dispatcher, c.code, 'dispatch', ctx.dispatchBody({ lead: 2, withAssessment: true }));
    const d = await ctx.getCase(handler, c.code);
    assert.equal(d.status, 'pending_accept');
    assert.equal(d.assignments.length, 1);
    assert.ok(d.allowed_actions.includes('accept'), JSON.stringify(d.allowed_actions));
    assertError(await ctx.get(`/api/v1/cases/${c.code}`, outsider), 404, 'not_found', 'code');
    // the same cached body, other roles: other actions
    assert.ok((await ctx.getCase(dispatcher, c.code)).allowed_actions.includes('urge'));
  });

  it("a repeat-petition link written by another case's intake shows in the first case's links", async () => {
    const party = (phone) => [{ role: 'applicant', name: '孙八', phone }];
    const first = await ctx.intake(clerk, { title: '反映物业乱收费', description: '孙八反映小区物业违规收取停车费，多次投诉无果。', parties: party('13955556666') });
    assert.deepEqual((await cached(dispatcher, first.code)).links, []);
    const second = await ctx.intake(clerk, { title: '再次反映物业乱收费', description: '孙八再次反映小区物业违规收取停车费。', parties: party('139-5555-6666') });
    const d = await ctx.getCase(dispatcher, first.code);
    assert.ok(d.links.some((l) => l.code === second.code && l.kind === 'repeat'), JSON.stringify(d.links));
  });

  it('the deadline timer turns a cached case red (urged by the system)', async () => {
    const c = await ctx.intake(clerk, { title: '限时' });
    await ctx.act(dispatcher, c.code, 'dispatch', { ...ctx.dispatchBody({ withAssessment: true }), deadline: isoSeconds(Date.now() + 2000) });
    assert.equal((await cached(dispatcher, c.code)).urge_count, 0);
    const red = await until('the case to be urged', async () => {
      const x = await ctx.getCase(dispatcher, c.code);
      return x.urge_count === 1 ? x : null;
    }, 12000, 150);
    assert.equal(red.light, 'red');
    assert.ok(red.event_count >= 3);
  });

  it('a merge shows on both cases', async () => {
    const call = await ctx.intake(clerk, { channel: 'hotline_12345', kind: 'incident', title: '和平路8号燃气泄漏', description: '市民来电：和平路8号楼道有燃气味，疑似燃气管道泄漏。' });
    const report = await ctx.intake(clerk, { channel: 'grid', kind: 'incident', title: '燃气泄漏楼道有异味', description: '网格员巡查发现和平路8号楼道燃气味明显，疑似管道泄漏。' });
    await cached(dispatcher, call.code);
    await cached(dispatcher, report.code);
    ok(await ctx.post(`/api/v1/cases/${report.code}/merge`, dispatcher, { into: call.code, reason: '同一事件' }));
    const r = await ctx.getCase(dispatcher, report.code);
    assert.equal(r.status, 'archived');
    assert.ok(r.links.some((l) => l.code === call.code && l.kind === 'duplicate'), JSON.stringify(r.links));
    const p = await ctx.getCase(dispatcher, call.code);
    assert.ok(p.links.some((l) => l.code === report.code && l.kind === 'duplicate'), JSON.stringify(p.links));
  });

  it('reports its counters on /metrics', async () => {
    assert.ok((await hits()) >= 8);
    assert.ok((await metric('fengqiao_case_cache_invalidations_total')) >= 8);
    assert.ok((await metric('fengqiao_case_cache_entries')) >= 1);
    assert.ok((await metric('fengqiao_session_cache_requests_total{result="hit"}')) > 0);
  });
});

describe('session cache', () => {
  it('logout ends the session at once', async () => {
    const s = await ctx.login('cc-clerk');
    ok(await ctx.get('/api/v1/auth/me', s));
    ok(await ctx.get('/api/v1/auth/me', s));
    ok(await ctx.post('/api/v1/auth/logout', s));
    assertError(await ctx.get('/api/v1/auth/me', s), 401, 'unauthenticated');
  });

  it('a password changed twice in a row: the second change checks the new one', async () => {
    const s = await ctx.user('cc-pw', ['clerk'], { division: ctx.county });
    const put = (old_password, password) => ctx.put('/api/v1/users/cc-pw/password', s, { old_password, password });
    ok(await ctx.get('/api/v1/auth/me', s));
    ok(await put(TEST_PASSWORD, 'Second-Passw0rd!'));
    ok(await put('Second-Passw0rd!', 'Third-Passw0rd!'));
    assertError(await put('Second-Passw0rd!', 'Fourth-Passw0rd!'), 401, 'bad_credentials', 'old_password');
  });

  it('a user disabled by another process is refused within the cache TTL (3 s)', async () => {
    const s = await ctx.user('cc-gone', ['clerk'], { division: ctx.county });
    ok(await ctx.get('/api/v1/auth/me', s));
    execFileSync('sqlite3', [ctx.db, "PRAGMA busy_timeout=5000; UPDATE users SET disabled = 1 WHERE username = 'cc-gone';"]);
    const t0 = Date.now();
    await until('the disabled user to be refused', async () => (await ctx.get('/api/v1/auth/me', s)).status === 401, 6000, 100);
    assert.ok(Date.now() - t0 < 4500, `took ${Date.now() - t0} ms`);
  });
});

describe('stress', () => {
  it('concurrent actions and reads: the cached reads equal a fresh server\'s', async () => {
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await ctx.intake(clerk, { title: `并发${i}` })).code);
    let stop = false;
    const readers = Array.from({ length: 8 }, async (_, k) => {
      let n = 0;
      while (!stop) {
        const res = await ctx.get(`/api/v1/cases/${codes[(n + k) % codes.length]}`, dispatcher);
        if (res.status !== 200) throw new Error(`GET ${res.status} ${res.text}`);
        n++;
      }
      return n;
    });
    const steps = [
      ['dispatch', () => ctx.dispatchBody({ lead: 0, assist: [1], withAssessment: true })],
      ['urge', () => ({ message: '请尽快' })],
      ['note', () => ({ text: '已电话联系' })],
      ['urge', () => ({ message: '再催' })],
      ['supervise', () => ({ reason: '限期办结', deadline: isoSeconds(Date.now() + 86400000) })],
      ['note', () => ({ text: '督办单已送达' })],
    ];
    const writers = codes.map(async (code) => {
      for (const [action, body] of steps) {
        const res = await ctx.action(ctx.admin, code, action, body());
        assert.equal(res.status, 200, `${action}: ${res.text}`);
      }
    });
    await Promise.all(writers).finally(() => { stop = true; });
    const reads = (await Promise.all(readers)).reduce((a, b) => a + b, 0);
    assert.ok(reads > codes.length * steps.length, `only ${reads} reads`);
    const strip = (c) => {
      delete c.working_days_left; // depends on the instant of the read
      return c;
    };
    const before = [];
    for (const code of codes) before.push(strip(await ctx.getCase(dispatcher, code)));
    await ctx.stopServer();
    await ctx.startServer();
    for (let i = 0; i < codes.length; i++) {
      const fresh = strip(await ctx.getCase(dispatcher, codes[i]));
      assert.deepEqual(before[i], fresh);
      assert.equal(fresh.urge_count, 2);
      assert.equal(fresh.supervised, true);
      assert.equal(fresh.records.length, 1); // the supervision order
      assert.equal(fresh.event_count, 1 + steps.length);
    }
  });
});
