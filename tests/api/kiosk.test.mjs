// Kiosk tokens for the big screen: created by a leader or admin within their scope, read-only,
// scoped, accepted as a header or ?kiosk= (EventSource), revocable.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertError, ok, setup } from './helpers.mjs';

describe('kiosk tokens', () => {
  let ctx, leader, token, id;
  before(async () => {
    ctx = await setup({ cases: 30 });
    leader = await ctx.user('ki-leader', ['leader'], { division: ctx.county });
  });
  after(async () => ctx && ctx.teardown());

  it('a leader creates a token for a screen within their scope', async () => {
    const k = ok(await ctx.post('/api/v1/kiosk-tokens', leader, { name: '指挥大厅大屏', division: ctx.townshipA }), 201);
    assert.equal(k.token.length, 43);
    assert.ok(k.url.includes(k.token));
    token = k.token;
    id = k.id;
    assertError(await ctx.post('/api/v1/kiosk-tokens', leader, { name: 'x', division: '110000000000' }), 400, 'out_of_scope', 'division');
    const clerk = await ctx.user('ki-clerk', ['clerk'], { division: ctx.townshipA });
    assertError(await ctx.post('/api/v1/kiosk-tokens', clerk, { name: 'x' }), 403, 'forbidden_role');
  });

  it('reads with the token as a header or a query, within its division only, and never writes', async () => {
    const viaHeader = ok(await ctx.api('GET', '/api/v1/cases?count=1&limit=5', { headers: { Authorization: `Kiosk ${token}` } }));
    assert.ok(viaHeader.items.every((c) => c.division.startsWith(ctx.townshipA.slice(0, 9))));
    const all = ok(await ctx.get('/api/v1/cases?count=1&limit=1', ctx.admin));
    assert.ok(viaHeader.total < all.total, 'the screen sees only its township');
    ok(await ctx.api('GET', `/api/v1/auth/me?kiosk=${token}`));
    assertError(await ctx.api('POST', '/api/v1/cases', { headers: { Authorization: `Kiosk ${token}` }, body: ctx.intakeBody() }), 403, 'read_only');
  });

  it('is revoked at once', async () => {
    const list = ok(await ctx.get('/api/v1/kiosk-tokens', leader)).items;
    assert.ok(list.some((k) => k.id === id) && !JSON.stringify(list).includes(token));
    ok(await ctx.api('DELETE', `/api/v1/kiosk-tokens/${id}`, { auth: leader }));
    assertError(await ctx.api('GET', '/api/v1/cases', { headers: { Authorization: `Kiosk ${token}` } }), 401, 'unauthenticated');
    assertError(await ctx.api('DELETE', `/api/v1/kiosk-tokens/${id}`, { auth: leader }), 404, 'not_found');
    assertError(await ctx.api('GET', '/api/v1/cases?kiosk=garbage'), 401, 'unauthenticated');
  });
});
