/*
 * takt.js — what every page shares: the two languages, the clock offset to
 * the daemon, the stream with reconnects, the countdown arithmetic and small
 * DOM helpers. Text from people only ever reaches the DOM as textContent.
 */
'use strict';

const Takt = (() => {
	const WORDS = {
		de: {
			lang_other: 'EN', lang_other_title: 'English',
			offline: 'offline — verbinde neu …',
			next_up: 'Als Nächstes', at: 'um', paused: 'Pause',
			ready: 'Bereit', idle: 'Noch nichts geladen',
			finished: 'Ende des Programms', overtime: 'Überzogen',
			mode_idle: 'Leerlauf', mode_ready: 'bereit', mode_running: 'läuft',
			mode_paused: 'pausiert', mode_finished: 'beendet',
			delay: 'Verzug', on_time: 'im Plan', behind: 'hinter Plan',
			ahead: 'vor Plan',
			planned: 'Geplant', projected: 'Erwartet', actual: 'Tatsächlich',
			status: 'Status', startup: 'Start-up', length: 'Länge',
			st_planned: 'geplant', st_live: 'live', st_done: 'fertig',
			st_skipped: 'übersprungen', st_withdrawn: 'zurückgezogen',
			start: 'Start', pause: 'Pause', resume: 'Weiter',
			next: 'Nächster', next_start: 'Nächster + Start',
			previous: 'Vorheriger', extend_plus: '+30 s', extend_minus: '−30 s',
			skip: 'Überspringen', stop: 'Stopp', blackout: 'Blackout',
			blackout_off: 'Blackout aus', goto: 'Laden',
			message: 'Nachricht an die Bühne', message_show: 'Anzeigen',
			message_hide: 'Ausblenden', message_blink: 'Blinken',
			message_placeholder: 'z. B. „Bitte zum Schluss kommen“',
			keys: 'Tasten: Leertaste Start/Pause · n Nächster · p Vorheriger · + / − 30 s · s Überspringen · x Stopp · b Blackout · m Nachricht',
			confirm_skip: '„{0}“ überspringen?',
			confirm_stop: 'Laufenden Slot beenden und nichts laden?',
			yes: 'Ja', no: 'Abbrechen',
			token_title: 'Zugang', token_label: 'Token',
			token_hint_moderator: 'Moderations- oder Organisations-Token, einmal pro Sitzung.',
			token_hint_organiser: 'Organisations-Token, einmal pro Sitzung.',
			token_go: 'Anmelden', token_bad: 'Dieses Token gilt hier nicht.',
			logout: 'Abmelden',
			error: 'Fehler', saved: 'Gespeichert',
			me_title: 'Meine Pitches', hello: 'Hallo, {0}',
			checked_in: 'Eingecheckt seit {0}', checked_out: 'Nicht eingecheckt',
			check_in: 'Einchecken', check_out: 'Auschecken',
			follow_up: 'Nachfassen', info: 'Info',
			note: 'Notiz', note_placeholder: 'Notiz (optional)', save: 'Speichern',
			withdraw: 'Zurückziehen', my_list: 'Meine Liste',
			my_list_empty: 'Noch nichts markiert.', agenda: 'Programm',
			now_on_stage: 'Jetzt auf der Bühne', live: 'LIVE',
			no_token: 'Kein persönlicher Link. Bitte den QR-Code auf dem Namensschild scannen.',
			door_title: 'Einlass', search: 'Name oder Abteilung suchen',
			present: '{0} von {1} eingecheckt', since: 'seit {0}',
			none_found: 'Niemand gefunden.',
			role_department_head: 'Amtsleitung', role_staff: 'Mitarbeit',
			role_guest: 'Gast',
			organiser_title: 'Organisation', reports: 'Berichte',
			r_timing: 'Zeiten', r_attendance: 'Anwesenheit',
			r_interest: 'Interesse', r_followups: 'Nachfassen',
			refresh: 'Aktualisieren', downloads: 'Downloads',
			exports: 'Programm (öffentlich)',
			badges: 'Namensschilder mit QR-Code',
			badges_warning: 'Erzeugt für alle Teilnehmenden neue persönliche Links. Die bisherigen Links und QR-Codes funktionieren danach nicht mehr.',
			badges_go: 'Neue Links erzeugen …',
			badges_confirm: 'Wirklich alle persönlichen Links neu erzeugen? Alte Links und gedruckte Schilder werden ungültig.',
			badges_open: 'Druckbogen öffnen', badges_download: 'Druckbogen herunterladen',
			badges_done: 'Neue Links erzeugt: {0}.',
		},
		en: {
			lang_other: 'DE', lang_other_title: 'Deutsch',
			offline: 'offline — reconnecting …',
			next_up: 'Next up', at: 'at', paused: 'Paused',
			ready: 'Ready', idle: 'Nothing loaded yet',
			finished: 'End of programme', overtime: 'Overtime',
			mode_idle: 'idle', mode_ready: 'ready', mode_running: 'running',
			mode_paused: 'paused', mode_finished: 'finished',
			delay: 'Delay', on_time: 'on time', behind: 'behind',
			ahead: 'ahead',
			planned: 'Planned', projected: 'Projected', actual: 'Actual',
			status: 'Status', startup: 'Start-up', length: 'Length',
			st_planned: 'planned', st_live: 'live', st_done: 'done',
			st_skipped: 'skipped', st_withdrawn: 'withdrawn',
			start: 'Start', pause: 'Pause', resume: 'Resume',
			next: 'Next', next_start: 'Next + start',
			previous: 'Previous', extend_plus: '+30 s', extend_minus: '−30 s',
			skip: 'Skip', stop: 'Stop', blackout: 'Blackout',
			blackout_off: 'Blackout off', goto: 'Load',
			message: 'Message to the stage', message_show: 'Show',
			message_hide: 'Hide', message_blink: 'Blink',
			message_placeholder: 'e.g. "Please come to an end"',
			keys: 'Keys: space start/pause · n next · p previous · + / − 30 s · s skip · x stop · b blackout · m message',
			confirm_skip: 'Skip "{0}"?',
			confirm_stop: 'End the live slot and load nothing?',
			yes: 'Yes', no: 'Cancel',
			token_title: 'Sign in', token_label: 'Token',
			token_hint_moderator: 'Moderator or organiser token, once per session.',
			token_hint_organiser: 'Organiser token, once per session.',
			token_go: 'Sign in', token_bad: 'This token is not valid here.',
			logout: 'Sign out',
			error: 'Error', saved: 'Saved',
			me_title: 'My pitches', hello: 'Hello, {0}',
			checked_in: 'Checked in since {0}', checked_out: 'Not checked in',
			check_in: 'Check in', check_out: 'Check out',
			follow_up: 'Follow up', info: 'Info',
			note: 'Note', note_placeholder: 'Note (optional)', save: 'Save',
			withdraw: 'Withdraw', my_list: 'My list',
			my_list_empty: 'Nothing marked yet.', agenda: 'Agenda',
			now_on_stage: 'Now on stage', live: 'LIVE',
			no_token: 'No personal link. Please scan the QR code on your badge.',
			door_title: 'Check-in desk', search: 'Search name or department',
			present: '{0} of {1} checked in', since: 'since {0}',
			none_found: 'Nobody found.',
			role_department_head: 'Department head', role_staff: 'Staff',
			role_guest: 'Guest',
			organiser_title: 'Organiser', reports: 'Reports',
			r_timing: 'Timing', r_attendance: 'Attendance',
			r_interest: 'Interest', r_followups: 'Follow-ups',
			refresh: 'Refresh', downloads: 'Downloads',
			exports: 'Agenda (public)',
			badges: 'Badges with QR code',
			badges_warning: 'Issues new personal links for every attendee. The previous links and QR codes stop working.',
			badges_go: 'Issue new links …',
			badges_confirm: 'Really issue new personal links for everyone? Old links and printed badges stop working.',
			badges_open: 'Open printable sheet', badges_download: 'Download sheet',
			badges_done: 'New links issued: {0}.',
		},
	};
	let lang = 'de';
	let tz;
	const langListeners = [];

	/* A word in the current language; {0}, {1} … are filled from args. */
	function t(key, ...args) {
		let s = WORDS[lang][key] ?? WORDS.en[key] ?? key;
		args.forEach((a, i) => { s = s.replace('{' + i + '}', String(a)); });
		return s;
	}

	/* Fills every [data-i18n] element (and placeholders, titles) anew. */
	function translate(root = document) {
		root.querySelectorAll('[data-i18n]').forEach((el) => {
			el.textContent = t(el.dataset.i18n);
		});
		root.querySelectorAll('[data-i18n-placeholder]').forEach((el) => {
			el.placeholder = t(el.dataset.i18nPlaceholder);
		});
		root.querySelectorAll('[data-i18n-title]').forEach((el) => {
			el.title = t(el.dataset.i18nTitle);
		});
	}

	/* Switches language, remembers the choice, and redraws. */
	function setLang(l) {
		lang = l === 'en' ? 'en' : 'de';
		document.documentElement.lang = lang;
		translate();
		langListeners.forEach((fn) => fn());
	}

	/* The stored choice wins over the event's language. */
	function initLang(eventLang, timezone) {
		const stored = localStorage.getItem('takt.lang');
		tz = timezone;
		setLang(stored === 'de' || stored === 'en' ? stored : eventLang);
		document.querySelectorAll('.lang-switch').forEach((b) => {
			b.addEventListener('click', () => {
				const l = lang === 'de' ? 'en' : 'de';
				localStorage.setItem('takt.lang', l);
				setLang(l);
			});
		});
	}

	/* Creates an element; text goes in as textContent, never as markup. */
	function el(tag, props = {}, ...children) {
		const e = document.createElement(tag);
		for (const [k, v] of Object.entries(props)) {
			if (v == null || v === false)
				continue;
			if (k === 'text')
				e.textContent = v;
			else if (k === 'class')
				e.className = v;
			else if (k.startsWith('on'))
				e.addEventListener(k.slice(2), v);
			else if (k === 'dataset')
				Object.assign(e.dataset, v);
			else
				e.setAttribute(k, v === true ? '' : v);
		}
		for (const c of children)
			if (c != null)
				e.append(c);
		return e;
	}

	/* HH:MM in the event's time zone, or "–". */
	function hhmm(ms) {
		if (ms == null)
			return '–';
		try {
			return new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB',
			    { hour: '2-digit', minute: '2-digit', timeZone: tz })
			    .format(new Date(ms));
		} catch (e) {
			return new Date(ms).toTimeString().slice(0, 5);
		}
	}

	/*
	 * A count as M:SS (H:MM:SS from an hour), overtime with a plus. It
	 * rounds up, so the display changes exactly when remaining time crosses
	 * a whole second: the moment the daemon's tick marks.
	 */
	function fmt(ms) {
		const s = Math.ceil(ms / 1000);
		const a = Math.abs(s);
		const h = Math.floor(a / 3600), m = Math.floor(a / 60) % 60;
		const ss = String(a % 60).padStart(2, '0');
		const body = h > 0 ? h + ':' + String(m).padStart(2, '0') + ':' + ss :
		    m + ':' + ss;
		return (s < 0 ? '+' : '') + body;
	}

	/* A delay as a signed M:SS, minutes only when long. */
	function fmtDelay(ms) {
		const a = Math.round(Math.abs(ms) / 1000);
		const body = Math.floor(a / 60) + ':' + String(a % 60).padStart(2, '0');
		return (ms < 0 ? '−' : '+') + body;
	}

	/* ---- clock offset ---- */

	const clock = { offset: 0, rtt: null, page: 'stage', timer: null };
	const SAMPLES = 8, KEEP = 3, REMEASURE_MS = 3 * 60 * 1000;

	/* The local monotonic clock as unix ms. */
	function localNow() {
		return performance.timeOrigin + performance.now();
	}

	/* The daemon's clock, as best we know it. */
	function serverNow() {
		return localNow() + clock.offset;
	}

	/* One round trip: the server's time against the midpoint of ours. */
	async function sampleOnce() {
		const t0 = performance.now();
		const r = await fetch('/api/v1/time', { cache: 'no-store' });
		const j = await r.json();
		const t1 = performance.now();
		return { rtt: t1 - t0,
		    offset: j.server_time_ms - (performance.timeOrigin + (t0 + t1) / 2) };
	}

	/*
	 * Takes several round trips and keeps the quickest: a sample that waited
	 * in a queue has an asymmetric delay and so a wrong offset.
	 */
	async function measure() {
		const got = [];
		for (let i = 0; i < SAMPLES; i++) {
			try {
				got.push(await sampleOnce());
			} catch (e) { /* offline: keep the old offset */ }
		}
		if (got.length > 0) {
			got.sort((a, b) => a.rtt - b.rtt);
			const best = got.slice(0, KEEP).map((s) => s.offset).sort((a, b) => a - b);
			clock.offset = best[Math.floor(best.length / 2)];
			clock.rtt = got[0].rtt;
			report();
		}
		clearTimeout(clock.timer);
		clock.timer = setTimeout(measure, REMEASURE_MS);
	}

	/* A random id for this screen, kept across reloads. */
	function screenId() {
		let id = localStorage.getItem('takt.screen');
		if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
			const b = new Uint8Array(12);
			crypto.getRandomValues(b);
			id = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
			localStorage.setItem('takt.screen', id);
		}
		return id;
	}

	/* Tells the daemon our offset for the timing report; retries after 429. */
	async function report() {
		try {
			const r = await fetch('/api/v1/screens', {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ screen: screenId(), page: clock.page,
				    offset_ms: Math.round(clock.offset),
				    rtt_ms: Math.round(clock.rtt) }),
			});
			if (r.status === 429)
				setTimeout(report, 20000 + Math.random() * 20000);
		} catch (e) { /* the next measurement reports again */ }
	}

	/* Starts measuring for a page ("stage", "moderator", …). */
	function startClock(page) {
		clock.page = page;
		return measure();
	}

	/* ---- stream ---- */

	/*
	 * Follows a stage's stream. EventSource would retry by itself, but at a
	 * fixed pace: after an error we close it and reopen with backoff, so a
	 * hall full of screens does not hammer a restarting daemon in step.
	 */
	function follow(stage, on) {
		let es = null, delay = 500;
		const open = () => {
			es = new EventSource('/api/v1/stages/' + encodeURIComponent(stage) +
			    '/stream');
			es.addEventListener('open', () => {
				delay = 500;
				on.online?.(true);
				measure();
			});
			es.addEventListener('state', (e) => on.state?.(JSON.parse(e.data)));
			es.addEventListener('tick', (e) => on.tick?.(JSON.parse(e.data)));
			es.addEventListener('close', () => es.onerror());
			es.onerror = () => {
				es.close();
				on.online?.(false);
				setTimeout(open, delay * (1 + Math.random() / 2));
				delay = Math.min(delay * 2, 15000);
			};
		};
		open();
	}

	/* Shows or hides the page's offline banner. */
	function showOnline(ok) {
		document.querySelectorAll('.offline').forEach((e) => { e.hidden = ok; });
	}

	/* ---- countdown ---- */

	/*
	 * A stage's countdown: the last snapshot plus ticks, read out on every
	 * animation frame from deadline_ms and the offset-corrected clock, so
	 * screens agree even when a tick arrives late.
	 */
	class Countdown {
		constructor() {
			this.st = null;
		}

		state(s) {
			this.st = s;
		}

		tick(k) {
			if (this.st == null)
				return;
			this.st.phase = k.phase;
			if (this.st.mode === 'running')
				this.st.deadline_ms = k.server_time_ms + k.remaining_ms;
		}

		/* Remaining ms now, or null when no slot is loaded. */
		remaining() {
			const s = this.st;
			if (s == null || s.pitch == null)
				return null;
			if (s.mode === 'running' && s.deadline_ms != null)
				return s.deadline_ms - serverNow();
			if (s.mode === 'ready')
				return s.duration_ms + s.added_ms;
			return s.remaining_ms;
		}

		/* normal | warning | danger | overtime | none */
		phase() {
			const r = this.remaining();
			if (r == null || this.st.mode === 'ready')
				return 'none';
			if (r < 0)
				return 'overtime';
			/* An extend out of overtime: the next state names the phase. */
			return this.st.phase === 'overtime' ? 'danger' : this.st.phase;
		}

		text() {
			const r = this.remaining();
			return r == null ? '–:––' : fmt(r);
		}
	}

	/* Runs fn on every animation frame. */
	function everyFrame(fn) {
		const loop = () => {
			fn();
			requestAnimationFrame(loop);
		};
		requestAnimationFrame(loop);
	}

	/* Sets text only when it changed, so a frame costs no layout. */
	function setText(e, s) {
		if (e.textContent !== s)
			e.textContent = s;
	}

	/* ---- API ---- */

	/* An API error with the daemon's code and message. */
	class ApiError extends Error {
		constructor(status, code, message) {
			super(message);
			this.status = status;
			this.code = code;
		}
	}

	/* Calls the API with an optional bearer token; JSON in, JSON (or text) out. */
	async function api(method, path, token, body) {
		const headers = {};
		if (token)
			headers.Authorization = 'Bearer ' + token;
		if (body !== undefined)
			headers['Content-Type'] = 'application/json';
		const r = await fetch(path, { method, headers, cache: 'no-store',
		    body: body !== undefined ? JSON.stringify(body) : undefined });
		const type = r.headers.get('Content-Type') || '';
		const data = type.startsWith('application/json') ? await r.json() :
		    await r.text();
		if (!r.ok) {
			const e = data && data.error ? data.error : {};
			throw new ApiError(r.status, e.code || 'http_' + r.status,
			    e.message || r.statusText);
		}
		return data;
	}

	/* Loads the event and sets up the language for it. */
	async function event() {
		const ev = await api('GET', '/api/v1/event');
		initLang(ev.event.language, ev.event.timezone);
		return ev;
	}

	/* Shows a short note at the bottom of the page. */
	function toast(msg, bad) {
		let box = document.getElementById('toast');
		if (!box) {
			box = el('div', { id: 'toast', role: 'status', 'aria-live': 'polite' });
			document.body.append(box);
		}
		box.className = bad ? 'bad' : '';
		box.textContent = msg;
		box.hidden = false;
		clearTimeout(toast.timer);
		toast.timer = setTimeout(() => { box.hidden = true; }, 4000);
	}

	/* An in-page yes/no question (native dialogs block the page and the tests). */
	function ask(question) {
		return new Promise((resolve) => {
			const q = el('p', { text: question });
			const yes = el('button', { class: 'danger', text: t('yes'), value: 'yes' });
			const no = el('button', { text: t('no'), value: 'no' });
			const d = el('dialog', { class: 'ask' },
			    el('form', { method: 'dialog' }, q, el('div', { class: 'row' }, no, yes)));
			d.addEventListener('close', () => {
				resolve(d.returnValue === 'yes');
				d.remove();
			});
			document.body.append(d);
			d.showModal();
			yes.focus();
		});
	}

	/*
	 * The token of a staff page: asked once, then kept in sessionStorage
	 * (gone when the tab closes). check() must resolve for a valid token.
	 */
	function staffToken(key, hint, check) {
		return new Promise((resolve) => {
			const tryToken = async (tok) => {
				try {
					await check(tok);
					sessionStorage.setItem(key, tok);
					return true;
				} catch (e) {
					return false;
				}
			};
			const stored = sessionStorage.getItem(key);
			const prompt = () => {
				const input = el('input', { type: 'password', id: 'token',
				    autocomplete: 'current-password', required: true });
				const err = el('p', { class: 'err', hidden: true, text: t('token_bad') });
				const form = el('form', { class: 'token-form' },
				    el('h1', { text: t('token_title') }),
				    el('label', { for: 'token', text: t('token_label') }), input,
				    el('p', { class: 'hint', text: t(hint) }), err,
				    el('button', { type: 'submit', text: t('token_go') }));
				form.addEventListener('submit', async (e) => {
					e.preventDefault();
					const tok = input.value.trim();
					if (await tryToken(tok)) {
						form.remove();
						resolve(tok);
					} else {
						err.hidden = false;
					}
				});
				document.body.append(form);
				input.focus();
			};
			if (stored)
				tryToken(stored).then((ok) => ok ? resolve(stored) : prompt());
			else
				prompt();
		});
	}

	return { t, translate, setLang, initLang, onLang: (fn) => langListeners.push(fn),
	    lang: () => lang, el, hhmm, fmt, fmtDelay, serverNow, startClock, clock,
	    follow, showOnline, Countdown, everyFrame, setText, api, ApiError, event,
	    toast, ask, staffToken };
})();
