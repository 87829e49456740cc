// An overdue case turns red and shows its supervision order: the server's clock is moved 30 days
// ahead (FQ_FAKE_NOW), so the timer marks the demo's open cases overdue and supervises them.
import { after, before, test } from 'node:test';
import { assert, setup, shot, ok, sleep } from './helpers.mjs';

let env;
before(async () => { env = await setup({ cases: 100, env: { FQ_FAKE_NOW: String(Date.now() + 30 * 86400000) } }); });
after(async () => { await env?.teardown(); });

test('overdue: red light, overdue event and a supervision order on the case page', async () => {
  let items = [];
  for (let i = 0; i < 50 && !items.length; i++) {
    items = ok(await env.get('/api/v1/cases?status=handling&overdue=1&limit=50', env.admin)).items.filter((c) => c.supervised);
    if (!items.length) await sleep(200);
  }
  assert.ok(items.length > 0, 'the timer supervised an overdue case');
  const code = items[0].code;
  const page = await env.workbench('county1.supervisor');
  await page.click('[data-test=count-overdue]');
  await page.waitForSelector(`text=${code}`);
  await page.goto(env.url('/#/cases/' + code));
  await page.waitForSelector('[data-test=light-red]');
  await page.waitForSelector('[data-test=supervision-order]');
  await page.waitForSelector('[data-test=ev-overdue]');
  assert.match(await page.textContent('[data-test=days-left]'), /已超期/);
  await shot(page, 'workbench-case-overdue');
});
