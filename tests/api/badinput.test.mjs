// Bad input never crashes the server, never answers 5xx and never writes half a thing: every
// answer is a 4xx {error:{code,message,field}} naming the field (DESIGN.md "Errors and bad input").
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { assertError, freshSource, makeCode, ok, setup, sleep } from './helpers.mjs';

/** A JSON text nested `depth` arrays deep. */
const nested = (depth) => '['.repeat(depth) + ']'.repeat(depth);

describe('bad input', () => {
  let ctx;
  let clerk;
  let countBefore;

  before(async () => {
    ctx = await setup();
    clerk = await ctx.user('bi-clerk', ['clerk', 'dispatcher'], { division: ctx.county });
    countBefore = await ctx.caseCount();
  });
  after(async () => {
    if (ctx) await ctx.teardown();
  });

  /** A raw JSON text: a valid intake without the fields in `omit` (default: address), with
   * `extra` spliced in. */
  const rawIntake = (extra, omit = ['address']) => {
    const base = JSON.stringify(ctx.intakeBody(Object.fromEntries(omit.map((k) => [k, undefined]))));
    return `${base.slice(0, -1)},${extra}}`;
  };
  const postCase = (body, opts) => ctx.post('/api/v1/cases', clerk, body, opts);

  describe('POST /api/v1/cases', () => {
    const cases = () => [
      // [name, body, status, code, field]
      ['malformed JSON', '{"title": "x",', 400, 'invalid_json', 'body'],
      ['a JSON array', '[{"title":"x"}]', 400, 'invalid_json', 'body'],
      ['a JSON string', '"hello"', 400, 'invalid_json', 'body'],
      ['JSON null', 'null', 400, 'invalid_json', 'body'],
      ['an empty body', '', 400, 'invalid_json', 'body'],
      ['trailing garbage', `${JSON.stringify(ctx.intakeBody())} x`, 400, 'invalid_json', 'body'],
      ['a duplicate key', rawIntake('"title":"second title"', []), 400, 'invalid_json', 'body'],
      ['title: 5', ctx.intakeBody({ title: 5 }), 400, 'invalid_type', 'title'],
      ['title: true', ctx.intakeBody({ title: true }), 400, 'invalid_type', 'title'],
      ['title: {}', ctx.intakeBody({ title: {} }), 400, 'invalid_type', 'title'],
      ['title: null', ctx.intakeBody({ title: null }), 400, 'required', 'title'],
      ['no title', ctx.intakeBody({ title: undefined }), 400, 'required', 'title'],
      ['an empty title', ctx.intakeBody({ title: '' }), 400, 'required', 'title'],
      ['a one-byte description', ctx.intakeBody({ description: 'x' }), 400, 'too_short', 'description'],
      ['an oversized title', ctx.intakeBody({ title: 'x'.repeat(201) }), 400, 'too_long', 'title'],
      ['an oversized CJK title', ctx.intakeBody({ title: '长'.repeat(67) }), 400, 'too_long', 'title'],
      ['an oversized description', ctx.intakeBody({ description: 'x'.repeat(8001) }), 400, 'too_long', 'description'],
      ['an oversized address', ctx.intakeBody({ address: 'x'.repeat(257) }), 400, 'too_long', 'address'],
      ['an unknown field', ctx.intakeBody({ priority: 'high' }), 400, 'unknown_field', 'priority'],
      ['an unknown field with a weird name', ctx.intakeBody({ 'a"b\\c': 1 }), 400, 'unknown_field', 'a"b\\c'],
      ['a control character', ctx.intakeBody({ title: 'bell\u0007title' }), 400, 'invalid_value', 'title'],
      ['an escaped NUL', rawIntake('"address":"a\\u0000b"'), 400, 'invalid_json', 'body'],
      ['a raw NUL byte', Buffer.from(rawIntake('"address":"a\u0000b"')), 400, 'invalid_json', 'body'],
      ['invalid UTF-8', Buffer.concat([Buffer.from(rawIntake('"address":"').slice(0, -1)), Buffer.from([0xff, 0xfe, 0x22, 0x7d])]),
        400, 'invalid_json', 'body'],
      ['an overlong UTF-8 sequence', Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
        400, 'invalid_json', 'body'],
      ['a lone surrogate', rawIntake('"address":"\\ud800"'), 400, 'invalid_json', 'body'],
      ['a byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(ctx.intakeBody()))]),
        400, 'invalid_json', 'body'],
      ['deeply nested JSON', rawIntake(`"address":${nested(100000)}`), 400, 'invalid_json', 'body'],
      ['nested arrays in a string field', rawIntake(`"address":${nested(500)}`), 400, 'invalid_type', 'address'],
      ['no division', ctx.intakeBody({ division: undefined }), 400, 'required', 'division'],
      ['a short division', ctx.intakeBody({ division: '12345' }), 400, 'too_short', 'division'],
      ['an impossible division', ctx.intakeBody({ division: '999999999999' }), 400, 'unknown_division', 'division'],
      ['an unknown division', ctx.intakeBody({ division: `${ctx.countyCode}999999` }), 400, 'unknown_division', 'division'],
      ['a division with letters', ctx.intakeBody({ division: `${ctx.countyCode}00100X` }), 400, 'unknown_division', 'division'],
      ['an unknown grid', ctx.intakeBody({ grid: 'NOPE' }), 400, 'unknown_grid', 'grid'],
      ['no channel', ctx.intakeBody({ channel: undefined }), 400, 'required', 'channel'],
      ['an unknown channel', ctx.intakeBody({ channel: 'fax' }), 400, 'invalid_value', 'channel'],
      ['an unknown kind', ctx.intakeBody({ kind: 'story' }), 400, 'invalid_value', 'kind'],
      ['an unknown category', ctx.intakeBody({ category: 'ZZZZ' }), 400, 'unknown_category', 'category'],
      ['a bad resident ID check', ctx.intakeBody({ parties: [{ name: '张三', id_number: '110105194912310021' }] }),
        400, 'invalid_id_number', 'parties[0].id_number'],
      ['a resident ID with a bad date', ctx.intakeBody({ parties: [{ name: '张三', id_number: '110105194913310028' }] }),
        400, 'invalid_id_number', 'parties[0].id_number'],
      ['a short resident ID', ctx.intakeBody({ parties: [{ name: '张三', id_number: '1101051949' }] }),
        400, 'invalid_id_number', 'parties[0].id_number'],
      ['a bad mobile', ctx.intakeBody({ parties: [{ name: '张三' }, { name: '李四', phone: '12345' }] }),
        400, 'invalid_phone', 'parties[1].phone'],
      ['a landline as mobile', ctx.intakeBody({ parties: [{ name: '张三', phone: '0571-88888888' }] }),
        400, 'invalid_phone', 'parties[0].phone'],
      ['a party without a name', ctx.intakeBody({ parties: [{ role: 'applicant' }] }), 400, 'required', 'parties[0].name'],
      ['a party with an unknown role', ctx.intakeBody({ parties: [{ name: '张三', role: 'judge' }] }),
        400, 'invalid_value', 'parties[0].role'],
      ['a party with an unknown field', ctx.intakeBody({ parties: [{ name: '张三', age: 30 }] }),
        400, 'unknown_field', 'parties[0].age'],
      ['a party that is a number', ctx.intakeBody({ parties: [5] }), 400, 'invalid_type', 'parties[0]'],
      ['parties as an object', ctx.intakeBody({ parties: { name: '张三' } }), 400, 'invalid_type', 'parties'],
      ['17 parties', ctx.intakeBody({ parties: Array.from({ length: 17 }, (_, i) => ({ name: `当事人${i}` })) }),
        400, 'too_many', 'parties'],
      ['a bad contact phone', ctx.intakeBody({ contact_phone: '110' }), 400, 'invalid_phone', 'contact_phone'],
      ['lat without lon', ctx.intakeBody({ lat: 30.1 }), 400, 'required', 'lon'],
      ['lon without lat', ctx.intakeBody({ lon: 120.1 }), 400, 'required', 'lat'],
      ['lat as text', ctx.intakeBody({ lat: '30.1', lon: 120.1 }), 400, 'invalid_type', 'lat'],
      ['lat out of China', ctx.intakeBody({ lat: 91, lon: 120.1 }), 400, 'out_of_range', 'lat'],
      ['lon out of range', ctx.intakeBody({ lat: 30.1, lon: 200 }), 400, 'out_of_range', 'lon'],
      ['people_count 0', ctx.intakeBody({ people_count: 0 }), 400, 'out_of_range', 'people_count'],
      ['people_count 1.5', ctx.intakeBody({ people_count: 1.5 }), 400, 'invalid_type', 'people_count'],
      ['people_count as text', ctx.intakeBody({ people_count: '3' }), 400, 'invalid_type', 'people_count'],
      ['people_count INT64_MAX', rawIntake('"people_count":9223372036854775807', ['people_count']),
        400, 'out_of_range', 'people_count'],
      ['people_count INT64_MIN', rawIntake('"people_count":-9223372036854775808', ['people_count']),
        400, 'out_of_range', 'people_count'],
      ['a huge integer', rawIntake('"people_count":123456789012345678901234567890', ['people_count']),
        400, 'invalid_json', 'body'],
      ['a huge real', rawIntake('"lat":1e400,"lon":120.1'), 400, 'invalid_json', 'body'],
      ['resolve_on_spot as text', ctx.intakeBody({ resolve_on_spot: 'yes' }), 400, 'invalid_type', 'resolve_on_spot'],
      ['resolve_on_spot without method', ctx.intakeBody({ resolve_on_spot: { result: '已解决' } }),
        400, 'required', 'resolve_on_spot.method'],
      ['resolve_on_spot with an unknown method', ctx.intakeBody({ resolve_on_spot: { result: '已解决', method: 'ZZ' } }),
        400, 'unknown_method', 'resolve_on_spot.method'],
      ['resolve_on_spot with an unknown field', ctx.intakeBody({ resolve_on_spot: { result: '已解决', method: ctx.method, x: 1 } }),
        400, 'unknown_field', 'resolve_on_spot.x'],
      ['5000 unknown keys', `{${Array.from({ length: 5000 }, (_, i) => `"k${i}":${i}`).join(',')}}`, 400, 'unknown_field', undefined],
    ];

    it('answers every bad body with a 4xx naming the field', async () => {
      for (const [name, body, status, code, field] of cases()) {
        const res = await postCase(body);
        assert.ok(res.status < 500, `${name}: ${res.status} ${res.text.slice(0, 200)}`);
        try {
          assertError(res, status, code, field);
        } catch (err) {
          err.message = `${name}: ${err.message}`;
          throw err;
        }
      }
    });

    it('answers a body over 256 KiB with 413', async () => {
      const big = ctx.intakeBody({ description: 'x'.repeat(300 * 1024) });
      assertError(await postCase(big), 413, 'too_large', 'body');
      // and the connection, or a new one, still works
      ok(await ctx.get('/healthz'));
    });

    it('answers a 3 MiB body without Content-Length (chunked) with 413', async () => {
      const res = await ctx.api('POST', '/api/v1/cases', {
        auth: clerk, body: Buffer.alloc(3 << 20, 0x61), headers: { 'Transfer-Encoding': 'chunked', 'Content-Type': 'application/json' },
      });
      assertError(res, 413, 'too_large', 'body');
    });

    it('wrote nothing for any of them', async () => {
      assert.equal(await ctx.caseCount(), countBefore);
    });
  });

  describe('actions', () => {
    let open;
    let closed;
    before(async () => {
      open = await ctx.caseIn('handling');
      closed = await ctx.caseIn('closed');
    });

    it('answers bad action bodies with a 4xx naming the field, and changes nothing', async () => {
      const dep = ctx.departments[0].id;
      const fresh = await ctx.intake(clerk);
      const probes = [
        // [case, action, body, status, code, field]
        [fresh, 'assess', {}, 400, 'required', 'category'],
        [fresh, 'assess', { category: ctx.category, grade: 'epic', level: 'county' }, 400, 'invalid_value', 'grade'],
        [fresh, 'assess', { category: ctx.category, grade: 'simple', level: 'galaxy' }, 400, 'invalid_value', 'level'],
        [fresh, 'assess', { category: 'ZZZZ', grade: 'simple', level: 'county' }, 400, 'unknown_category', 'category'],
        [fresh, 'assess', { category: ctx.category, grade: 'simple', level: 'county', kind: 'saga' }, 400, 'invalid_value', 'kind'],
        [fresh, 'assess', { category: ctx.category, grade: 'simple', level: 'county', urgent: true }, 400, 'unknown_field', 'urgent'],
        [fresh, 'assess', { category: ctx.category, grade: 'simple', level: 'county', note: 'n'.repeat(2001) }, 400, 'too_long', 'note'],
        [fresh, 'assess', '[]', 400, 'invalid_json', 'body'],
        [fresh, 'assess', 'category=0101', 400, 'invalid_json', 'body'],
        [fresh, 'assess', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), 400, 'invalid_json', 'body'],
        [fresh, 'dispatch', { category: ctx.category, grade: 'simple', level: 'county' }, 400, 'required', 'lead'],
        [fresh, 'dispatch', { lead: 5 }, 400, 'invalid_type', 'lead'],
        [fresh, 'dispatch', { lead: {} }, 400, 'required', 'lead.department_id'],
        [fresh, 'dispatch', { lead: { department_id: 'x' } }, 400, 'invalid_type', 'lead.department_id'],
        [fresh, 'dispatch', { lead: { department_id: 0 } }, 400, 'out_of_range', 'lead.department_id'],
        [fresh, 'dispatch', { lead: { department_id: 987654 } }, 400, 'unknown_department', 'lead.department_id'],
        [fresh, 'dispatch', '{"lead":{"department_id":9223372036854775807}}', 400, 'unknown_department', 'lead.department_id'],
        [fresh, 'dispatch', '{"lead":{"department_id":1e30}}', 400, 'invalid_type', 'lead.department_id'],
        [fresh, 'dispatch', { lead: { department_id: dep, boss: 1 } }, 400, 'unknown_field', 'lead.boss'],
        [fresh, 'dispatch', { lead: { department_id: dep, deadline: 'tomorrow' } }, 400, 'too_short', 'lead.deadline'],
        [fresh, 'dispatch', { lead: { department_id: dep, deadline: '2026-13-45T00:00' } }, 400, 'invalid_time', 'lead.deadline'],
        [fresh, 'dispatch', { lead: { department_id: dep }, assist: 'all' }, 400, 'invalid_type', 'assist'],
        [fresh, 'dispatch', { lead: { department_id: dep }, assist: [5] }, 400, 'invalid_type', 'assist[0]'],
        [fresh, 'dispatch', { lead: { department_id: dep }, assist: [{ department_id: dep }] }, 400, 'duplicate_department', 'assist[0].department_id'],
        [fresh, 'dispatch', { lead: { department_id: dep }, assist: [{ department_id: 987654 }] }, 400, 'unknown_department',
          'assist[0].department_id'],
        [fresh, 'dispatch', { lead: { department_id: dep }, assist: Array.from({ length: 17 }, () => ({ department_id: dep + 1 })) },
          400, 'too_many', 'assist'],
        [fresh, 'dispatch', { lead: { department_id: dep }, deadline: '2026-02-30T10:00' }, 400, 'invalid_time', 'deadline'],
        [fresh, 'note', { text: '' }, 400, 'required', 'text'],
        [fresh, 'note', undefined, 400, 'required', 'text'],
        [fresh, 'escalate', { reason: 'x' }, 400, 'too_short', 'reason'],
        [fresh, 'escalate', { reason: '上报', department_id: -1 }, 400, 'out_of_range', 'department_id'],
        [fresh, 'resolve_on_spot', { result: '已解决', method: 'ZZ' }, 400, 'unknown_method', 'method'],
        [fresh, 'note', { text: 'x'.repeat(70 * 1024) }, 413, 'too_large', 'body'],
        [open, 'resolve', { result: '已解决', method: ctx.method, success: 'yes' }, 400, 'invalid_type', 'success'],
        [open, 'resolve', { result: '已解决', method: 'ZZ', success: true }, 400, 'unknown_method', 'method'],
        [open, 'resolve', { method: ctx.method, success: true }, 400, 'required', 'result'],
        [open, 'mediation', { content: '调解记录', judicial_status: 'maybe' }, 400, 'invalid_value', 'judicial_status'],
        [open, 'mediation', { content: '调解记录', session: 0 }, 400, 'out_of_range', 'session'],
        [open, 'mediation', { content: '调解记录', held_at: 'yesterday!' }, 400, 'invalid_time', 'held_at'],
        [open, 'mediation', {}, 400, 'required', 'content'],
        [open, 'supervise', {}, 400, 'required', 'reason'],
        [open, 'supervise', { reason: '督办', deadline: '2026-02-30' }, 400, 'invalid_time', 'deadline'],
        [open, 'urge', { message: 5 }, 400, 'invalid_type', 'message'],
        [closed, 'rate', { score: 101 }, 400, 'out_of_range', 'score'],
        [closed, 'rate', { score: -1 }, 400, 'out_of_range', 'score'],
        [closed, 'rate', { score: '90' }, 400, 'invalid_type', 'score'],
        [closed, 'rate', { rating: 'satisfied' }, 400, 'unknown_field', 'rating'],
        [closed, 'follow_up', { method: 'pigeon', content: '回访内容' }, 400, 'invalid_value', 'method'],
        [closed, 'follow_up', { method: 'phone', content: '回访内容', satisfaction: 'meh' }, 400, 'invalid_value', 'satisfaction'],
        [closed, 'reopen', { reason: '' }, 400, 'required', 'reason'],
      ];
      const counts = new Map();
      for (const c of [fresh, open, closed]) counts.set(c.code, (await ctx.getCase(ctx.admin, c.code)).event_count);
      for (const [c, action, body, status, code, field] of probes) {
        const res = await ctx.action(ctx.admin, c.code, action, body);
        try {
          assertError(res, status, code, field);
        } catch (err) {
          err.message = `${action} ${typeof body === 'string' ? body : JSON.stringify(body)?.slice(0, 80)}: ${err.message}`;
          throw err;
        }
      }
      for (const c of [fresh, open, closed]) {
        const now = await ctx.getCase(ctx.admin, c.code);
        assert.equal(now.event_count, counts.get(c.code), `events of ${c.code}`);
        assert.equal(now.status, c.status);
      }
    });

    it('refuses attachments without a name, empty, or of an unknown type', async () => {
      const path = (q) => `/api/v1/cases/${open.code}/attachments${q}`;
      const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
      const post = (q, body) => ctx.api('POST', path(q), { auth: ctx.admin, body, headers: { 'Content-Type': 'application/octet-stream' } });
      assertError(await post('', png), 400, 'invalid_value', 'name');
      assertError(await post('?name=../../etc/passwd', png), 400, 'invalid_value', 'name');
      assertError(await post(`?name=${'a'.repeat(201)}.png`, png), 400, 'invalid_value', 'name');
      assertError(await post('?name=a.png', Buffer.alloc(0)), 400, 'required', 'body');
      assertError(await post('?name=a.exe', Buffer.from('MZ\x90\x00 this is not an image')), 415, 'unsupported_type', 'body');
      const okRes = ok(await post('?name=%E7%85%A7%E7%89%87.png', png));
      assert.equal(okRes.code, open.code);
      const full = await ctx.getCase(ctx.admin, open.code);
      assert.equal(full.attachments.length, 1);
      assert.equal(full.attachments[0].name, '照片.png');
      assert.equal(full.attachments[0].mime, 'image/png');
      const file = await ctx.get(`/api/v1/cases/${open.code}/attachments/${full.attachments[0].id}`, ctx.admin);
      assert.equal(file.status, 200);
      assert.deepEqual(file.raw, png);
      assert.equal(file.headers['content-type'], 'image/png');
      assert.match(String(file.headers['content-disposition']), /^attachment; .*filename\*=UTF-8''%E7%85%A7%E7%89%87\.png/);
      assertError(await ctx.get(`/api/v1/cases/${open.code}/attachments/99999`, ctx.admin), 404, 'not_found', 'id');
    });
  });

  describe('the list endpoint', () => {
    const bad = [
      ['limit=0', 'out_of_range', 'limit'],
      ['limit=abc', 'out_of_range', 'limit'],
      ['limit=501', 'out_of_range', 'limit'],
      ['limit=-1', 'out_of_range', 'limit'],
      ['limit=10abc', 'out_of_range', 'limit'],
      ['limit=99999999999999999999', 'out_of_range', 'limit'],
      ['status=bogus', 'invalid_value', 'status'],
      ['status=closed,bogus', 'invalid_value', 'status'],
      ['status=%FF', 'invalid_value', 'status'],
      ['from=2026-13-45', 'invalid_time', 'from'],
      ['from=yesterday', 'invalid_time', 'from'],
      ['to=2026-02-30', 'invalid_time', 'to'],
      ['division=12', 'invalid_value', 'division'],
      ['department=abc', 'invalid_value', 'department'],
      ['department=0', 'invalid_value', 'department'],
      ['grade=epic', 'invalid_value', 'grade'],
      ['channel=fax', 'invalid_value', 'channel'],
      ['light=blue', 'invalid_value', 'light'],
      ['overdue=maybe', 'invalid_value', 'overdue'],
      ['cursor=-5', 'invalid_value', 'cursor'],
      ['cursor=x', 'invalid_value', 'cursor'],
      [`category=${'9'.repeat(16)}`, 'invalid_value', 'category'],
    ];
    for (const [q, code, field] of bad) {
      it(`?${q} → 400 ${code}`, async () => {
        assertError(await ctx.get(`/api/v1/cases?${q}`, ctx.admin), 400, code, field);
      });
    }

    it('accepts good filters and pages with a cursor', async () => {
      const page1 = ok(await ctx.get('/api/v1/cases?limit=5&status=pending_assess,closed&from=2000-01-01&to=2100-12-31', ctx.admin));
      assert.equal(page1.items.length, 5);
      for (const i of page1.items) assert.ok(['pending_assess', 'closed'].includes(i.status));
      assert.ok(page1.next_cursor);
      const page2 = ok(await ctx.get(`/api/v1/cases?limit=5&status=pending_assess,closed&cursor=${page1.next_cursor}`, ctx.admin));
      const codes1 = new Set(page1.items.map((i) => i.code));
      for (const i of page2.items) assert.ok(!codes1.has(i.code), 'pages do not overlap');
      const today = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);
      const fresh = await ctx.intake(clerk);
      const since = ok(await ctx.get(`/api/v1/cases?from=${today}&limit=500`, ctx.admin)).items;
      assert.ok(since.some((i) => i.code === fresh.code));
      for (const i of since) assert.ok(i.created_at.slice(0, 10) >= today, `${i.created_at} before ${today}`);
      const until = ok(await ctx.get(`/api/v1/cases?to=${today}&limit=500`, ctx.admin)).items;
      assert.ok(until.some((i) => i.code === fresh.code), 'a date "to" includes that whole day');
      const yesterday = new Date(Date.now() + 8 * 3600000 - 86400000).toISOString().slice(0, 10);
      const before = ok(await ctx.get(`/api/v1/cases?to=${yesterday}&limit=500`, ctx.admin)).items;
      for (const i of before) assert.ok(i.created_at.slice(0, 10) <= yesterday);
      countBefore += 1;
      const none = ok(await ctx.get('/api/v1/cases?from=2100-01-01&count=1', ctx.admin));
      assert.deepEqual(none.items, []);
      assert.equal(none.total, 0);
      assert.equal(none.next_cursor, null);
    });
  });

  describe('routing and HTTP', () => {
    it('an unknown API route is a JSON 404', async () => {
      for (const path of ['/api/v1/nope', '/api/v1/cases/x/y/z', '/api/v2/cases', '/api/v1/casesx', '/nope.txt']) {
        const res = await ctx.get(path, ctx.admin);
        assertError(res, 404, 'not_found');
      }
    });

    it('keeps connections alive and marks JSON replies no-store and nosniff', async () => {
      const replies = [
        await ctx.get('/healthz'),
        await ctx.get('/api/v1/nope', ctx.admin),
        await ctx.post('/api/v1/cases', clerk, ctx.intakeBody({ title: '保持连接' })), // answered from the writer thread
        await ctx.post('/api/v1/cases', clerk, '{'),
      ];
      countBefore += 1;
      for (const r of replies) {
        assert.notEqual(String(r.headers.connection || '').toLowerCase(), 'close', `Connection: close on ${r.status}`);
        assert.equal(r.headers['x-content-type-options'], 'nosniff');
        assert.equal(r.headers['cache-control'], 'no-store');
      }
    });

    it('the web app is served at /', async () => {
      const res = await ctx.api('GET', '/');
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(res.text, /web app/);
    });

    it('a wrong method is 405 with Allow', async () => {
      for (const [method, path, allow] of [['DELETE', '/api/v1/cases', ['GET', 'POST']], ['PUT', '/api/v1/auth/login', ['POST']],
        ['PATCH', '/healthz', ['GET']], ['GET', `/api/v1/cases/${ctx.villageA}/actions/assess`, ['POST']]]) {
        const res = await ctx.api(method, path, { auth: ctx.admin });
        assertError(res, 405, 'method_not_allowed');
        const got = String(res.headers.allow).split(',').map((s) => s.trim()).sort();
        assert.deepEqual(got, allow.sort(), `${method} ${path}: Allow ${res.headers.allow}`);
      }
    });

    it('paths with NUL, invalid UTF-8 or too many segments are refused', async () => {
      assertError(await ctx.get('/api/v1/cases/%00', ctx.admin), 400, 'invalid_path', 'path');
      assertError(await ctx.get('/api/v1/cases/%FF%FE', ctx.admin), 400, 'invalid_path', 'path');
      assertError(await ctx.get(`/api/v1/cases/${'9'.repeat(2000)}`, ctx.admin), 400, 'invalid_code', 'code');
      assertError(await ctx.get(`/api/v1${'/a'.repeat(40)}`, ctx.admin), 404, 'not_found');
    });

    it('survives truncated and malformed requests on raw sockets', async () => {
      // writes text, resolves what came back once a reply's headers arrived (or after `wait` ms)
      const raw = (text, { wait = 1000 } = {}) => new Promise((resolve) => {
        const s = net.connect(ctx.port, '127.0.0.1');
        let got = '';
        const done = () => {
          clearTimeout(timer);
          s.destroy();
          resolve(got);
        };
        const timer = setTimeout(done, wait);
        s.on('data', (d) => {
          got += d;
          if (got.includes('\r\n\r\n')) done();
        });
        s.on('error', done);
        s.on('close', done);
        s.on('connect', () => s.write(text));
      });
      // a body shorter than its Content-Length, then the client goes away
      await raw(`POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${clerk.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"title":`, { wait: 200 });
      // a header line without a colon
      const a = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n');
      assert.match(a, /^HTTP\/1\.1 (200|400)/);
      // garbage instead of a request line
      await raw('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n');
      // an absurd Content-Length
      const c = await raw(`POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${clerk.token}\r\nContent-Length: 99999999999999999999\r\n\r\n`);
      assert.ok(!/^HTTP\/1\.1 5/.test(c), c.slice(0, 100));
      // a negative one
      const d = await raw(`POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${clerk.token}\r\nContent-Length: -1\r\n\r\n`);
      assert.ok(!/^HTTP\/1\.1 5/.test(d), d.slice(0, 100));
      await sleep(50);
      ok(await ctx.get('/healthz'));
      ctx.server.assertHealthy();
    });

    it('serves no file outside the web directory', async () => {
      for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd',
        '/assets/..%5c..%5cetc%5cpasswd', '/.hidden', '/%2e%2e']) {
        const res = await ctx.api('GET', path);
        assert.ok(res.status === 400 || res.status === 404, `${path}: ${res.status}`);
        assert.ok(!res.text.includes('root:'), `${path} served /etc/passwd`);
        assertError(res, res.status);
      }
    });

    it('refuses oversized headers and request lines with a 4xx and stays up', async () => {
      const big = await ctx.api('GET', '/healthz', { headers: { 'X-Big': 'a'.repeat(64 * 1024) } }).catch((e) => ({ status: 0, err: e }));
      assert.ok(big.status === 0 || (big.status >= 400 && big.status < 500), `big header: ${big.status}`);
      const long = await ctx.api('GET', `/api/v1/cases?category=${'a'.repeat(64 * 1024)}`, { auth: ctx.admin })
        .catch((e) => ({ status: 0, err: e }));
      assert.ok(long.status === 0 || (long.status >= 400 && long.status < 500), `long URL: ${long.status}`);
      ok(await ctx.get('/healthz'));
    });

    it('answers pipelined requests in order, synchronous and asynchronous alike', async () => {
      const body = JSON.stringify(ctx.intakeBody({ title: '流水线请求' }));
      const auth = `Authorization: Bearer ${clerk.token}\r\nContent-Type: application/json\r\n`;
      const reqs = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
        + `POST /api/v1/cases HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
        + `POST /api/v1/cases HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 1\r\n\r\n{`
        + 'GET /api/v1/nope HTTP/1.1\r\nHost: x\r\n\r\n';
      const got = await new Promise((resolve) => {
        const s = net.connect(ctx.port, '127.0.0.1', () => s.write(reqs));
        let d = '';
        const timer = setTimeout(() => {
          s.destroy();
          resolve(d);
        }, 5000);
        s.on('data', (c) => {
          d += c;
          if ((d.match(/HTTP\/1\.1 \d{3}/g) || []).length === 4 && d.endsWith('}')) {
            clearTimeout(timer);
            s.destroy();
            resolve(d);
          }
        });
        s.on('error', () => {});
      });
      countBefore += 1;
      assert.deepEqual(got.match(/HTTP\/1\.1 \d{3}/g), ['HTTP/1.1 200', 'HTTP/1.1 201', 'HTTP/1.1 400', 'HTTP/1.1 404']);
    });
  });

  it('odd path parameters never crash the server or answer 5xx', async () => {
    const c = await ctx.intake(clerk);
    const ghost = makeCode(ctx.countyCode, '20200101', 999997);
    const odd = [ghost, `${ghost.slice(0, 20)}x`, c.code, '%E4%B8%AD'.repeat(21), 'a'.repeat(300), '%20', '-1', '0', '99999999999999999999999',
      '1e3', '%2F', '..', '%25', '%C3%A9'];
    const probes = [];
    for (const x of odd) {
      probes.push(['GET', `/api/v1/public/cases/${x}?phone4=1234`, null, freshSource()]);
      probes.push(['POST', `/api/v1/public/cases/${x}/rate`, { phone4: '1234', rating: 'satisfied' }, freshSource()]);
      probes.push(['GET', `/api/v1/cases/${x}`, null]);
      probes.push(['GET', `/api/v1/cases/${x}/timeline`, null]);
      probes.push(['GET', `/api/v1/cases/${c.code}/attachments/${x}`, null]);
      probes.push(['POST', `/api/v1/cases/${c.code}/parties/${x}/reveal`, null]);
      probes.push(['POST', `/api/v1/cases/${x}/actions/note`, { text: '备注' }]);
      probes.push(['POST', `/api/v1/cases/${c.code}/actions/${x}`, {}]);
      probes.push(['GET', `/api/v1/divisions/${x}`, null]);
      probes.push(['PUT', `/api/v1/users/${x}/password`, { password: 'Whatever-123' }]);
      probes.push(['PUT', `/api/v1/calendar/${x}`, { kind: 'off' }]);
      probes.push(['PUT', `/api/v1/sla-policy/${x}`, { unit: 'days', amount: 1, grade: 'difficult', level: 'city', channel: 'api' }]);
    }
    for (const [method, path, body, from] of probes) {
      const res = await ctx.api(method, path, { auth: ctx.admin, body: body || undefined, from: from || '127.0.0.1' })
        .catch((e) => ({ status: 0, text: String(e), headers: {} }));
      assert.ok(res.status > 0, `${method} ${path}: the server dropped the connection (${res.text})`);
      assert.ok(res.status < 500, `${method} ${path}: ${res.status} ${res.text.slice(0, 200)}`);
      if (res.status >= 400) assertError(res, res.status);
    }
    ctx.server.assertHealthy();
  });

  it('is still alive and wrote nothing', async () => {
    const h = ok(await ctx.get('/healthz'));
    assert.equal(h.status, 'ok');
    ctx.server.assertHealthy();
    const metrics = await ctx.api('GET', '/metrics');
    assert.match(metrics.text, /^fengqiao_http_responses_total\{class="5xx"\} 0$/m, 'no 5xx answers at all');
  });
});
