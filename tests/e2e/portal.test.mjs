// The citizen portal: submit with the challenge, receive the code, look it up with the last 4
// phone digits; a mistyped code is caught in the browser, a wrong phone by the server.
import { after, before, test } from 'node:test';
import { assert, setup, shot, ok, fill } from './helpers.mjs';

let env;
before(async () => { env = await setup({ cases: 50 }); });
after(async () => { await env?.teardown(); });

test('portal: submit a request, get the case code, look it up', async () => {
  const page = await env.page({ width: 375, height: 740, mobile: true });
  await page.goto(env.url('/portal/'));
  await page.waitForSelector('[data-test=submit]');
  await fill(page, 'title', '小区路灯不亮');
  await fill(page, 'description', '光明社区 5 幢门口路灯坏了一周，晚上出行不便。');
  await fill(page, 'name', '李女士');
  await fill(page, 'phone', '13912345678');
  // the division picker from the public list, level by level
  await page.click('[data-test=division-pick]');
  for (const name of ['枫桥示范市', '枫源区', '府前街道', '光明社区']) await page.locator('.van-cascader__option:visible', { hasText: name }).first().click();
  await page.waitForFunction(() => /光明社区/.test(document.querySelector('[data-test=division-pick] input')?.value || ''));
  const q = await page.locator('[data-test=answer] .van-field__label').textContent();
  const m = /(\d+)\s*\+\s*(\d+)/.exec(q);
  assert.ok(m, `challenge question: ${q}`);
  await fill(page, 'answer', String(Number(m[1]) + Number(m[2])));
  await shot(page, 'portal-submit');
  await page.click('[data-test=submit]');
  await page.waitForSelector('[data-test=created-code]');
  const code = (await page.textContent('[data-test=created-code]')).trim();
  assert.match(code, /^331202\d{14}[\dX]$/);
  await shot(page, 'portal-created');
  const c = ok(await env.get('/api/v1/cases/' + code, env.admin));
  assert.equal(c.channel, 'portal');
  assert.equal(c.title, '小区路灯不亮');
  assert.equal(c.division, '331202001001');

  // look up: a bad check character is caught before asking; a wrong phone is not found
  await page.click('text=查询评价');
  const bad = code.slice(0, 20) + (code[20] === '0' ? '1' : '0');
  await fill(page, 'lk-code', bad);
  await fill(page, 'lk-phone4', '5678');
  await page.click('[data-test=lk-submit]');
  await page.waitForSelector('text=案件编码校验失败');
  await fill(page, 'lk-code', code);
  await fill(page, 'lk-phone4', '0000');
  await page.click('[data-test=lk-submit]');
  await page.waitForSelector('[data-test=lk-error]');
  await fill(page, 'lk-phone4', '5678');
  await page.click('[data-test=lk-submit]');
  await page.waitForSelector('[data-test=found-status]');
  assert.match(await page.textContent('[data-test=found-status]'), /待研判/);
  await shot(page, 'portal-lookup');
  assert.deepEqual(page.errors, []);
});
