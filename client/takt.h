/*
 * takt.h — the terminal client of taktd (SPEC §7): shared types, the
 * command table and the helpers every command uses.
 */
#ifndef TAKT_H
#define TAKT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

/* Exit codes of SPEC §7. */
#define TAKT_EXIT_OK		0
#define TAKT_EXIT_REFUSED	1	/* the server said no */
#define TAKT_EXIT_USAGE		2
#define TAKT_EXIT_UNREACHABLE	3

struct http_client;

/* What the global options and the environment decided. */
struct takt_env {
	const char		*server;
	char			*token;
	char			*stage;		/* NULL until resolved */
	bool			 stage_given;	/* --stage or TAKT_STAGE */
	bool			 json;
	struct http_client	*http;
	json_t			*event;	/* GET /api/v1/event, when fetched */
};

/* One command: its name, what it needs and who runs it. */
struct takt_cmd {
	const char	*name;
	bool		 needs_stage;
	bool		 needs_token;
	int		(*handler)(struct takt_env *, int, char **);
	const char	*usage;
	const char	*help;
};

extern const struct takt_cmd	takt_cmds[];
extern const char		*takt_progname;

void	takt_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
int	takt_usage_error(const struct takt_cmd *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
const struct takt_cmd *takt_cmd_find(const char *);
int	takt_cmd_help(const char *);
struct http_reply;
int	takt_reply_code(const struct http_reply *);
int	takt_get_json(struct takt_env *, const char *, json_t **);
int	takt_send_json(struct takt_env *, const char *, const char *, json_t *,
	    json_t **);
int	takt_print_json(const json_t *);
int	takt_event_timezone(const json_t *);
int	takt_event(struct takt_env *);
char	*takt_stage_path(const struct takt_env *, const char *);

/* Handlers, one file per group of commands. */
int	cmd_status(struct takt_env *, int, char **);
int	cmd_agenda(struct takt_env *, int, char **);
int	cmd_watch(struct takt_env *, int, char **);
int	cmd_console(struct takt_env *, int, char **);
int	cmd_action(struct takt_env *, int, char **);
int	cmd_message(struct takt_env *, int, char **);
int	cmd_blackout(struct takt_env *, int, char **);
int	cmd_presence(struct takt_env *, int, char **);
int	cmd_interest(struct takt_env *, int, char **);
int	cmd_report(struct takt_env *, int, char **);
int	cmd_reload(struct takt_env *, int, char **);

#endif
