/*
 * cmd_admin.c — the organiser's commands: report and reload.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "http.h"
#include "takt.h"

/* Writes len bytes to path (or stdout for NULL or "-"). */
static int
cmd_admin_write(const char *path, const char *buf, size_t len)
{
	FILE	*f = stdout;

	if (path != NULL && strcmp(path, "-") != 0 &&
	    (f = fopen(path, "w")) == NULL) {
		takt_warnx("%s: %s", path, strerror(errno));
		return TAKT_EXIT_USAGE;
	}
	if (fwrite(buf, 1, len, f) != len || fflush(f) != 0) {
		takt_warnx("%s: %s", f == stdout ? "stdout" : path,
		    strerror(errno));
		if (f != stdout)
			fclose(f);
		return TAKT_EXIT_REFUSED;
	}
	if (f != stdout && fclose(f) != 0) {
		takt_warnx("%s: %s", path, strerror(errno));
		return TAKT_EXIT_REFUSED;
	}
	return TAKT_EXIT_OK;
}

/* report NAME [--format json|csv|html] [-o FILE] */
int
cmd_report(struct takt_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	const struct takt_cmd	*cmd = takt_cmd_find("report");
	const char		*format = "json", *out = NULL, *name;
	struct http_reply	 r;
	char			 path[256];
	int			 ch, code;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "f:o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return takt_usage_error(cmd, "unknown or incomplete "
			    "option \"%s\"", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return takt_usage_error(cmd, "needs one report name (timing, "
		    "attendance, interest, followups)");
	name = argv[optind];
	if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
	    strcmp(format, "html") != 0)
		return takt_usage_error(cmd, "--format is json, csv or html");
	if (strspn(name, "abcdefghijklmnopqrstuvwxyz_") != strlen(name) ||
	    *name == '\0' || strlen(name) > 64)
		return takt_usage_error(cmd, "\"%s\" is not a report name", name);
	snprintf(path, sizeof path, "/api/v1/reports/%s.%s", name, format);
	http_call(env->http, EVHTTP_REQ_GET, path, NULL, &r);
	/* A refused report leaves no file behind. */
	if ((code = takt_reply_code(&r)) == TAKT_EXIT_OK)
		code = cmd_admin_write(out, r.body, r.len);
	http_reply_clear(&r);
	return code;
}

/* Prints one section ("pitches", "attendees") of a reload summary. */
static void
cmd_admin_summary(const char *what, const json_t *section)
{
	const char	*key;
	json_t		*list, *id;
	size_t		 i;

	json_object_foreach((json_t *)section, key, list) {
		printf("%s %s:", what, key);
		json_array_foreach(list, i, id)
			printf(" %s", json_string_value(id) != NULL ?
			    json_string_value(id) : "?");
		putchar('\n');
	}
}

/* reload: prints what changed, or every config error the daemon found. */
int
cmd_reload(struct takt_env *env, int argc, char **argv)
{
	struct http_reply	 r;
	const char		*key;
	json_t			*changes, *sec, *err;
	size_t			 i;
	int			 code;

	if (argc > 1)
		return takt_usage_error(takt_cmd_find("reload"),
		    "unexpected argument \"%s\"", argv[1]);
	http_call(env->http, EVHTTP_REQ_POST, "/api/v1/reload", NULL, &r);
	code = takt_reply_code(&r);
	if (code == TAKT_EXIT_REFUSED) {
		/* The first error was the message; the rest follow it. */
		err = json_object_get(json_object_get(r.json, "error"), "errors");
		json_array_foreach(err, i, sec)
			if (i > 0 && json_string_value(sec) != NULL)
				fprintf(stderr, "%s\n", json_string_value(sec));
	} else if (code == TAKT_EXIT_OK && env->json && r.json != NULL)
		takt_print_json(r.json);
	else if (code == TAKT_EXIT_OK) {
		printf("reloaded\n");
		changes = json_object_get(r.json, "changes");
		json_object_foreach(changes, key, sec)
			cmd_admin_summary(key, sec);
	}
	http_reply_clear(&r);
	return code;
}
