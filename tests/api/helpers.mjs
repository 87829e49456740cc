// Shared harness of the API tests: a fresh database and server per test file, an HTTP client over
// node:http (so a request can come from any 127.0.0.x source address), login and user helpers,
// and the assertions every file uses (error shape, case codes).
//
// Run: FENGQIAO=build/fengqiao node --test --test-concurrency=1 tests/api/
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve(process.env.FENGQIAO || 'build/fengqiao');
export const DEMO_PASSWORD = 'Fengqiao@2026';
export const TEST_PASSWORD = 'Test-Passw0rd!2026';
export const ADMIN_USER = 'fqtest-admin';

// A valid resident ID (GB 11643 check character X) and mobile number, and their masked forms.
export const RESIDENT_ID = '11010519491231002X';
export const RESIDENT_ID_MASKED = '110105********002X';
export const MOBILE = '13800000000';
export const MOBILE_MASKED = '138****0000';

const SANITIZER = /AddressSanitizer|LeakSanitizer|runtime error|ThreadSanitizer|UndefinedBehaviorSanitizer/;

// Leave nothing behind even when a test file dies half-way: servers still running and temporary
// directories not yet removed are cleaned up when this process exits.
const liveProcs = new Set();
const liveDirs = new Set();
process.on('exit', () => {
  for (const p of liveProcs) p.kill('SIGKILL');
  for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
});
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- command line

/** Runs `fengqiao ARGS`; resolves {code, signal, stdout, stderr}. Sanitizer reports fail. */
export function cli(args, { input, env, cwd, timeout = 60000 } = {}) {
  return new Promise((resolveP, reject) => {
    const p = spawn(BIN, args, { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeout);
    p.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      if (SANITIZER.test(stderr)) {
        reject(new Error(`sanitizer report from fengqiao ${args.join(' ')}:\n${stderr}`));
        return;
      }
      resolveP({ code, signal, stdout, stderr });
    });
    p.stdin.on('error', () => {});
    if (input !== undefined) p.stdin.end(input);
    else p.stdin.end();
  });
}

/** Runs the CLI and asserts exit status 0. */
export async function cliOk(args, opts) {
  const r = await cli(args, opts);
  assert.equal(r.code, 0, `fengqiao ${args.join(' ')} exited ${r.code} (${r.signal}):\n${r.stderr}`);
  return r;
}

// ---------------------------------------------------------------- the server

export class Server {
  constructor(proc) {
    this.proc = proc;
    this.port = 0;
    this.stderr = '';
    this.exited = null;
  }

  /** Starts `fengqiao serve` on a free port over dirs.db; resolves once it prints its address. */
  static start(dirs, { env = {}, timerInterval = 200, extraArgs = [] } = {}) {
    return new Promise((resolveP, reject) => {
      const args = ['serve', '--db', dirs.db, '--data-dir', dirs.data, '--port', '0',
        '--timer-interval', String(timerInterval), '--web', dirs.web, ...extraArgs];
      const proc = spawn(BIN, args, { cwd: dirs.dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      const srv = new Server(proc);
      liveProcs.add(proc);
      proc.on('exit', () => liveProcs.delete(proc));
      let out = '';
      let settled = false;
      const finish = (err) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolveP(srv);
      };
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        finish(new Error(`server did not start within 30 s:\n${srv.stderr}`));
      }, 30000);
      srv.exitPromise = new Promise((r) => proc.on('exit', (code, signal) => {
        srv.exited = { code, signal };
        finish(new Error(`server exited (${code}, ${signal}) before serving:\n${srv.stderr}`));
        r(srv.exited);
      }));
      proc.stderr.on('data', (d) => (srv.stderr += d));
      proc.stdout.on('data', (d) => {
        out += d;
        const m = /serving http:\/\/[\d.]+:(\d+)\//.exec(out);
        if (m && !srv.port) {
          srv.port = Number(m[1]);
          finish();
        }
      });
      proc.on('error', finish);
    });
  }

  /** SIGTERM, wait for the exit; asserts a clean exit and no sanitizer report. */
  async stop() {
    if (!this.exited) {
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 30000);
      await this.exitPromise;
      clearTimeout(t);
    }
    await sleep(20); // the last stderr bytes
    const { code, signal } = this.exited;
    assert.ok(!SANITIZER.test(this.stderr), `sanitizer report from the server:\n${this.stderr}`);
    assert.equal(signal, null, `server killed by ${signal}:\n${this.stderr.slice(-4000)}`);
    assert.equal(code, 0, `server exited with ${code}:\n${this.stderr.slice(-4000)}`);
  }

  /** Fails if the server died or reported a sanitizer error. */
  assertHealthy() {
    assert.equal(this.exited, null, `the server died: ${JSON.stringify(this.exited)}\n${this.stderr.slice(-4000)}`);
    assert.ok(!SANITIZER.test(this.stderr), `sanitizer report from the server:\n${this.stderr}`);
  }
}

// ---------------------------------------------------------------- HTTP client

const agents = new Map();
function agentFor(from) {
  let a = agents.get(from);
  if (!a) {
    a = new http.Agent({ keepAlive: true, maxSockets: 8, localAddress: from });
    agents.set(from, a);
  }
  return a;
}

export function destroyAgents() {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

let nextSource = 10;
/** A loopback source address not used before in this process (127.0.0.12 and up), so that the
 * per-address rate limits one test exhausts do not spill into the next. */
export function freshSource() {
  const n = nextSource++;
  return `127.0.${Math.floor(n / 250)}.${(n % 250) + 2}`;
}

/**
 * One HTTP request. body: an object (sent as JSON), a string or a Buffer (sent as is).
 * auth: a session {token} (sent as Bearer) or a token string.
 * Resolves {status, headers, text, json, raw}; json is undefined when the body is not JSON.
 */
export function request(port, method, path, { body, auth, headers = {}, from = '127.0.0.1', timeout = 30000 } = {}) {
  return new Promise((resolveP, reject) => {
    const h = { ...headers };
    const has = (name) => Object.keys(h).some((k) => k.toLowerCase() === name);
    let payload;
    if (body !== undefined) {
      payload = Buffer.isBuffer(body) || typeof body === 'string' ? body : JSON.stringify(body);
      if (!has('content-type')) h['Content-Type'] = 'application/json';
    }
    const token = typeof auth === 'string' ? auth : auth && auth.token;
    if (token && !has('authorization')) h.Authorization = `Bearer ${token}`;
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: h, agent: agentFor(from) }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = raw.toString('utf8');
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolveP({ status: res.statusCode, headers: res.headers, text, json, raw });
      });
      res.on('error', reject);
    });
    req.setTimeout(timeout, () => req.destroy(new Error(`${method} ${path}: no answer in ${timeout} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

// ---------------------------------------------------------------- assertions

/** Asserts an error reply: status, the {error:{code,message,field}} shape, code and field. */
export function assertError(res, status, code, field) {
  const where = `${res.status} ${res.text.slice(0, 400)}`;
  assert.equal(res.status, status, `expected HTTP ${status}, got ${where}`);
  assert.match(String(res.headers['content-type']), /^application\/json/, `error content type: ${where}`);
  assert.ok(res.json && typeof res.json === 'object' && res.json.error && typeof res.json.error === 'object',
    `error body shape: ${where}`);
  const e = res.json.error;
  assert.deepEqual(Object.keys(e).sort(), ['code', 'field', 'message'], `error keys: ${where}`);
  assert.equal(typeof e.code, 'string');
  assert.ok(e.code.length > 0, `empty code: ${where}`);
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.length > 0, `empty message: ${where}`);
  assert.ok(e.field === null || (typeof e.field === 'string' && e.field.length > 0), `field: ${where}`);
  if (code !== undefined) assert.equal(e.code, code, `error code: ${where}`);
  if (field !== undefined) assert.equal(e.field, field, `error field: ${where}`);
  return e;
}

/** Asserts the status (default 200) and a JSON body; returns the body. */
export function ok(res, status = 200) {
  assert.equal(res.status, status, `expected HTTP ${status}, got ${res.status} ${res.text.slice(0, 600)}`);
  assert.ok(res.json !== undefined, `not JSON: ${res.text.slice(0, 200)}`);
  return res.json;
}

/** ISO 7064 MOD 11-2 check character of a digit string (the resident-ID scheme). */
export function mod11_2(digits) {
  let sum = 0;
  let w = 2;
  for (let k = digits.length - 1; k >= 0; k--) {
    sum = (sum + Number(digits[k]) * w) % 11;
    w = (w * 2) % 11;
  }
  const check = (12 - sum) % 11;
  return check === 10 ? 'X' : String(check);
}

/** Asserts a well-formed case code: county, date, 6-digit sequence, valid check character. */
export function assertCaseCode(code, { county, date } = {}) {
  assert.equal(typeof code, 'string', `case code ${code}`);
  assert.match(code, /^\d{20}[\dX]$/, `case code ${code}`);
  assert.equal(code.length, 21);
  assert.equal(code[20], mod11_2(code.slice(0, 20)), `check character of ${code}`);
  if (county) assert.equal(code.slice(0, 6), county, `county of ${code}`);
  if (date) assert.equal(code.slice(6, 14), date.replaceAll('-', ''), `date of ${code}`);
}

/** The same code with a wrong check character. */
export function badCheck(code) {
  return code.slice(0, 20) + (code[20] === '0' ? '1' : '0');
}

/** A code with a valid check character for county, date (yyyymmdd) and sequence. */
export function makeCode(county, yyyymmdd, seq) {
  const d = `${county}${yyyymmdd}${String(seq).padStart(6, '0')}`;
  return d + mod11_2(d);
}

/** "YYYY-MM-DDTHH:MM:SSZ" of an instant: a deadline format the API accepts. */
export function isoSeconds(t) {
  return new Date(t).toISOString().slice(0, 19) + 'Z';
}

/** ms of an API time string ("2026-11-22T07:41:00+08:00"). */
export function ms(s) {
  const v = Date.parse(s);
  assert.ok(Number.isFinite(v), `not a time: ${s}`);
  return v;
}

// ---------------------------------------------------------------- the test context

/**
 * A fresh environment for one test file: a temporary directory, `fengqiao init`, a small demo
 * (one county), a test admin made with `fengqiao user add`, a server on a free port serving a
 * stub web app, the admin logged in, and the demo's reference data looked up through the API.
 * Call teardown() in after(): it stops the server (asserting a clean exit) and removes it all.
 */
export async function setup({ cases = 300, env = {}, timerInterval = 200 } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'fq-api-'));
  liveDirs.add(dir);
  const ctx = new Context(dir);
  try {
    await cliOk(['init', '--db', ctx.db, '--data-dir', ctx.data], { cwd: dir });
    await cliOk(['demo', '--db', ctx.db, '--data-dir', ctx.data, '--counties', '1', '--cases', String(cases)], { cwd: dir });
    await cliOk(['user', 'add', ADMIN_USER, '--role', 'admin', '--password', TEST_PASSWORD,
      '--db', ctx.db, '--data-dir', ctx.data], { cwd: dir });
    await mkdir(ctx.web, { recursive: true });
    await writeFile(join(ctx.web, 'index.html'), '<!doctype html><title>fengqiao test</title><p>web app</p>\n');
    await ctx.startServer({ env, timerInterval });
    ctx.admin = await ctx.login(ADMIN_USER);
    await ctx.loadReference();
  } catch (err) {
    await ctx.teardown().catch(() => {});
    throw err;
  }
  return ctx;
}

export class Context {
  constructor(dir) {
    this.dir = dir;
    this.db = join(dir, 't.db');
    this.data = join(dir, 'data');
    this.web = join(dir, 'web');
    this.server = null;
    this.users = new Map();
  }

  get port() {
    return this.server.port;
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  async startServer({ env = {}, timerInterval = 200 } = {}) {
    this.server = await Server.start(this, { env, timerInterval });
    return this.server;
  }

  /** Stops the server, asserting a clean exit. */
  async stopServer() {
    destroyAgents();
    const s = this.server;
    this.server = null;
    if (s) await s.stop();
  }

  /** Stops the server (asserting no 5xx answer and a clean exit) and removes the directory. */
  async teardown() {
    try {
      const m = this.server && !this.server.exited ? await this.api('GET', '/metrics').catch(() => null) : null;
      if (m) { // (when the server is gone, stopServer reports how it ended)
        const five = /^fengqiao_http_responses_total\{class="5xx"\} (\d+)$/m.exec(m.text);
        assert.ok(five, 'no 5xx counter in /metrics');
        assert.equal(Number(five[1]), 0, `the server answered ${five[1]} requests with 5xx:\n${this.server.stderr.slice(-2000)}`);
      }
      await this.stopServer();
    } finally {
      await rm(this.dir, { recursive: true, force: true });
      liveDirs.delete(this.dir);
    }
  }

  /** Runs the CLI against this environment's database. */
  cli(args, opts = {}) {
    return cli([...args, '--db', this.db, '--data-dir', this.data], { cwd: this.dir, ...opts });
  }

  api(method, path, opts = {}) {
    return request(this.port, method, path, opts);
  }

  get(path, auth, opts = {}) {
    return this.api('GET', path, { ...opts, auth });
  }

  post(path, auth, body, opts = {}) {
    return this.api('POST', path, { ...opts, auth, body });
  }

  put(path, auth, body, opts = {}) {
    return this.api('PUT', path, { ...opts, auth, body });
  }

  /** POST /api/v1/auth/login, by default from a fresh source address (login is rate-limited per
   * address). The raw response, with {token, csrf, cookies} added on success. */
  async loginRaw(username, password, { from = freshSource() } = {}) {
    const res = await this.api('POST', '/api/v1/auth/login', { body: { username, password }, from });
    if (res.status === 200) {
      res.token = res.json.token;
      res.csrf = res.json.csrf;
      res.cookies = [].concat(res.headers['set-cookie'] || []);
    }
    return res;
  }

  /** Logs in, asserting success; a session {token, csrf, user, cookie, username}. */
  async login(username, password = TEST_PASSWORD, opts = {}) {
    const res = await this.loginRaw(username, password, opts);
    ok(res);
    const cookie = res.cookies.map((c) => c.split(';')[0]).join('; ');
    return { token: res.token, csrf: res.csrf, user: res.json.user, cookie, username };
  }

  /** Creates a user through POST /api/v1/users as the test admin and logs it in. */
  async user(username, roles, { division, department_id, display_name } = {}) {
    const body = { username, password: TEST_PASSWORD, roles };
    if (division) body.division = division;
    if (department_id) body.department_id = department_id;
    if (display_name) body.display_name = display_name;
    const u = ok(await this.post('/api/v1/users', this.admin, body), 201);
    this.users.set(username, u);
    return this.login(username);
  }

  /** Finds the demo's divisions (a county with two townships that have villages), its
   * departments, a dispute category and a resolution method. */
  async loadReference() {
    const a = this.admin;
    const children = async (parent, level) =>
      ok(await this.get(`/api/v1/divisions?parent=${parent}`, a)).items.filter((d) => d.level === level);
    const top = ok(await this.get('/api/v1/divisions', a)).items;
    assert.ok(top.length >= 1, 'no top-level divisions');
    let county;
    let townships = [];
    search: for (const t of top) {
      const cities = t.level === 'city' ? [t] : await children(t.code, 'city');
      for (const c of cities) {
        for (const k of await children(c.code, 'county')) {
          const ts = await children(k.code, 'township');
          if (ts.length >= 2) {
            county = k;
            townships = ts;
            break search;
          }
        }
      }
    }
    assert.ok(county, 'the demo has no county with two townships');
    this.county = county.code;
    this.countyCode = county.code.slice(0, 6);
    this.townships = [];
    for (const t of townships) {
      const villages = await children(t.code, 'village');
      if (villages.length) this.townships.push({ ...t, villages });
      if (this.townships.length === 2) break;
    }
    assert.equal(this.townships.length, 2, 'need two townships with villages');
    this.townshipA = this.townships[0].code;
    this.townshipB = this.townships[1].code;
    this.villageA = this.townships[0].villages[0].code;
    this.villageB = this.townships[1].villages[0].code;

    const deps = ok(await this.get(`/api/v1/departments?division=${county.code}`, a)).items;
    assert.ok(deps.length >= 4, `need 4 departments in the county, got ${deps.length}`);
    this.departments = deps;
    const cats = ok(await this.get('/api/v1/categories', a)).items;
    assert.ok(cats.length > 0, 'no categories');
    this.category = (cats.find((c) => c.kind === 'dispute') || cats[0]).code;
    const methods = ok(await this.get('/api/v1/resolution-methods', a)).items;
    const m = methods.find((x) => x.code.length >= 2 && x.code.length <= 7);
    assert.ok(m, 'no usable resolution method');
    this.method = m.code;
  }

  /** Cases visible to auth (GET /api/v1/cases?count=1 → total). */
  async caseCount(auth = this.admin) {
    const j = ok(await this.get('/api/v1/cases?count=1&limit=1', auth));
    assert.equal(typeof j.total, 'number', `no total in ${JSON.stringify(j).slice(0, 200)}`);
    return j.total;
  }

  /** A valid intake body; overrides replace fields, undefined removes one. */
  intakeBody(overrides = {}) {
    const b = {
      channel: 'window',
      kind: 'dispute',
      title: '邻里噪音纠纷',
      description: '楼上住户夜间装修噪音扰民，多次协商未果，申请调解。',
      division: this.villageA,
      address: '枫桥路 1 号 2 单元',
      people_count: 2,
      ...overrides,
    };
    for (const k of Object.keys(b)) if (b[k] === undefined) delete b[k];
    return b;
  }

  /** Registers a case, asserting 201 and a valid code; the case JSON. */
  async intake(auth, overrides = {}, opts = {}) {
    const c = ok(await this.post('/api/v1/cases', auth, this.intakeBody(overrides), opts), 201);
    assertCaseCode(c.code, { county: this.countyCode });
    return c;
  }

  /** POST /api/v1/cases/:code/actions/:action (body may be undefined). */
  action(auth, code, action, body, opts = {}) {
    return this.api('POST', `/api/v1/cases/${code}/actions/${action}`, { ...opts, auth, body });
  }

  /** Performs an action, asserting 200; the case JSON. */
  async act(auth, code, action, body) {
    return ok(await this.action(auth, code, action, body));
  }

  async getCase(auth, code) {
    return ok(await this.get(`/api/v1/cases/${code}`, auth));
  }

  async timeline(auth, code) {
    const j = ok(await this.get(`/api/v1/cases/${code}/timeline`, auth));
    assert.equal(j.code, code);
    return j.events;
  }

  /** Dispatch parameters: lead = departments[lead], assists = departments[i] for i in assist. */
  dispatchBody({ lead = 0, assist = [], deadline, withAssessment = false } = {}) {
    const b = { lead: { department_id: this.departments[lead].id } };
    if (assist.length) b.assist = assist.map((i) => ({ department_id: this.departments[i].id }));
    if (deadline) b.deadline = deadline;
    if (withAssessment) Object.assign(b, { category: this.category, grade: 'ordinary', level: 'county' });
    return b;
  }

  /** A new case brought to `status` by the admin (who may take every staff action). */
  async caseIn(status, overrides = {}) {
    const a = this.admin;
    let c = await this.intake(a, overrides);
    const steps = {
      pending_assess: [],
      pending_dispatch: ['assess'],
      pending_accept: ['assess', 'dispatch'],
      handling: ['assess', 'dispatch', 'accept'],
      pending_verify: ['assess', 'dispatch', 'accept', 'resolve'],
      closed: ['assess', 'dispatch', 'accept', 'resolve', 'verify'],
      archived: ['assess', 'dispatch', 'accept', 'resolve', 'verify', 'archive'],
    }[status];
    assert.ok(steps, `unknown status ${status}`);
    const bodies = {
      assess: { category: this.category, grade: 'ordinary', level: 'county' },
      dispatch: this.dispatchBody({ lead: 0, assist: [1] }),
      accept: {},
      resolve: { result: '双方达成和解，问题已解决。', method: this.method, success: true },
      verify: { note: '核实无误' },
      archive: {},
    };
    for (const s of steps) c = await this.act(a, c.code, s, bodies[s]);
    assert.equal(c.status, status);
    return c;
  }
}
