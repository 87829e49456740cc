// The command line on a real database: init refuses to overwrite, check detects every kind of
// tampering with a case's hash chain, backup writes a copy that passes check, --help everywhere.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { connect } from 'node:net';

import { Server, cli, cliOk } from './helpers.mjs';

/** Runs SQL on the database with the sqlite3 shell (installed by scripts/setup). */
function sql(db, text) {
  const r = spawnSync('sqlite3', [db, text], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe('command line', () => {
  let dir, db, data, args;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fq-cli-'));
    db = join(dir, 't.db');
    data = join(dir, 'data');
    args = ['--db', db, '--data-dir', data];
    await cliOk(['init', ...args]);
    await cliOk(['demo', ...args, '--counties', '1', '--cases', '120']);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('answers --help for every subcommand', async () => {
    for (const sub of ['init', 'demo', 'serve', 'user', 'check', 'backup']) {
      const r = await cli([sub, '--help']);
      assert.equal(r.code, 0, sub);
      assert.match(r.stdout, /Usage: fengqiao/, sub);
    }
    const r = await cli(['no-such-command']);
    assert.equal(r.code, 2);
  });

  it('demo reports the wall and CPU time of each stage, whatever GLIBC_TUNABLES the caller set', async () => {
    // (the demo re-executes itself once with glibc's malloc cache enlarged unless the caller's
    // GLIBC_TUNABLES already sets it: each way it must run the same demo with the same options)
    for (const tunables of [undefined, 'glibc.malloc.perturb=0', 'glibc.malloc.tcache_count=7']) {
      const d = mkdtempSync(join(tmpdir(), 'fq-cli-demo-'));
      try {
        const a = ['--db', join(d, 't.db'), '--data-dir', join(d, 'data')];
        await cliOk(['init', ...a]);
        const env = tunables ? { GLIBC_TUNABLES: tunables } : {};
        const r = await cliOk(['demo', ...a, '--counties', '1', '--cases', '30', '--seed', '5'], { env });
        const stages = [...r.stderr.matchAll(/^(\w+) +\d+\.\d\d s wall, \d+\.\d\d s CPU$/gm)].map((m) => m[1]);
        assert.deepEqual(stages, ['reference', 'divisions', 'departments', 'users', 'plan', 'cases', 'statistics', 'close'], tunables);
        assert.match(r.stderr, /^cases +100% +\(30\/30\)$/m, tunables);
      } finally {
        rmSync(d, { recursive: true, force: true });
      }
    }
  });

  it('serve --max-per-ip bounds the connections of one client address, and rejects bad values', async () => {
    for (const v of ['-1', '70000']) {
      const r = await cli(['serve', ...args, '--port', '0', '--max-per-ip', v]);
      assert.equal(r.code, 2, v);
      assert.match(r.stderr, /--max-per-ip/);
    }
    const srv = await Server.start({ dir, db, data, web: dir }, { extraArgs: ['--max-per-ip', '2'] });
    try {
      // three keep-alive connections from 127.0.0.1, each asking /healthz: two are answered, the
      // third is closed without an answer
      const answers = await Promise.all([0, 1, 2].map((i) => new Promise((res) => {
        setTimeout(() => {
          const s = connect(srv.port, '127.0.0.1');
          let got = '';
          s.on('connect', () => s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
          s.on('data', (d) => { got += d; });
          s.on('error', () => {});
          s.on('close', () => res(got));
          setTimeout(() => { res(got); s.destroy(); }, 1500);
        }, i * 100);
      })));
      assert.equal(answers.filter((a) => a.startsWith('HTTP/1.1 200')).length, 2, JSON.stringify(answers.map((a) => a.slice(0, 15))));
    } finally {
      await srv.stop();
    }
  });

  it('init refuses to overwrite a database and the key file is private', async () => {
    const r = await cli(['init', ...args]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already exists/);
    assert.equal(statSync(join(data, 'fengqiao.key')).mode & 0o777, 0o600);
  });

  it('check passes on an untouched database', async () => {
    const r = await cli(['check', ...args]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /0 breaks/);
  });

  it('backup writes a consistent copy that passes check, and refuses to overwrite', async () => {
    const copy = join(dir, 'copy.db');
    await cliOk(['backup', ...args, copy]);
    assert.ok(existsSync(copy));
    const r = await cli(['check', '--db', copy, '--data-dir', data]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(sql(copy, 'SELECT count(*) FROM events'), sql(db, 'SELECT count(*) FROM events'));
    assert.equal((await cli(['backup', ...args, copy])).code, 1);
  });

  for (const [what, tamper] of [
    ['an edited event payload', (t) => `UPDATE events SET payload = '{"title":"改过"}' WHERE id = (SELECT min(id) FROM events WHERE case_id = ${t})`],
    ['a deleted last event', (t) => `DELETE FROM events WHERE id = (SELECT max(id) FROM events WHERE case_id = ${t})`],
    ['a deleted middle event', (t) => `DELETE FROM events WHERE case_id = ${t} AND seq = 2`],
    ['a changed actor', (t) => `UPDATE events SET actor_id = actor_id + 1 WHERE case_id = ${t} AND seq = 1`],
    ['a changed time', (t) => `UPDATE events SET at = at + 1000 WHERE case_id = ${t} AND seq = 2`],
  ]) {
    it(`check fails on ${what}`, async () => {
      const copy = join(dir, `tamper-${Math.random().toString(36).slice(2)}.db`);
      await cliOk(['backup', ...args, copy]);
      const target = sql(copy, 'SELECT case_id FROM events GROUP BY case_id HAVING count(*) >= 3 LIMIT 1');
      sql(copy, tamper(target));
      const r = await cli(['check', '--db', copy, '--data-dir', data]);
      assert.equal(r.code, 1, `check must fail on ${what}:\n${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /chain break/);
      assert.match(r.stdout, /CHECK FAILED/);
    });
  }

  it('user add / passwd / list', async () => {
    await cliOk(['user', 'add', 'cli.clerk', '--role', 'clerk', '--password', 'Cli-Passw0rd-1', ...args]);
    const dup = await cli(['user', 'add', 'cli.clerk', '--role', 'clerk', '--password', 'Cli-Passw0rd-1', ...args]);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /taken/);
    const bad = await cli(['user', 'add', 'cli.x', '--role', 'wizard', '--password', 'Cli-Passw0rd-1', ...args]);
    assert.equal(bad.code, 2);
    await cliOk(['user', 'passwd', 'cli.clerk', ...args], { input: 'New-Passw0rd-2\n' });
    const list = await cliOk(['user', 'list', ...args]);
    assert.match(list.stdout, /cli\.clerk/);
    assert.doesNotMatch(list.stdout, /argon2/);
  });
});
