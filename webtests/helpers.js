// helpers.js: what the browser tests need around them: a studyhall binary
// built from this checkout, a temporary data directory with the demo data,
// a server on a free loopback port (restartable, always stopped), headless
// Chromium driven by playwright-core, and a tiny REST client for setting
// the scene as other users.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, copyFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
export const shotsDir = join(repo, 'webtests', 'screenshots');
export const PASSWORD = 'studyhall-demo';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const running = new Set();
process.on('exit', () => { for (const child of running) { try { child.kill('SIGKILL'); } catch { /* gone */ } } });

/** Server is one studyhall process over a temporary data directory. */
export class Server {
  async start() {
    this.dir = mkdtempSync(join(tmpdir(), 'studyhall-webtests-'));
    this.bin = join(this.dir, 'studyhall');
    this.data = join(this.dir, 'pb_data');
    // the web app's SDK, as `make vendor` puts it
    const vendor = join(repo, 'pb_public', 'vendor', 'pocketbase.es.mjs');
    if (!existsSync(vendor)) {
      mkdirSync(dirname(vendor), { recursive: true });
      copyFileSync(join(repo, 'node_modules', 'pocketbase', 'dist', 'pocketbase.es.mjs'), vendor);
    }
    execFileSync('go', ['build', '-o', this.bin, '.'], { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
    execFileSync(this.bin, ['seed', '--demo', '--dir', this.data], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    await this.spawn();
    return this;
  }

  async spawn() {
    this.log = '';
    this.child = spawn(this.bin, ['serve', '--dir', this.data, '--http', `127.0.0.1:${this.port}`, '--publicDir', join(repo, 'pb_public')],
      { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(this.child);
    // the server's log, kept beside the screenshots for a failed run
    mkdirSync(shotsDir, { recursive: true });
    const logFile = join(shotsDir, 'server.log');
    const keep = (chunk) => {
      this.log = (this.log + chunk).slice(-20000);
      appendFileSync(logFile, chunk);
    };
    this.child.stdout.on('data', keep);
    this.child.stderr.on('data', keep);
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.exited = exited;
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`${this.url}/api/health`);
        if (res.ok) return;
      } catch { /* not yet */ }
      if (this.child.exitCode !== null) break;
      await sleep(100);
    }
    throw new Error(`studyhall did not start:\n${this.log}`);
  }

  async stopProcess() {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const timeout = sleep(5000).then(() => 'timeout');
    if (await Promise.race([this.exited, timeout]) === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    running.delete(this.child);
  }

  async stop() {
    await this.stopProcess();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * login signs in over REST and returns a small client for that user. A
   * user signs in once per server (PocketBase allows 10 sign-ins per 10 s
   * from one address, and a suite signs the same users in again and
   * again); later calls reuse the token while it holds and read the user's
   * record fresh.
   */
  async login(email) {
    this.tokens ??= new Map();
    const known = this.tokens.get(email);
    let token = known?.token;
    let record;
    if (token) {
      // the token ends with a password change: then sign in again
      const res = await fetch(`${this.url}/api/collections/users/records/${known.id}`, { headers: { authorization: token } });
      if (res.ok) record = await res.json();
      else token = undefined;
    }
    if (!token) {
      const res = await fetch(`${this.url}/api/collections/users/auth-with-password`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity: email, password: PASSWORD }),
      });
      const body = await res.json();
      if (!res.ok) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(body)}`);
      ({ token, record } = body);
      this.tokens.set(email, { token, id: record.id });
    }
    const call = async (method, path, data) => {
      const r = await fetch(`${this.url}${path}`, {
        method, headers: { 'content-type': 'application/json', authorization: token }, body: data ? JSON.stringify(data) : undefined,
      });
      const text = await r.text();
      const json = text ? JSON.parse(text) : null;
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
      return json;
    };
    return { user: record, token, call };
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** launchBrowser starts Debian's Chromium headless (playwright-core makes a fresh profile). */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** newUserPage is a signed-in page in its own browser context. */
export async function newUserPage(browser, server, email, { viewport = { width: 1280, height: 860 } } = {}) {
  const context = await browser.newContext({ viewport, baseURL: server.url });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  watchErrors(page, email);
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('h1', { hasText: 'Welcome' }).waitFor();
  return { context, page };
}

export const pageErrors = [];
/** watchErrors records uncaught page errors; the suite fails on any. */
export function watchErrors(page, who) {
  page.on('pageerror', (err) => pageErrors.push(`${who}: ${err.message}`));
  if (process.env.WEBTESTS_DEBUG) {
    page.on('console', (m) => console.log(`[${who}] ${m.type()}: ${m.text()}`));
    page.on('response', (r) => { if (r.status() >= 400) console.log(`[${who}] ${r.status()} ${r.request().method()} ${r.url()}`); });
  }
}

/** shot saves a screenshot of the page under webtests/screenshots/. */
export async function shot(page, name) {
  mkdirSync(shotsDir, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0)); // a sticky header stays on top in a full-page shot
  await page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: true });
}
