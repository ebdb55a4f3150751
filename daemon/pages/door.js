/*
 * door.js — the check-in desk: find someone by name or department as you
 * type, check them in or out with one click. Uses the moderator (or
 * organiser) token, asked once per browser session.
 */
'use strict';

(() => {
	const T = Takt;
	const $ = (id) => document.getElementById(id);
	const TOKEN_KEY = 'takt.token.staff';
	let ev = null, token = null, people = [];

	/* Lower case without accents, so "muller" finds "Müller". */
	function fold(s) {
		return (s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '')
		    .toLowerCase();
	}

	async function load() {
		try {
			people = await T.api('GET', '/api/v1/attendees', token);
			people.sort((a, b) => a.name.localeCompare(b.name, T.lang()));
			T.showOnline(true);
		} catch (e) {
			if (e.status === 401) {
				sessionStorage.removeItem(TOKEN_KEY);
				location.reload();
			}
			T.showOnline(false);
		}
		draw();
	}

	async function flip(p) {
		try {
			const r = await T.api('POST', p.checked_in ? '/api/v1/checkouts' :
			    '/api/v1/checkins', token, { attendee: p.id });
			p.checked_in = r.checked_in;
			p.since_ms = r.checked_in ? r.since_ms : null;
			T.toast((r.checked_in ? '✓ ' : '← ') + p.name);
		} catch (e) {
			T.toast(T.t('error') + ': ' + e.message, true);
		}
		draw();
		$('search').focus();
	}

	/* Everyone whose name or department holds every word typed. */
	function matches() {
		const words = fold($('search').value).split(/\s+/).filter(Boolean);
		return people.filter((p) => {
			const hay = fold(p.name + ' ' + p.department);
			return words.every((w) => hay.includes(w));
		});
	}

	function draw() {
		T.setText($('event-title'), ev.event.title);
		const n = people.filter((p) => p.checked_in).length;
		T.setText($('count-in'), T.t('present', n, people.length));
		const list = matches();
		$('none').hidden = list.length > 0 || people.length === 0;
		$('people').replaceChildren(...list.map((p) => T.el('li',
		    { class: 'person' + (p.checked_in ? ' in' : ''), dataset: { id: p.id } },
		    T.el('div', { class: 'who' },
			T.el('div', { class: 'name', text: p.name }),
			T.el('div', { class: 'sub', text: [p.department, T.t('role_' + p.role)]
			    .filter(Boolean).join(' · ') })),
		    T.el('div', { class: 'state', text: p.checked_in ?
			'✓ ' + T.t('since', T.hhmm(p.since_ms)) : '' }),
		    T.el('button', { type: 'button', class: p.checked_in ? 'flip' : 'flip primary',
			text: p.checked_in ? T.t('check_out') : T.t('check_in'),
			onclick: () => flip(p) }))));
	}

	async function main() {
		ev = await T.event();
		$('logout').addEventListener('click', () => {
			sessionStorage.removeItem(TOKEN_KEY);
			location.reload();
		});
		token = await T.staffToken(TOKEN_KEY, 'token_hint_moderator',
		    (tok) => T.api('GET', '/api/v1/attendees', tok));
		document.querySelector('main').hidden = false;
		$('search').addEventListener('input', draw);
		/* Enter with exactly one match checks that person in (or out). */
		$('search').addEventListener('keydown', (e) => {
			const list = matches();
			if (e.key === 'Enter' && list.length === 1)
				flip(list[0]);
			if (e.key === 'Escape') {
				$('search').value = '';
				draw();
			}
		});
		T.onLang(draw);
		T.startClock('door');
		await load();
		$('search').focus();
		setInterval(load, 10000);
	}

	main();
})();
