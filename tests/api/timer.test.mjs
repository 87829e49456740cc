// The deadline timer (warn → yellow, overdue → red with an automatic urge, supervision orders
// for cases long overdue) and the server-sent event stream.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_USER, assertError, isoSeconds, ok, setup, sleep } from './helpers.mjs';

const DAY = 86400000;

/** Polls fn until it returns a truthy value; fails after `ms`. */
async function until(what, fn, ms = 10000, every = 100) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

describe('timer and events', () => {
  let ctx;
  let clerk, dispatcher, townB;

  before(async () => {
    ctx = await setup();
    clerk = await ctx.user('tm-clerk', ['clerk'], { division: ctx.county });
    dispatcher = await ctx.user('tm-dispatcher', ['dispatcher'], { division: ctx.county });
    townB = await ctx.user('tm-town-b', ['clerk', 'dispatcher'], { division: ctx.townshipB });
  });
  after(async () => {
    if (ctx) await ctx.teardown();
  });

  /** Opens GET /api/v1/events with fetch and collects its events in the background. */
  async function openStream(auth) {
    const ac = new AbortController();
    const res = await fetch(`${ctx.base}/api/v1/events`, { headers: { Authorization: `Bearer ${auth.token}` }, signal: ac.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const events = [];
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    const pump = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const ev = { event: 'message', data: '' };
            for (const line of frame.split('\n')) {
              const m = /^([a-z]+): ?(.*)$/.exec(line);
              if (m) ev[m[1]] = m[2];
            }
            if (ev.event === 'case') ev.json = JSON.parse(ev.data);
            events.push(ev);
          }
        }
      } catch {
        // aborted
      }
    })();
    return {
      events,
      caseEvents: (codes) => events.filter((e) => e.event === 'case' && codes.includes(e.json.code)),
      close: async () => {
        ac.abort();
        await pump;
      },
    };
  }

  describe('server-sent events', () => {
    it('refuses an unauthenticated stream', async () => {
      assertError(await ctx.api('GET', '/api/v1/events'), 401, 'unauthenticated');
    });

    it('says hello, then delivers a new case within 2 s', async () => {
      const s = await openStream(ctx.admin);
      try {
        await until('hello', () => s.events.find((e) => e.event === 'hello'), 5000, 20);
        assert.equal(s.events[0].event, 'hello');
        const t0 = Date.now();
        const c = await ctx.intake(clerk, { title: '事件流测试' });
        const ev = await until('the case event', () => s.caseEvents([c.code])[0], 2000, 10);
        assert.ok(Date.now() - t0 < 2000);
        assert.equal(ev.json.type, 'case');
        assert.equal(ev.json.action, 'intake');
        assert.equal(ev.json.status, 'pending_assess');
        assert.equal(ev.json.channel, 'window');
        assert.equal(ev.json.division, ctx.villageA);
        assert.equal(ev.json.title, '事件流测试');
        assert.match(ev.id, /^\d+$/);
        // an action is published too
        await ctx.act(dispatcher, c.code, 'assess', { category: ctx.category, grade: 'simple', level: 'county' });
        const ev2 = await until('the assess event', () => s.caseEvents([c.code])[1], 2000, 10);
        assert.equal(ev2.json.action, 'assess');
        assert.equal(ev2.json.status, 'pending_dispatch');
        assert.ok(Number(ev2.id) > Number(ev.id));
      } finally {
        await s.close();
      }
    });

    it('a scoped stream only carries cases within its scope', async () => {
      const scoped = await openStream(townB);
      const all = await openStream(ctx.admin);
      try {
        await until('hello', () => scoped.events.length && all.events.length, 5000, 20);
        const a = await ctx.intake(clerk, { division: ctx.villageA, title: '甲乡镇' });
        const b = await ctx.intake(clerk, { division: ctx.villageB, title: '乙乡镇' });
        await until('case B on the scoped stream', () => scoped.caseEvents([b.code]).length, 2000, 10);
        await until('both on the full stream', () => all.caseEvents([a.code, b.code]).length === 2, 2000, 10);
        assert.deepEqual(all.caseEvents([a.code, b.code]).map((e) => e.json.code), [a.code, b.code]);
        assert.deepEqual(scoped.caseEvents([a.code, b.code]).map((e) => e.json.code), [b.code]);
      } finally {
        await scoped.close();
        await all.close();
      }
      // the server is fine after clients went away
      ok(await ctx.get('/healthz'));
    });
  });

  it('department streams carry the cases dispatched to the department, as lead or as assistant', async () => {
    const leadH = await ctx.user('tm-lead', ['handler'], { department_id: ctx.departments[0].id });
    const assistH = await ctx.user('tm-assist', ['handler'], { department_id: ctx.departments[1].id });
    const otherH = await ctx.user('tm-other', ['handler'], { department_id: ctx.departments[2].id });
    const streams = [await openStream(leadH), await openStream(assistH), await openStream(otherH)];
    try {
      await until('hello', () => streams.every((s) => s.events.length), 5000, 20);
      const c = await ctx.intake(clerk, { title: '部门收件箱' });
      await ctx.act(dispatcher, c.code, 'dispatch', ctx.dispatchBody({ lead: 0, assist: [1], withAssessment: true }));
      const [lead, assist, other] = streams;
      await until('the dispatch on the lead department\'s stream', () => lead.caseEvents([c.code]).length, 2000, 10);
      await until('the dispatch on the assisting department\'s stream', () => assist.caseEvents([c.code]).length, 2000, 10);
      assert.deepEqual(lead.caseEvents([c.code]).map((e) => e.json.action), ['dispatch']);
      assert.deepEqual(assist.caseEvents([c.code]).map((e) => e.json.action), ['dispatch']);
      assert.deepEqual(other.caseEvents([c.code]), [], 'an unrelated department hears nothing');
    } finally {
      for (const s of streams) await s.close();
    }
  });

  it('survives clients that open and drop streams in quick succession', async () => {
    for (let i = 0; i < 20; i++) {
      const ac = new AbortController();
      const res = await fetch(`${ctx.base}/api/v1/events`, { headers: { Authorization: `Bearer ${ctx.admin.token}` }, signal: ac.signal });
      assert.equal(res.status, 200);
      if (i % 2) await res.body.getReader().read().catch(() => {});
      ac.abort();
    }
    await ctx.intake(clerk, { title: '断开之后' });
    ok(await ctx.get('/healthz'));
    ctx.server.assertHealthy();
  });

  describe('deadlines', () => {
    let overdueCode;

    it('a case past its deadline turns yellow, then red with an overdue event and an automatic urge', async () => {
      const s = await openStream(ctx.admin);
      try {
        const c = await ctx.intake(clerk, { title: '限时办理' });
        const deadline = Date.now() + 3000;
        const d = await ctx.act(dispatcher, c.code, 'dispatch', { ...ctx.dispatchBody({ withAssessment: true }), deadline: isoSeconds(deadline) });
        assert.equal(d.light, 'green');
        assert.equal(Date.parse(d.due_at), Math.floor(deadline / 1000) * 1000);
        overdueCode = c.code;
        const red = await until('the case to turn red', async () => {
          const x = await ctx.getCase(dispatcher, c.code);
          return x.light === 'red' && x.urge_count >= 1 ? x : null;
        }, 12000, 150);
        assert.equal(red.status, 'pending_accept');
        assert.equal(red.urge_count, 1);
        const events = await ctx.timeline(dispatcher, c.code);
        const actions = events.map((e) => e.action);
        // the yellow step is seen when a timer pass falls between warn_at and due_at (0.75 s)
        const expected = actions.includes('warn') ? ['intake', 'dispatch', 'warn', 'overdue'] : ['intake', 'dispatch', 'overdue'];
        assert.deepEqual(actions, expected);
        const timerEvents = events.slice(2);
        const over = timerEvents.at(-1);
        if (timerEvents.length === 2) assert.equal(timerEvents[0].payload.light, 'yellow');
        assert.equal(over.payload.light, 'red');
        assert.equal(over.payload.auto_urge, true);
        for (const e of timerEvents) {
          assert.equal(e.actor_id, 0);
          assert.equal(e.actor, '系统');
          assert.equal(e.from, 'pending_accept');
          assert.equal(e.to, 'pending_accept');
        }
        assert.ok(Date.parse(over.at) >= Date.parse(red.due_at));
        // the list finds it by light and as overdue
        const byLight = ok(await ctx.get('/api/v1/cases?light=red&limit=500', dispatcher)).items;
        assert.ok(byLight.some((i) => i.code === c.code));
        const overdue = ok(await ctx.get('/api/v1/cases?overdue=1&limit=500', dispatcher)).items;
        const item = overdue.find((i) => i.code === c.code);
        assert.ok(item, 'listed as overdue');
        assert.equal(item.light, 'red');
        // the change reached the event stream
        await until('the red event on the stream', () => s.caseEvents([c.code]).some((e) => e.json.action === 'red'), 3000, 20);
        // a closed case keeps its light and gets no more timer events
        const closed = await ctx.intake(clerk, { title: '已办结' });
        await ctx.act(clerk, closed.code, 'resolve_on_spot', { result: '当场办结', method: ctx.method });
      } finally {
        await s.close();
      }
    });

    it('a long-overdue case gets one automatic supervision order (server restarted 30 days later)', async () => {
      // a case on the ordinary deadline, green today
      const c = await ctx.intake(clerk, { title: '普通时限' });
      const d = await ctx.act(dispatcher, c.code, 'dispatch', ctx.dispatchBody({ withAssessment: true }));
      assert.equal(d.light, 'green');
      const open = await ctx.caseIn('handling');
      const closed = await ctx.intake(clerk, { title: '办结后不督办' });
      await ctx.act(clerk, closed.code, 'resolve_on_spot', { result: '当场办结', method: ctx.method });
      const closedEvents = (await ctx.timeline(dispatcher, closed.code)).length;

      // stopping with a client still on the event stream ends cleanly (exit status 0)
      const lingering = await openStream(ctx.admin);
      await until('hello', () => lingering.events.length, 5000, 20);
      await ctx.stopServer();
      await lingering.close();
      await ctx.startServer({ env: { FQ_FAKE_NOW: String(Date.now() + 30 * DAY) } });
      // sessions have been idle for 30 days
      assertError(await ctx.get('/api/v1/auth/me', dispatcher), 401, 'session_expired');
      ctx.admin = await ctx.login(ADMIN_USER);
      const disp = await ctx.login('tm-dispatcher');

      for (const code of [c.code, open.code, overdueCode]) {
        const x = await until(`supervision of ${code}`, async () => {
          const y = await ctx.getCase(disp, code);
          return y.supervision_count >= 1 ? y : null;
        }, 15000, 150);
        assert.equal(x.light, 'red');
        assert.ok(x.urge_count >= 1);
        const events = await ctx.timeline(disp, code);
        const overdue = events.filter((e) => e.action === 'overdue');
        const sup = events.filter((e) => e.action === 'supervise');
        assert.equal(overdue.length, 1, `one overdue event on ${code}`);
        assert.equal(sup.length, 1, `one supervise event on ${code}`);
        assert.ok(events.indexOf(sup[0]) > events.indexOf(overdue[0]));
        assert.equal(sup[0].actor_id, 0);
        assert.equal(sup[0].payload.auto, true);
        assert.equal(sup[0].payload.status, 'open');
        const full = await ctx.getCase(disp, code);
        const orders = full.records.filter((r) => r.kind === 'supervision');
        assert.equal(orders.length, 1);
        assert.equal(orders[0].status, 'open');
        assert.equal(orders[0].auto, true);
      }
      // more timer passes open no second order
      await sleep(800);
      assert.equal((await ctx.getCase(disp, c.code)).supervision_count, 1);
      assert.equal((await ctx.timeline(disp, c.code)).filter((e) => e.action === 'supervise').length, 1);
      // a closed case is left alone
      assert.equal((await ctx.timeline(disp, closed.code)).length, closedEvents);
      const metrics = await ctx.api('GET', '/metrics');
      const m = /^fengqiao_open_cases_by_light\{light="red"\} (\d+)$/m.exec(metrics.text);
      assert.ok(m && Number(m[1]) >= 3, metrics.text);
      // the hash chains of the timer's events verify
      const check = await ctx.cli(['check']);
      assert.equal(check.code, 0, `${check.stdout}\n${check.stderr}`);
    });
  });
});
