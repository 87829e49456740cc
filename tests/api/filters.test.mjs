// List filters the inboxes need: supervised (督办), unrated (待评价), mine (my reports), the
// closed-date range, and the portal's public division picker.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertError, ok, setup } from './helpers.mjs';

describe('list filters', () => {
  let ctx, sup, clerk;
  before(async () => {
    ctx = await setup({ cases: 40 });
    sup = await ctx.user('fl-sup', ['supervisor', 'dispatcher'], { division: ctx.county });
    clerk = await ctx.user('fl-clerk', ['clerk'], { division: ctx.county });
  });
  after(async () => ctx && ctx.teardown());

  const list = async (auth, q) => ok(await ctx.get(`/api/v1/cases?count=1&limit=500&${q}`, auth));

  it('supervised=1 lists only cases with a supervision order', async () => {
    const c = await ctx.caseIn('handling');
    ok(await ctx.post(`/api/v1/cases/${c.code}/actions/supervise`, sup, { reason: '群众反映强烈，限期办结' }));
    const r = await list(sup, 'supervised=1');
    assert.ok(r.items.some((x) => x.code === c.code));
    assert.ok(r.items.every((x) => x.supervised === true));
  });

  it('unrated=1 with status=closed lists closed cases awaiting a rating, with satisfaction shown', async () => {
    const c = await ctx.caseIn('closed');
    const r = await list(sup, 'status=closed&unrated=1');
    assert.ok(r.items.some((x) => x.code === c.code));
    assert.ok(r.items.every((x) => x.satisfaction === null && x.status === 'closed'));
    assert.ok(r.items.every((x) => typeof x.closed_at === 'string'));
  });

  it('followed_up=0 lists closed cases not yet followed up (回访); followed_up=1 the others', async () => {
    const a = await ctx.caseIn('closed');
    const b = await ctx.caseIn('closed');
    ok(await ctx.post(`/api/v1/cases/${b.code}/actions/follow_up`, clerk,
      { method: 'phone', content: '电话回访，当事人表示满意。', satisfaction: 'satisfied' }));
    const open = await list(sup, 'status=closed&followed_up=0');
    assert.ok(open.items.some((x) => x.code === a.code));
    assert.ok(!open.items.some((x) => x.code === b.code));
    const done = await list(sup, 'status=closed&followed_up=1');
    assert.ok(done.items.some((x) => x.code === b.code));
    assert.ok(!done.items.some((x) => x.code === a.code));
    assert.equal(open.total + done.total, (await list(sup, 'status=closed')).total);
    assertError(await ctx.get('/api/v1/cases?followed_up=2', sup), 400, 'invalid_value', 'followed_up');
  });

  it('mine=1 lists what the caller registered', async () => {
    const c = await ctx.intake(clerk);
    const r = await list(clerk, 'mine=1');
    assert.deepEqual(r.items.map((x) => x.code), [c.code]);
    assert.equal(r.total, 1);
  });

  it('closed_from / closed_to bound the closing date', async () => {
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    const c = await ctx.caseIn('closed');
    const r = await list(sup, `closed_from=${today}&closed_to=${today}`);
    assert.ok(r.items.some((x) => x.code === c.code));
    assert.equal((await list(sup, 'closed_to=2000-01-01')).total, 0);
    assertError(await ctx.get('/api/v1/cases?closed_from=yesterday', sup), 400, 'invalid_time', 'closed_from');
    assertError(await ctx.get('/api/v1/cases?supervised=maybe', sup), 400, 'invalid_value', 'supervised');
  });

  it('the portal can pick a place without an account', async () => {
    const top = ok(await ctx.api('GET', '/api/v1/public/divisions')).items;
    assert.ok(top.length >= 1);
    const towns = ok(await ctx.api('GET', `/api/v1/public/divisions?parent=${ctx.county}`)).items;
    assert.ok(towns.some((t) => t.code === ctx.townshipA));
    assertError(await ctx.api('GET', '/api/v1/public/divisions?parent=12'), 400, 'invalid_value', 'parent');
  });
});
