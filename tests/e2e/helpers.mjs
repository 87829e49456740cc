// Harness of the browser tests: a fresh database with a one-county demo, `fengqiao serve` on a free
// port serving the built web apps (web/dist), and Debian's Chromium driven by playwright-core
// (headless, never downloaded). Reuses the API tests' server and HTTP helpers.
//
// Run: make e2e-test   (or FENGQIAO=build/fengqiao node --test --test-concurrency=1 tests/e2e/)
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cliOk, Context, ok, freshSource, sleep } from '../api/helpers.mjs';

export { assert, ok, sleep };
export const DEMO_PASSWORD = 'Fengqiao@2026';
export const ROOT = resolve(import.meta.dirname, '../..');
export const WEB = resolve(process.env.FQ_WEB || join(ROOT, 'web/dist'));
export const SHOTS = join(ROOT, 'docs/screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const require = createRequire(join(ROOT, 'web/package.json'));
const { chromium } = require('playwright-core');

export class E2E extends Context {
  constructor(dir) {
    super(dir);
    this.web = WEB;
    this.browser = null;
  }

  /** Logs a demo account in through the API (for setting up cases), as the API tests do. */
  demoLogin(username) {
    return this.login(username, DEMO_PASSWORD, { from: freshSource() });
  }

  /** A new browser context (own cookies) and page; viewport 1366×768 unless told. */
  async page({ width = 1366, height = 768, mobile = false, lang, geolocation } = {}) {
    const ctx = await this.browser.newContext({
      viewport: { width, height },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      isMobile: mobile,
      hasTouch: mobile,
      deviceScaleFactor: 1,
      ...(geolocation ? { geolocation, permissions: ['geolocation'] } : {}),
    });
    if (lang) await ctx.addInitScript((l) => localStorage.setItem('fq_lang', l), lang);
    const page = await ctx.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(String(e)));
    if (process.env.FQ_E2E_DEBUG) page.on('console', (m) => console.log('[browser]', m.type(), m.text()));
    page.setDefaultTimeout(10000);
    return page;
  }

  url(path) {
    return this.base + path;
  }

  /** Opens the workbench and logs in through the form. */
  async workbench(username, opts = {}) {
    const page = await this.page(opts);
    await page.goto(this.url('/#/login'));
    await fill(page, 'username', username);
    await fill(page, 'password', DEMO_PASSWORD);
    await page.click('[data-test=login-submit]');
    await page.waitForURL((u) => !u.hash.startsWith('#/login'));
    return page;
  }

  async teardown() {
    if (this.browser) await this.browser.close().catch(() => {});
    this.browser = null;
    await super.teardown();
  }
}

/** A fresh environment: demo database, server over web/dist, a headless Chromium. */
export async function setup({ cases = 200, env = {}, timerInterval = 200 } = {}) {
  assert.ok(existsSync(join(WEB, 'index.html')), `no built web apps in ${WEB}: run make web`);
  assert.ok(existsSync(CHROMIUM), `no ${CHROMIUM}: run scripts/setup`);
  const dir = await mkdtemp(join(tmpdir(), 'fq-e2e-'));
  const ctx = new E2E(dir);
  try {
    await cliOk(['init', '--db', ctx.db, '--data-dir', ctx.data], { cwd: dir });
    await cliOk(['demo', '--db', ctx.db, '--data-dir', ctx.data, '--counties', '1', '--cases', String(cases)], { cwd: dir });
    await ctx.startServer({ env, timerInterval });
    ctx.admin = await ctx.demoLogin('admin');
    ctx.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    });
  } catch (err) {
    await ctx.teardown().catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return ctx;
}

/** Saves a screenshot under docs/screenshots/NAME.png (set FQ_SCREENSHOTS=0 to skip). */
export async function shot(page, name, { fullPage = false } = {}) {
  if (process.env.FQ_SCREENSHOTS === '0') return;
  await mkdir(SHOTS, { recursive: true });
  await sleep(300); // animations, charts
  await page.screenshot({ path: join(SHOTS, name + '.png'), fullPage });
}

/** Picks an option of an Element Plus select: opens it and clicks the visible option with text. */
export async function elSelect(page, testId, text) {
  await page.click(`[data-test="${testId}"]`);
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}

/** Performs a case action through its button and dialog; fill(page) fills the form. */
export async function act(page, action, fill) {
  await page.click(`[data-test="action-${action}"]`);
  await page.waitForSelector('[data-test=action-form]', { state: 'visible' });
  if (fill) await fill(page);
  await page.click('[data-test=action-submit]');
  await page.waitForSelector('[data-test=action-form]', { state: 'hidden' });
}

export async function caseStatus(page) {
  return page.getAttribute('[data-status]', 'data-status');
}

/** CSS for the text box of a field marked data-test=ID (Element Plus puts the attribute on the
 * <input> itself, Vant on a wrapper). */
export const box = (id) => `:is(input,textarea)[data-test="${id}"], [data-test="${id}"] :is(input,textarea)`;

export async function fill(page, id, value) {
  await page.locator(box(id)).first().fill(value);
}
