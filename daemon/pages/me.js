/*
 * me.js — the attendee's phone page. The personal token comes from the URL
 * fragment (#token=…), which browsers never send to a server: check in or
 * out, mark a pitch "follow up" or "info" with a note, see and withdraw.
 */
'use strict';

(() => {
	const T = Takt;
	const $ = (id) => document.getElementById(id);
	const live = new Map();		/* stage id -> last state */
	const counts = new Map();	/* stage id -> Countdown */
	const openNotes = new Set();	/* pitches whose note editor is open */
	const drafts = new Map();	/* pitch -> note being typed */
	let ev = null, me = null, token = null, redrawTimer = null, seqs = '';

	/* The token from #token=…, remembered for this tab if the fragment goes. */
	function readToken() {
		const h = new URLSearchParams(location.hash.slice(1)).get('token');
		if (h) {
			sessionStorage.setItem('takt.token.me', h);
			return h;
		}
		return sessionStorage.getItem('takt.token.me');
	}

	/* My current interest in a pitch, or undefined. */
	function mine(pitch) {
		return me.interests.find((i) => i.pitch === pitch);
	}

	/* Runs a write, then reloads my data; errors become a toast. */
	async function write(method, path, body) {
		try {
			await T.api(method, path, token, body);
			me = await T.api('GET', '/api/v1/me', token);
			draw();
			return true;
		} catch (e) {
			T.toast(T.t('error') + ': ' + e.message, true);
			return false;
		}
	}

	function mark(pitch, level) {
		const cur = mine(pitch);
		return write('PUT', '/api/v1/interests/' + encodeURIComponent(pitch),
		    { level, note: cur ? cur.note : '' });
	}

	async function saveNote(pitch) {
		const cur = mine(pitch);
		if (await write('PUT', '/api/v1/interests/' + encodeURIComponent(pitch),
		    { level: cur ? cur.level : 'follow_up', note: drafts.get(pitch) ?? '' })) {
			openNotes.delete(pitch);
			drafts.delete(pitch);
			draw();
			T.toast(T.t('saved'));
		}
	}

	function withdraw(pitch) {
		return write('DELETE', '/api/v1/interests/' + encodeURIComponent(pitch));
	}

	/* The live slot of a stage, or null. */
	function liveSlot(st) {
		const s = live.get(st.id);
		if (s == null || s.pitch == null || (s.mode !== 'running' && s.mode !== 'paused'))
			return null;
		return st.slots.find((x) => x.id === s.pitch.id) || null;
	}

	/* One pitch as a card with its one-tap buttons. */
	function card(sl, isLive) {
		const cur = mine(sl.id);
		const pressed = (lvl) => cur && cur.level === lvl ? 'true' : 'false';
		const when = sl.actual_start_ms ?? sl.projected_start_ms ?? sl.planned_start_ms;
		const noteBox = openNotes.has(sl.id) ? T.el('div', { class: 'note-edit' },
		    T.el('textarea', { rows: '3', maxlength: '1000', class: 'note-input',
			placeholder: T.t('note_placeholder'),
			oninput: (e) => drafts.set(sl.id, e.target.value) }),
		    T.el('button', { type: 'button', class: 'save-note primary', text: T.t('save'),
			onclick: () => saveNote(sl.id) })) : null;
		if (noteBox)
			noteBox.firstChild.value = drafts.get(sl.id) ?? (cur ? cur.note : '');
		return T.el('li', { class: 'slot st-' + sl.status + (isLive ? ' live' : '') +
		    (cur ? ' marked' : ''), dataset: { pitch: sl.id } },
		    T.el('div', { class: 'time' },
			isLive ? T.el('span', { class: 'badge', text: T.t('live') }) : null,
			T.el('span', { text: T.hhmm(when) })),
		    T.el('div', { class: 'name', text: sl.startup }),
		    T.el('div', { class: 'sub', text: [sl.title, sl.presenter]
			.filter(Boolean).join(' · ') }),
		    sl.status === 'withdrawn' ? null : T.el('div', { class: 'actions' },
			T.el('button', { type: 'button', class: 'follow', 'aria-pressed': pressed('follow_up'),
			    text: T.t('follow_up'), onclick: () => mark(sl.id, 'follow_up') }),
			T.el('button', { type: 'button', class: 'info', 'aria-pressed': pressed('info'),
			    text: T.t('info'), onclick: () => mark(sl.id, 'info') }),
			T.el('button', { type: 'button', class: 'note-btn', text: '✎',
			    title: T.t('note'), 'aria-label': T.t('note'),
			    'aria-expanded': openNotes.has(sl.id) ? 'true' : 'false',
			    onclick: () => {
				    if (openNotes.has(sl.id))
					    openNotes.delete(sl.id);
				    else
					    openNotes.add(sl.id);
				    draw();
			    } })),
		    noteBox,
		    cur && cur.note && !noteBox ? T.el('p', { class: 'note-text', text: cur.note }) : null);
	}

	/* Redraws the whole page from me, ev and the live states. */
	function draw() {
		T.setText($('event-title'), ev.event.title);
		if (me == null)
			return;
		const a = me.attendee;
		T.setText($('hello'), T.t('hello', a.name));
		T.setText($('dept'), a.department);
		const open = me.presence.filter((p) => p.out_ms == null).pop();
		T.setText($('presence'), me.checked_in ?
		    T.t('checked_in', open ? T.hhmm(open.in_ms) : '') : T.t('checked_out'));
		$('presence').className = me.checked_in ? 'in' : 'out';
		const b = $('btn-presence');
		T.setText(b, me.checked_in ? T.t('check_out') : T.t('check_in'));
		b.className = 'big ' + (me.checked_in ? '' : 'primary');

		const liveCards = [];
		for (const st of ev.stages) {
			const sl = liveSlot(st);
			if (sl)
				liveCards.push(card(sl, true));
		}
		$('live').hidden = liveCards.length === 0;
		$('live-slot').replaceChildren(...liveCards);

		$('my-list').replaceChildren(...(me.interests.length === 0 ?
		    [T.el('li', { class: 'hint', text: T.t('my_list_empty') })] :
		    me.interests.map((i) => T.el('li', { class: 'mine', dataset: { pitch: i.pitch } },
			T.el('div', { class: 'name', text: i.startup }),
			T.el('div', { class: 'sub' },
			    T.el('span', { class: 'level ' + i.level, text: T.t(i.level) }),
			    i.note ? T.el('span', { class: 'note-text', text: ' ' + i.note }) : null),
			T.el('button', { type: 'button', class: 'withdraw small',
			    text: T.t('withdraw'), onclick: () => withdraw(i.pitch) })))));

		const items = [];
		for (const st of ev.stages) {
			if (ev.stages.length > 1)
				items.push(T.el('li', { class: 'stage-head', text: st.name }));
			const ls = liveSlot(st);
			for (const sl of st.slots)
				if (sl.status !== 'withdrawn')
					items.push(card(sl, ls != null && ls.id === sl.id));
		}
		$('agenda').replaceChildren(...items);
	}

	/* Small live countdown in the "now on stage" card. */
	function frame() {
		for (const [, c] of counts) {
			if (c.st && c.st.pitch && (c.st.mode === 'running' || c.st.mode === 'paused')) {
				T.setText($('live-count'), c.text());
				$('live-count').className = 'phase-' + c.phase();
				return;
			}
		}
		T.setText($('live-count'), '');
	}

	/* Agenda times move as the event runs: refetch when a stage's seq changes. */
	function onState(stageId, s) {
		live.set(stageId, s);
		counts.get(stageId).state(s);
		const now = [...live.values()].map((x) => x.seq).join(',');
		if (now === seqs)
			return;
		seqs = now;
		clearTimeout(redrawTimer);
		redrawTimer = setTimeout(async function again() {
			/* Never pull the page from under a note being typed. */
			if (document.activeElement?.classList.contains('note-input')) {
				redrawTimer = setTimeout(again, 1000);
				return;
			}
			try {
				ev = await T.api('GET', '/api/v1/event');
			} catch (e) { /* keep the old agenda */ }
			draw();
		}, 150);
	}

	async function main() {
		ev = await T.event();
		T.onLang(draw);
		draw();
		token = readToken();
		if (!token) {
			$('no-token').hidden = false;
			return;
		}
		try {
			me = await T.api('GET', '/api/v1/me', token);
		} catch (e) {
			$('no-token').hidden = false;
			return;
		}
		for (const id of ['who', 'mine', 'program'])
			$(id).hidden = false;
		$('btn-presence').addEventListener('click', () =>
		    write('POST', me.checked_in ? '/api/v1/checkouts' : '/api/v1/checkins', {}));
		draw();
		T.startClock('me');
		for (const st of ev.stages) {
			counts.set(st.id, new T.Countdown());
			T.follow(st.id, {
				state: (s) => onState(st.id, s),
				tick: (k) => counts.get(st.id).tick(k),
				online: T.showOnline,
			});
		}
		T.everyFrame(frame);
	}

	main();
})();
