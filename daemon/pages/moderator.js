/*
 * moderator.js — the moderator console: the same countdown as the stage,
 * the agenda with planned, projected and actual times, a button and a key
 * for every action of SPEC §3, and the stage message.
 */
'use strict';

(() => {
	const T = Takt;
	const $ = (id) => document.getElementById(id);
	const cd = new T.Countdown();
	const TOKEN_KEY = 'takt.token.staff';
	let ev = null, stage = null, token = null, agendaSeq = -1, agendaTimer = null;

	/*
	 * Actions go out one after another: a second key press is decided on
	 * the state the first one produced (space twice = pause, then resume).
	 */
	let queue = Promise.resolve();
	function act(action, body) {
		const run = () => typeof action === 'function' ? send(...action()) :
		    send(action, body);
		queue = queue.then(run, run);
		return queue;
	}

	/* Sends an action; the answer is the new state, shown at once. */
	async function send(action, body) {
		try {
			const s = await T.api('POST', '/api/v1/stages/' +
			    encodeURIComponent(stage) + '/' + action, token, body);
			if (cd.st == null || s.seq >= cd.st.seq) {
				cd.state(s);
				paint();
			}
			return s;
		} catch (e) {
			if (e.status === 401) {
				sessionStorage.removeItem(TOKEN_KEY);
				location.reload();
			}
			T.toast(T.t('error') + ': ' + e.message, true);
			return null;
		}
	}

	/* Space: start, pause or resume, whichever the mode allows. */
	function toggle() {
		return act(() => {
			const m = cd.st ? cd.st.mode : 'idle';
			return [m === 'running' ? 'pause' : m === 'paused' ? 'resume' : 'start'];
		});
	}

	/* Skip and stop end someone's slot, so they ask first. */
	async function skip() {
		const name = cd.st && cd.st.pitch ? cd.st.pitch.startup :
		    cd.st && cd.st.next ? cd.st.next.startup : '';
		if (await T.ask(T.t('confirm_skip', name)))
			act('skip');
	}

	async function stop() {
		if (await T.ask(T.t('confirm_stop')))
			act('stop');
	}

	function blackout() {
		return act(() => ['blackout', { on: !(cd.st && cd.st.blackout) }]);
	}

	function showMessage() {
		return act('message', { text: $('msg-text').value, visible: true,
		    blink: $('msg-blink').checked });
	}

	/* The key map of the console; keys typed into a field are the field's. */
	const KEYS = {
		' ': toggle,
		n: () => act('next'),
		p: () => act('previous'),
		'+': () => act('extend', { seconds: 30 }),
		'=': () => act('extend', { seconds: 30 }),
		'-': () => act('extend', { seconds: -30 }),
		s: skip,
		x: stop,
		b: blackout,
		m: () => $('msg-text').focus(),
	};

	function onKey(e) {
		const tag = e.target.tagName;
		if (e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]'))
			return;
		if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') {
			if (e.key === 'Escape')
				e.target.blur();
			return;
		}
		const fn = KEYS[e.key] || KEYS[e.key.toLowerCase()];
		if (fn == null)
			return;
		e.preventDefault();
		fn();
	}

	/* Redraws all but the digits. */
	function paint() {
		const s = cd.st;
		const info = ev.stages.find((x) => x.id === stage);
		T.setText($('stage-name'), info ? info.name : stage);
		T.setText($('event-title'), ev.event.title);
		if (s == null)
			return;
		document.body.className = document.body.className
		    .replace(/\bmode-\w+/, 'mode-' + s.mode);
		T.setText($('mode-label'), T.t('mode_' + s.mode));
		T.setText($('startup'), s.pitch ? s.pitch.startup : '–');
		T.setText($('title'), s.pitch ? s.pitch.title : '');
		T.setText($('next-startup'), s.next ? s.next.startup : '–');
		T.setText($('next-time'), s.next && s.next.projected_start_ms != null ?
		    T.t('at') + ' ' + T.hhmm(s.next.projected_start_ms) : '');
		const d = s.delay_ms;
		T.setText($('delay'), Math.abs(d) < 1000 ? T.t('on_time') :
		    T.fmtDelay(d) + ' ' + (d > 0 ? T.t('behind') : T.t('ahead')));
		$('delay').className = d >= 60000 ? 'late' : '';
		const tg = $('btn-toggle').querySelector('.label');
		tg.dataset.i18n = s.mode === 'running' ? 'pause' :
		    s.mode === 'paused' ? 'resume' : 'start';
		T.setText(tg, T.t(tg.dataset.i18n));
		const bl = $('btn-blackout').querySelector('.label');
		bl.dataset.i18n = s.blackout ? 'blackout_off' : 'blackout';
		T.setText(bl, T.t(bl.dataset.i18n));
		$('btn-blackout').classList.toggle('on', s.blackout);
		$('blackout-state').hidden = !s.blackout;
		T.setText($('msg-current'), s.message.visible && s.message.text ?
		    '▶ ' + s.message.text + (s.message.blink ? ' (' + T.t('message_blink') + ')' : '') : '');
		if (s.seq !== agendaSeq)
			loadAgenda();
	}

	/* Fetches the agenda again, at most a few times a second. */
	function loadAgenda() {
		clearTimeout(agendaTimer);
		agendaTimer = setTimeout(async () => {
			try {
				ev = await T.api('GET', '/api/v1/event');
				agendaSeq = cd.st ? cd.st.seq : -1;
				drawAgenda();
			} catch (e) { /* the stream's reconnect brings it back */ }
		}, 150);
	}

	/* Actual start–end, or what is known of it. */
	function actual(sl) {
		if (sl.actual_start_ms == null)
			return '–';
		return T.hhmm(sl.actual_start_ms) + '–' +
		    (sl.actual_end_ms != null ? T.hhmm(sl.actual_end_ms) : '');
	}

	function drawAgenda() {
		const info = ev.stages.find((x) => x.id === stage);
		const rows = (info ? info.slots : []).map((sl) => {
			const loaded = cd.st && cd.st.pitch && cd.st.pitch.id === sl.id;
			const late = sl.projected_start_ms != null && sl.planned_start_ms != null &&
			    sl.status === 'planned' ? sl.projected_start_ms - sl.planned_start_ms : 0;
			return T.el('tr', { class: 'st-' + sl.status + (loaded ? ' loaded' : ''),
			    dataset: { pitch: sl.id } },
			    T.el('td', { text: String(sl.position) }),
			    T.el('td', {}, T.el('div', { class: 'name', text: sl.startup }),
				T.el('div', { class: 'sub', text: sl.title })),
			    T.el('td', { text: T.hhmm(sl.planned_start_ms) }),
			    T.el('td', { class: late >= 60000 ? 'late' : '',
				text: sl.status === 'planned' ? T.hhmm(sl.projected_start_ms) : '' }),
			    T.el('td', { text: actual(sl) }),
			    T.el('td', {}, T.el('span', { class: 'status st-' + sl.status,
				text: T.t('st_' + sl.status) })),
			    T.el('td', {}, sl.status === 'live' || loaded ? null :
				T.el('button', { type: 'button', class: 'small goto',
				    text: T.t('goto'),
				    onclick: () => act('goto', { pitch: sl.id }) })));
		});
		$('agenda').replaceChildren(...rows);
	}

	/* Draws the digits, colour and progress for this frame. */
	function frame() {
		const s = cd.st;
		const phase = cd.phase();
		T.setText($('count'), cd.text());
		if (!document.body.classList.contains('phase-' + phase))
			document.body.className = document.body.className
			    .replace(/\bphase-\w+/, 'phase-' + phase);
		let done = 0;
		if (s && s.pitch && s.mode !== 'ready') {
			const total = s.duration_ms + s.added_ms;
			done = total > 0 ? Math.min(1, 1 - cd.remaining() / total) : 1;
		}
		$('progress-bar').style.width = (Math.max(0, done) * 100).toFixed(2) + '%';
		T.setText($('clock'), T.hhmm(T.serverNow()));
	}

	async function main() {
		ev = await T.event();
		const m = location.pathname.match(/^\/moderator\/([^/]+)/);
		stage = m ? decodeURIComponent(m[1]) : ev.stages[0].id;
		$('logout').addEventListener('click', () => {
			sessionStorage.removeItem(TOKEN_KEY);
			location.reload();
		});
		token = await T.staffToken(TOKEN_KEY, 'token_hint_moderator',
		    (tok) => T.api('GET', '/api/v1/attendees', tok));
		document.querySelector('main').hidden = false;
		$('btn-toggle').addEventListener('click', toggle);
		$('btn-next').addEventListener('click', () => act('next'));
		$('btn-next-start').addEventListener('click', () => act('next', { start: true }));
		$('btn-prev').addEventListener('click', () => act('previous'));
		$('btn-plus').addEventListener('click', () => act('extend', { seconds: 30 }));
		$('btn-minus').addEventListener('click', () => act('extend', { seconds: -30 }));
		$('btn-skip').addEventListener('click', skip);
		$('btn-stop').addEventListener('click', stop);
		$('btn-blackout').addEventListener('click', blackout);
		$('msg-form').addEventListener('submit', (e) => {
			e.preventDefault();
			showMessage();
		});
		$('btn-msg-hide').addEventListener('click', () => act('message', { visible: false }));
		document.addEventListener('keydown', onKey);
		/* A clicked button that kept focus would take the next space press too. */
		document.querySelectorAll('.controls button').forEach((b) =>
		    b.addEventListener('mousedown', (e) => e.preventDefault()));
		T.onLang(() => { paint(); drawAgenda(); });
		paint();
		drawAgenda();
		T.startClock('moderator');
		T.follow(stage, {
			state: (s) => { cd.state(s); paint(); },
			tick: (k) => cd.tick(k),
			online: T.showOnline,
		});
		/* Projected times move with the clock while a slot runs. */
		setInterval(loadAgenda, 15000);
		T.everyFrame(frame);
	}

	main();
})();
