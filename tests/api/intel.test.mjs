// The intelligence layer over HTTP: routing suggestions (and the model learning from an
// assessment), the mediation scenario library and its recommendations, applied recommendations
// and method success rates, repeat petitions flagged at intake, duplicates across channels and
// their merge with both timelines kept.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertError, ok, setup } from './helpers.mjs';

describe('intelligence', () => {
  let ctx;
  let clerk;
  let dispatcher;
  before(async () => {
    ctx = await setup();
    clerk = await ctx.user('in-clerk', ['clerk'], { division: ctx.county });
    dispatcher = await ctx.user('in-dispatcher', ['dispatcher'], { division: ctx.county });
  });
  after(async () => ctx && ctx.teardown());

  describe('routing suggestion', () => {
    it('suggests category, grade, level and the departments serving the place, with reasons', async () => {
      const j = ok(await ctx.post('/api/v1/suggest', clerk, {
        text: '包工头拖欠我们二十多个农民工三个月工资，年底了电话也不接，请帮忙讨薪。',
        division: ctx.villageA,
        channel: 'hotline_12345',
      }));
      assert.ok(j.suggestions.length >= 1 && j.suggestions.length <= 3);
      const s = j.suggestions[0];
      assert.equal(s.level1.code, '07', JSON.stringify(s));
      assert.ok(s.category.startsWith('07'));
      assert.equal(s.kind, 'dispute');
      assert.ok(s.confidence > 0 && s.confidence <= 1);
      assert.ok(s.level1.confidence >= s.confidence - 1e-9);
      assert.ok(['simple', 'ordinary', 'complex', 'difficult'].includes(s.grade.value));
      assert.ok(['city', 'county', 'township', 'village'].includes(s.level.value));
      assert.equal(s.departments.lead_kind, 'hrss');
      if (s.level.value !== 'village') {
        assert.ok(s.departments.lead, 'a lead department of that kind serves the village');
        assert.equal(s.departments.lead.kind, 'hrss');
      }
      assert.ok(s.reasons.keywords.some((k) => ['欠薪', '农民工', '讨薪', '工资', '包工头'].includes(k)), s.reasons.keywords.join());
      assert.ok(Array.isArray(s.reasons.similar_cases));
      assert.equal(j.level1[0].code, '07');
      assert.equal(j.channel, 'hotline_12345');
      assert.ok(j.model.cases_learned > 0, 'trained on the demo cases at start');
    });

    it('routes a grid matter too', async () => {
      const j = ok(await ctx.post('/api/v1/suggest', clerk, { title: '井盖缺失', description: '解放路口的窨井盖不见了，晚上很危险。' }));
      assert.equal(j.suggestions[0].level1.code, 'G02', JSON.stringify(j.suggestions[0]));
      assert.equal(j.suggestions[0].kind, 'grid_matter');
      assert.ok(j.suggestions[0].departments.lead_kind);
      assert.equal(j.suggestions[0].departments.lead, null, 'no place given: kinds only');
    });

    it('learns from an assessment: a dispatcher\'s category becomes training data', async () => {
      const text = '鹭鸶湾渡口摆渡船的船老大收费忽高忽低，过渡村民意见很大';
      const before = ok(await ctx.post('/api/v1/suggest', dispatcher, { text, k: 5 }));
      const learned = before.model.cases_learned;
      const c = await ctx.intake(clerk, { title: '渡口摆渡收费纠纷', description: text, kind: 'request' });
      await ctx.act(dispatcher, c.code, 'assess', { category: '1305', grade: 'simple', level: 'township' });
      const after = ok(await ctx.post('/api/v1/suggest', dispatcher, { text, k: 5 }));
      assert.equal(after.model.cases_learned, learned + 1);
      const top = after.suggestions[0];
      assert.equal(top.category, '1305', JSON.stringify(after.suggestions.map((s) => [s.category, s.confidence])));
      assert.ok(top.reasons.similar_cases.some((x) => x.code === c.code), 'the assessed case is cited');
      assert.equal(top.grade.value, 'simple');
    });

    it('rejects bad input naming the field', async () => {
      assertError(await ctx.post('/api/v1/suggest', clerk, {}), 400, 'required', 'text');
      assertError(await ctx.post('/api/v1/suggest', clerk, { text: 'x', colour: 'red' }), 400, 'unknown_field', 'colour');
      assertError(await ctx.post('/api/v1/suggest', clerk, { text: '漏水', division: '999999999999' }), 400, 'unknown_division', 'division');
      assertError(await ctx.post('/api/v1/suggest', clerk, { text: '漏水', channel: 'pigeon' }), 400, 'invalid_value', 'channel');
      assertError(await ctx.post('/api/v1/suggest', clerk, { text: '漏水', k: 99 }), 400, undefined, 'k');
      assertError(await ctx.post('/api/v1/suggest', clerk, { text: 'x'.repeat(9000) }), 400, 'too_long', 'text');
      assertError(await ctx.api('POST', '/api/v1/suggest', { body: { text: '漏水' } }), 401, 'unauthenticated');
    });
  });

  describe('mediation scenarios', () => {
    let scenarios;
    it('ships at least 98 scenarios covering every level-2 dispute category', async () => {
      scenarios = ok(await ctx.get('/api/v1/scenarios', clerk)).items;
      assert.ok(scenarios.length >= 98, `${scenarios.length} scenarios`);
      const cats = ok(await ctx.get('/api/v1/categories?kind=dispute', clerk)).items.filter((c) => c.code.length === 4);
      for (const c of cats) assert.ok(scenarios.some((s) => s.categories.includes(c.code)), `no scenario for ${c.code} ${c.name}`);
      for (const s of scenarios) {
        assert.match(s.code, /^S\d+$/);
        assert.ok(s.name && s.legal_basis.length && s.methods.length && s.steps.length, s.code);
        assert.ok(Array.isArray(s.mediators) && Array.isArray(s.documents) && Array.isArray(s.keywords));
      }
      const s005 = scenarios.find((s) => s.name.includes('赡养'));
      assert.ok(s005.legal_basis.some((l) => l.includes('民法典')));
      const filtered = ok(await ctx.get('/api/v1/scenarios?category=0701', clerk)).items;
      assert.ok(filtered.length >= 2 && filtered.every((s) => s.categories.some((c) => c.startsWith('07'))));
      const one = ok(await ctx.get(`/api/v1/scenarios/${scenarios[0].id}`, clerk));
      assert.equal(one.code, scenarios[0].code);
      assertError(await ctx.get('/api/v1/scenarios/999999', clerk), 404, 'not_found');
    });

    it('admins add and edit scenarios; others may not', async () => {
      const body = {
        name: '光伏板安装屋顶使用纠纷', categories: ['0202', '0602'], keywords: ['光伏', '屋顶'],
        legal_basis: ['民法典 第292条'], methods: ['现场调解', '三步工作法'], steps: ['现场查看', '协商'],
        mediators: ['村调委会'], documents: ['安装合同'],
      };
      assertError(await ctx.post('/api/v1/scenarios', clerk, body), 403, 'forbidden_role');
      assertError(await ctx.post('/api/v1/scenarios', ctx.admin, { ...body, categories: ['7777'] }), 400, 'unknown_category', 'categories');
      assertError(await ctx.post('/api/v1/scenarios', ctx.admin, { ...body, methods: [] }), 400, 'required', 'methods');
      assertError(await ctx.post('/api/v1/scenarios', ctx.admin, { ...body, extra: 1 }), 400, 'unknown_field', 'extra');
      const s = ok(await ctx.post('/api/v1/scenarios', ctx.admin, body), 201);
      assert.match(s.code, /^S\d+$/);
      assert.deepEqual(s.categories, ['0202', '0602']);
      const u = ok(await ctx.put(`/api/v1/scenarios/${s.id}`, ctx.admin, { methods: ['圆桌调解法'] }));
      assert.deepEqual(u.methods, ['圆桌调解法']);
      assert.equal(u.name, body.name, 'a partial update keeps the rest');
      assertError(await ctx.post('/api/v1/scenarios', ctx.admin, { ...body, code: s.code }), 409, 'duplicate_code', 'code');
      assertError(await ctx.put('/api/v1/scenarios/999999', ctx.admin, { name: '不存在的场景' }), 404, 'not_found');
    });

    it('recommends scenarios and similar resolved cases for a case; applying one is recorded', async () => {
      const c = await ctx.caseIn('closed', {
        title: '八旬老人反映子女不履行赡养义务',
        description: '村民王某某八十三岁，三个儿子互相推诿，不给赡养费，老人独居漏雨老屋，请求调解。',
      });
      const rec = ok(await ctx.get(`/api/v1/cases/${c.code}/recommendations`, dispatcher));
      assert.ok(rec.scenarios.length >= 1 && rec.scenarios.length <= 3);
      const top = rec.scenarios[0];
      assert.ok(top.name.includes('赡养'), rec.scenarios.map((s) => s.name).join());
      assert.ok(top.reasons.keywords.length > 0);
      assert.ok(top.methods.length > 0 && top.legal_basis.length > 0);
      assert.ok(Array.isArray(rec.similar_cases));
      for (const s of rec.similar_cases) {
        assert.ok(s.code && s.similarity > 0 && 'method' in s && 'success' in s);
        assert.notEqual(s.code, c.code);
      }
      const method = top.methods[0];
      assertError(await ctx.post(`/api/v1/cases/${c.code}/recommendations/${top.id}/apply`, dispatcher, { method: '掷骰子' }),
        400, 'invalid_value', 'method');
      const a = ok(await ctx.post(`/api/v1/cases/${c.code}/recommendations/${top.id}/apply`, dispatcher, { method, note: '召开家庭会议' }), 201);
      assert.equal(a.scenario_id, top.id);
      assert.equal(a.method, method);
      const events = await ctx.timeline(dispatcher, c.code);
      const last = events[events.length - 1];
      assert.equal(last.action, 'note');
      assert.equal(last.payload.scenario_id, top.id);
      const again = ok(await ctx.get(`/api/v1/cases/${c.code}/recommendations`, dispatcher));
      assert.equal(again.applied.length, 1);
      assert.equal(again.applied[0].method, method);
      // the case was settled (caseIn resolves with success): the method's success rate shows it
      const stats = ok(await ctx.get('/api/v1/scenarios/stats', clerk));
      const m = stats.methods.find((x) => x.method === method);
      assert.ok(m && m.applied >= 1 && m.closed >= 1 && m.settled >= 1 && m.success_rate > 0, JSON.stringify(stats.methods));
      assert.ok(stats.resolution_methods.length > 0);
      assertError(await ctx.post(`/api/v1/cases/${c.code}/recommendations/999999/apply`, dispatcher, {}), 404, 'not_found');
    });

    it('a case before assessment is matched by its suggested category', async () => {
      const c = await ctx.intake(clerk, { title: '彩礼返还纠纷', description: '女儿订婚时男方给了十八万彩礼，现在退婚了男方要求全部返还。' });
      const rec = ok(await ctx.get(`/api/v1/cases/${c.code}/recommendations`, clerk));
      assert.equal(rec.category_source, 'suggested');
      assert.ok(rec.scenarios[0].name.includes('彩礼'), rec.scenarios.map((s) => s.name).join());
    });
  });

  describe('repeat petitions', () => {
    it('flags the same person with a similar matter within 90 days as 重复信访', async () => {
      const party = [{ role: 'applicant', name: '赵六', phone: '13912345678' }];
      const first = await ctx.intake(clerk, {
        channel: 'letters_visits', title: '反映拖欠工程款问题', description: '赵六反映某建筑公司拖欠其工程款八万元，多次讨要无果。', parties: party,
      });
      const second = await ctx.intake(clerk, {
        channel: 'hotline_12345', title: '再次反映拖欠工程款', description: '赵六再次来电反映建筑公司拖欠工程款八万元至今未付。',
        parties: [{ role: 'applicant', name: '赵六', phone: '139-1234-5678' }],
      });
      const d = ok(await ctx.get(`/api/v1/cases/${second.code}/duplicates`, clerk));
      assert.equal(d.repeat_of, first.code);
      assert.equal(d.repeat_petition, true);
      assert.ok(d.links.some((l) => l.code === first.code && l.kind === 'repeat'), JSON.stringify(d.links));
      const ev = (await ctx.timeline(clerk, second.code))[0];
      assert.equal(ev.payload.repeat_of, first.code);
      // another person with the same matter is no repeat
      const other = await ctx.intake(clerk, {
        title: '反映拖欠工程款问题', description: '钱七反映某建筑公司拖欠其工程款八万元，多次讨要无果。',
        parties: [{ role: 'applicant', name: '钱七', phone: '13700001111' }],
      });
      const d2 = ok(await ctx.get(`/api/v1/cases/${other.code}/duplicates`, clerk));
      assert.equal(d2.repeat_of, null);
      assert.equal(d2.repeat_petition, false);
    });
  });

  describe('duplicates across channels', () => {
    let call, report;
    it('suggests a grid report of the same burst pipe as a duplicate of the 12345 call', async () => {
      call = await ctx.intake(clerk, {
        channel: 'hotline_12345', kind: 'incident', title: '幸福路12号自来水管爆裂', description: '市民来电：幸福路12号门口自来水管爆裂，水流了一地，请尽快派人维修。',
      });
      report = await ctx.intake(clerk, {
        channel: 'grid', kind: 'incident', title: '自来水管爆裂路面积水', description: '网格员巡查发现幸福路12号门口自来水管爆裂，路面大量积水。',
      });
      const d = ok(await ctx.get(`/api/v1/cases/${report.code}/duplicates`, clerk));
      const hit = d.candidates.find((x) => x.code === call.code);
      assert.ok(hit, JSON.stringify(d));
      assert.ok(hit.score >= 0.35 && hit.score <= 1);
      assert.equal(hit.direction, 'earlier');
      assert.equal(hit.channel, 'hotline_12345');
      assert.equal(hit.merged, false);
      const back = ok(await ctx.get(`/api/v1/cases/${call.code}/duplicates`, clerk));
      assert.ok(back.candidates.some((x) => x.code === report.code && x.direction === 'later'));
      const ev = (await ctx.timeline(clerk, report.code))[0];
      assert.ok(ev.payload.duplicate_candidates.includes(call.code));
    });

    it('an unrelated case in another village is no duplicate', async () => {
      const x = await ctx.intake(clerk, {
        division: ctx.villageB, kind: 'incident', title: '自来水管爆裂', description: '幸福路12号门口自来水管爆裂，路面大量积水。',
      });
      const d = ok(await ctx.get(`/api/v1/cases/${x.code}/duplicates`, clerk));
      assert.ok(!d.candidates.some((c) => c.code === call.code || c.code === report.code));
    });

    it('merges the duplicate into the primary, keeping both timelines and their hash chains', async () => {
      assertError(await ctx.post(`/api/v1/cases/${report.code}/merge`, clerk, { into: call.code }), 403, 'forbidden_role');
      assertError(await ctx.post(`/api/v1/cases/${report.code}/merge`, dispatcher, { into: report.code }), 400, 'same_case', 'into');
      assertError(await ctx.post(`/api/v1/cases/${report.code}/merge`, dispatcher, {}), 400, 'required', 'into');
      assertError(await ctx.post(`/api/v1/cases/${report.code}/merge`, dispatcher, { into: '123' }), 400, 'invalid_code', 'into');
      const m = ok(await ctx.post(`/api/v1/cases/${report.code}/merge`, dispatcher, { into: call.code, reason: '同一爆管' }));
      assert.equal(m.duplicate.code, report.code);
      assert.equal(m.duplicate.status, 'archived');
      assert.equal(m.primary.code, call.code);
      assert.equal(m.primary.status, 'pending_assess');
      const dt = await ctx.timeline(dispatcher, report.code);
      assert.equal(dt[dt.length - 1].action, 'archive');
      assert.equal(dt[dt.length - 1].payload.merged_into, call.code);
      const pt = await ctx.timeline(dispatcher, call.code);
      assert.equal(pt[pt.length - 1].action, 'note');
      assert.equal(pt[pt.length - 1].payload.merged, report.code);
      const d = ok(await ctx.get(`/api/v1/cases/${report.code}/duplicates`, dispatcher));
      assert.ok(d.links.some((l) => l.code === call.code && l.kind === 'duplicate'));
      assert.ok(d.candidates.find((x) => x.code === call.code).merged);
      assertError(await ctx.post(`/api/v1/cases/${report.code}/merge`, dispatcher, { into: call.code }), 409);
      assertError(await ctx.post(`/api/v1/cases/${call.code}/merge`, dispatcher, { into: report.code }), 409, 'primary_archived');
      const r = await ctx.cli(['check']);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /check ok/);
    });
  });
});
