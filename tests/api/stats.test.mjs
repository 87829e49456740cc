// Statistics over HTTP (docs/METRICS.md, docs/API.md "Statistics and reports"): the indicators
// agree with counts taken independently through the case list, every grouping adds up to the
// total, the caller's scope limits what is counted, a case write moves the numbers at once
// (aggregates kept in the same transaction), the department ranking is ordered with 1–5 stars, and
// the monthly report downloads as .xlsx and is kept by the scheduler.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertError, ok, setup, sleep } from './helpers.mjs';

const FROM = '2021-01-01';
const TO = '2030-12-31';

function today() {
  // China-local date
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

describe('statistics', () => {
  let ctx;
  let township;
  let deptUser;

  before(async () => {
    ctx = await setup({ cases: 400 });
    township = await ctx.user('st-town', ['leader'], { division: ctx.townshipA });
    deptUser = await ctx.user('st-dept', ['handler'], { department_id: ctx.departments[0].id });
  });
  after(async () => ctx && ctx.teardown());

  const stats = (auth, q = '') => ctx.get(`/api/v1/stats?from=${FROM}&to=${TO}${q}`, auth);
  const count = async (auth, q) => ok(await ctx.get(`/api/v1/cases?count=1&limit=1&from=${FROM}&to=${TO}${q}`, auth)).total;

  it('counts what the case list counts: intake, closed, by channel, grade and division', async () => {
    const all = ok(await stats(ctx.admin));
    assert.equal(all.total.intake, await count(ctx.admin, ''));
    assert.equal(all.total.closed, await count(ctx.admin, '&status=closed,archived'));
    assert.equal(all.total.open, all.total.intake - all.total.closed);
    for (const ch of ['window', 'grid', 'hotline_12345']) {
      const s = ok(await stats(ctx.admin, `&channel=${ch}`));
      assert.equal(s.total.intake, await count(ctx.admin, `&channel=${ch}`), ch);
    }
    const g = ok(await stats(ctx.admin, '&grade=ordinary'));
    assert.equal(g.total.intake, await count(ctx.admin, '&grade=ordinary'));
    const t = ok(await stats(ctx.admin, `&division=${ctx.townshipA}`));
    assert.equal(t.total.intake, await count(ctx.admin, `&division=${ctx.townshipA}`));
    assert.ok(t.total.intake > 0 && t.total.intake < all.total.intake);
  });

  it('every grouping adds up to the total, with labels', async () => {
    const all = ok(await stats(ctx.admin)).total;
    for (const by of ['division', 'category', 'category1', 'channel', 'grade', 'week', 'month', 'quarter', 'year']) {
      const s = ok(await stats(ctx.admin, `&group_by=${by}`));
      assert.equal(s.group_by, by);
      const sum = (k) => s.groups.reduce((a, x) => a + x[k], 0);
      for (const k of ['intake', 'closed', 'overdue', 'rated', 'supervisions', 'work_ms', 'assigned']) {
        assert.equal(sum(k), all[k], `${by}: ${k}`);
      }
      for (const x of s.groups) assert.equal(typeof x.label, 'string', `${by} label`);
    }
    const byDiv = ok(await stats(ctx.admin, `&division=${ctx.county}&group_by=division`));
    assert.ok(byDiv.groups.every((x) => /^\d{12}$/.test(x.key) && x.key.startsWith(ctx.county.slice(0, 6))));
    assert.ok(byDiv.groups.some((x) => x.key === ctx.townshipA), 'townships one level below the county');
    const byDep = ok(await stats(ctx.admin, '&group_by=department'));
    assert.equal(byDep.groups.reduce((a, x) => a + x.intake, 0), all.intake);
    const ch = ok(await stats(ctx.admin, '&group_by=channel'));
    assert.ok(ch.groups.find((x) => x.key === 'hotline_12345' && x.label === '12345热线') || ch.groups.length > 0);
  });

  it('rates follow their definitions, the satisfaction formula is selectable', async () => {
    const share = ok(await stats(ctx.admin)).total;
    const weighted = ok(await stats(ctx.admin, '&satisfaction=weighted'));
    assert.equal(weighted.satisfaction_formula, 'weighted');
    const w = weighted.total;
    assert.ok(Math.abs(share.closure_rate - share.closed / share.intake) < 1e-12);
    assert.ok(Math.abs(share.on_time_rate - share.on_time / share.closed) < 1e-12);
    assert.ok(Math.abs(share.satisfaction_rate - (share.satisfied + share.basic) / share.rated) < 1e-12);
    assert.ok(Math.abs(w.satisfaction_rate - (w.satisfied + 0.9 * w.basic) / w.rated) < 1e-12);
    assert.ok(Math.abs(share.response_rate - share.responded / share.assigned) < 1e-12);
    assert.ok(Math.abs(share.avg_handling_hours - share.work_ms / share.closed / 3600000) < 1e-9);
  });

  it("respects the caller's scope", async () => {
    const mine = ok(await stats(township));
    assert.equal(mine.division, ctx.townshipA);
    assert.equal(mine.total.intake, await count(ctx.admin, `&division=${ctx.townshipA}`));
    assertError(await stats(township, `&division=${ctx.townshipB}`), 403, 'out_of_scope', 'division');
    assertError(await stats(township, `&division=${ctx.county}`), 403, 'out_of_scope', 'division');
    ok(await stats(township, `&division=${ctx.villageA}`));
    const dep = ok(await stats(deptUser, '&group_by=department'));
    assert.ok(dep.groups.every((x) => x.key === ctx.departments[0].id));
    assertError(await stats(deptUser, `&department=${ctx.departments[1].id}`), 403, 'out_of_scope', 'department');
    assertError(await ctx.get('/api/v1/stats'), 401);
  });

  it('rejects bad parameters', async () => {
    assertError(await stats(ctx.admin, '&group_by=colour'), 400, 'invalid_value', 'group_by');
    assertError(await ctx.get('/api/v1/stats?from=2026-1x-01', ctx.admin), 400, 'invalid_value', 'from');
    assertError(await ctx.get('/api/v1/stats?from=2026-10-01&to=2026-09-01', ctx.admin), 400, 'invalid_range', 'to');
    assertError(await stats(ctx.admin, '&channel=pigeon'), 400, 'invalid_value', 'channel');
    assertError(await stats(ctx.admin, '&division=12345'), 400, 'invalid_value', 'division');
    assertError(await stats(ctx.admin, '&satisfaction=most'), 400, 'invalid_value', 'satisfaction');
  });

  it('moves with every case write, in the same transaction', async () => {
    const day = today();
    const q = `/api/v1/stats?from=${day}&to=${day}&division=${ctx.villageA}`;
    const before = ok(await ctx.get(q, ctx.admin)).total;
    const c = await ctx.intake(ctx.admin);
    const a1 = ok(await ctx.get(q, ctx.admin)).total;
    assert.equal(a1.intake, before.intake + 1);
    await ctx.act(ctx.admin, c.code, 'dispatch', ctx.dispatchBody({ lead: 0, withAssessment: true }));
    const a2 = ok(await ctx.get(q, ctx.admin)).total;
    assert.equal(a2.assigned, before.assigned + 1);
    await ctx.act(ctx.admin, c.code, 'accept', { department_id: ctx.departments[0].id });
    const a3 = ok(await ctx.get(q, ctx.admin)).total;
    assert.equal(a3.responded, before.responded + 1, 'accepted at once: within the response limit');
    await ctx.act(ctx.admin, c.code, 'resolve', { result: '双方达成和解协议', success: true, method: ctx.method });
    await ctx.act(ctx.admin, c.code, 'verify', {});
    const a4 = ok(await ctx.get(q, ctx.admin)).total;
    assert.equal(a4.closed, before.closed + 1);
    assert.equal(a4.settled, before.settled + 1);
    assert.equal(a4.on_time, before.on_time + 1);
  });

  it('ranks departments by a composite score with 1–5 stars', async () => {
    const r = ok(await ctx.get(`/api/v1/stats/ranking?from=${FROM}&to=${TO}`, ctx.admin));
    assert.ok(r.items.length >= 2);
    assert.equal(r.weights.on_time_rate, 25);
    let prev = Infinity;
    r.items.forEach((it, i) => {
      assert.equal(it.rank, i + 1);
      assert.ok(it.score <= prev && it.score >= 0 && it.score <= 100);
      assert.ok(Number.isInteger(it.stars) && it.stars >= 1 && it.stars <= 5);
      const want = it.score >= 90 ? 5 : it.score >= 80 ? 4 : it.score >= 70 ? 3 : it.score >= 60 ? 2 : 1;
      assert.equal(it.stars, want);
      assert.equal(typeof it.name, 'string');
      prev = it.score;
    });
    const own = ok(await ctx.get(`/api/v1/stats/ranking?from=${FROM}&to=${TO}`, deptUser));
    assert.ok(own.items.every((x) => x.department_id === ctx.departments[0].id));
  });
});

describe('monthly report', () => {
  let ctx;
  before(async () => {
    ctx = await setup({ cases: 200 });
  });
  after(async () => ctx && ctx.teardown());

  function lastMonth() {
    const d = new Date(Date.now() + 8 * 3600 * 1000);
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() - 1);
    return d.toISOString().slice(0, 7);
  }

  it('downloads as .xlsx for a month and a division', async () => {
    const res = await ctx.get(`/api/v1/reports/monthly?month=${lastMonth()}&division=${ctx.county}`, ctx.admin);
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.match(res.headers['content-type'], /spreadsheetml/);
    assert.match(res.headers['content-disposition'], /attachment/);
    assert.equal(res.raw.subarray(0, 2).toString(), 'PK');
    const names = res.raw.toString('latin1');
    assert.ok(names.includes('xl/worksheets/sheet7.xml'), 'seven sheets');
    assertError(await ctx.get('/api/v1/reports/monthly', ctx.admin), 400, 'required', 'month');
    assertError(await ctx.get('/api/v1/reports/monthly?month=2026-13', ctx.admin), 400, 'invalid_value', 'month');
    const town = await ctx.user('rp-town', ['leader'], { division: ctx.townshipA });
    assertError(await ctx.get(`/api/v1/reports/monthly?month=${lastMonth()}&division=${ctx.townshipB}`, town), 403, 'out_of_scope');
    const handler = await ctx.user('rp-handler', ['handler'], { department_id: ctx.departments[0].id });
    assertError(await ctx.get(`/api/v1/reports/monthly?month=${lastMonth()}`, handler), 403);
  });

  it('keeps last month\'s report from the first working day on and lists it', async () => {
    let items = [];
    for (let i = 0; i < 50 && !items.length; i++) {
      items = ok(await ctx.get('/api/v1/reports', ctx.admin)).items;
      if (!items.length) await sleep(100);
    }
    // (unless the server started before this month's first working day)
    const d = new Date(Date.now() + 8 * 3600 * 1000);
    if (d.getUTCDate() >= 8) {
      const it = items.find((x) => x.month === lastMonth());
      assert.ok(it, `a kept report for ${lastMonth()}: ${JSON.stringify(items)}`);
      const f = await ctx.get(it.url, ctx.admin);
      assert.equal(f.status, 200);
      assert.equal(f.raw.subarray(0, 2).toString(), 'PK');
      assert.ok(items.find((x) => x.division === ctx.county), 'one per county too');
      const leader = await ctx.user('rp-county', ['leader'], { division: ctx.county });
      const seen = ok(await ctx.get('/api/v1/reports', leader)).items;
      assert.ok(seen.length >= 1 && seen.every((x) => x.division === ctx.county), 'a county leader sees its county only');
      assertError(await ctx.get(it.url, leader), 404, 'not_found');
    }
    assertError(await ctx.get('/api/v1/reports/..%2Ft.db', ctx.admin), 404, 'not_found');
  });
});
