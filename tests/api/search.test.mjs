// Chinese full-text search (GET /api/v1/search) and the case-list exports
// (GET /api/v1/cases/export.csv, /api/v1/cases/export.xlsx): what is indexed and when, scope,
// highlighting, bad queries; the exports' rows against the list's total, headers, BOM, the
// .xlsx as a real zip with its sheet.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import { assertError, ok, setup } from './helpers.mjs';

/** Parses RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') q = false;
      else field += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** The named entry of a zip archive (central directory → local header → inflate). */
function unzipEntry(buf, name) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, 'no end of central directory: not a zip');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let k = 0; k < count; k++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nlen = buf.readUInt16LE(p + 28);
    const xlen = buf.readUInt16LE(p + 30);
    const clen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const n = buf.toString('utf8', p + 46, p + 46 + nlen);
    names.push(n);
    if (n === name) {
      const lnlen = buf.readUInt16LE(local + 26);
      const lxlen = buf.readUInt16LE(local + 28);
      const data = buf.subarray(local + 30 + lnlen + lxlen, local + 30 + lnlen + lxlen + csize);
      return method === 0 ? data : inflateRawSync(data);
    }
    p += 46 + nlen + xlen + clen;
  }
  assert.fail(`${name} not in the zip: ${names.join(', ')}`);
}

describe('search and export', () => {
  let ctx;
  let a;
  let townA, townB;
  let code; // the case the search tests follow

  before(async () => {
    ctx = await setup();
    a = ctx.admin;
    townA = await ctx.user('s-town-a', ['dispatcher', 'clerk'], { division: ctx.townshipA });
    townB = await ctx.user('s-town-b', ['dispatcher', 'clerk'], { division: ctx.townshipB });
  });
  after(async () => {
    if (ctx) await ctx.teardown();
  });

  const search = async (auth, q, extra = '') =>
    ok(await ctx.get(`/api/v1/search?q=${encodeURIComponent(q)}${extra}`, auth));
  const codes = (j) => j.items.map((x) => x.code);

  describe('search', () => {
    it('finds a new case by a Chinese phrase from its description, highlighted', async () => {
      const c = await ctx.intake(townA, {
        title: '楼道积水',
        description: '三号楼顶层水箱破裂，楼道积水严重，住户出行不便。',
        division: ctx.villageA,
      });
      code = c.code;
      const j = await search(townA, '水箱破裂');
      assert.deepEqual(codes(j), [code]);
      const hit = j.items[0];
      assert.equal(hit.title, '楼道积水');
      assert.equal(hit.status, 'pending_assess');
      assert.ok(hit.snippet.includes('<mark>水箱破裂</mark>'), hit.snippet);
      assert.equal(typeof hit.score, 'number');
      assert.ok(hit.score > 0);
      // words are ANDed; a word matches as a phrase
      assert.deepEqual(codes(await search(townA, '顶层 积水')), [code]);
      assert.deepEqual(codes(await search(townA, '顶层 漏电隐患')), []);
      assert.deepEqual(codes(await search(townA, '水箱楼道')), []);
      // full-width and upper-case input are folded
      const d = await ctx.intake(townA, { title: 'ＷＩＦＩ故障', description: '小区ＷｉＦｉ信号差，编号Ａ１２３。' });
      assert.deepEqual(codes(await search(townA, 'wifi a123')), [d.code]);
    });

    it('finds it by a note added later and by a mediation record', async () => {
      await ctx.act(townA, code, 'note', { text: '已通知物业维修队更换进水阀门' });
      assert.deepEqual(codes(await search(townA, '更换进水阀门')), [code]);
      const m = await ctx.caseIn('handling', { title: '邻里纠纷', description: '排水管堵塞引发争执。' });
      await ctx.act(a, m.code, 'mediation', {
        content: '调解员组织双方协商，采用圆桌调解法。',
        agreement: '费用由两户平均分担',
      });
      assert.deepEqual(codes(await search(a, '平均分担')), [m.code]);
      assert.deepEqual(codes(await search(a, '圆桌调解法')), [m.code]);
    });

    it('respects scope and the list filters', async () => {
      assert.deepEqual(codes(await search(townB, '水箱破裂')), [], 'another township does not see it');
      assert.deepEqual(codes(await search(a, '水箱破裂')), [code]);
      assert.deepEqual(codes(await search(a, '水箱破裂', `&division=${ctx.townshipB}`)), []);
      assert.deepEqual(codes(await search(a, '水箱破裂', `&division=${ctx.townshipA}&status=pending_assess`)), [code]);
      assert.deepEqual(codes(await search(a, '水箱破裂', '&status=closed')), []);
      const j = await search(a, '水箱破裂', '&count=1');
      assert.equal(j.total, 1);
      assert.equal(j.total_exact, true, 'a small database is searched whole');
      assert.equal(j.older, null, 'nothing older left unsearched');
    });

    it('searches older cases with before', async () => {
      const first = await ctx.intake(a, { title: '化粪池满溢', description: '第一起。' });
      const second = await ctx.intake(a, { title: '化粪池满溢', description: '第二起。' });
      assert.deepEqual(new Set(codes(await search(a, '化粪池满溢'))), new Set([first.code, second.code]));
      // case ids from the list's id cursor (newest first): ids[1] is the second's, ids[0] the first's
      const ids = [
        ok(await ctx.get('/api/v1/cases?limit=2', a)).next_cursor,
        ok(await ctx.get('/api/v1/cases?limit=1', a)).next_cursor,
      ];
      assert.ok(ids[0] < ids[1], `${ids}`);
      // before is a case id (exclusive): only the older of the two
      const older = await search(a, '化粪池满溢', `&before=${ids[1]}&count=1`);
      assert.deepEqual(codes(older), [first.code]);
      assert.equal(older.total, 1);
      assert.equal(older.older, null);
      assert.deepEqual(codes(await search(a, '化粪池满溢', `&before=${ids[0]}`)), []);
      for (const bad of ['0', '-3', 'x', '1.5']) {
        assertError(await ctx.get(`/api/v1/search?q=%E6%BC%8F&before=${bad}`, a), 400, 'invalid_value', 'before');
      }
    });

    it('escapes the text around the marks', async () => {
      const c = await ctx.intake(a, { title: '<b>漏水</b> & "引号"', description: '<script>alert(1)</script>厨房漏水' });
      const j = await search(a, '厨房漏水');
      assert.deepEqual(codes(j), [c.code]);
      const s = j.items[0].snippet;
      assert.ok(!s.includes('<script'), s);
      assert.ok(s.includes('&lt;script&gt;'), s);
      assert.ok(s.includes('<mark>厨房漏水</mark>'), s);
      assert.equal(j.items[0].title, '<b>漏水</b> & "引号"', 'the title itself is plain JSON text');
    });

    it('pages by offset', async () => {
      const all = await search(a, '纠纷', '&limit=500');
      assert.ok(all.items.length >= 3, `the demo has disputes: ${all.items.length}`);
      const p1 = await search(a, '纠纷', '&limit=2');
      assert.equal(p1.items.length, 2);
      assert.equal(p1.next_cursor, 2);
      const p2 = await search(a, '纠纷', `&limit=2&cursor=${p1.next_cursor}`);
      assert.deepEqual([...codes(p1), ...codes(p2)], codes(all).slice(0, 4));
      const ranks = all.items.map((x) => x.score);
      assert.deepEqual(ranks, [...ranks].sort((x, y) => y - x), 'best first');
    });

    it('rejects a bad q naming "q"', async () => {
      assertError(await ctx.get('/api/v1/search', a), 400, 'required', 'q');
      assertError(await ctx.get('/api/v1/search?q=', a), 400, 'required', 'q');
      assertError(await ctx.get(`/api/v1/search?q=${encodeURIComponent('漏'.repeat(67))}`, a), 400, 'too_long', 'q');
      ok(await ctx.get(`/api/v1/search?q=${encodeURIComponent('漏'.repeat(66))}`, a)); // 198 bytes
      assertError(await ctx.get(`/api/v1/search?q=${encodeURIComponent('，。！ ')}`, a), 400, 'invalid_value', 'q');
      assertError(await ctx.get('/api/v1/search?q=%FF%FE', a), 400, 'invalid_value', 'q');
      assertError(await ctx.get('/api/v1/search?q=a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q', a), 400, 'invalid_value', 'q');
      assertError(await ctx.get('/api/v1/search?q=%E6%BC%8F&status=nope', a), 400, 'invalid_value', 'status');
      assertError(await ctx.get('/api/v1/search?q=%E6%BC%8F&cursor=2001', a), 400, 'out_of_range', 'cursor');
      // FTS5 syntax is just text
      ok(await ctx.get(`/api/v1/search?q=${encodeURIComponent('"漏水 OR NEAR( * ^col:')}`, a));
      assert.equal((await ctx.get('/api/v1/search?q=x')).status, 401);
    });
  });

  describe('export', () => {
    async function csvOf(auth, query) {
      const res = await ctx.get(`/api/v1/cases/export.csv${query}`, auth);
      assert.equal(res.status, 200, res.text.slice(0, 300));
      assert.match(String(res.headers['content-type']), /^text\/csv/);
      assert.match(String(res.headers['content-disposition']), /attachment; filename="cases-\d{8}\.csv"/);
      assert.deepEqual([...res.raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
      const rows = parseCsv(res.raw.subarray(3).toString('utf8'));
      assert.deepEqual(rows[0].slice(0, 3), ['编码', '标题', '渠道']);
      for (const h of ['类别', '等级', '状态', '属地', '受理时间', '期限']) assert.ok(rows[0].includes(h), h);
      return rows;
    }
    const total = async (auth, query) => ok(await ctx.get(`/api/v1/cases?count=1&limit=1${query ? '&' + query.slice(1) : ''}`, auth)).total;

    it('export.csv has the rows of the filtered list', async () => {
      for (const [auth, q] of [[a, ''], [a, `?division=${ctx.townshipA}`], [a, '?status=pending_assess'],
        [townB, ''], [a, `?division=${ctx.townshipB}&status=closed`]]) {
        const rows = await csvOf(auth, q);
        const n = await total(auth, q);
        assert.equal(rows.length - 1, n, `rows of ${q || 'everything'}`);
        for (const r of rows.slice(1)) assert.equal(r.length, rows[0].length);
      }
      // the case from the search tests, with Chinese labels
      const rows = await csvOf(townA, '?status=pending_assess');
      const head = rows[0];
      const row = rows.find((r) => r[0] === code);
      assert.ok(row, 'the new case is in its township export');
      assert.equal(row[head.indexOf('标题')], '楼道积水');
      assert.equal(row[head.indexOf('状态')], '待研判');
      assert.equal(row[head.indexOf('渠道')], '窗口');
      assert.match(row[head.indexOf('受理时间')], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.ok(!rows.some((r) => r[0].startsWith(ctx.townshipB.slice(0, 6)) && false));
      // townB does not get townA's case
      assert.ok(!(await csvOf(townB, '')).some((r) => r[0] === code));
    });

    it('export.csv quotes and defuses formulas', async () => {
      const c = await ctx.intake(a, { title: '=HYPERLINK("x"),逗号', description: '换行\n第二行' });
      const rows = await csvOf(a, '?status=pending_assess');
      const row = rows.find((r) => r[0] === c.code);
      assert.equal(row[1], '\'=HYPERLINK("x"),逗号');
    });

    it('export.xlsx is a workbook with the filtered rows', async () => {
      const q = `?division=${ctx.townshipA}`;
      const res = await ctx.get(`/api/v1/cases/export.xlsx${q}`, a);
      assert.equal(res.status, 200, res.text.slice(0, 300));
      assert.match(String(res.headers['content-type']), /spreadsheetml\.sheet/);
      assert.match(String(res.headers['content-disposition']), /cases-\d{8}\.xlsx/);
      assert.equal(res.raw.subarray(0, 4).toString('latin1'), 'PK\x03\x04', 'a zip');
      const sheet = unzipEntry(res.raw, 'xl/worksheets/sheet1.xml').toString('utf8');
      const rows = (sheet.match(/<row /g) || []).length;
      assert.equal(rows - 1, await total(a, q), 'header + one row per case');
      assert.match(sheet, /<pane [^>]*ySplit="1"[^>]*state="frozen"/, 'frozen header row');
      assert.match(sheet, /<col [^>]*width=/, 'column widths');
      assert.ok(sheet.includes('编码') || unzipEntry(res.raw, 'xl/sharedStrings.xml').toString('utf8').includes('编码'));
      assert.ok(sheet.includes(code), 'the township case is in it');
      const other = await ctx.get(`/api/v1/cases/export.xlsx?division=${ctx.townshipA}`, townB);
      const sheetB = unzipEntry(other.raw, 'xl/worksheets/sheet1.xml').toString('utf8');
      assert.equal((sheetB.match(/<row /g) || []).length, 1, 'out of scope: the header only');
    });

    it('with q, the exports hold exactly the search hits (scope and filters applied)', async () => {
      const q = encodeURIComponent('楼道积水');
      const hits = ok(await ctx.get(`/api/v1/search?q=${q}&limit=500`, a)).items.map((x) => x.code).sort();
      assert.ok(hits.includes(code), 'the case from the search tests is a hit');
      const rows = await csvOf(a, `?q=${q}`);
      assert.deepEqual(rows.slice(1).map((r) => r[0]).sort(), hits);
      const filtered = await csvOf(a, `?q=${q}&status=closed`);
      assert.ok(!filtered.slice(1).some((r) => r[0] === code), 'a filter narrows the hits');
      assert.ok(!(await csvOf(townB, `?q=${q}`)).slice(1).some((r) => r[0] === code), 'scope holds');
      const res = await ctx.get(`/api/v1/cases/export.xlsx?q=${q}`, a);
      assert.equal(res.status, 200, res.text.slice(0, 300));
      const sheet = unzipEntry(res.raw, 'xl/worksheets/sheet1.xml').toString('utf8');
      assert.equal((sheet.match(/<row /g) || []).length - 1, hits.length, 'header + one row per hit');
      assertError(await ctx.get(`/api/v1/cases/export.csv?q=${encodeURIComponent('，。')}`, a), 400, 'invalid_value', 'q');
      assertError(await ctx.get(`/api/v1/cases/export.xlsx?q=${q}&before=x`, a), 400, 'invalid_value', 'before');
    });

    it('the export routes are not case codes, need a login and check filters', async () => {
      assert.equal((await ctx.get('/api/v1/cases/export.csv')).status, 401);
      assert.equal((await ctx.get('/api/v1/cases/export.xlsx')).status, 401);
      assertError(await ctx.get('/api/v1/cases/export.csv?grade=bad', a), 400, 'invalid_value', 'grade');
      assertError(await ctx.get('/api/v1/cases/export.xlsx?division=12', a), 400, 'invalid_value', 'division');
    });
  });
});
