// Reference data through the API: divisions and their centres, grids with polygons, departments,
// categories (GB/T 31000 and grid matters), resolution methods, the responsibility list and the
// lookup that turns it into the departments serving a place.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertError, ok, setup } from './helpers.mjs';

describe('reference data', () => {
  let ctx;
  before(async () => {
    ctx = await setup({ cases: 20 });
  });
  after(async () => ctx && ctx.teardown());

  it('lists divisions level by level with 12-digit codes', async () => {
    const d = ok(await ctx.get(`/api/v1/divisions?parent=${ctx.townshipA}`, ctx.admin)).items;
    assert.ok(d.length > 0);
    for (const v of d) {
      assert.match(v.code, /^\d{12}$/);
      assert.equal(v.level, 'village');
      assert.equal(v.parent, ctx.townshipA);
    }
    const one = ok(await ctx.get(`/api/v1/divisions/${ctx.villageA}`, ctx.admin));
    assert.equal(one.parent, ctx.townshipA);
    assertError(await ctx.get('/api/v1/divisions/12345', ctx.admin), 400, 'invalid_value', 'code');
    assertError(await ctx.get('/api/v1/divisions/339999999999', ctx.admin), 404, 'not_found');
  });

  it('has a centre (综治中心) at every level with its departments counted', async () => {
    const all = ok(await ctx.get(`/api/v1/centres?division=${ctx.county}`, ctx.admin)).items;
    const levels = new Set(all.map((c) => c.level));
    for (const l of ['county', 'township', 'village']) assert.ok(levels.has(l), `a ${l} centre`);
    const county = all.find((c) => c.division === ctx.county);
    assert.match(county.name, /综合治理中心$/);
    assert.ok(county.departments >= 6, 'the county centre hosts its resident departments');
    const town = ok(await ctx.get(`/api/v1/centres?division=${ctx.townshipA}`, ctx.admin)).items;
    assert.ok(town.every((c) => c.division.startsWith(ctx.townshipA.slice(0, 9))));
  });

  it('serves grids with GeoJSON polygons', async () => {
    const g = ok(await ctx.get(`/api/v1/grids?division=${ctx.villageA}&polygon=1`, ctx.admin)).items;
    assert.ok(g.length > 0);
    assert.ok(g[0].code.startsWith(ctx.villageA));
    const poly = typeof g[0].polygon === 'string' ? JSON.parse(g[0].polygon) : g[0].polygon;
    assert.ok(poly, 'a polygon');
    assertError(await ctx.get('/api/v1/grids', ctx.admin), 400, 'required', 'division');
  });

  it('lists GB/T 31000 dispute categories and the grid matter list', async () => {
    const d = ok(await ctx.get('/api/v1/categories?kind=dispute', ctx.admin)).items;
    assert.ok(d.find((c) => c.code === '0201' && c.name.includes('用水')));
    assert.ok(d.every((c) => c.kind === 'dispute'));
    const g = ok(await ctx.get('/api/v1/categories?kind=grid_matter', ctx.admin)).items;
    assert.ok(g.length >= 40 && g.every((c) => c.code.startsWith('G')));
    assertError(await ctx.get('/api/v1/categories?kind=other', ctx.admin), 400, 'invalid_value', 'kind');
    const m = ok(await ctx.get('/api/v1/resolution-methods', ctx.admin)).items;
    assert.ok(m.find((x) => x.code === '0103' && x.name === '人民调解'));
  });

  it('looks up the departments responsible for a matter at a place', async () => {
    const list = ok(await ctx.get('/api/v1/responsibilities', ctx.admin)).items;
    assert.ok(list.length > 50);
    const r = ok(await ctx.get(`/api/v1/responsibilities/lookup?category=0701&division=${ctx.villageA}&level=county`, ctx.admin));
    assert.ok(r.lead, 'a lead department');
    assert.equal(r.lead.kind, r.lead_kind);
    assert.ok(Array.isArray(r.assist));
    assertError(await ctx.get(`/api/v1/responsibilities/lookup?division=${ctx.villageA}`, ctx.admin), 400, 'required', 'category');
    assertError(await ctx.get(`/api/v1/responsibilities/lookup?category=0701&division=${ctx.villageA}&level=galaxy`, ctx.admin), 400, 'invalid_value', 'level');
  });

  it('needs a session', async () => {
    assertError(await ctx.api('GET', '/api/v1/divisions'), 401, 'unauthenticated');
  });
});
