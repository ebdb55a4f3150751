/*
 * test_config.c — unit tests for the configuration module (config.c and
 * duration.c): tables of durations and times, the shipped configs, and
 * every kind of broken file, each checked for its exact error message.
 *
 * Fixtures are read from $TAKT_TEST_DATA (tests/data); small inline cases
 * are written to temporary files under /tmp.
 */

#define _GNU_SOURCE		/* asprintf */

#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

/* The smallest valid head of a config, for inline cases about the rest. */
#define EV	"event: {title: T, date: 2026-12-03}\n"
#define PI	"pitches: [{id: a, startup: A}]\n"

/* Returns the fixture directory; tests cannot run without it. */
static const char *
test_data_dir(void)
{
	const char	*dir;

	dir = getenv("TAKT_TEST_DATA");
	ck_assert_msg(dir != NULL && *dir != '\0',
	    "TAKT_TEST_DATA must name tests/data");
	return (dir);
}

/* Builds the path of a fixture (or, with "../../config/x", a shipped file). */
static char *
test_data_path(const char *name)
{
	char	*path;

	ck_assert_int_ne(asprintf(&path, "%s/%s", test_data_dir(), name), -1);
	return (path);
}

/* Writes len bytes to a new temporary file and returns its path. */
static char *
test_write_bytes(const char *data, size_t len)
{
	char	*path;
	size_t	 off = 0;
	ssize_t	 w;
	int	 fd;

	path = strdup("/tmp/takt-test-config-XXXXXX");
	ck_assert_ptr_nonnull(path);
	fd = mkstemp(path);
	ck_assert_int_ne(fd, -1);
	while (off < len) {
		w = write(fd, data + off, len - off);
		ck_assert_int_gt(w, 0);
		off += (size_t)w;
	}
	ck_assert_int_eq(close(fd), 0);
	return (path);
}

/* Writes a string to a new temporary file and returns its path. */
static char *
test_write(const char *text)
{
	return (test_write_bytes(text, strlen(text)));
}

/* Removes a temporary file and frees its path. */
static void
test_unlink(char *path)
{
	unlink(path);
	free(path);
}

/* Prints what the loader said, so a failing case shows the actual errors. */
static void
test_dump_errors(const struct config_errors *errs)
{
	size_t	i;

	for (i = 0; i < errs->n; i++)
		fprintf(stderr, "  got: %s\n", errs->msgs[i]);
}

/*
 * Loads path and checks that it fails with exactly the messages in want
 * (NULL-terminated), each given without the leading "path:".
 */
static void
test_expect_errors(const char *path, const char *const *want)
{
	struct config_errors	 errs = { NULL, 0 };
	struct config		*cfg;
	size_t			 nwant, i, plen = strlen(path);

	for (nwant = 0; want[nwant] != NULL; nwant++)
		;
	cfg = config_load(path, &errs);
	if (cfg != NULL || errs.n != nwant)
		test_dump_errors(&errs);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(errs.n, nwant);
	for (i = 0; i < nwant; i++) {
		if (strncmp(errs.msgs[i], path, plen) != 0 ||
		    errs.msgs[i][plen] != ':' ||
		    strcmp(errs.msgs[i] + plen + 1, want[i]) != 0)
			test_dump_errors(&errs);
		ck_assert_msg(strncmp(errs.msgs[i], path, plen) == 0 &&
		    errs.msgs[i][plen] == ':',
		    "message %zu does not start with the path: %s", i,
		    errs.msgs[i]);
		ck_assert_str_eq(errs.msgs[i] + plen + 1, want[i]);
	}
	config_errors_clear(&errs);
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_ptr_null(errs.msgs);
}

/* Loads path and fails the test, showing the errors, if it does not load. */
static struct config *
test_expect_ok(const char *path)
{
	struct config_errors	 errs = { NULL, 0 };
	struct config		*cfg;

	cfg = config_load(path, &errs);
	if (cfg == NULL)
		test_dump_errors(&errs);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_uint_eq(errs.n, 0);
	config_errors_clear(&errs);
	return (cfg);
}

/* Loads an inline text that must be valid. */
static struct config *
test_load_text(const char *text, char **pathp)
{
	*pathp = test_write(text);
	return (test_expect_ok(*pathp));
}

/* Durations that parse, with their value. */
static const struct {
	const char	*s;
	int64_t		 ms;
} duration_good[] = {
	{ "5m", 300000 },
	{ "4m30s", 270000 },
	{ "90s", 90000 },
	{ "90", 90000 },
	{ "1h", 3600000 },
	{ "1h2m3s", 3723000 },
	{ "1h30s", 3630000 },
	{ "2m0s", 120000 },
	{ "0", 0 },
	{ "0s", 0 },
	{ "05m", 300000 },
	{ "4m90s", 330000 },
	{ "300s", 300000 },
	{ "168h", 604800000 },
	{ "604800", 604800000 },
	{ "10079m60s", 604800000 },
};

/* Strings that are not durations. */
static const char *const duration_bad[] = {
	"", "5 min", "-5s", "+5s", "5x", "m", "s", "30s4m", "5m5m", "1h1h",
	"4m30", "1.5m", " 5m", "5m ", "5M", "5ms", "1d", "1h 2m", "5m-",
	"169h", "604801", "10080m1s", "99999999999999999999999s",
	"9223372036854775807", "0x10", "١٢",
};

START_TEST(test_duration_good)
{
	int64_t	ms = -1;

	ck_assert_msg(duration_parse(duration_good[_i].s, &ms) == 0,
	    "\"%s\" should parse", duration_good[_i].s);
	ck_assert_int_eq(ms, duration_good[_i].ms);
}
END_TEST

START_TEST(test_duration_bad)
{
	int64_t	ms = 42;

	ck_assert_msg(duration_parse(duration_bad[_i], &ms) == -1,
	    "\"%s\" should not parse", duration_bad[_i]);
	ck_assert_int_eq(ms, 42);
}
END_TEST

START_TEST(test_duration_null)
{
	int64_t	ms = 42;

	ck_assert_int_eq(duration_parse(NULL, &ms), -1);
	ck_assert_int_eq(ms, 42);
}
END_TEST

/* Local times and what they are in unix milliseconds. */
static const struct {
	const char	*date;
	int		 minute;
	const char	*tz;
	int64_t		 ms;
} local_good[] = {
	{ "2026-12-03", 14 * 60, "Europe/Berlin", 1796302800000LL },
	{ "2026-12-03", 23 * 60 + 59, "Europe/Berlin", 1796338740000LL },
	{ "2026-07-01", 12 * 60, "Europe/Berlin", 1782900000000LL },
	/* The night the clocks go forward: 01:59 and 03:00 are a minute apart. */
	{ "2026-03-29", 1 * 60 + 59, "Europe/Berlin", 1774745940000LL },
	{ "2026-03-29", 3 * 60, "Europe/Berlin", 1774746000000LL },
	{ "2026-10-25", 3 * 60, "Europe/Berlin", 1792893600000LL },
	{ "2026-01-01", 0, "UTC", 1767225600000LL },
	{ "2026-12-03", 14 * 60, "America/New_York", 1796324400000LL },
	{ "2028-02-29", 9 * 60, "Asia/Kolkata", 1835407800000LL },
};

/* Arguments config_local_to_unix_ms must refuse. */
static const struct {
	const char	*date;
	int		 minute;
	const char	*tz;
} local_bad[] = {
	{ "2026-02-30", 0, "Europe/Berlin" },
	{ "2027-02-29", 0, "Europe/Berlin" },
	{ "2026-13-01", 0, "Europe/Berlin" },
	{ "2026-12-3", 0, "Europe/Berlin" },
	{ "03.12.2026", 0, "Europe/Berlin" },
	{ "", 0, "Europe/Berlin" },
	{ NULL, 0, "Europe/Berlin" },
	{ "2026-12-03", -1, "Europe/Berlin" },
	{ "2026-12-03", 24 * 60, "Europe/Berlin" },
	{ "2026-12-03", 0, "Mars/Olympus" },
	{ "2026-12-03", 0, "" },
	{ "2026-12-03", 0, NULL },
	{ "2026-12-03", 0, "../../../etc/passwd" },
	{ "2026-12-03", 0, "Europe/../Europe/Berlin" },
	{ "2026-12-03", 0, "/usr/share/zoneinfo/Europe/Berlin" },
	{ "2026-12-03", 0, "Europe" },
	{ "2026-12-03", 0, "zone.tab" },
	{ "2026-12-03", 0, "Europe/Berlin " },
};

START_TEST(test_local_good)
{
	int64_t	ms = 0;

	ck_assert_int_eq(config_local_to_unix_ms(local_good[_i].date,
	    local_good[_i].minute, local_good[_i].tz, &ms), 0);
	ck_assert_int_eq(ms, local_good[_i].ms);
}
END_TEST

START_TEST(test_local_bad)
{
	int64_t	ms = 42;

	ck_assert_int_eq(config_local_to_unix_ms(local_bad[_i].date,
	    local_bad[_i].minute, local_bad[_i].tz, &ms), -1);
	ck_assert_int_eq(ms, 42);
}
END_TEST

START_TEST(test_local_restores_tz)
{
	int64_t	ms;

	ck_assert_int_eq(setenv("TZ", "Asia/Tokyo", 1), 0);
	ck_assert_int_eq(config_local_to_unix_ms("2026-12-03", 840,
	    "Europe/Berlin", &ms), 0);
	ck_assert_str_eq(getenv("TZ"), "Asia/Tokyo");

	ck_assert_int_eq(unsetenv("TZ"), 0);
	ck_assert_int_eq(config_local_to_unix_ms("2026-12-03", 840,
	    "Europe/Berlin", &ms), 0);
	ck_assert_ptr_null(getenv("TZ"));
	ck_assert_int_eq(ms, 1796302800000LL);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(time_up_action_name(TIME_UP_NONE), "none");
	ck_assert_str_eq(time_up_action_name(TIME_UP_MESSAGE), "message");
	ck_assert_str_eq(time_up_action_name(TIME_UP_NEXT), "next");
	ck_assert_str_eq(time_up_action_name(TIME_UP_NEXT_START),
	    "next_start");
	ck_assert_str_eq(time_up_action_name((enum time_up_action)99),
	    "unknown");
	ck_assert_str_eq(attendee_role_name(ROLE_DEPARTMENT_HEAD),
	    "department_head");
	ck_assert_str_eq(attendee_role_name(ROLE_STAFF), "staff");
	ck_assert_str_eq(attendee_role_name(ROLE_GUEST), "guest");
	ck_assert_str_eq(attendee_role_name((enum attendee_role)-1),
	    "unknown");
}
END_TEST

START_TEST(test_example_config)
{
	const struct config_stage	*st;
	const struct config_pitch	*p;
	const struct config_attendee	*a;
	struct config			*cfg;
	char				*path, *db;
	size_t				 i;

	path = test_data_path("../../config/example.yaml");
	cfg = test_expect_ok(path);

	ck_assert_str_eq(cfg->path, path);
	ck_assert_str_eq(cfg->title, "Smart City Flensburg — Start-up-Pitches");
	ck_assert_str_eq(cfg->venue, "Technologiezentrum Flensburg");
	ck_assert_str_eq(cfg->date, "2026-12-03");
	ck_assert_str_eq(cfg->timezone, "Europe/Berlin");
	ck_assert_str_eq(cfg->language, "de");

	ck_assert_int_eq(cfg->timing.pitch_ms, 300000);
	ck_assert_int_eq(cfg->timing.changeover_ms, 30000);
	ck_assert_int_eq(cfg->timing.warning_ms, 60000);
	ck_assert_int_eq(cfg->timing.danger_ms, 15000);
	ck_assert_int_eq(cfg->timing.grace_ms, 30000);
	ck_assert_int_eq(cfg->timing.on_time_up, TIME_UP_MESSAGE);
	ck_assert_str_eq(cfg->timing.time_up_message,
	    "Vielen Dank! Bitte kommen Sie jetzt zum Schluss.");

	ck_assert_uint_eq(cfg->nstages, 1);
	st = config_stage_find(cfg, "main");
	ck_assert_ptr_eq(st, &cfg->stages[0]);
	ck_assert_ptr_null(config_stage_find(cfg, "lab"));
	ck_assert_ptr_null(config_stage_find(cfg, NULL));
	ck_assert_str_eq(st->name, "Großer Saal");
	ck_assert_int_eq(st->start_minute, 14 * 60);
	ck_assert_int_eq(st->start_ms, 1796302800000LL);
	ck_assert_uint_ge(st->npitches, 10);

	for (i = 0; i < st->npitches; i++) {
		p = &st->pitches[i];
		ck_assert_str_ne(p->id, "");
		ck_assert_str_ne(p->startup, "");
		ck_assert_str_ne(p->presenter, "");
		ck_assert_str_ne(p->title, "");
		ck_assert_ptr_nonnull(strstr(p->contact, ".example"));
		ck_assert_int_eq(p->timing.changeover_ms, 30000);
		ck_assert_str_eq(p->timing.time_up_message,
		    cfg->timing.time_up_message);
		/* Every string is a copy of its own, never shared. */
		ck_assert_ptr_ne(p->timing.time_up_message,
		    cfg->timing.time_up_message);
	}
	p = &st->pitches[0];
	ck_assert_str_eq(p->id, "fleno");
	ck_assert_str_eq(p->startup, "Fleno GmbH");
	ck_assert_str_eq(p->presenter, "Krabat Rombach");
	ck_assert_str_eq(p->contact, "team@fleno.example");
	ck_assert_int_eq(p->timing.pitch_ms, 300000);
	ck_assert_int_eq(p->timing.on_time_up, TIME_UP_MESSAGE);
	/* The overrides shown in the file. */
	ck_assert_str_eq(st->pitches[3].id, "parkfuchs");
	ck_assert_int_eq(st->pitches[3].timing.pitch_ms, 240000);
	ck_assert_int_eq(st->pitches[st->npitches - 1].timing.on_time_up,
	    TIME_UP_NEXT);

	ck_assert_uint_eq(cfg->nattendees, 12);
	for (i = 0; i < cfg->nattendees; i++) {
		a = &cfg->attendees[i];
		ck_assert_int_eq(a->role, ROLE_DEPARTMENT_HEAD);
		ck_assert_str_ne(a->department, "");
		ck_assert_ptr_nonnull(strstr(a->email, "@flensburg.example"));
	}
	ck_assert_str_eq(cfg->attendees[0].id, "ott");
	ck_assert_str_eq(cfg->attendees[0].name, "Dr. Marcus Ott");
	ck_assert_str_eq(cfg->attendees[0].department, "IuK / E-Government");

	ck_assert_str_eq(cfg->listen, "127.0.0.1:8080");
	ck_assert_int_eq(cfg->max_connections, 20000);
	db = test_data_path("../../config/takt.db");
	ck_assert_str_eq(cfg->database, db);

	free(db);
	free(path);
	config_free(cfg);
}
END_TEST

START_TEST(test_two_stages_config)
{
	const struct config_stage	*st_main, *lab;
	struct config			*cfg;
	char				*path;

	path = test_data_path("../../config/two-stages.yaml");
	cfg = test_expect_ok(path);
	ck_assert_str_eq(cfg->language, "en");
	ck_assert_uint_eq(cfg->nstages, 2);
	st_main = config_stage_find(cfg, "main");
	lab = config_stage_find(cfg, "lab");
	ck_assert_ptr_nonnull(st_main);
	ck_assert_ptr_nonnull(lab);
	ck_assert_uint_ge(st_main->npitches, 3);
	ck_assert_uint_le(st_main->npitches, 4);
	ck_assert_uint_ge(lab->npitches, 3);
	ck_assert_uint_le(lab->npitches, 4);
	ck_assert_int_eq(st_main->start_ms, 1789632000000LL);
	ck_assert_int_eq(lab->start_ms, 1789633800000LL);
	ck_assert_uint_ge(cfg->nattendees, 2);
	free(path);
	config_free(cfg);
}
END_TEST

START_TEST(test_top_level_pitches)
{
	const struct config_stage	*st;
	struct config			*cfg;
	char				*path;

	path = test_data_path("top-level-pitches.yaml");
	cfg = test_expect_ok(path);
	ck_assert_uint_eq(cfg->nstages, 1);
	st = &cfg->stages[0];
	ck_assert_str_eq(st->id, "main");
	ck_assert_str_eq(st->name, "main");
	ck_assert_int_eq(st->start_minute, 9 * 60);
	ck_assert_int_eq(st->start_ms, 1774767600000LL);
	ck_assert_uint_eq(st->npitches, 2);
	ck_assert_str_eq(st->pitches[0].id, "eins");
	ck_assert_int_eq(st->pitches[0].timing.pitch_ms, 300000);
	ck_assert_int_eq(st->pitches[0].timing.on_time_up, TIME_UP_NONE);
	ck_assert_int_eq(st->pitches[1].timing.pitch_ms, 90000);
	ck_assert_int_eq(st->pitches[1].timing.on_time_up,
	    TIME_UP_NEXT_START);
	free(path);
	config_free(cfg);
}
END_TEST

START_TEST(test_defaults)
{
	const struct config_pitch	*p;
	struct config			*cfg;
	char				*path, *cwd;

	cfg = test_load_text(
	    "event:\n"
	    "  title: Nur das Nötigste\n"
	    "  date: 2026-12-03\n"
	    "  venue:\n"
	    "timing:\n"
	    "stages:\n"
	    "  - id: saal-2\n"
	    "    pitches:\n"
	    "      - id: x\n"
	    "        startup: X\n"
	    "  - id: leer\n"
	    "    pitches:\n"
	    "attendees:\n"
	    "  - id: gast\n"
	    "    name: Gast\n"
	    "server:\n", &path);

	ck_assert_str_eq(cfg->venue, "");
	ck_assert_str_eq(cfg->timezone, "Europe/Berlin");
	ck_assert_str_eq(cfg->language, "de");
	ck_assert_int_eq(cfg->timing.pitch_ms, 300000);
	ck_assert_int_eq(cfg->timing.changeover_ms, 0);
	ck_assert_int_eq(cfg->timing.warning_ms, 60000);
	ck_assert_int_eq(cfg->timing.danger_ms, 15000);
	ck_assert_int_eq(cfg->timing.grace_ms, 30000);
	ck_assert_int_eq(cfg->timing.on_time_up, TIME_UP_NONE);
	ck_assert_str_eq(cfg->timing.time_up_message, "");

	ck_assert_uint_eq(cfg->nstages, 2);
	ck_assert_str_eq(cfg->stages[0].name, "saal-2");
	ck_assert_int_eq(cfg->stages[0].start_minute, 9 * 60);
	ck_assert_uint_eq(cfg->stages[1].npitches, 0);
	p = &cfg->stages[0].pitches[0];
	ck_assert_str_eq(p->presenter, "");
	ck_assert_str_eq(p->title, "");
	ck_assert_str_eq(p->contact, "");
	ck_assert_int_eq(p->timing.pitch_ms, 300000);
	ck_assert_str_eq(p->timing.time_up_message, "");

	ck_assert_str_eq(cfg->attendees[0].department, "");
	ck_assert_str_eq(cfg->attendees[0].email, "");
	ck_assert_int_eq(cfg->attendees[0].role, ROLE_DEPARTMENT_HEAD);

	ck_assert_str_eq(cfg->listen, "127.0.0.1:8080");
	ck_assert_int_eq(cfg->max_connections, 20000);
	/* Relative to the directory the config file is in. */
	ck_assert_str_eq(cfg->database, "/tmp/takt.db");

	config_free(cfg);
	test_unlink(path);

	/* An empty top-level list is still the implicit stage. */
	cfg = test_load_text(EV "pitches: []\n", &path);
	ck_assert_uint_eq(cfg->nstages, 1);
	ck_assert_str_eq(cfg->stages[0].id, "main");
	ck_assert_uint_eq(cfg->stages[0].npitches, 0);
	config_free(cfg);
	test_unlink(path);

	/* Absolute database paths and SQLite's :memory: stay as they are. */
	cfg = test_load_text(EV PI "server: {database: /var/lib/takt/x.db}\n",
	    &path);
	ck_assert_str_eq(cfg->database, "/var/lib/takt/x.db");
	config_free(cfg);
	test_unlink(path);
	cfg = test_load_text(EV PI "server: {database: \":memory:\"}\n", &path);
	ck_assert_str_eq(cfg->database, ":memory:");
	config_free(cfg);
	test_unlink(path);
	cfg = test_load_text(EV PI "server: {database: data/t.db}\n", &path);
	ck_assert_str_eq(cfg->database, "/tmp/data/t.db");
	config_free(cfg);
	test_unlink(path);

	/* A path without a directory means the current directory. */
	cwd = getcwd(NULL, 0);
	ck_assert_ptr_nonnull(cwd);
	ck_assert_int_eq(chdir(test_data_dir()), 0);
	cfg = test_expect_ok("top-level-pitches.yaml");
	ck_assert_str_eq(cfg->database, "takt.db");
	ck_assert_str_eq(cfg->path, "top-level-pitches.yaml");
	config_free(cfg);
	ck_assert_int_eq(chdir(cwd), 0);
	free(cwd);
}
END_TEST

START_TEST(test_overrides)
{
	const struct config_pitch	*p;
	struct config			*cfg;
	char				*path;

	cfg = test_load_text(EV
	    "timing: {pitch: 4m30s, changeover: 1m, warning: 45s, danger: 10s,"
	    " grace: 0, on_time_up: next, time_up_message: Danke}\n"
	    "pitches:\n"
	    "  - {id: a, startup: A}\n"
	    "  - {id: b, startup: B, length: 3m, changeover: 2m, warning: 30s,"
	    " danger: 5s, grace: 1m, on_time_up: message,"
	    " time_up_message: \"Schluss, bitte\"}\n"
	    "  - {id: c, startup: C, warning: 10s}\n"
	    "  - {id: d, startup: D, time_up_message: \"\"}\n", &path);

	p = &cfg->stages[0].pitches[0];
	ck_assert_int_eq(p->timing.pitch_ms, 270000);
	ck_assert_int_eq(p->timing.changeover_ms, 60000);
	ck_assert_int_eq(p->timing.warning_ms, 45000);
	ck_assert_int_eq(p->timing.danger_ms, 10000);
	ck_assert_int_eq(p->timing.grace_ms, 0);
	ck_assert_int_eq(p->timing.on_time_up, TIME_UP_NEXT);
	ck_assert_str_eq(p->timing.time_up_message, "Danke");

	p = &cfg->stages[0].pitches[1];
	ck_assert_int_eq(p->timing.pitch_ms, 180000);
	ck_assert_int_eq(p->timing.changeover_ms, 120000);
	ck_assert_int_eq(p->timing.warning_ms, 30000);
	ck_assert_int_eq(p->timing.danger_ms, 5000);
	ck_assert_int_eq(p->timing.grace_ms, 60000);
	ck_assert_int_eq(p->timing.on_time_up, TIME_UP_MESSAGE);
	ck_assert_str_eq(p->timing.time_up_message, "Schluss, bitte");

	/* Only the key given is overridden; danger 10s <= warning 10s. */
	p = &cfg->stages[0].pitches[2];
	ck_assert_int_eq(p->timing.pitch_ms, 270000);
	ck_assert_int_eq(p->timing.warning_ms, 10000);
	ck_assert_int_eq(p->timing.danger_ms, 10000);

	/* A quoted empty string is a value, not a missing one. */
	ck_assert_str_eq(cfg->stages[0].pitches[3].timing.time_up_message, "");

	config_free(cfg);
	test_unlink(path);
}
END_TEST

START_TEST(test_valid_values)
{
	struct config	*cfg;
	char		*path, *text, msg[281 * 2 + 1];
	size_t		 i;

	/* 280 characters of two bytes each: the limit counts characters. */
	for (i = 0; i < 280; i++)
		memcpy(msg + 2 * i, "ä", 2);
	msg[560] = '\0';
	ck_assert_int_ne(asprintf(&text, EV PI "timing: {time_up_message: %s}\n"
	    "server: {listen: \"0.0.0.0:0\", max_connections: 1000000}\n",
	    msg), -1);
	cfg = test_load_text(text, &path);
	ck_assert_uint_eq(strlen(cfg->timing.time_up_message), 560);
	ck_assert_str_eq(cfg->listen, "0.0.0.0:0");
	ck_assert_int_eq(cfg->max_connections, 1000000);
	config_free(cfg);
	test_unlink(path);
	free(text);

	cfg = test_load_text(
	    "event: {title: T, date: 2028-02-29, timezone: UTC, language: en}\n"
	    "stages:\n"
	    "  - {id: a-1, start: \"9:05\"}\n"
	    "  - {id: 0123456789012345678901234567890123456789, start: \"23:59\"}\n"
	    "server: {listen: \"localhost:65535\", max_connections: \"1\"}\n",
	    &path);
	ck_assert_str_eq(cfg->language, "en");
	ck_assert_int_eq(cfg->stages[0].start_minute, 9 * 60 + 5);
	ck_assert_int_eq(cfg->stages[1].start_minute, 23 * 60 + 59);
	ck_assert_int_eq(cfg->stages[0].start_ms,
	    (1835395200LL + 9 * 3600 + 5 * 60) * 1000);
	ck_assert_str_eq(cfg->listen, "localhost:65535");
	ck_assert_int_eq(cfg->max_connections, 1);
	config_free(cfg);
	test_unlink(path);
}
END_TEST

static const char *const fixture_bad_values[] = {
	"3:10: event.title: must not be empty",
	"4:9: event.date: \"2026-02-30\" is not a date (YYYY-MM-DD)",
	"5:13: event.timezone: \"Mars/Olympus\" is not a known timezone",
	"6:13: event.language: \"fr\" is not one of de, en",
	"7:3: event.colour: unknown key",
	"9:10: timing.pitch: \"5 min\" is not a duration",
	"11:11: timing.danger: danger (20s) must not be longer than warning "
	    "(10s)",
	"12:15: timing.on_time_up: \"explode\" is not one of none, message, "
	    "next, next_start",
	"14:9: stages[0].id: \"Main\" is not a valid id (1 to 40 of a-z, 0-9 "
	    "and -)",
	"15:12: stages[0].start: \"25:00\" is not a time of day (HH:MM)",
	"19:9: stages[0].pitches[1].startup: required key is missing",
	"19:13: stages[0].pitches[1].id: duplicate id \"a\" (first at 17:13)",
	"21:17: stages[0].pitches[1].length: must be at least 1s",
	"22:5: stages[1].id: required key is missing",
	"23:14: stages[1].pitches: expected a list, not a mapping",
	"28:17: stages[2].pitches[0].danger: danger (50s) must not be longer "
	    "than warning (10s)",
	"29:9: stages[2].pitches[1]: expected a mapping, not a scalar",
	"33:11: attendees[0].role: \"boss\" is not one of department_head, "
	    "staff, guest",
	"34:12: attendees[0].email: \"nope\" is not a mail address",
	"35:9: attendees[1].id: duplicate id \"x\" (first at 31:9)",
	"37:5: attendees[2].id: required key is missing",
	"38:5: attendees[2].name: duplicate key (first at 37:11)",
	"40:11: server.listen: \"1.2.3:99999\" is not host:port (an IPv4 "
	    "address or localhost, and a port 0-65535)",
	"41:20: server.max_connections: \"0\" is not a whole number from 1 to "
	    "1000000",
	"42:13: server.database: must not be empty",
	"43:10: pitches: cannot be used together with stages (put the pitches "
	    "under a stage)",
	NULL
};
static const char *const fixture_missing[] = {
	"4:3: event.title: required key is missing",
	"4:3: event.date: required key is missing",
	"8:9: stages[0].pitches[0].startup: required key is missing",
	"10:9: stages[0].pitches[1].id: required key is missing",
	"12:5: attendees[0].name: required key is missing",
	NULL
};
static const char *const fixture_wrong_types[] = {
	"3:3: event: expected a mapping, not a list",
	"5:10: timing.pitch: expected a scalar, not a list",
	"6:10: timing.grace: expected a scalar, not a mapping",
	"8:3: stages: expected a list, not a mapping",
	"9:12: attendees: expected a list, not a scalar",
	"10:9: server: expected a mapping, not a scalar",
	NULL
};
static const char *const fixture_syntax[] = {
	"4:2: yaml: did not find expected key (while parsing a block mapping "
	    "at 1:1)",
	NULL
};
static const char *const fixture_duplicates[] = {
	"5:3: event.title: duplicate key (first at 3:10)",
	"11:9: stages[1].id: duplicate id \"main\" (first at 7:9)",
	"13:13: stages[1].pitches[0].id: duplicate id \"fleno\" (first at 9:13)",
	"18:9: attendees[1].id: duplicate id \"ott\" (first at 16:9)",
	NULL
};
static const char *const fixture_unknown[] = {
	"5:3: event.lang: unknown key",
	"6:1: timming: unknown key",
	"10:5: stages[0].begin: unknown key",
	"14:9: stages[0].pitches[0].pitch: unknown key (the length of one "
	    "pitch is \"length\")",
	"16:3: server.port: unknown key",
	NULL
};

static const struct {
	const char		 *file;
	const char *const	 *want;
} fixtures[] = {
	{ "bad-values.yaml", fixture_bad_values },
	{ "missing-required.yaml", fixture_missing },
	{ "wrong-types.yaml", fixture_wrong_types },
	{ "syntax-error.yaml", fixture_syntax },
	{ "duplicates.yaml", fixture_duplicates },
	{ "unknown-keys.yaml", fixture_unknown },
};

START_TEST(test_fixture)
{
	char	*path;

	path = test_data_path(fixtures[_i].file);
	test_expect_errors(path, fixtures[_i].want);
	free(path);
}
END_TEST

/* The expansion bomb must be refused alias by alias, quickly and cheaply. */
START_TEST(test_billion_laughs)
{
	struct config_errors	 errs = { NULL, 0 };
	char			*path, want[256];
	size_t			 i, aliases = 0;

	path = test_data_path("billion-laughs.yaml");
	ck_assert_ptr_null(config_load(path, &errs));
	for (i = 0; i < errs.n; i++) {
		if (strstr(errs.msgs[i], ": yaml: aliases are not allowed"))
			aliases++;
	}
	ck_assert_uint_eq(aliases, 27);
	snprintf(want, sizeof want, "%s:3:8: yaml: aliases are not allowed",
	    path);
	ck_assert_str_eq(errs.msgs[4], want);
	config_errors_clear(&errs);
	free(path);
}
END_TEST

/* Small broken files and the one message each must give. */
static const struct {
	const char	*yaml;
	const char	*want;
} inline_cases[] = {
	{ EV PI "timing: {pitch: 5 min}\n",
	    "3:17: timing.pitch: \"5 min\" is not a duration" },
	{ EV PI "timing:\n  pitch: 0s\n",
	    "4:10: timing.pitch: must be at least 1s" },
	{ EV PI "timing:\n  warning: -5s\n",
	    "4:12: timing.warning: \"-5s\" is not a duration" },
	{ EV PI "timing:\n  grace: 8d\n",
	    "4:10: timing.grace: \"8d\" is not a duration" },
	{ EV PI "timing:\n  danger: 90s\n",
	    "4:11: timing.danger: danger (1m30s) must not be longer than "
	    "warning (1m)" },
	{ EV "pitches:\n  - {id: a, startup: A, warning: 10s}\n",
	    "3:34: pitches[0].warning: danger (15s) must not be longer than "
	    "warning (10s)" },
	{ EV "pitches:\n  - {id: a, startup: A, length: 0}\n",
	    "3:33: pitches[0].length: must be at least 1s" },
	{ EV PI "timing: {on_time_up: later}\n",
	    "3:22: timing.on_time_up: \"later\" is not one of none, message, "
	    "next, next_start" },
	{ EV PI "timing: {time_up_message: "
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxx}\n",
	    "3:27: timing.time_up_message: is 281 characters long, at most 280 "
	    "are allowed" },
	{ EV PI "timing: {time_up_message: [a]}\n",
	    "3:27: timing.time_up_message: expected a scalar, not a list" },
	{ EV PI "timing: {pitch: 5m, pitch: 4m}\n",
	    "3:21: timing.pitch: duplicate key (first at 3:17)" },
	{ EV PI "timing: [5m]\n",
	    "3:9: timing: expected a mapping, not a list" },
	{ "event: {title: T, date: 2026-13-01}\n" PI,
	    "1:25: event.date: \"2026-13-01\" is not a date (YYYY-MM-DD)" },
	{ "event: {title: T, date: 2027-02-29}\n" PI,
	    "1:25: event.date: \"2027-02-29\" is not a date (YYYY-MM-DD)" },
	{ "event: {title: T, date: 26-12-03}\n" PI,
	    "1:25: event.date: \"26-12-03\" is not a date (YYYY-MM-DD)" },
	{ "event: {title: T, date: 2026-12-3}\n" PI,
	    "1:25: event.date: \"2026-12-3\" is not a date (YYYY-MM-DD)" },
	{ "event: {title: T, date: 2026-12-03, timezone: ../../etc/passwd}\n" PI,
	    "1:47: event.timezone: \"../../etc/passwd\" is not a known "
	    "timezone" },
	{ "event: {title: T, date: 2026-12-03, timezone: Europe/../UTC}\n" PI,
	    "1:47: event.timezone: \"Europe/../UTC\" is not a known timezone" },
	{ "event: {title: T, date: 2026-12-03, timezone: /etc/localtime}\n" PI,
	    "1:47: event.timezone: \"/etc/localtime\" is not a known timezone" },
	{ "event: {title: T, date: 2026-12-03, timezone: Europe}\n" PI,
	    "1:47: event.timezone: \"Europe\" is not a known timezone" },
	{ "event: {title: T, date: 2026-12-03, timezone: zone.tab}\n" PI,
	    "1:47: event.timezone: \"zone.tab\" is not a known timezone" },
	{ "event: {title: T, date: 2026-12-03, language: EN}\n" PI,
	    "1:47: event.language: \"EN\" is not one of de, en" },
	{ "event: {title: [T], date: 2026-12-03}\n" PI,
	    "1:16: event.title: expected a scalar, not a list" },
	{ "event: {date: 2026-12-03}\n" PI,
	    "1:8: event.title: required key is missing" },
	{ "event:\n" PI,
	    "1:1: event.title: required key is missing\n"
	    "1:1: event.date: required key is missing" },
	{ PI,
	    "1:1: event: required key is missing" },
	{ EV "stages:\n  - {id: a, start: \"24:00\"}\n",
	    "3:20: stages[0].start: \"24:00\" is not a time of day (HH:MM)" },
	{ EV "stages:\n  - {id: a, start: \"14:60\"}\n",
	    "3:20: stages[0].start: \"14:60\" is not a time of day (HH:MM)" },
	{ EV "stages:\n  - {id: a, start: \"1400\"}\n",
	    "3:20: stages[0].start: \"1400\" is not a time of day (HH:MM)" },
	{ EV "stages:\n  - {id: a, start: \"9:5\"}\n",
	    "3:20: stages[0].start: \"9:5\" is not a time of day (HH:MM)" },
	{ EV "stages:\n  - {id: a_b}\n",
	    "3:10: stages[0].id: \"a_b\" is not a valid id (1 to 40 of a-z, 0-9 "
	    "and -)" },
	{ EV "stages:\n  - {id: \"\"}\n",
	    "3:10: stages[0].id: must not be empty" },
	{ EV "stages:\n  - {id: 01234567890123456789012345678901234567890}\n",
	    "3:10: stages[0].id: \"01234567890123456789012345678901234567890\" is "
	    "not a valid id (1 to 40 of a-z, 0-9 and -)" },
	{ EV "stages:\n  - {id: größe}\n",
	    "3:10: stages[0].id: \"größe\" is not a valid id (1 to 40 of a-z, 0-9 "
	    "and -)" },
	{ EV "stages:\n  - {id: a, pitches: [{id: a, startup: [A]}]}\n",
	    "3:40: stages[0].pitches[0].startup: expected a scalar, not a list" },
	{ EV "stages:\n  - {id: a, pitches: [{id: p, startup: \"\"}]}\n",
	    "3:40: stages[0].pitches[0].startup: must not be empty" },
	{ EV "stages:\n  - {id: a, pitches: [{id: p, startup: }]}\n",
	    "3:40: stages[0].pitches[0].startup: must not be empty" },
	{ EV "stages: []\n",
	    "2:9: stages: at least one stage is required" },
	{ EV "stages:\n",
	    "1:1: stages: required key is missing (or give a top-level pitches "
	    "list)" },
	{ EV "stages:\n  -\n",
	    "3:4: stages[0]: expected a mapping, not an empty value" },
	{ EV PI "attendees:\n  - {id: a, name: A, role: mayor}\n",
	    "4:28: attendees[0].role: \"mayor\" is not one of department_head, "
	    "staff, guest" },
	{ EV PI "attendees:\n  - {id: a, name: A, email: a b@x.example}\n",
	    "4:29: attendees[0].email: \"a b@x.example\" is not a mail address" },
	{ EV PI "attendees:\n  - {id: a, name: A, email: a@b@c}\n",
	    "4:29: attendees[0].email: \"a@b@c\" is not a mail address" },
	{ EV PI "attendees:\n  - {id: a}\n",
	    "4:5: attendees[0].name: required key is missing" },
	{ EV PI "attendees: {id: a}\n",
	    "3:12: attendees: expected a list, not a mapping" },
	{ EV PI "server: {listen: 127.0.0.1}\n",
	    "3:18: server.listen: \"127.0.0.1\" is not host:port (an IPv4 "
	    "address or localhost, and a port 0-65535)" },
	{ EV PI "server: {listen: \"example.com:80\"}\n",
	    "3:18: server.listen: \"example.com:80\" is not host:port (an IPv4 "
	    "address or localhost, and a port 0-65535)" },
	{ EV PI "server: {listen: \"127.0.0.1:65536\"}\n",
	    "3:18: server.listen: \"127.0.0.1:65536\" is not host:port (an IPv4 "
	    "address or localhost, and a port 0-65535)" },
	{ EV PI "server: {listen: \":8080\"}\n",
	    "3:18: server.listen: \":8080\" is not host:port (an IPv4 address or "
	    "localhost, and a port 0-65535)" },
	{ EV PI "server: {listen: \"localhost:-1\"}\n",
	    "3:18: server.listen: \"localhost:-1\" is not host:port (an IPv4 "
	    "address or localhost, and a port 0-65535)" },
	{ EV PI "server: {listen: \"127.1:80\"}\n",
	    "3:18: server.listen: \"127.1:80\" is not host:port (an IPv4 "
	    "address or localhost, and a port 0-65535)" },
	{ EV PI "server: {max_connections: 1000001}\n",
	    "3:27: server.max_connections: \"1000001\" is not a whole number "
	    "from 1 to 1000000" },
	{ EV PI "server: {max_connections: -1}\n",
	    "3:27: server.max_connections: \"-1\" is not a whole number from 1 "
	    "to 1000000" },
	{ EV PI "server: {max_connections: 1e3}\n",
	    "3:27: server.max_connections: \"1e3\" is not a whole number from 1 "
	    "to 1000000" },
	{ EV PI "server: {max_connections: 99999999999999999999}\n",
	    "3:27: server.max_connections: \"99999999999999999999\" is not a "
	    "whole number from 1 to 1000000" },
	{ EV PI "server: {database: \"\"}\n",
	    "3:20: server.database: must not be empty" },
	{ EV PI "<<: {x: 1}\n",
	    "3:1: <<: unknown key" },
	{ EV PI "? [a, b]\n: c\n",
	    "3:3: -: keys must be scalars, not a list" },
	{ EV PI "\"we\\tird\\\"key\": 1\n",
	    "3:1: we\\x09ird\\\"key: unknown key" },
	{ "hello\n",
	    "1:1: -: expected a mapping at the top, not a scalar" },
	{ "- a\n- b\n",
	    "1:1: -: expected a mapping at the top, not a list" },
	{ "---\n",
	    "2:1: -: expected a mapping at the top, not a scalar" },
	{ "",
	    "1:1: -: the file is empty" },
	{ "# nothing here\n",
	    "1:1: -: the file is empty" },
	{ EV PI "---\nevent: {}\n",
	    "3:1: yaml: only one YAML document is allowed" },
	{ "event: &e {title: T, date: 2026-12-03}\nother: *e\n" PI,
	    "2:1: other: unknown key\n"
	    "2:8: yaml: aliases are not allowed" },
	{ "event: {title: \"a\\0b\", date: 2026-12-03}\n" PI,
	    "1:16: event.title: contains a NUL character" },
	{ "event: {title: \"\\uD800\", date: 2026-12-03}\n" PI,
	    "1:19: yaml: found invalid Unicode character escape code (while "
	    "parsing a quoted scalar at 1:16)" },
	{ "event:\n\ttitle: T\n",
	    "2:1: yaml: found character that cannot start any token (while "
	    "scanning for the next token at 2:1)" },
	{ EV PI "x: \"unterminated\n",
	    "4:1: yaml: found unexpected end of stream (while scanning a quoted "
	    "scalar at 3:4)" },
};

START_TEST(test_inline)
{
	const char	*want[8];
	char		*path, *copy, *line, *save = NULL;
	size_t		 n = 0;

	/* Several expected messages are separated by newlines. */
	copy = strdup(inline_cases[_i].want);
	ck_assert_ptr_nonnull(copy);
	for (line = strtok_r(copy, "\n", &save); line != NULL && n < 7;
	    line = strtok_r(NULL, "\n", &save))
		want[n++] = line;
	want[n] = NULL;

	path = test_write(inline_cases[_i].yaml);
	test_expect_errors(path, want);
	test_unlink(path);
	free(copy);
}
END_TEST

START_TEST(test_invalid_utf8)
{
	static const char *const want[] = {
		"2:10: yaml: invalid leading UTF-8 octet (0xff)",
		NULL
	};
	char	*path;

	path = test_write_bytes("event:\n  title: \xff\n", 17);
	test_expect_errors(path, want);
	test_unlink(path);
}
END_TEST

START_TEST(test_missing_file)
{
	static const char *const want_missing[] = {
		"1:1: -: cannot open: No such file or directory",
		NULL
	};
	static const char *const want_dir[] = {
		"1:1: -: not a regular file",
		NULL
	};

	test_expect_errors("/nonexistent/takt.yaml", want_missing);
	test_expect_errors("/tmp", want_dir);
}
END_TEST

/* A file of exactly 4 MiB loads; one byte more is refused before parsing. */
START_TEST(test_size_limit)
{
	static const char *const want[] = {
		"1:1: -: the file is larger than 4 MiB",
		NULL
	};
	const size_t	 limit = 4 * 1024 * 1024;
	const char	*head = EV PI;
	struct config	*cfg;
	char		*buf, *path;
	size_t		 i;

	buf = malloc(limit + 2);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, head, strlen(head));
	for (i = strlen(head); i < limit; i++)
		buf[i] = (i % 64 == 63) ? '\n' : '#';
	buf[limit - 1] = '\n';

	path = test_write_bytes(buf, limit);
	cfg = test_expect_ok(path);
	config_free(cfg);
	test_unlink(path);

	buf[limit] = '\n';
	path = test_write_bytes(buf, limit + 1);
	test_expect_errors(path, want);
	test_unlink(path);
	free(buf);
}
END_TEST

/* Deep nesting is an error at level 65, however deep the file goes. */
START_TEST(test_nesting_limit)
{
	static const char *const want_deep[] = {
		"1:65: yaml: nested deeper than 64 levels",
		NULL
	};
	static const char *const want_ok[] = {
		"1:1: x: unknown key",
		"1:1: event: required key is missing",
		"1:1: stages: required key is missing (or give a top-level "
		    "pitches list)",
		NULL
	};
	const size_t	 depth = 100000;
	char		*buf, *path;
	size_t		 i;

	buf = malloc(2 * depth + 8);
	ck_assert_ptr_nonnull(buf);

	/* The root mapping is level 1, so 63 lists below it are allowed. */
	memcpy(buf, "x: ", 3);
	for (i = 0; i < 63; i++)
		buf[3 + i] = '[';
	for (i = 0; i < 63; i++)
		buf[66 + i] = ']';
	memcpy(buf + 129, "\n", 2);
	path = test_write(buf);
	test_expect_errors(path, want_ok);
	test_unlink(path);

	memcpy(buf, "x: ", 3);
	for (i = 0; i < 64; i++)
		buf[3 + i] = '[';
	for (i = 0; i < 64; i++)
		buf[67 + i] = ']';
	memcpy(buf + 131, "\n", 2);
	path = test_write(buf);
	{
		static const char *const want_65[] = {
			"1:67: yaml: nested deeper than 64 levels",
			NULL
		};
		test_expect_errors(path, want_65);
	}
	test_unlink(path);

	for (i = 0; i < depth; i++)
		buf[i] = '[';
	for (i = 0; i < depth; i++)
		buf[depth + i] = ']';
	buf[2 * depth] = '\0';
	path = test_write(buf);
	test_expect_errors(path, want_deep);
	test_unlink(path);
	free(buf);
}
END_TEST

/* A hopeless file gives the first 100 errors and says how many more. */
START_TEST(test_too_many_errors)
{
	struct config_errors	 errs = { NULL, 0 };
	char			*text = NULL, *path, *tail;
	size_t			 i, len = 0;
	FILE			*f;

	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	fputs(EV PI, f);
	for (i = 0; i < 150; i++)
		fprintf(f, "k%zu: 1\n", i);
	fclose(f);

	path = test_write(text);
	ck_assert_ptr_null(config_load(path, &errs));
	ck_assert_uint_eq(errs.n, 101);
	tail = strchr(errs.msgs[100], ':');
	ck_assert_ptr_nonnull(tail);
	ck_assert_str_eq(tail, ":103:1: -: too many errors, 50 more not shown");
	tail = strchr(errs.msgs[0], ':');
	ck_assert_str_eq(tail, ":3:1: k0: unknown key");
	config_errors_clear(&errs);
	test_unlink(path);
	free(text);
}
END_TEST

/* Loading into errors that already hold messages appends to them. */
START_TEST(test_errors_accumulate)
{
	struct config_errors	 errs = { NULL, 0 };
	char			*path;

	path = test_write("hello\n");
	ck_assert_ptr_null(config_load(path, &errs));
	ck_assert_ptr_null(config_load(path, &errs));
	ck_assert_uint_eq(errs.n, 2);
	config_errors_clear(&errs);
	config_errors_clear(&errs);
	config_errors_clear(NULL);
	/* A caller that only wants to know whether it loads may pass NULL. */
	ck_assert_ptr_null(config_load(path, NULL));
	config_free(NULL);
	test_unlink(path);
}
END_TEST

/* Builds the suite: one test case per kind of check. */
static Suite *
test_config_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("config");

	tc = tcase_create("duration");
	tcase_add_loop_test(tc, test_duration_good, 0,
	    sizeof duration_good / sizeof duration_good[0]);
	tcase_add_loop_test(tc, test_duration_bad, 0,
	    sizeof duration_bad / sizeof duration_bad[0]);
	tcase_add_test(tc, test_duration_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("time");
	tcase_add_loop_test(tc, test_local_good, 0,
	    sizeof local_good / sizeof local_good[0]);
	tcase_add_loop_test(tc, test_local_bad, 0,
	    sizeof local_bad / sizeof local_bad[0]);
	tcase_add_test(tc, test_local_restores_tz);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_test(tc, test_example_config);
	tcase_add_test(tc, test_two_stages_config);
	tcase_add_test(tc, test_top_level_pitches);
	tcase_add_test(tc, test_overrides);
	tcase_add_test(tc, test_valid_values);
	tcase_add_test(tc, test_defaults);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_fixture, 0,
	    sizeof fixtures / sizeof fixtures[0]);
	tcase_add_loop_test(tc, test_inline, 0,
	    sizeof inline_cases / sizeof inline_cases[0]);
	tcase_add_test(tc, test_billion_laughs);
	tcase_add_test(tc, test_invalid_utf8);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_size_limit);
	tcase_add_test(tc, test_nesting_limit);
	tcase_add_test(tc, test_too_many_errors);
	tcase_add_test(tc, test_errors_accumulate);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(test_config_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
