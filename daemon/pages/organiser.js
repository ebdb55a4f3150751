/*
 * organiser.js — the reports, their downloads and the badge sheet. The
 * reports need the organiser's bearer token, which a link or an iframe src
 * cannot carry: they are fetched with it and shown from memory (srcdoc in a
 * sandboxed, script-less frame) or saved through a Blob URL.
 */
'use strict';

(() => {
	const T = Takt;
	const $ = (id) => document.getElementById(id);
	const TOKEN_KEY = 'takt.token.organiser';
	const REPORTS = ['timing', 'attendance', 'interest', 'followups'];
	let ev = null, token = null, current = 'timing', badgeUrl = null;

	/* Fetches with the token and hands back the body as a Blob. */
	async function fetchBlob(path) {
		const r = await fetch(path, { headers: { Authorization: 'Bearer ' + token },
		    cache: 'no-store' });
		if (!r.ok)
			throw new Error(r.status + ' ' + r.statusText);
		return r.blob();
	}

	/* Saves a fetched file under its name via a temporary Blob URL. */
	async function download(path, name) {
		try {
			const url = URL.createObjectURL(await fetchBlob(path));
			const a = T.el('a', { href: url, download: name, hidden: true });
			document.body.append(a);
			a.click();
			a.remove();
			setTimeout(() => URL.revokeObjectURL(url), 30000);
		} catch (e) {
			T.toast(T.t('error') + ': ' + e.message, true);
		}
	}

	async function show(name) {
		current = name;
		drawTabs();
		try {
			const html = await T.api('GET', '/api/v1/reports/' + name + '.html', token);
			$('report').srcdoc = html;
		} catch (e) {
			T.toast(T.t('error') + ': ' + e.message, true);
		}
	}

	function drawTabs() {
		$('tabs').replaceChildren(...REPORTS.map((n) => T.el('button', {
			type: 'button', role: 'tab', class: 'tab', id: 'tab-' + n,
			'aria-selected': n === current ? 'true' : 'false',
			text: T.t('r_' + n), onclick: () => show(n) })));
		$('downloads').replaceChildren(...['csv', 'html', 'json'].map((f) =>
		    T.el('button', { type: 'button', class: 'small', id: 'dl-' + f,
			text: f.toUpperCase(),
			onclick: () => download('/api/v1/reports/' + current + '.' + f,
			    current + '.' + f) })));
	}

	/* Replaces every attendee link, after saying so, and shows the sheet. */
	async function badges() {
		if (!(await T.ask(T.t('badges_confirm'))))
			return;
		try {
			const html = await T.api('POST', '/api/v1/badges', token, {});
			if (badgeUrl)
				URL.revokeObjectURL(badgeUrl);
			badgeUrl = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
			$('badges-open').href = badgeUrl;
			$('badges-download').href = badgeUrl;
			$('badges-links').hidden = false;
			$('badges-preview').srcdoc = html;
			$('badges-preview').hidden = false;
			const n = (html.match(/class="card"/g) || []).length;
			T.setText($('badges-done'), T.t('badges_done', n));
			$('badges-done').hidden = false;
		} catch (e) {
			T.toast(T.t('error') + ': ' + e.message, true);
		}
	}

	async function main() {
		ev = await T.event();
		T.setText($('event-title'), ev.event.title);
		$('logout').addEventListener('click', () => {
			sessionStorage.removeItem(TOKEN_KEY);
			location.reload();
		});
		token = await T.staffToken(TOKEN_KEY, 'token_hint_organiser',
		    (tok) => T.api('GET', '/api/v1/reports/timing.json', tok));
		document.querySelector('main').hidden = false;
		$('btn-refresh').addEventListener('click', () => show(current));
		$('dl-ics').addEventListener('click', () =>
		    download('/api/v1/export/agenda.ics', 'agenda.ics'));
		$('dl-schedule').addEventListener('click', () =>
		    download('/api/v1/export/schedule.json', 'schedule.json'));
		$('btn-badges').addEventListener('click', badges);
		/* The reports speak the event's language; only the frame around them switches. */
		T.onLang(drawTabs);
		T.startClock('organiser');
		show(current);
	}

	main();
})();
