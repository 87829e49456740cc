// Authentication: login, cookies and CSRF, lockout, logout, sessions, the `user` CLI.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ADMIN_USER, DEMO_PASSWORD, TEST_PASSWORD, assertError, freshSource, ok, setup,
} from './helpers.mjs';

describe('auth', () => {
  let ctx;
  before(async () => {
    ctx = await setup();
  });
  after(async () => {
    if (ctx) await ctx.teardown();
  });

  it('logs in with a token, an HttpOnly SameSite=Strict session cookie and a CSRF cookie', async () => {
    const res = await ctx.loginRaw(ADMIN_USER, TEST_PASSWORD);
    const j = ok(res);
    assert.match(j.token, /^[A-Za-z0-9_-]{43}$/);
    assert.match(j.csrf, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(j.token, j.csrf);
    assert.equal(j.user.username, ADMIN_USER);
    assert.deepEqual(j.user.roles, ['admin']);
    assert.equal(j.idle_timeout_s, 1800);
    assert.ok(!/argon2|pw_hash|password/i.test(res.text), 'no password material in the login reply');
    const cookies = res.cookies;
    const session = cookies.find((c) => c.startsWith('fq_session='));
    const csrf = cookies.find((c) => c.startsWith('fq_csrf='));
    assert.ok(session, `no fq_session cookie in ${cookies}`);
    assert.ok(csrf, `no fq_csrf cookie in ${cookies}`);
    assert.equal(session.split(';')[0], `fq_session=${j.token}`);
    assert.equal(csrf.split(';')[0], `fq_csrf=${j.csrf}`);
    const attrs = (c) => c.split(';').slice(1).map((s) => s.trim().toLowerCase());
    assert.ok(attrs(session).includes('httponly'), session);
    assert.ok(attrs(session).includes('samesite=strict'), session);
    assert.ok(attrs(session).includes('path=/'), session);
    assert.ok(!attrs(csrf).includes('httponly'), 'the CSRF cookie must be readable by the page');
    assert.ok(attrs(csrf).includes('samesite=strict'), csrf);
    assert.ok(!attrs(session).includes('secure'), 'Secure only with --secure-cookies');
  });

  it('answers a wrong password or an unknown user with the same 401', async () => {
    const bad = await ctx.loginRaw(ADMIN_USER, 'not-the-password');
    const e1 = assertError(bad, 401, 'bad_credentials', 'password');
    const unknown = await ctx.loginRaw('no-such-user', 'whatever-password');
    const e2 = assertError(unknown, 401, 'bad_credentials', 'password');
    assert.equal(e1.message, e2.message, 'the reply must not reveal which accounts exist');
    assert.equal(bad.headers['set-cookie'], undefined);
  });

  it('validates the login body', async () => {
    const from = freshSource();
    const post = (body, headers) => ctx.api('POST', '/api/v1/auth/login', { body, from, headers });
    assertError(await post({ username: ADMIN_USER }), 400, 'required', 'password');
    assertError(await post({ password: TEST_PASSWORD }), 400, 'required', 'username');
    assertError(await post({ username: ADMIN_USER, password: TEST_PASSWORD, otp: '1' }), 400, 'unknown_field', 'otp');
    assertError(await post({ username: ADMIN_USER, password: 'x'.repeat(129) }), 400, 'too_long', 'password');
    assertError(await post({ username: 5, password: TEST_PASSWORD }), 400, 'invalid_type', 'username');
    assertError(await post('{"username":'), 400, 'invalid_json', 'body');
    assertError(await post('["a","b"]'), 400, 'invalid_json', 'body');
  });

  it('locks an account after 5 failed logins, even for the right password, until an admin resets it', async () => {
    await ctx.user('locky', ['clerk']);
    const from = freshSource();
    for (let i = 1; i <= 4; i++) assertError(await ctx.loginRaw('locky', `wrong-password-${i}`, { from }), 401, 'bad_credentials');
    assertError(await ctx.loginRaw('locky', 'wrong-password-5', { from }), 423, 'locked', 'username');
    // the right password from another address is refused too: the lock is on the account
    assertError(await ctx.loginRaw('locky', TEST_PASSWORD), 423, 'locked', 'username');
    const users = ok(await ctx.get('/api/v1/users', ctx.admin)).items;
    const u = users.find((x) => x.username === 'locky');
    assert.ok(u.locked_until, 'users list shows the lock');
    // an admin password reset unlocks it
    ok(await ctx.put('/api/v1/users/locky/password', ctx.admin, { password: 'New-Passw0rd-1' }));
    assertError(await ctx.loginRaw('locky', TEST_PASSWORD), 401, 'bad_credentials');
    await ctx.login('locky', 'New-Passw0rd-1');
  });

  it('resets the failure count after a successful login', async () => {
    await ctx.user('counter', ['clerk']);
    for (let i = 0; i < 4; i++) assertError(await ctx.loginRaw('counter', 'wrong-password'), 401, 'bad_credentials');
    await ctx.login('counter');
    for (let i = 0; i < 4; i++) assertError(await ctx.loginRaw('counter', 'wrong-password'), 401, 'bad_credentials');
    await ctx.login('counter');
  });

  it('rate-limits login attempts per client address (429)', async () => {
    const from = freshSource();
    let limited = null;
    for (let i = 0; i < 15 && !limited; i++) {
      const res = await ctx.api('POST', '/api/v1/auth/login', { body: {}, from });
      if (res.status === 429) limited = res;
      else assertError(res, 400, 'required', 'username');
    }
    assert.ok(limited, 'no 429 after 15 rapid attempts');
    assertError(limited, 429, 'rate_limited');
    // another address is not affected
    assertError(await ctx.api('POST', '/api/v1/auth/login', { body: {}, from: freshSource() }), 400, 'required', 'username');
  });

  it('GET /auth/me returns the user without password material, by Bearer or by cookie', async () => {
    const s = await ctx.login(ADMIN_USER);
    const viaBearer = await ctx.get('/api/v1/auth/me', s);
    const me = ok(viaBearer);
    assert.deepEqual(Object.keys(me).sort(), ['department_id', 'display_name', 'division', 'id', 'roles', 'username']);
    assert.equal(me.username, ADMIN_USER);
    assert.ok(Number.isInteger(me.id));
    const viaCookie = ok(await ctx.api('GET', '/api/v1/auth/me', { headers: { Cookie: s.cookie } }));
    assert.deepEqual(viaCookie, me);
    assertError(await ctx.api('GET', '/api/v1/auth/me'), 401, 'unauthenticated');
  });

  it('requires X-CSRF-Token matching the fq_csrf cookie for cookie-authenticated writes', async () => {
    const s = await ctx.login(ADMIN_USER);
    const before = await ctx.caseCount();
    const body = ctx.intakeBody({ title: 'CSRF 测试' });
    const noHeader = await ctx.api('POST', '/api/v1/cases', { body, headers: { Cookie: s.cookie } });
    assertError(noHeader, 403, 'csrf', 'X-CSRF-Token');
    const wrong = await ctx.api('POST', '/api/v1/cases', { body, headers: { Cookie: s.cookie, 'X-CSRF-Token': 'A'.repeat(43) } });
    assertError(wrong, 403, 'csrf', 'X-CSRF-Token');
    // the header alone, without the cookie, is not enough either
    const sessionOnly = s.cookie.split('; ').find((c) => c.startsWith('fq_session='));
    const noCookie = await ctx.api('POST', '/api/v1/cases', { body, headers: { Cookie: sessionOnly, 'X-CSRF-Token': s.csrf } });
    assertError(noCookie, 403, 'csrf', 'X-CSRF-Token');
    assert.equal(await ctx.caseCount(), before, 'a refused write writes nothing');
    const good = await ctx.api('POST', '/api/v1/cases', { body, headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf } });
    ok(good, 201);
    // Bearer requests need no CSRF token
    ok(await ctx.post('/api/v1/cases', s, body), 201);
    assert.equal(await ctx.caseCount(), before + 2);
  });

  it('logout ends only that session and clears the cookies', async () => {
    const s1 = await ctx.login(ADMIN_USER);
    const s2 = await ctx.login(ADMIN_USER);
    ok(await ctx.get('/api/v1/auth/me', s1));
    const res = await ctx.post('/api/v1/auth/logout', s1);
    assert.deepEqual(ok(res), { ok: true });
    const cleared = [].concat(res.headers['set-cookie'] || []);
    assert.ok(cleared.some((c) => /^fq_session=;/.test(c) && /Max-Age=0/i.test(c)), `cookies: ${cleared}`);
    assert.ok(cleared.some((c) => /^fq_csrf=;/.test(c) && /Max-Age=0/i.test(c)), `cookies: ${cleared}`);
    assertError(await ctx.get('/api/v1/auth/me', s1), 401, 'unauthenticated');
    assertError(await ctx.post('/api/v1/auth/logout', s1), 401, 'unauthenticated');
    ok(await ctx.get('/api/v1/auth/me', s2));
  });

  it('refuses garbage, malformed and unknown tokens with 401', async () => {
    const probes = [
      { Authorization: 'Bearer garbage' },
      { Authorization: `Bearer ${'A'.repeat(43)}` },
      { Authorization: `Bearer ${'A'.repeat(44)}` },
      { Authorization: 'Bearer ' },
      { Authorization: 'Basic YWRtaW46YWRtaW4=' },
      { Cookie: `fq_session=${'B'.repeat(43)}` },
      { Cookie: 'fq_session=' },
      { Authorization: `Bearer ${'\u00e9'.repeat(43)}` },
    ];
    for (const headers of probes) {
      const res = await ctx.api('GET', '/api/v1/cases?limit=1', { headers });
      assertError(res, 401, 'unauthenticated');
    }
  });

  it('demo accounts log in with the demo password', async () => {
    const users = ok(await ctx.get('/api/v1/users', ctx.admin)).items;
    const demo = users.find((u) => u.username !== ADMIN_USER && !ctx.users.has(u.username));
    assert.ok(demo, 'the demo created no accounts');
    const s = await ctx.login(demo.username, DEMO_PASSWORD);
    assert.equal(s.user.username, demo.username);
  });

  describe('fengqiao user (CLI)', () => {
    it('adds a user who can log in, and lists it', async () => {
      const r = await ctx.cli(['user', 'add', 'cli-clerk', '--role', 'clerk,grid_worker', '--division', ctx.county,
        '--display-name', '命令行受理员', '--password', 'Cli-Passw0rd-1']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /add cli-clerk/);
      const s = await ctx.login('cli-clerk', 'Cli-Passw0rd-1');
      assert.deepEqual(s.user.roles, ['clerk', 'grid_worker']);
      assert.equal(s.user.division, ctx.county);
      assert.equal(s.user.display_name, '命令行受理员');
      const list = await ctx.cli(['user', 'list']);
      assert.equal(list.code, 0, list.stderr);
      const line = list.stdout.split('\n').find((l) => l.startsWith('cli-clerk '));
      assert.ok(line, list.stdout);
      assert.match(line, /"clerk","grid_worker"/);
      assert.ok(!/argon2/.test(list.stdout));
    });

    it('changes a password read from standard input', async () => {
      const r = await ctx.cli(['user', 'passwd', 'cli-clerk'], { input: 'Cli-Passw0rd-2\n' });
      assert.equal(r.code, 0, r.stderr);
      assertError(await ctx.loginRaw('cli-clerk', 'Cli-Passw0rd-1'), 401, 'bad_credentials');
      await ctx.login('cli-clerk', 'Cli-Passw0rd-2');
    });

    it('refuses bad input with a non-zero exit', async () => {
      const dup = await ctx.cli(['user', 'add', 'cli-clerk', '--role', 'clerk', '--password', 'Cli-Passw0rd-3']);
      assert.equal(dup.code, 1);
      assert.match(dup.stderr, /already taken/);
      const role = await ctx.cli(['user', 'add', 'cli-x', '--role', 'emperor', '--password', 'Cli-Passw0rd-3']);
      assert.equal(role.code, 2);
      assert.match(role.stderr, /unknown role/);
      const noRole = await ctx.cli(['user', 'add', 'cli-x', '--password', 'Cli-Passw0rd-3']);
      assert.equal(noRole.code, 2);
      const short = await ctx.cli(['user', 'add', 'cli-x', '--role', 'clerk', '--password', 'short']);
      assert.equal(short.code, 2);
      const div = await ctx.cli(['user', 'add', 'cli-x', '--role', 'clerk', '--division', '12345', '--password', 'Cli-Passw0rd-3']);
      assert.equal(div.code, 2);
      const missing = await ctx.cli(['user', 'passwd', 'nobody-here', '--password', 'Cli-Passw0rd-3']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no such user/);
      const none = await ctx.cli(['user']);
      assert.equal(none.code, 2);
      // nothing half-made
      assertError(await ctx.loginRaw('cli-x', 'Cli-Passw0rd-3'), 401, 'bad_credentials');
    });

    it('passwd clears a lockout', async () => {
      await ctx.user('cli-locked', ['clerk']);
      const from = freshSource();
      for (let i = 0; i < 5; i++) await ctx.loginRaw('cli-locked', 'wrong-password', { from });
      assertError(await ctx.loginRaw('cli-locked', TEST_PASSWORD), 423, 'locked');
      const r = await ctx.cli(['user', 'passwd', 'cli-locked', '--password', TEST_PASSWORD]);
      assert.equal(r.code, 0, r.stderr);
      await ctx.login('cli-locked');
    });
  });

  it('expires a session idle for longer than 30 minutes; a 5-minute lock has expired by then', async () => {
    const s = await ctx.login(ADMIN_USER);
    ok(await ctx.get('/api/v1/auth/me', s));
    await ctx.user('later', ['clerk']);
    const from = freshSource();
    for (let i = 0; i < 5; i++) await ctx.loginRaw('later', 'wrong-password', { from });
    assertError(await ctx.loginRaw('later', TEST_PASSWORD), 423, 'locked');
    // restart the server 31 minutes in the future (FQ_FAKE_NOW is read once at start)
    await ctx.stopServer();
    await ctx.startServer({ env: { FQ_FAKE_NOW: String(Date.now() + 31 * 60 * 1000) } });
    assertError(await ctx.get('/api/v1/auth/me', s), 401, 'session_expired');
    const fresh = await ctx.login(ADMIN_USER);
    ok(await ctx.get('/api/v1/auth/me', fresh));
    await ctx.login('later');
  });
});
