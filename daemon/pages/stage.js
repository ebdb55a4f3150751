/*
 * stage.js — the stage display: the countdown as large as the screen allows,
 * who is on and who is next, the moderator's message and the blackout.
 * Everything follows the stream; the digits follow the corrected clock.
 */
'use strict';

(() => {
	const T = Takt;
	const $ = (id) => document.getElementById(id);
	const cd = new T.Countdown();
	let ev = null, stage = null;

	/* The stage of the path (/stage/ID), or the first one for "/". */
	function stageId() {
		const m = location.pathname.match(/^\/stage\/([^/]+)/);
		return m ? decodeURIComponent(m[1]) : ev.stages[0]?.id;
	}

	/* Redraws everything but the digits, on a new state or language. */
	function paint() {
		const s = cd.st;
		const info = ev.stages.find((x) => x.id === stage);
		T.setText($('stage-name'), info ? info.name : stage);
		T.setText($('event-title'), ev.event.title);
		document.title = 'takt — ' + (info ? info.name : stage);
		if (s == null)
			return;
		document.body.classList.toggle('blackout', s.blackout);
		$('blackout').hidden = !s.blackout;
		document.body.className = document.body.className
		    .replace(/\bmode-\w+/, 'mode-' + s.mode);
		T.setText($('startup'), s.pitch ? s.pitch.startup :
		    s.mode === 'finished' ? T.t('finished') : ev.event.title);
		T.setText($('title'), s.pitch ? s.pitch.title : '');
		const label = s.mode === 'paused' ? T.t('paused') :
		    s.mode === 'ready' ? T.t('ready') : '';
		T.setText($('mode-label'), label);
		$('next').hidden = s.next == null;
		if (s.next) {
			T.setText($('next-startup'), s.next.startup);
			T.setText($('next-time'), s.next.projected_start_ms != null ?
			    T.hhmm(s.next.projected_start_ms) : '');
		}
		const msg = $('message');
		msg.hidden = !(s.message.visible && s.message.text !== '');
		/* The message takes the place of the names, never on top of them. */
		document.body.classList.toggle('has-message', !msg.hidden);
		msg.classList.toggle('blink', s.message.blink);
		T.setText(msg, s.message.text);
	}

	/* Draws the digits, colours and progress for this frame. */
	function frame() {
		const s = cd.st;
		const phase = cd.phase();
		const text = cd.text();
		const count = $('count');
		T.setText(count, s && s.mode === 'finished' ? '' : text);
		count.classList.toggle('long', text.length > 6);
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

	/* Loads the event (retrying while the daemon is away), then follows. */
	async function main() {
		for (;;) {
			try {
				ev = await T.event();
				break;
			} catch (e) {
				T.showOnline(false);
				await new Promise((r) => setTimeout(r, 2000));
			}
		}
		stage = stageId();
		T.onLang(paint);
		paint();
		T.startClock('stage');
		T.follow(stage, {
			state: (s) => { cd.state(s); paint(); },
			tick: (k) => cd.tick(k),
			online: T.showOnline,
		});
		T.everyFrame(frame);
	}

	main();
})();
