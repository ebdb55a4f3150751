/*
 * pages.test.mjs — the browser pages of SPEC §9 against the real taktd:
 * Debian's chromium, driven by playwright-core, in a temporary directory
 * with its own config on an ephemeral port. Every wait is bounded; the
 * daemon and the browser are always stopped. Screenshots of each page at
 * its target size go to tests/browser/screenshots/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const SHOTS = join(HERE, 'screenshots');
const TAKTD = process.env.TAKTD;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const XSS = '<img src=x onerror=alert(1)>';
const FOLLOW = 1000;	/* the stage must follow the moderator within this */

const CONFIG = `
event:
  title: Browser-Test der Pitches
  venue: Testsaal
  date: 2026-12-03
  timezone: Europe/Berlin
  language: de
timing:
  pitch: 20s
  changeover: 10s
  warning: 10s
  danger: 5s
  grace: 30s
  on_time_up: none
stages:
  - id: main
    name: Großer Saal
    start: "14:00"
    pitches:
      - id: alpha
        startup: "${XSS}"
        presenter: Eve Escape
        title: Markup in a name
        contact: eve@alpha.example
      - id: beta
        startup: Beta GmbH
        presenter: Bob Beta
        title: Bauanträge digital
        contact: team@beta.example
      - id: gamma
        startup: Gamma UG
        presenter: Gil Gamma
        title: Parkplätze per Sensor
        contact: hi@gamma.example
attendees:
  - id: ott
    name: Dr. Marcus Ott
    department: IuK / E-Government
    email: m.ott@example.org
  - id: mueller
    name: Jana Müller
    department: Ordnungsamt
    email: j.mueller@example.org
  - id: kim
    name: Kim Lee
    department: Bauamt
    role: staff
`;

let dir, daemon, daemonLog = '', base, host, tokens = {}, browser;
const problems = [];		/* dialogs, page errors, foreign requests */
const urls = [];

/* Starts taktd and resolves with its URL once it says it listens. */
function startDaemon() {
	return new Promise((resolve, reject) => {
		daemon = spawn(TAKTD, ['--config', join(dir, 'event.yaml'),
		    '--listen', '127.0.0.1:0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
		const timer = setTimeout(() => reject(new Error('taktd did not start:\n' +
		    daemonLog)), 15000);
		const onData = (d) => {
			daemonLog += d;
			const m = daemonLog.match(/listening on (http:\/\/[\d.]+:\d+)/);
			if (m) {
				clearTimeout(timer);
				resolve(m[1]);
			}
		};
		daemon.stdout.on('data', onData);
		daemon.stderr.on('data', onData);
		daemon.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error('taktd exited ' + code + ':\n' + daemonLog));
		});
	});
}

/* Stops taktd (TERM, then KILL) and resolves with its exit code. */
function stopDaemon() {
	if (daemon == null || daemon.exitCode != null)
		return Promise.resolve(daemon ? daemon.exitCode : 0);
	return new Promise((resolve) => {
		const kill = setTimeout(() => daemon.kill('SIGKILL'), 5000);
		daemon.on('exit', (code, sig) => {
			clearTimeout(kill);
			resolve(code ?? sig);
		});
		daemon.kill('SIGTERM');
	});
}

/* Calls the API directly (test setup and checks). */
async function api(method, path, token, body) {
	const headers = {};
	if (token)
		headers.Authorization = 'Bearer ' + token;
	if (body !== undefined)
		headers['Content-Type'] = 'application/json';
	const r = await fetch(base + path, { method, headers,
	    body: body !== undefined ? JSON.stringify(body) : undefined });
	const text = await r.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch (e) { /* not JSON */ }
	return { status: r.status, json, text };
}

/* A fresh context and page at a size, watched for dialogs and foreign hosts. */
async function open(width, height, path, name) {
	const ctx = await browser.newContext({ viewport: { width, height },
	    acceptDownloads: true });
	const page = await ctx.newPage();
	page.setDefaultTimeout(5000);
	page.on('dialog', (d) => {
		problems.push(name + ': a ' + d.type() + ' dialog fired: ' + d.message());
		d.dismiss().catch(() => {});
	});
	page.on('pageerror', (e) => problems.push(name + ': page error: ' + e.message));
	page.on('request', (r) => {
		const u = new URL(r.url());
		urls.push(r.url());
		if (!['blob:', 'data:', 'about:'].includes(u.protocol) && u.host !== host)
			problems.push(name + ': request to another host: ' + r.url());
	});
	await page.goto(base + path);
	return page;
}

/* Signs in on a staff page's token form. */
async function signIn(page, token) {
	await page.fill('#token', token);
	await page.press('#token', 'Enter');
	await page.waitForSelector('main:not([hidden])');
}

async function shot(page, name) {
	await page.screenshot({ path: join(SHOTS, name + '.png') });
}

/* Waits until the page's body has a class (mode-…, phase-…). */
function bodyHas(page, cls, timeout = FOLLOW) {
	return page.waitForFunction((c) => document.body.classList.contains(c), cls,
	    { timeout });
}

/* Waits until an element's text is exactly s. */
function textIs(page, sel, s, timeout = FOLLOW) {
	return page.waitForFunction(([q, want]) =>
	    document.querySelector(q)?.textContent === want, [sel, s], { timeout });
}

/* The seconds an M:SS countdown shows (overtime negative). */
async function seconds(page) {
	const t = await page.textContent('#count');
	const m = t.match(/^(\+?)(\d+):(\d\d)$/);
	assert.ok(m, 'count reads "' + t + '"');
	const s = Number(m[2]) * 60 + Number(m[3]);
	return m[1] ? -s : s;
}

before(async () => {
	assert.ok(TAKTD, 'TAKTD names the taktd binary');
	dir = mkdtempSync(join(tmpdir(), 'takt-browser-'));
	mkdirSync(SHOTS, { recursive: true });
	writeFileSync(join(dir, 'event.yaml'), CONFIG);
	base = await startDaemon();
	host = new URL(base).host;
	for (const line of readFileSync(join(dir, 'takt.db.tokens'), 'utf8').split('\n')) {
		const [kind, id, tok] = line.split(' ');
		if (tok)
			tokens[kind === 'attendee' ? id : kind] = tok;
	}
	browser = await chromium.launch({ executablePath: CHROMIUM, timeout: 30000,
	    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
		'--no-first-run', '--disable-background-networking',
		'--disable-component-update', '--disable-sync'] });
});

after(async () => {
	if (browser)
		await browser.close().catch(() => {});
	const code = await stopDaemon();
	if (dir)
		rmSync(dir, { recursive: true, force: true });
	/* Under ASan a leak or any sanitizer report makes this non-zero. */
	assert.equal(code, 0, 'taktd exit status; its log:\n' + daemonLog);
});

describe('pages', () => {
	let stage, stageSmall, mod;

	test('pages and assets come with a strict policy; unknown ones are 404', async () => {
		for (const p of ['/', '/stage/main', '/moderator/main', '/me', '/door', '/organiser']) {
			const r = await fetch(base + p);
			assert.equal(r.status, 200, p);
			assert.match(r.headers.get('content-type'), /^text\/html/);
			const csp = r.headers.get('content-security-policy');
			assert.match(csp, /script-src 'self'/, p);
			assert.doesNotMatch(csp, /script-src[^;]*unsafe/, p);
			assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
			assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
			assert.doesNotMatch(await r.text(), /<script>|<script [^>]*>[^<]/, p);
		}
		for (const p of ['/stage/nope', '/assets/nope.js', '/assets/stage.html',
		    '/assets/..%2ftakt.js', '/assets', '/me/x'])
			assert.ok([400, 404].includes((await fetch(base + p)).status), p);
		const js = await fetch(base + '/assets/takt.js');
		assert.match(js.headers.get('content-type'), /^text\/javascript/);
	});

	test('GET /api/v1/attendees needs a staff token and has no e-mails', async () => {
		assert.equal((await api('GET', '/api/v1/attendees')).status, 401);
		assert.equal((await api('GET', '/api/v1/attendees', tokens.ott)).status, 403);
		const r = await api('GET', '/api/v1/attendees', tokens.moderator);
		assert.equal(r.status, 200);
		assert.equal(r.json.length, 3);
		assert.deepEqual(Object.keys(r.json[0]).sort(),
		    ['checked_in', 'department', 'id', 'name', 'role', 'since_ms']);
		assert.doesNotMatch(r.text, /example\.org/);
	});

	test('the stage display shows what is next, names as text', async () => {
		stage = await open(1920, 1080, '/', 'stage');
		await textIs(stage, '#next-startup', XSS, 5000);
		assert.equal(await stage.locator('#next img').count(), 0);
		await textIs(stage, '#stage-name', 'Großer Saal');
		await shot(stage, 'stage-1920x1080-idle');
	});

	test('the moderator signs in once per session', async () => {
		mod = await open(1440, 900, '/moderator/main', 'moderator');
		await mod.fill('#token', 'wrong');
		await mod.press('#token', 'Enter');
		await mod.waitForSelector('.token-form .err:not([hidden])');
		await signIn(mod, tokens.moderator);
		await mod.reload();
		await mod.waitForSelector('main:not([hidden])');
		assert.equal(await mod.locator('#token').count(), 0);
		await mod.waitForSelector('#agenda tr >> nth=2');
		assert.equal(await mod.locator('#agenda img').count(), 0);
		stageSmall = await open(1280, 720, '/stage/main', 'stage-720');
		await textIs(stageSmall, '#next-startup', XSS, 5000);
	});

	test('buttons start, extend and advance; the stage follows within a second', async () => {
		await mod.click('#btn-toggle');
		await bodyHas(mod, 'mode-running');
		await bodyHas(stage, 'mode-running');
		await bodyHas(stageSmall, 'mode-running');
		await textIs(stage, '#startup', XSS);
		assert.equal(await stage.locator('#startup img').count(), 0);

		await mod.click('#btn-plus');
		await stage.waitForFunction(() => /^0:(4\d|50)$/.test(
		    document.querySelector('#count').textContent), null, { timeout: FOLLOW });
		assert.ok(await seconds(stage) > 40);
		await mod.click('#btn-minus');
		await stage.waitForFunction(() => /^0:(1\d|20)$/.test(
		    document.querySelector('#count').textContent), null, { timeout: FOLLOW });

		/* Two screens read the same deadline: their digits agree. */
		const [a, b] = await Promise.all([seconds(stage), seconds(stageSmall)]);
		assert.ok(Math.abs(a - b) <= 1, `stage ${a}s, small stage ${b}s`);

		await shot(mod, 'moderator-1440x900');
		await shot(stageSmall, 'stage-1280x720-running');

		await mod.click('#btn-next');
		await textIs(stage, '#startup', 'Beta GmbH');
		await bodyHas(stage, 'mode-ready');
		await mod.click('#btn-prev');
		await textIs(stage, '#startup', XSS);
		await mod.click('#btn-next-start');
		await textIs(stage, '#startup', 'Beta GmbH');
		await bodyHas(stage, 'mode-running');
		await mod.click('#btn-toggle');
		await bodyHas(stage, 'mode-paused');
		await mod.click('#btn-toggle');
		await bodyHas(stage, 'mode-running');
	});

	test('keyboard shortcuts do every action', async () => {
		await mod.locator('body').click({ position: { x: 5, y: 200 } });
		await mod.keyboard.press(' ');
		await bodyHas(stage, 'mode-paused');
		await mod.keyboard.press(' ');
		await bodyHas(stage, 'mode-running');
		const before = await seconds(stage);
		await mod.keyboard.press('+');
		await stage.waitForFunction((b) => {
			const m = document.querySelector('#count').textContent.match(/^(\d+):(\d\d)$/);
			return m && Number(m[1]) * 60 + Number(m[2]) >= b + 25;
		}, before, { timeout: FOLLOW });
		await mod.keyboard.press('-');
		await stage.waitForFunction((b) => {
			const m = document.querySelector('#count').textContent.match(/^(\d+):(\d\d)$/);
			return m && Number(m[1]) * 60 + Number(m[2]) <= b + 1;
		}, before, { timeout: FOLLOW });

		await mod.keyboard.press('n');
		await textIs(stage, '#startup', 'Gamma UG');
		await mod.keyboard.press('p');
		await textIs(stage, '#startup', 'Beta GmbH');

		/* s asks first: "no" keeps the slot, "yes" skips it. */
		await mod.keyboard.press('s');
		await mod.click('dialog.ask button[value="no"]');
		await mod.waitForTimeout(300);
		assert.equal(await stage.textContent('#startup'), 'Beta GmbH');
		await mod.keyboard.press('s');
		await mod.click('dialog.ask button[value="yes"]');
		await textIs(stage, '#startup', 'Gamma UG');
		await mod.waitForSelector('#agenda tr.st-skipped');

		await mod.keyboard.press(' ');
		await bodyHas(stage, 'mode-running');
		await mod.keyboard.press('x');
		await mod.click('dialog.ask button[value="yes"]');
		await bodyHas(stage, 'mode-idle');

		await mod.keyboard.press('b');
		await stage.waitForSelector('#blackout:not([hidden])', { timeout: FOLLOW });
		await shot(stageSmall, 'stage-1280x720-blackout');
		await mod.keyboard.press('b');
		await stage.waitForSelector('#blackout[hidden]', { state: 'attached', timeout: FOLLOW });

		await mod.keyboard.press('m');
		assert.equal(await mod.evaluate(() => document.activeElement.id), 'msg-text');
		await mod.keyboard.type('Bitte zum Schluss <b>kommen</b>');
		await mod.check('#msg-blink');
		await mod.press('#msg-text', 'Enter');
		await textIs(stage, '#message', 'Bitte zum Schluss <b>kommen</b>');
		await stage.waitForSelector('#message.blink:not([hidden])', { timeout: FOLLOW });
		assert.equal(await stage.locator('#message b').count(), 0);
	});

	test('overtime counts up in red and blinks, with the message', async () => {
		/* Start beta again and leave 2 s, so overtime comes quickly. */
		let r = await api('POST', '/api/v1/stages/main/goto', tokens.moderator,
		    { pitch: 'beta' });
		assert.equal(r.status, 200, r.text);
		r = await api('POST', '/api/v1/stages/main/start', tokens.moderator);
		assert.equal(r.status, 200, r.text);
		r = await api('POST', '/api/v1/stages/main/extend', tokens.moderator,
		    { seconds: -18 });
		assert.equal(r.status, 200, r.text);
		await bodyHas(stage, 'phase-overtime', 5000);
		await stage.waitForFunction(() => /^\+0:0[1-9]$/.test(
		    document.querySelector('#count').textContent), null, { timeout: 3000 });
		const color = await stage.$eval('#count', (e) => getComputedStyle(e).color);
		assert.equal(color, 'rgb(255, 59, 48)');
		const anim = await stage.$eval('#count', (e) => getComputedStyle(e).animationName);
		assert.equal(anim, 'blink');
		await shot(stage, 'stage-1920x1080-overtime-message');
		await mod.click('#btn-msg-hide');
		await stage.waitForSelector('#message[hidden]', { state: 'attached', timeout: FOLLOW });
		await shot(stage, 'stage-1920x1080-overtime');
		/* Back to a calm state for the attendee: beta live with time left. */
		r = await api('POST', '/api/v1/stages/main/extend', tokens.moderator,
		    { seconds: 600 });
		assert.equal(r.status, 200, r.text);
		await bodyHas(stage, 'phase-normal', 2000);
		await shot(stage, 'stage-1920x1080-running');
	});

	test('an attendee on a phone checks in and marks interest', async () => {
		const me = await open(360, 740, '/me#token=' + tokens.ott, 'me');
		await textIs(me, '#hello', 'Hallo, Dr. Marcus Ott', 5000);
		await me.click('#btn-presence');
		await me.waitForSelector('#presence.in');
		/* The live pitch is highlighted and marked with one tap. */
		await me.waitForSelector('#live:not([hidden]) li.slot[data-pitch="beta"]');
		await me.waitForSelector('#agenda li.slot.live[data-pitch="beta"]');
		await me.click('#live li[data-pitch="beta"] button.follow');
		await me.waitForSelector('#live li[data-pitch="beta"] button.follow[aria-pressed="true"]');
		await me.waitForSelector('#my-list li[data-pitch="beta"]');
		/* "info" with a note on a later pitch. */
		await me.click('#agenda li[data-pitch="alpha"] button.info');
		await me.waitForSelector('#my-list li[data-pitch="alpha"]');
		await me.click('#agenda li[data-pitch="alpha"] button.note-btn');
		await me.fill('#agenda li[data-pitch="alpha"] textarea', 'Bitte Unterlagen <script>');
		await me.click('#agenda li[data-pitch="alpha"] button.save-note');
		await textIs(me, '#my-list li[data-pitch="alpha"] .note-text', ' Bitte Unterlagen <script>', 3000);
		assert.equal(await me.locator('#agenda img, #my-list img').count(), 0);
		/* gamma marked, then withdrawn. */
		await me.click('#agenda li[data-pitch="gamma"] button.follow');
		await me.waitForSelector('#my-list li[data-pitch="gamma"]');
		await me.click('#my-list li[data-pitch="gamma"] button.withdraw');
		await me.waitForSelector('#my-list li[data-pitch="gamma"]', { state: 'detached' });
		const mine = await api('GET', '/api/v1/me', tokens.ott);
		assert.equal(mine.json.checked_in, true);
		assert.deepEqual(mine.json.interests.map((i) => i.pitch + ':' + i.level).sort(),
		    ['alpha:info', 'beta:follow_up']);
		assert.equal(mine.json.interests.find((i) => i.pitch === 'beta').live, true);
		await me.evaluate(() => window.scrollTo(0, 0));
		await shot(me, 'me-360x740');
		await me.evaluate(() => document.querySelector('#program').scrollIntoView());
		await shot(me, 'me-360x740-agenda');
		/* Nothing scrolls sideways on a 360 px screen. */
		const wide = await me.evaluate(() => [...document.querySelectorAll('body *')]
		    .filter((e) => e.getBoundingClientRect().right > 360.5)
		    .map((e) => e.tagName + '.' + e.className + '#' + e.id + ' ' +
			Math.round(e.getBoundingClientRect().right)));
		assert.deepEqual(wide, [], 'wider than 360 px');
		await me.context().close();
	});

	test('German and English both render, and the choice is kept', async () => {
		const me = await open(360, 740, '/me#token=' + tokens.mueller, 'me-lang');
		await textIs(me, '#btn-presence', 'Einchecken', 5000);
		await textIs(me, '#program h2', 'Programm');
		await me.click('.lang-switch');
		await textIs(me, '#btn-presence', 'Check in');
		await textIs(me, '#program h2', 'Agenda');
		await me.reload();
		await textIs(me, '#btn-presence', 'Check in', 5000);
		await shot(me, 'me-360x740-english');
		await me.click('.lang-switch');
		await textIs(me, '#btn-presence', 'Einchecken');
		await me.context().close();

		await textIs(stage, '#next span[data-i18n]', 'Als Nächstes');
		await stage.click('.lang-switch');
		await textIs(stage, '#next span[data-i18n]', 'Next up');
		await stage.click('.lang-switch');
		await textIs(mod, '#btn-next span', 'Nächster');
	});

	test('the door page finds someone and checks them in with one click', async () => {
		const door = await open(1280, 800, '/door', 'door');
		await signIn(door, tokens.moderator);
		await door.waitForSelector('li.person >> nth=2');
		await textIs(door, '#count-in', '1 von 3 eingecheckt');
		await door.fill('#search', 'muller');
		await door.waitForFunction(() => document.querySelectorAll('li.person').length === 1);
		await door.click('li.person[data-id="mueller"] button.flip');
		await door.waitForSelector('li.person.in[data-id="mueller"]');
		await textIs(door, '#count-in', '2 von 3 eingecheckt');
		const r = await api('GET', '/api/v1/attendees', tokens.moderator);
		assert.equal(r.json.find((p) => p.id === 'mueller').checked_in, true);
		await door.fill('#search', 'amt');
		await door.waitForFunction(() => document.querySelectorAll('li.person').length === 2);
		await door.fill('#search', '');
		await door.waitForSelector('li.person >> nth=2');
		await shot(door, 'door-1280x800');
		await door.context().close();
	});

	test('the organiser sees the interest, downloads and prints badges', async () => {
		const org = await open(1440, 900, '/organiser', 'organiser');
		await signIn(org, tokens.organiser);
		await org.click('#tab-interest');
		const frame = org.frameLocator('#report');
		await frame.locator('text=Dr. Marcus Ott').first().waitFor({ timeout: 5000 });
		await frame.locator('text=Beta GmbH').first().waitFor();
		assert.equal(await frame.locator('img').count(), 0);

		const [dl] = await Promise.all([org.waitForEvent('download'), org.click('#dl-csv')]);
		assert.equal(dl.suggestedFilename(), 'interest.csv');
		const csv = readFileSync(await dl.path(), 'utf8');
		assert.match(csv, /Beta GmbH/);
		const [ics] = await Promise.all([org.waitForEvent('download'), org.click('#dl-ics')]);
		assert.match(readFileSync(await ics.path(), 'utf8'), /BEGIN:VCALENDAR/);
		await org.click('#tab-followups');
		await frame.locator('text=m.ott@example.org').first().waitFor({ timeout: 5000 });
		await shot(org, 'organiser-1440x900');

		/* Badges replace the links: the page asks, and the old link dies. */
		assert.equal((await api('GET', '/api/v1/me', tokens.kim)).status, 200);
		await org.click('#btn-badges');
		await org.click('dialog.ask button[value="no"]');
		assert.equal((await api('GET', '/api/v1/me', tokens.kim)).status, 200);
		await org.click('#btn-badges');
		await org.click('dialog.ask button[value="yes"]');
		await org.waitForSelector('#badges-preview:not([hidden])');
		const sheet = org.frameLocator('#badges-preview');
		await sheet.locator('section.card svg').nth(2).waitFor();
		assert.equal(await sheet.locator('section.card').count(), 3);
		const link = await sheet.locator('section.card:has-text("Kim Lee") .url').textContent();
		assert.match(link, new RegExp('^' + base + '/me#token=[A-Za-z0-9_-]{43}$'));
		assert.equal((await api('GET', '/api/v1/me', tokens.kim)).status, 401);
		const fresh = link.split('#token=')[1];
		assert.equal((await api('GET', '/api/v1/me', fresh)).status, 200);
		await org.evaluate(() => document.querySelector('#badges-preview').scrollIntoView());
		await shot(org, 'organiser-1440x900-badges');
		const sheetPage = await org.context().newPage();
		await sheetPage.goto(await org.getAttribute('#badges-open', 'href'));
		await sheetPage.setViewportSize({ width: 900, height: 1270 });
		await shot(sheetPage, 'badges-sheet');
		await org.context().close();

		/* Only the badges endpoint's organiser may do this. */
		assert.equal((await api('POST', '/api/v1/badges', tokens.moderator, {})).status, 403);
	});

	test('every page reported its clock offset for the timing report', async () => {
		const r = await api('GET', '/api/v1/reports/timing.json', tokens.organiser);
		const pages = new Set(r.json.displays.map((d) => d.page));
		for (const p of ['stage', 'moderator', 'me', 'door', 'organiser'])
			assert.ok(pages.has(p), 'no offset from ' + p + ': ' + [...pages]);
		for (const d of r.json.displays)
			assert.ok(Math.abs(d.offset_ms) < 1000, JSON.stringify(d));
	});

	test('no dialog fired, no page failed, no other host was asked', () => {
		assert.deepEqual(problems, []);
		assert.ok(urls.length > 20);
		/* The personal token travels in fragments only, never in a query. */
		assert.ok(urls.every((u) => !/[?&]token=/.test(u)));
	});
});
