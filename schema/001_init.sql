-- 001: the whole first schema. Times are unix milliseconds (INTEGER).

CREATE TABLE stages (
	id		TEXT PRIMARY KEY,
	name		TEXT NOT NULL,
	position	INTEGER NOT NULL,
	start_ms	INTEGER NOT NULL
);

-- One row per pitch slot; kept (status 'withdrawn') when removed from the
-- config after data was recorded for it.
CREATE TABLE slots (
	id		TEXT PRIMARY KEY,
	stage		TEXT NOT NULL REFERENCES stages(id),
	position	INTEGER NOT NULL,
	startup		TEXT NOT NULL,
	presenter	TEXT NOT NULL DEFAULT '',
	title		TEXT NOT NULL DEFAULT '',
	contact		TEXT NOT NULL DEFAULT '',
	length_ms	INTEGER NOT NULL,
	changeover_ms	INTEGER NOT NULL,
	warning_ms	INTEGER NOT NULL,
	danger_ms	INTEGER NOT NULL,
	grace_ms	INTEGER NOT NULL,
	on_time_up	TEXT NOT NULL,
	time_up_message	TEXT NOT NULL DEFAULT '',
	planned_start_ms INTEGER NOT NULL,
	status		TEXT NOT NULL DEFAULT 'planned'
			CHECK (status IN ('planned','live','done','skipped','withdrawn')),
	actual_start_ms	INTEGER,
	actual_end_ms	INTEGER
);
CREATE INDEX slots_stage ON slots(stage, position);

CREATE TABLE attendees (
	id		TEXT PRIMARY KEY,
	name		TEXT NOT NULL,
	department	TEXT NOT NULL DEFAULT '',
	role		TEXT NOT NULL DEFAULT 'department_head'
			CHECK (role IN ('department_head','staff','guest')),
	email		TEXT NOT NULL DEFAULT '',
	withdrawn	INTEGER NOT NULL DEFAULT 0
);

-- Bearer tokens, only as SHA-256 of the token; one live token per subject.
CREATE TABLE tokens (
	kind		TEXT NOT NULL CHECK (kind IN ('organiser','moderator','attendee')),
	subject		TEXT NOT NULL,		-- '-' for the two role tokens
	hash		BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
	created_ms	INTEGER NOT NULL,
	PRIMARY KEY (kind, subject)
);

-- The append-only timer ledger: every action and every phase crossing.
CREATE TABLE ledger (
	id		INTEGER PRIMARY KEY,
	stage		TEXT NOT NULL REFERENCES stages(id),
	seq		INTEGER NOT NULL,
	at_ms		INTEGER NOT NULL,
	who		TEXT NOT NULL,		-- 'organiser', 'moderator', 'attendee:ID', 'timer'
	kind		TEXT NOT NULL CHECK (kind IN ('action','phase','time_up')),
	what		TEXT NOT NULL,
	pitch		TEXT,
	remaining_ms	INTEGER,
	payload		TEXT			-- JSON of the request body, or NULL
);
CREATE INDEX ledger_stage ON ledger(stage, id);
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
	BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
	BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;

-- The live timer state of each stage, written in the same transaction as
-- the ledger rows that led to it.
CREATE TABLE stage_state (
	stage		TEXT PRIMARY KEY REFERENCES stages(id),
	seq		INTEGER NOT NULL,
	mode		TEXT NOT NULL,
	phase		TEXT NOT NULL,
	cur_slot	TEXT,
	pos		INTEGER NOT NULL,
	duration_ms	INTEGER NOT NULL,
	added_ms	INTEGER NOT NULL,
	elapsed_ms	INTEGER NOT NULL,
	run_since_ms	INTEGER,
	time_up_done	INTEGER NOT NULL,
	message_text	TEXT NOT NULL,
	message_visible	INTEGER NOT NULL,
	message_blink	INTEGER NOT NULL,
	blackout	INTEGER NOT NULL,
	updated_ms	INTEGER NOT NULL
);

-- Presence intervals at the door (issue 3 fills them).
CREATE TABLE presence (
	id		INTEGER PRIMARY KEY,
	attendee	TEXT NOT NULL REFERENCES attendees(id),
	in_ms		INTEGER NOT NULL,
	out_ms		INTEGER,
	in_by		TEXT NOT NULL,
	out_by		TEXT
);
CREATE INDEX presence_attendee ON presence(attendee, in_ms);

-- Current interest of an attendee in a pitch.
CREATE TABLE interests (
	attendee	TEXT NOT NULL REFERENCES attendees(id),
	pitch		TEXT NOT NULL REFERENCES slots(id),
	level		TEXT NOT NULL CHECK (level IN ('follow_up','info')),
	note		TEXT NOT NULL DEFAULT '',
	created_ms	INTEGER NOT NULL,
	updated_ms	INTEGER NOT NULL,
	live		INTEGER NOT NULL,	-- given while this pitch was live
	live_pitch	TEXT,			-- the pitch live on its stage then
	PRIMARY KEY (attendee, pitch)
);

-- Every change of mind, so reports can show them.
CREATE TABLE interest_history (
	id		INTEGER PRIMARY KEY,
	attendee	TEXT NOT NULL REFERENCES attendees(id),
	pitch		TEXT NOT NULL REFERENCES slots(id),
	action		TEXT NOT NULL CHECK (action IN ('put','delete')),
	level		TEXT,
	note		TEXT,
	at_ms		INTEGER NOT NULL,
	live		INTEGER NOT NULL,
	live_pitch	TEXT
);

-- Clock offsets measured by displays, for the timing report.
CREATE TABLE screens (
	screen		TEXT PRIMARY KEY,
	page		TEXT NOT NULL,
	offset_ms	INTEGER NOT NULL,
	rtt_ms		INTEGER NOT NULL,
	worst_offset_ms	INTEGER NOT NULL,
	samples		INTEGER NOT NULL,
	updated_ms	INTEGER NOT NULL
);
