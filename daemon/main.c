/*
 * main.c — taktd: argument handling, start-up, signals and shutdown.
 */
#include <sys/resource.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "api.h"
#include "clock.h"
#include "fanout.h"
#include "http.h"
#include "log.h"
#include "sse.h"
#include "stage.h"
#include "store.h"
#include "taktd.h"
#include "tokens.h"
#include "writer.h"

#define TAKTD_FD_RESERVE	64	/* database, log, listener, ... */

static struct taktd	 taktd_env;
struct taktd		*env = &taktd_env;

/* Prints usage and exits 2. */
static void __attribute__((noreturn))
taktd_usage(void)
{
	fprintf(stderr,
	    "usage: taktd --config FILE [--listen HOST:PORT] [--commit-per-request]\n"
	    "       taktd --check-config FILE\n"
	    "       taktd --config FILE --issue-tokens [organiser|moderator|ATTENDEE...]\n");
	exit(2);
}

/* Finds a stage by id. */
struct stage *
taktd_stage_find(const char *id)
{
	size_t	i;

	for (i = 0; i < env->nstages; i++)
		if (strcmp(env->stages[i].id, id) == 0)
			return &env->stages[i];
	return NULL;
}

/* Loads a config, printing every error; NULL on failure. */
static struct config *
taktd_load_config(const char *path)
{
	struct config_errors	 errs = { NULL, 0 };
	struct config		*cfg = config_load(path, &errs);
	size_t			 i;

	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	config_errors_clear(&errs);
	return cfg;
}

/* True if both configs have the same stage ids in the same order. */
static bool
taktd_same_stages(const struct config *a, const struct config *b)
{
	size_t	i;

	if (a->nstages != b->nstages)
		return false;
	for (i = 0; i < a->nstages; i++)
		if (strcmp(a->stages[i].id, b->stages[i].id) != 0)
			return false;
	return true;
}

/* Adds one message to a config_errors list. */
static void
taktd_error_add(struct config_errors *errs, const char *msg)
{
	char	**n = realloc(errs->msgs, (errs->n + 1) * sizeof *n);

	if (n == NULL)
		return;
	errs->msgs = n;
	if ((errs->msgs[errs->n] = strdup(msg)) != NULL)
		errs->n++;
}

/*
 * Re-reads the config (SIGHUP, POST /api/v1/reload). The running timer is
 * untouched; the agenda and attendees follow the file; on any error the old
 * config stays in force.
 */
int
taktd_reload(struct config_errors *errs, json_t **summary)
{
	struct config	*cfg = config_load(env->config_path, errs);

	if (cfg == NULL)
		return -1;
	if (!taktd_same_stages(cfg, env->cfg)) {
		taktd_error_add(errs, "stages cannot be added, removed or "
		    "reordered by a reload; restart taktd");
		config_free(cfg);
		return -1;
	}
	/* The listen address and database of a running daemon stay. */
	if (store_sync_config(env->store, cfg, summary) == -1) {
		taktd_error_add(errs, "the database could not be updated");
		config_free(cfg);
		return -1;
	}
	free(cfg->listen);
	cfg->listen = env->cfg->listen;
	env->cfg->listen = NULL;
	config_free(env->cfg);
	env->cfg = cfg;
	store_tokens_load(env->store, &env->auth);
	if (stage_reload_all() == -1)
		log_warnx("reload: a stage could not be reloaded");
	log_info("reloaded %s", env->config_path);
	return 0;
}

/* SIGHUP: reload, logging the outcome. */
static void
taktd_sighup(evutil_socket_t sig, short what, void *arg)
{
	struct config_errors	errs = { NULL, 0 };
	json_t			*summary = NULL;
	size_t			i;

	(void)sig;
	(void)what;
	(void)arg;
	if (taktd_reload(&errs, &summary) == -1) {
		for (i = 0; i < errs.n; i++)
			log_warnx("reload: %s", errs.msgs[i]);
		log_warnx("reload refused; the old configuration stays");
	}
	config_errors_clear(&errs);
	json_decref(summary);
}

/* SIGTERM/SIGINT: stop accepting, tell the streams, leave the loop shortly. */
static void
taktd_sigterm(evutil_socket_t sig, short what, void *arg)
{
	struct timeval	tv = { 0, 300000 };

	(void)what;
	(void)arg;
	if (env->stopping)
		return;
	env->stopping = true;
	log_info("signal %d: shutting down", (int)sig);
	http_stop_listening();
	sse_close_all("shutdown");
	/* Give the kernel a moment to take the final events. */
	event_base_loopexit(env->base, &tv);
}

/* Every SSE_HEARTBEAT_S: a comment on every stream. */
static void
taktd_heartbeat(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	sse_heartbeat();
}

/* Raises the open-file limit to what max_connections needs. */
static void
taktd_raise_nofile(int max_connections)
{
	struct rlimit	rl;
	rlim_t		want = (rlim_t)max_connections + TAKTD_FD_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur >= want)
		return;
	if (rl.rlim_max < want) {
		struct rlimit hard = { want, want };

		if (setrlimit(RLIMIT_NOFILE, &hard) == 0)
			return;
		rl.rlim_cur = rl.rlim_max;
	} else
		rl.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur < want)
		log_warnx("open-file limit %llu is below the %llu that "
		    "max_connections %d needs", (unsigned long long)rl.rlim_cur,
		    (unsigned long long)want, max_connections);
}

/* Opens the store and brings it in line with the config. */
static int
taktd_open_store(bool *created)
{
	char	*err = NULL;

	env->store = store_open(env->cfg->database, created, &err);
	if (env->store == NULL) {
		fprintf(stderr, "taktd: %s\n", err != NULL ? err : "cannot open the database");
		free(err);
		return -1;
	}
	if (store_sync_config(env->store, env->cfg, NULL) == -1) {
		fprintf(stderr, "taktd: cannot sync the database with the config: %s\n",
		    store_error(env->store));
		return -1;
	}
	return 0;
}

/* --issue-tokens: prints fresh tokens and exits. */
static int
taktd_issue_tokens(char *const *who, size_t n)
{
	char	err[256];
	bool	created;

	if (taktd_open_store(&created) == -1)
		return 1;
	if (tokens_issue(env->store, env->cfg, who, n, stdout, err, sizeof err) == -1) {
		fprintf(stderr, "taktd: %s\n", err);
		return 1;
	}
	fflush(stdout);
	return 0;
}

/* Runs the daemon until a signal stops it. */
static int
taktd_serve(const char *listen, bool group_commit)
{
	struct event_config	*ecfg;
	struct event		*sig_term, *sig_int, *sig_hup, *beat;
	struct timeval		 beat_tv = { SSE_HEARTBEAT_S, 0 };
	bool			 created;
	int			 port;
	char			 host[256], *colon;

	if (taktd_open_store(&created) == -1)
		return 1;
	if (created) {
		char path[4096];

		snprintf(path, sizeof path, "%s.tokens", env->cfg->database);
		if (tokens_issue_file(env->store, env->cfg, path) == -1) {
			fprintf(stderr, "taktd: cannot write %s\n", path);
			return 1;
		}
		log_info("new database: tokens written to %s", path);
	}
	store_tokens_changed(env->store);
	if (store_tokens_load(env->store, &env->auth) == -1)
		return 1;
	taktd_raise_nofile(env->cfg->max_connections);
	signal(SIGPIPE, SIG_IGN);

	ecfg = event_config_new();
	event_config_set_flag(ecfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	/*
	 * evhttp turns a connection's read and write interest off and on
	 * twice per request; the changelist folds the changes made in one
	 * loop turn into at most one epoll_ctl (4 -> 2 per request). We
	 * never dup() a socket, the one case where the changelist is unsafe.
	 */
	event_config_set_flag(ecfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	env->base = event_base_new_with_config(ecfg);
	event_config_free(ecfg);
	if (env->base == NULL)
		fatalx("cannot create the event loop");
	if (stage_init_all() == -1)
		fatalx("cannot load the stages from the database");
	if (writer_start(env->base, env->cfg->database, group_commit) == -1)
		fatalx("cannot start the writer thread");
	if (fanout_start() == -1)
		log_warnx("no fan-out thread: streams are written by the loop alone");
	if (http_start(listen, api_routes, api_nroutes, &port) == -1)
		return 1;
	sig_term = evsignal_new(env->base, SIGTERM, taktd_sigterm, NULL);
	sig_int = evsignal_new(env->base, SIGINT, taktd_sigterm, NULL);
	sig_hup = evsignal_new(env->base, SIGHUP, taktd_sighup, NULL);
	beat = event_new(env->base, -1, EV_PERSIST, taktd_heartbeat, NULL);
	evsignal_add(sig_term, NULL);
	evsignal_add(sig_int, NULL);
	evsignal_add(sig_hup, NULL);
	evtimer_add(beat, &beat_tv);

	snprintf(host, sizeof host, "%s", listen);
	if ((colon = strrchr(host, ':')) != NULL)
		*colon = '\0';
	log_info("listening on http://%s:%d", host, port);

	event_base_dispatch(env->base);

	/* Queued writes are finished and answered before anything is freed. */
	writer_stop();
	fanout_stop();
	stage_free_all();
	http_free();
	event_free(sig_term);
	event_free(sig_int);
	event_free(sig_hup);
	event_free(beat);
	event_base_free(env->base);
	log_info("stopped");
	return 0;
}

/* Parses arguments and runs the requested mode. */
int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config",		required_argument, NULL, 'c' },
		{ "listen",		required_argument, NULL, 'l' },
		{ "check-config",	required_argument, NULL, 'C' },
		{ "issue-tokens",	no_argument,	   NULL, 'i' },
		{ "commit-per-request",	no_argument,	   NULL, 'P' },
		{ "help",		no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*config = NULL, *listen = NULL, *check = NULL;
	bool		 issue = false, group_commit = true;
	int		 ch, rc;

	setvbuf(stderr, NULL, _IOLBF, 0);
	while ((ch = getopt_long(argc, argv, "c:l:C:ih", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'l': listen = optarg; break;
		case 'C': check = optarg; break;
		case 'i': issue = true; break;
		case 'P': group_commit = false; break;
		default: taktd_usage();
		}
	}
	clock_init();
	if (check != NULL) {
		struct config *cfg = taktd_load_config(check);

		if (cfg == NULL)
			return 1;
		printf("%s: ok (%zu stages, %zu attendees)\n", check, cfg->nstages,
		    cfg->nattendees);
		config_free(cfg);
		return 0;
	}
	if (config == NULL || (!issue && optind != argc))
		taktd_usage();
	if ((env->cfg = taktd_load_config(config)) == NULL)
		return 1;
	if ((env->config_path = strdup(config)) == NULL)
		return 1;
	env->started_ms = clock_now_ms();
	if (issue)
		rc = taktd_issue_tokens(argv + optind, (size_t)(argc - optind));
	else
		rc = taktd_serve(listen != NULL ? listen : env->cfg->listen,
		    group_commit);
	store_close(env->store);
	auth_table_clear(&env->auth);
	config_free(env->cfg);
	free(env->config_path);
	return rc;
}
