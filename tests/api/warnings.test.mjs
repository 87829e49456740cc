// Early warning over HTTP (docs/WARNING.md, docs/API.md "Early warning"): a burst of cases in one
// grid is scored with its factors and raises a surge warning on recompute; warnings are limited to
// the caller's scope; seen / dismiss (a reason required) / to-case (creates a case) move a warning
// once; the heat map is a GeoJSON FeatureCollection of grids; the forecast lists the burst; a few
// related cases with threats and more people each time (no burst) fire the escalation test, whose
// factor explains itself and whose warning says 矛盾升级苗头.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertError, ok, setup } from './helpers.mjs';

describe('early warning', () => {
  let ctx;
  let townB;
  let grid;

  before(async () => {
    ctx = await setup({ cases: 200 });
    townB = await ctx.user('wa-town-b', ['leader'], { division: ctx.townshipB });
    const grids = ok(await ctx.get(`/api/v1/grids?division=${ctx.villageA}`, ctx.admin));
    const list = Array.isArray(grids) ? grids : grids.items;
    grid = list[list.length - 1].code;
    for (let i = 0; i < 8; i++) {
      await ctx.intake(ctx.admin, {
        grid,
        title: `工地拖欠工资集中反映 ${i}`,
        description: '二十余名农民工反映工地拖欠工资，扬言到镇政府聚集讨说法。',
        people_count: 6,
      });
    }
  });
  after(async () => ctx && ctx.teardown());

  it('scores the grid with factors and raises a surge warning on recompute', async () => {
    const areas = ok(await ctx.get(`/api/v1/warnings/areas?level=grid&division=${ctx.villageA}`, ctx.admin));
    const a = areas.items.find((x) => x.area === grid);
    assert.ok(a, 'grid scored');
    assert.ok(a.score > 0 && a.score <= 100);
    assert.ok(['blue', 'yellow', 'orange', 'red'].includes(a.level));
    assert.equal(a.factors.length, 15);
    for (const f of a.factors) {
      for (const k of ['name', 'name_zh', 'value', 'weight', 'contribution']) assert.ok(k in f, k);
    }
    const byName = Object.fromEntries(a.factors.map((f) => [f.name, f]));
    assert.ok(byName.cases.value >= 8);
    assert.ok(byName.threat_words.value >= 8);
    assert.ok(byName.group.value >= 8);
    assert.ok(byName.surge.contribution > 0);
    assert.equal(a.forecast.surge, true);
    // sorted by contribution
    for (let i = 1; i < a.factors.length; i++) assert.ok(a.factors[i - 1].contribution >= a.factors[i].contribution);
    const sum = a.factors.reduce((s, f) => s + f.contribution, 0);
    assert.ok(Math.abs(sum - a.score) < 0.2, `contributions ${sum} add up to score ${a.score}`);

    assertError(await ctx.post('/api/v1/warnings/recompute', townB, {}), 403, 'forbidden_role');
    const rc = ok(await ctx.post('/api/v1/warnings/recompute', ctx.admin, {}));
    assert.ok(rc.raised >= 1);
    const again = ok(await ctx.post('/api/v1/warnings/recompute', ctx.admin, {}));
    assert.equal(again.raised, 0, 'a surge is raised once');
    const list = ok(await ctx.get('/api/v1/warnings?status=raised', ctx.admin)).items;
    const w = list.find((x) => x.area === grid && x.kind === 'surge');
    assert.ok(w, 'surge warning of the grid');
    assert.equal(w.status, 'raised');
    assert.ok(w.factors.length > 0);
  });

  it('limits warnings to the scope', async () => {
    const mine = ok(await ctx.get('/api/v1/warnings', ctx.admin)).items.find((x) => x.area === grid);
    const theirs = ok(await ctx.get('/api/v1/warnings', townB)).items;
    assert.ok(!theirs.some((x) => x.id === mine.id));
    assertError(await ctx.post(`/api/v1/warnings/${mine.id}/seen`, townB, {}), 404, 'not_found');
    assertError(await ctx.get(`/api/v1/warnings/areas?division=${ctx.villageA}`, townB), 403, 'out_of_scope');
    assertError(await ctx.get('/api/v1/warnings?status=bogus', ctx.admin), 400, 'invalid_value', 'status');
  });

  it('seen, dismiss with a reason, to-case creating a case', async () => {
    const all = ok(await ctx.get('/api/v1/warnings?status=raised', ctx.admin)).items;
    assert.ok(all.length >= 2, 'grid and village (or township) surges');
    const [w1, w2] = all;
    const seen = ok(await ctx.post(`/api/v1/warnings/${w1.id}/seen`, ctx.admin, {}));
    assert.equal(seen.status, 'seen');
    assert.ok(seen.seen_at);
    assertError(await ctx.post(`/api/v1/warnings/${w1.id}/dismiss`, ctx.admin, {}), 400, 'missing_field', 'reason');
    const dis = ok(await ctx.post(`/api/v1/warnings/${w1.id}/dismiss`, ctx.admin, { reason: '已核实为同一事件重复反映' }));
    assert.equal(dis.status, 'dismissed');
    assert.equal(dis.reason, '已核实为同一事件重复反映');
    assertError(await ctx.post(`/api/v1/warnings/${w1.id}/to-case`, ctx.admin, {}), 409, 'already_handled');

    const before = await ctx.caseCount();
    const tc = ok(await ctx.post(`/api/v1/warnings/${w2.id}/to-case`, ctx.admin, {}), 201);
    assert.equal(tc.status, 'case');
    assert.match(tc.case_code, /^\d{6}/);
    assert.equal(tc.case.code, tc.case_code);
    const c = await ctx.getCase(ctx.admin, tc.case_code);
    assert.match(c.title, /突增|风险/);
    assert.equal(await ctx.caseCount(), before + 1);
    assertError(await ctx.post('/api/v1/warnings/999999/seen', ctx.admin, {}), 404, 'not_found');
  });

  it('serves the heat map as GeoJSON and the 48-hour forecast', async () => {
    const g = ok(await ctx.get(`/api/v1/warnings/geojson?division=${ctx.villageA}`, ctx.admin));
    assert.equal(g.type, 'FeatureCollection');
    const f = g.features.find((x) => x.properties.code === grid);
    assert.ok(f, 'the grid is a feature');
    assert.ok(f.geometry && f.geometry.type);
    assert.ok(f.properties.cases_7d >= 8);
    assert.ok(['blue', 'yellow', 'orange', 'red'].includes(f.properties.level));
    const fc = ok(await ctx.get(`/api/v1/warnings/forecast?level=grid&division=${ctx.villageA}`, ctx.admin));
    const item = fc.items.find((x) => x.area === grid);
    assert.ok(item && item.observed_24h >= 8 && item.surge === true);
    assert.ok(item.next_48h > item.baseline_24h);
    assertError(await ctx.get('/api/v1/warnings/forecast?level=street', ctx.admin), 400, 'invalid_value', 'level');
  });

  it('raises an escalation warning on a few related cases before any burst', async () => {
    const grids = ok(await ctx.get(`/api/v1/grids?division=${ctx.villageB}`, ctx.admin));
    const list = Array.isArray(grids) ? grids : grids.items;
    const gridB = list[0].code;
    const texts = [
      ['宏达建设工地拖欠工资', '宏达建设工程有限公司承建的安置房项目工地包工头王某某拖欠工人工资两个月，工人要求结清工资', 2],
      ['安置房工地多名工人讨薪', '安置房项目工地包工头王某某拖欠工资，宏达建设工程有限公司承建，多名工人讨要工资未果', 6],
      ['宏达建设工地工人扬言聚集', '宏达建设工程有限公司安置房项目工地拖欠工资，包工头王某某避而不见，工人扬言到镇政府聚集讨薪', 14],
      ['安置房工地二十余名工人讨薪', '安置房项目工地二十余名工人反映宏达建设工程有限公司包工头王某某拖欠工资，扬言上访', 25],
    ];
    for (const [title, description, people] of texts) {
      await ctx.intake(ctx.admin, { grid: gridB, division: ctx.villageB, title, description, people_count: people });
    }
    const areas = ok(await ctx.get(`/api/v1/warnings/areas?level=grid&division=${ctx.villageB}`, ctx.admin));
    const a = areas.items.find((x) => x.area === gridB);
    assert.ok(a, 'grid scored');
    assert.equal(a.forecast.surge, false, 'four cases are no count surge');
    assert.equal(a.escalation.fired, true);
    assert.ok(a.escalation.cases >= 4 && a.escalation.threat >= 2);
    const esc = a.factors.find((f) => f.name === 'escalation');
    assert.ok(esc.contribution > 0);
    assert.match(esc.detail, /相似案件\d+件/);
    ok(await ctx.post('/api/v1/warnings/recompute', ctx.admin, {}));
    const w = ok(await ctx.get('/api/v1/warnings?status=raised', ctx.admin)).items.find((x) => x.area === gridB);
    assert.ok(w, 'warning of the grid');
    assert.match(w.title, /矛盾升级苗头/);
    assert.ok(w.factors.some((f) => f.name === 'escalation' && f.detail));
    const g = ok(await ctx.get(`/api/v1/warnings/geojson?division=${ctx.villageB}`, ctx.admin));
    assert.equal(g.features.find((x) => x.properties.code === gridB).properties.escalation, true);
    const fc = ok(await ctx.get(`/api/v1/warnings/forecast?level=grid&division=${ctx.villageB}`, ctx.admin));
    assert.equal(fc.items.find((x) => x.area === gridB).escalation, true);
  });
});
