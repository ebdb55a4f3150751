/*
 * config.h — the event configuration (SPEC §1), read from YAML with libyaml.
 *
 * Pure module: no libevent, no SQLite. config_load() parses and validates a
 * file and returns either a complete struct config or NULL with every error
 * collected as "file:line:column: key: message".
 */
#ifndef TAKT_CONFIG_H
#define TAKT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

enum time_up_action {
	TIME_UP_NONE,
	TIME_UP_MESSAGE,
	TIME_UP_NEXT,
	TIME_UP_NEXT_START,
};

enum attendee_role {
	ROLE_DEPARTMENT_HEAD,
	ROLE_STAFF,
	ROLE_GUEST,
};

/* Timing keys; top-level `timing:` gives defaults, each pitch may override. */
struct timing {
	int64_t		 pitch_ms;	/* `pitch` at top level, `length` per pitch */
	int64_t		 changeover_ms;
	int64_t		 warning_ms;
	int64_t		 danger_ms;
	int64_t		 grace_ms;
	enum time_up_action on_time_up;
	char		*time_up_message;	/* owned, never NULL ("" if unset) */
};

struct config_pitch {
	char		*id;		/* slug [a-z0-9-]{1,40}, unique across stages */
	char		*startup;	/* required */
	char		*presenter;	/* "" if unset */
	char		*title;		/* "" if unset */
	char		*contact;	/* "" if unset */
	struct timing	 timing;	/* defaults merged with the overrides */
};

struct config_stage {
	char		*id;		/* slug, unique */
	char		*name;		/* defaults to id */
	int		 start_minute;	/* "14:00" -> 840; minutes after local midnight */
	int64_t		 start_ms;	/* event.date + start in event.timezone, unix ms */
	struct config_pitch *pitches;
	size_t		 npitches;
};

struct config_attendee {
	char		*id;		/* slug, unique */
	char		*name;		/* required */
	char		*department;	/* "" if unset */
	enum attendee_role role;	/* default department_head */
	char		*email;		/* "" if unset */
};

struct config {
	char		*path;		/* as given */
	char		*title;
	char		*venue;		/* "" if unset */
	char		*date;		/* "YYYY-MM-DD", required */
	char		*timezone;	/* IANA name, default "Europe/Berlin" */
	char		*language;	/* "de" or "en", default "de" */
	struct timing	 timing;	/* the defaults */
	struct config_stage *stages;
	size_t		 nstages;
	struct config_attendee *attendees;
	size_t		 nattendees;
	char		*listen;	/* "host:port", default "127.0.0.1:8080" */
	char		*database;	/* resolved against the config file's directory */
	int		 max_connections; /* default 20000, 1..1000000 */
};

/* Collected error messages, each "file:line:column: key: message". */
struct config_errors {
	char	**msgs;
	size_t	  n;
};

/* Reads and validates path; NULL (and errs filled) on any error. */
struct config	*config_load(const char *path, struct config_errors *errs);
/* Frees a config from config_load; NULL is fine. */
void		 config_free(struct config *);
/* Frees the messages in errs and empties it. */
void		 config_errors_clear(struct config_errors *);

/* Finds a stage by id; NULL if none. */
const struct config_stage *config_stage_find(const struct config *, const char *id);

/*
 * Parses a duration: "5m", "4m30s", "90s", "90" (seconds), "1h", "1h2m3s".
 * Whole seconds only. Returns 0 and sets *ms, or -1 if it is not a duration.
 */
int		 duration_parse(const char *s, int64_t *ms);

/* Names for enums, as they are written in YAML and JSON. */
const char	*time_up_action_name(enum time_up_action);
const char	*attendee_role_name(enum attendee_role);

/*
 * Converts a local date ("YYYY-MM-DD") and minute of the day in the IANA
 * timezone tz to unix milliseconds. Returns 0, or -1 if invalid.
 */
int		 config_local_to_unix_ms(const char *date, int minute, const char *tz,
		    int64_t *ms);

#endif
