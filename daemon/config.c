/*
 * config.c — reads and validates the event configuration (SPEC §1).
 *
 * The YAML is first turned into a small tree of our own, built from libyaml
 * events, because the event stream is the only place where aliases and the
 * nesting depth can be refused before they cost anything, and it keeps the
 * start mark of every node for the error messages. The tree is then walked
 * once, key by key, into a struct config; every problem found on the way is
 * collected, so a user sees all of them at once, sorted by position.
 */

#define _GNU_SOURCE		/* vasprintf */

#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <yaml.h>

#include "config.h"
#include "tz.h"

#define CONFIG_MAX_SIZE		(4 * 1024 * 1024)
#define CONFIG_MAX_DEPTH	64
#define CONFIG_MAX_ERRORS	100	/* shown; more are only counted */
#define CONFIG_KEEP_ERRORS	1000	/* kept for sorting */
#define CONFIG_MAX_MESSAGE	280	/* code points in time_up_message */
#define CONFIG_MAX_SLUG		40
#define CONFIG_MAX_KEYS		16
#define CONFIG_QUOTE_CHARS	48	/* code points of a value shown in errors */
#define CONFIG_PATH_SIZE	256
#define CONFIG_ZONEINFO		"/usr/share/zoneinfo"

#define CONFIG_DEFAULT_TIMEZONE	"Europe/Berlin"
#define CONFIG_DEFAULT_LANGUAGE	"de"
#define CONFIG_DEFAULT_LISTEN	"127.0.0.1:8080"
#define CONFIG_DEFAULT_DATABASE	"takt.db"
#define CONFIG_DEFAULT_STAGE	"main"
#define CONFIG_DEFAULT_START	(9 * 60)
#define CONFIG_DEFAULT_MAXCONN	20000

enum cnode_type {
	CNODE_SCALAR,
	CNODE_SEQUENCE,
	CNODE_MAPPING,
	CNODE_INVALID,		/* an alias, already reported */
};

/* One YAML node; a mapping keeps keys and values alternating in kids. */
struct cnode {
	enum cnode_type	  type;
	size_t		  line;		/* 1-based */
	size_t		  column;	/* 1-based */
	char		 *value;	/* scalars only, NUL-terminated */
	size_t		  len;
	int		  plain;	/* unquoted scalar: may mean null */
	struct cnode	**kids;
	size_t		  nkids;
	size_t		  kidsalloc;
};

struct config_error {
	size_t		 line;
	size_t		 column;
	size_t		 seq;
	char		*msg;		/* "key: message" */
};

struct config_loader {
	const char		*path;
	struct config_error	*errors;
	size_t			 nerrors;
	size_t			 errorsalloc;
	size_t			 total;
};

/* The keys of one mapping and what was found for each. */
struct config_map {
	char			 path[CONFIG_PATH_SIZE];
	const struct cnode	*node;
	const char *const	*keys;
	const struct cnode	*where;	/* where a missing key is reported */
	const struct cnode	*values[CONFIG_MAX_KEYS];
	const struct cnode	*keynodes[CONFIG_MAX_KEYS];
	int			 bad;	/* not a mapping: nothing to look at */
};

/* An id with where it was written, for the uniqueness checks. */
struct config_idref {
	const char	*id;
	size_t		 line;
	size_t		 column;
	char		*path;
};

struct config_ids {
	struct config_idref	*refs;
	size_t			 n;
	size_t			 alloc;
};

static const char *const config_root_keys[] = {
	"event", "timing", "stages", "pitches", "attendees", "server", NULL
};
static const char *const config_event_keys[] = {
	"title", "venue", "date", "timezone", "language", NULL
};
static const char *const config_timing_keys[] = {
	"pitch", "changeover", "warning", "danger", "grace", "on_time_up",
	"time_up_message", NULL
};
static const char *const config_stage_keys[] = {
	"id", "name", "start", "pitches", NULL
};
static const char *const config_pitch_keys[] = {
	"id", "startup", "presenter", "title", "contact", "length",
	"changeover", "warning", "danger", "grace", "on_time_up",
	"time_up_message", NULL
};
static const char *const config_attendee_keys[] = {
	"id", "name", "department", "role", "email", NULL
};
static const char *const config_server_keys[] = {
	"listen", "database", "max_connections", NULL
};

static const char *const config_time_up_names[] = {
	"none", "message", "next", "next_start", NULL
};
static const char *const config_role_names[] = {
	"department_head", "staff", "guest", NULL
};
static const char *const config_language_names[] = {
	"de", "en", NULL
};

/* Running out of memory while reading a config leaves nothing sensible to do. */
static void *
config_xmalloc(size_t size)
{
	void	*p;

	if ((p = malloc(size == 0 ? 1 : size)) == NULL) {
		fprintf(stderr, "config: out of memory\n");
		abort();
	}
	return (p);
}

/* Allocates zeroed memory for n elements, aborting like config_xmalloc. */
static void *
config_xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL) {
		fprintf(stderr, "config: out of memory\n");
		abort();
	}
	return (p);
}

/* Grows an array, aborting like config_xmalloc. */
static void *
config_xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		fprintf(stderr, "config: allocation too large\n");
		abort();
	}
	if ((p = realloc(p, n * size == 0 ? 1 : n * size)) == NULL) {
		fprintf(stderr, "config: out of memory\n");
		abort();
	}
	return (p);
}

/* Copies a string, aborting like config_xmalloc. */
static char *
config_xstrdup(const char *s)
{
	size_t	 len = strlen(s);
	char	*p;

	p = config_xmalloc(len + 1);
	memcpy(p, s, len + 1);
	return (p);
}

/* Formats into a new string, aborting like config_xmalloc. */
static char * __attribute__((format(printf, 1, 0)))
config_xvasprintf(const char *fmt, va_list ap)
{
	char	*s;

	if (vasprintf(&s, fmt, ap) == -1) {
		fprintf(stderr, "config: out of memory\n");
		abort();
	}
	return (s);
}

/* Formats into a new string, aborting like config_xmalloc. */
static char * __attribute__((format(printf, 1, 2)))
config_xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = config_xvasprintf(fmt, ap);
	va_end(ap);
	return (s);
}

/* Records one error; positions are kept so the list can be sorted later. */
static void __attribute__((format(printf, 5, 0)))
config_verror(struct config_loader *ld, size_t line, size_t column,
    const char *key, const char *fmt, va_list ap)
{
	struct config_error	*e;
	char			*msg;

	ld->total++;
	/* Past this point a file is hopeless; only count what else is wrong. */
	if (ld->nerrors == CONFIG_KEEP_ERRORS)
		return;
	if (ld->nerrors == ld->errorsalloc) {
		ld->errorsalloc = ld->errorsalloc == 0 ? 16 :
		    ld->errorsalloc * 2;
		ld->errors = config_xreallocarray(ld->errors, ld->errorsalloc,
		    sizeof *ld->errors);
	}
	msg = config_xvasprintf(fmt, ap);
	e = &ld->errors[ld->nerrors++];
	e->line = line;
	e->column = column;
	e->seq = ld->total;
	e->msg = config_xasprintf("%s: %s", key, msg);
	free(msg);
}

/* Records an error at an explicit position. */
static void __attribute__((format(printf, 5, 6)))
config_error_at(struct config_loader *ld, size_t line, size_t column,
    const char *key, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	config_verror(ld, line, column, key, fmt, ap);
	va_end(ap);
}

/* Records an error at the start of a node. */
static void __attribute__((format(printf, 4, 5)))
config_error(struct config_loader *ld, const struct cnode *n, const char *key,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	config_verror(ld, n->line, n->column, key, fmt, ap);
	va_end(ap);
}

/* Orders errors by position, then by the order they were found. */
static int
config_error_cmp(const void *a, const void *b)
{
	const struct config_error	*ea = a, *eb = b;

	if (ea->line != eb->line)
		return (ea->line < eb->line ? -1 : 1);
	if (ea->column != eb->column)
		return (ea->column < eb->column ? -1 : 1);
	if (ea->seq != eb->seq)
		return (ea->seq < eb->seq ? -1 : 1);
	return (0);
}

/* Appends one finished message to the caller's list. */
static void
config_errors_push(struct config_errors *errs, char *msg)
{
	if (errs == NULL) {
		free(msg);
		return;
	}
	errs->msgs = config_xreallocarray(errs->msgs, errs->n + 1,
	    sizeof *errs->msgs);
	errs->msgs[errs->n++] = msg;
}

/* Hands the collected errors, sorted and prefixed with the path, to errs. */
static void
config_errors_flush(struct config_loader *ld, struct config_errors *errs)
{
	struct config_error	*e;
	size_t			 i, shown;

	if (ld->nerrors > 1) {
		qsort(ld->errors, ld->nerrors, sizeof *ld->errors,
		    config_error_cmp);
	}
	shown = ld->nerrors < CONFIG_MAX_ERRORS ? ld->nerrors :
	    CONFIG_MAX_ERRORS;
	for (i = 0; i < shown; i++) {
		e = &ld->errors[i];
		config_errors_push(errs, config_xasprintf("%s:%zu:%zu: %s",
		    ld->path, e->line, e->column, e->msg));
	}
	if (ld->total > shown) {
		e = &ld->errors[shown];
		config_errors_push(errs, config_xasprintf(
		    "%s:%zu:%zu: -: too many errors, %zu more not shown",
		    ld->path, e->line, e->column, ld->total - shown));
	}
	for (i = 0; i < ld->nerrors; i++)
		free(ld->errors[i].msg);
	free(ld->errors);
	ld->errors = NULL;
	ld->nerrors = ld->errorsalloc = 0;
}

/* Frees the messages in errs and empties it. */
void
config_errors_clear(struct config_errors *errs)
{
	size_t	i;

	if (errs == NULL)
		return;
	for (i = 0; i < errs->n; i++)
		free(errs->msgs[i]);
	free(errs->msgs);
	errs->msgs = NULL;
	errs->n = 0;
}

/* Returns the number of code points in s, or -1 if it is not valid UTF-8. */
static ssize_t
config_utf8_length(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, need, k;
	ssize_t			 count = 0;
	uint32_t		 cp, min;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			count++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			need = 1;
			cp = p[i] & 0x1f;
			min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			need = 2;
			cp = p[i] & 0x0f;
			min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			need = 3;
			cp = p[i] & 0x07;
			min = 0x10000;
		} else
			return (-1);
		if (len - i <= need)
			return (-1);
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return (-1);
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates and values past Unicode. */
		if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) ||
		    cp > 0x10ffff)
			return (-1);
		i += need + 1;
		count++;
	}
	return (count);
}

/*
 * Writes s into buf for an error message with control characters, quotes
 * and backslashes escaped and long values cut after whole characters, so a
 * message stays one readable line.
 */
static const char *
config_escape(char *buf, size_t size, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 o = 0, chars = 0;

	for (; *p != '\0'; p++) {
		/* A character takes at most 4 bytes; keep room for "..." and NUL. */
		if ((*p & 0xc0) != 0x80 &&
		    (chars++ == CONFIG_QUOTE_CHARS || o + 4 + 4 > size)) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (*p == '"' || *p == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)*p;
		} else if (*p < 0x20 || *p == 0x7f)
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", *p);
		else
			buf[o++] = (char)*p;
	}
	buf[o] = '\0';
	return (buf);
}

/* Writes s quoted and escaped into buf, as config_escape. */
static const char *
config_quote(char *buf, size_t size, const char *s)
{
	size_t	len;

	buf[0] = '"';
	config_escape(buf + 1, size - 2, s);
	len = strlen(buf);
	buf[len] = '"';
	buf[len + 1] = '\0';
	return (buf);
}

/* Appends s at dst[o], cutting at a character boundary when it is full. */
static size_t
config_append(char *dst, size_t size, size_t o, const char *s)
{
	size_t	len = strlen(s);

	if (o + len >= size) {
		len = size - 1 - o;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(dst + o, s, len);
	dst[o + len] = '\0';
	return (o + len);
}

/* Joins a mapping path and a key: "" + "event" or "timing" + ".pitch". */
static void
config_path_key(char *dst, size_t size, const char *parent, const char *key)
{
	size_t	o;

	o = config_append(dst, size, 0, parent);
	if (*parent != '\0')
		o = config_append(dst, size, o, ".");
	config_append(dst, size, o, key);
}

/* Joins a list path and an index: "stages" + "[0]". */
static void
config_path_index(char *dst, size_t size, const char *parent, size_t i)
{
	snprintf(dst, size, "%s[%zu]", parent, i);
}

/* Makes a new node at a libyaml mark, which counts from 0. */
static struct cnode *
config_node_new(enum cnode_type type, const yaml_mark_t *mark)
{
	struct cnode	*n;

	n = config_xcalloc(1, sizeof *n);
	n->type = type;
	n->line = mark->line + 1;
	n->column = mark->column + 1;
	return (n);
}

/* Adds a child to a sequence or mapping node. */
static void
config_node_append(struct cnode *parent, struct cnode *n)
{
	if (parent->nkids == parent->kidsalloc) {
		parent->kidsalloc = parent->kidsalloc == 0 ? 8 :
		    parent->kidsalloc * 2;
		parent->kids = config_xreallocarray(parent->kids,
		    parent->kidsalloc, sizeof *parent->kids);
	}
	parent->kids[parent->nkids++] = n;
}

/* Frees a node tree without recursion, since nodes own their children. */
static void
config_node_free(struct cnode *root)
{
	struct cnode	**stack = NULL, *n;
	size_t		  depth = 0, alloc = 0, i;

	if (root == NULL)
		return;
	stack = config_xreallocarray(NULL, alloc = 16, sizeof *stack);
	stack[depth++] = root;
	while (depth > 0) {
		n = stack[--depth];
		for (i = 0; i < n->nkids; i++) {
			if (depth == alloc) {
				alloc *= 2;
				stack = config_xreallocarray(stack, alloc,
				    sizeof *stack);
			}
			stack[depth++] = n->kids[i];
		}
		free(n->kids);
		free(n->value);
		free(n);
	}
	free(stack);
}

/*
 * Like config_escape, for a key that goes into an error's key path: spaces
 * and colons are escaped too, so "file:line:column: key: message" still
 * splits into its fields.
 */
static const char *
config_escape_key(char *buf, size_t size, const char *s)
{
	char	tmp[256];
	size_t	i, o = 0;

	config_escape(tmp, sizeof tmp, s);
	for (i = 0; tmp[i] != '\0' && o + 5 < size; i++) {
		if (tmp[i] == ' ' || tmp[i] == ':')
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x",
			    (unsigned char)tmp[i]);
		else
			buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return (buf);
}

/* Turns a libyaml problem into an error; reader problems carry an offset. */
static void
config_yaml_error(struct config_loader *ld, const yaml_parser_t *parser,
    const unsigned char *buf, size_t len)
{
	size_t	line = 1, column = 1, i, end;

	switch (parser->error) {
	case YAML_READER_ERROR:
		/* Count lines and characters up to the bad byte ourselves. */
		end = parser->problem_offset < len ? parser->problem_offset :
		    len;
		for (i = 0; i < end; i++) {
			if (buf[i] == '\n') {
				line++;
				column = 1;
			} else if ((buf[i] & 0xc0) != 0x80)
				column++;
		}
		if (parser->problem_value != -1) {
			config_error_at(ld, line, column, "yaml", "%s (0x%x)",
			    parser->problem, (unsigned)parser->problem_value);
		} else {
			config_error_at(ld, line, column, "yaml", "%s",
			    parser->problem);
		}
		break;
	case YAML_SCANNER_ERROR:
	case YAML_PARSER_ERROR:
		line = parser->problem_mark.line + 1;
		column = parser->problem_mark.column + 1;
		if (parser->context != NULL) {
			config_error_at(ld, line, column, "yaml",
			    "%s (%s at %zu:%zu)", parser->problem,
			    parser->context, parser->context_mark.line + 1,
			    parser->context_mark.column + 1);
		} else {
			config_error_at(ld, line, column, "yaml", "%s",
			    parser->problem);
		}
		break;
	case YAML_MEMORY_ERROR:
		config_error_at(ld, line, column, "yaml", "out of memory");
		break;
	default:
		config_error_at(ld, line, column, "yaml", "cannot be parsed");
		break;
	}
}

/*
 * Builds the node tree from libyaml events. Aliases are refused here (they
 * are never needed in a config and are how billion-laughs files blow up), as
 * is nesting past CONFIG_MAX_DEPTH, before either can use memory.
 */
static struct cnode *
config_parse(struct config_loader *ld, const unsigned char *buf, size_t len)
{
	yaml_parser_t	 parser;
	yaml_event_t	 event;
	struct cnode	*stack[CONFIG_MAX_DEPTH], *root = NULL, *n;
	size_t		 depth = 0;
	int		 done = 0, failed = 0, ndocs = 0;

	/*
	 * libyaml would read UTF-16 too, but then its error offsets count
	 * bytes of another encoding; a config is UTF-8 (a BOM is fine).
	 */
	if (len >= 2 && ((buf[0] == 0xff && buf[1] == 0xfe) ||
	    (buf[0] == 0xfe && buf[1] == 0xff))) {
		config_error_at(ld, 1, 1, "yaml",
		    "the file is UTF-16; save the config as UTF-8");
		return (NULL);
	}
	if (!yaml_parser_initialize(&parser)) {
		config_error_at(ld, 1, 1, "yaml", "out of memory");
		return (NULL);
	}
	yaml_parser_set_input_string(&parser, buf, len);

	while (!done) {
		if (!yaml_parser_parse(&parser, &event)) {
			config_yaml_error(ld, &parser, buf, len);
			failed = 1;
			break;
		}
		n = NULL;
		switch (event.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1) {
				config_error_at(ld, event.start_mark.line + 1,
				    event.start_mark.column + 1, "yaml",
				    "only one YAML document is allowed");
				failed = done = 1;
			}
			break;
		case YAML_ALIAS_EVENT:
			n = config_node_new(CNODE_INVALID, &event.start_mark);
			config_error(ld, n, "yaml", "aliases are not allowed");
			break;
		case YAML_SCALAR_EVENT:
			n = config_node_new(CNODE_SCALAR, &event.start_mark);
			n->len = event.data.scalar.length;
			n->value = config_xmalloc(n->len + 1);
			memcpy(n->value, event.data.scalar.value, n->len);
			n->value[n->len] = '\0';
			n->plain = event.data.scalar.style ==
			    YAML_PLAIN_SCALAR_STYLE;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth == CONFIG_MAX_DEPTH) {
				config_error_at(ld, event.start_mark.line + 1,
				    event.start_mark.column + 1, "yaml",
				    "nested deeper than %d levels",
				    CONFIG_MAX_DEPTH);
				failed = done = 1;
				break;
			}
			n = config_node_new(event.type ==
			    YAML_SEQUENCE_START_EVENT ? CNODE_SEQUENCE :
			    CNODE_MAPPING, &event.start_mark);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
		if (n != NULL) {
			/* One document has one root; later nodes go below it. */
			if (depth > 0)
				config_node_append(stack[depth - 1], n);
			else
				root = n;
			if (n->type == CNODE_SEQUENCE ||
			    n->type == CNODE_MAPPING)
				stack[depth++] = n;
		}
		yaml_event_delete(&event);
	}
	yaml_parser_delete(&parser);

	if (failed) {
		config_node_free(root);
		return (NULL);
	}
	if (root == NULL)
		config_error_at(ld, 1, 1, "-", "the file is empty");
	return (root);
}

/* Reads the whole file, refusing anything but a regular file of sane size. */
static unsigned char *
config_read(struct config_loader *ld, const char *path, size_t *lenp)
{
	struct stat	 st;
	unsigned char	*buf = NULL;
	size_t		 len = 0;
	ssize_t		 r;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		config_error_at(ld, 1, 1, "-", "cannot open: %s",
		    strerror(errno));
		return (NULL);
	}
	if (fstat(fd, &st) == -1) {
		config_error_at(ld, 1, 1, "-", "cannot stat: %s",
		    strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		config_error_at(ld, 1, 1, "-", "not a regular file");
		goto fail;
	}
	if (st.st_size > CONFIG_MAX_SIZE)
		goto toobig;

	/* One byte more than allowed tells a file that grew meanwhile. */
	buf = config_xmalloc(CONFIG_MAX_SIZE + 1);
	for (;;) {
		r = read(fd, buf + len, CONFIG_MAX_SIZE + 1 - len);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			config_error_at(ld, 1, 1, "-", "cannot read: %s",
			    strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > CONFIG_MAX_SIZE)
			goto toobig;
	}
	close(fd);
	*lenp = len;
	return (buf);

toobig:
	config_error_at(ld, 1, 1, "-", "the file is larger than %d MiB",
	    CONFIG_MAX_SIZE / (1024 * 1024));
fail:
	free(buf);
	close(fd);
	return (NULL);
}

/* Tells whether a scalar is a YAML null: empty, "~" or "null" unquoted. */
static int
config_is_null(const struct cnode *n)
{
	if (n->type != CNODE_SCALAR || !n->plain)
		return (0);
	return (n->len == 0 || strcmp(n->value, "~") == 0 ||
	    strcmp(n->value, "null") == 0 || strcmp(n->value, "Null") == 0 ||
	    strcmp(n->value, "NULL") == 0);
}

/* Names what a node is for messages like "expected a mapping, not a list". */
static const char *
config_node_kind(const struct cnode *n)
{
	switch (n->type) {
	case CNODE_SCALAR:
		return ("a scalar");
	case CNODE_SEQUENCE:
		return ("a list");
	case CNODE_MAPPING:
		return ("a mapping");
	default:
		return ("an alias");
	}
}

/*
 * Looks at a mapping node and finds the value of each known key, reporting
 * keys that are unknown, repeated or not scalars. A null node is taken as an
 * empty mapping so that "timing:" with nothing below it means defaults.
 */
static void
config_map_init(struct config_loader *ld, struct config_map *m,
    const struct cnode *node, const struct cnode *where, const char *path,
    const char *const *keys)
{
	const struct cnode	*k;
	char			 kp[CONFIG_PATH_SIZE], clean[128];
	size_t			 i, j;

	memset(m, 0, sizeof *m);
	snprintf(m->path, sizeof m->path, "%s", path);
	m->node = node;
	m->where = where;
	m->keys = keys;

	if (node == NULL || config_is_null(node))
		return;
	m->where = node;
	if (node->type == CNODE_INVALID) {
		m->bad = 1;
		return;
	}
	if (node->type != CNODE_MAPPING) {
		config_error(ld, node, *path == '\0' ? "-" : path,
		    "expected a mapping, not %s", config_node_kind(node));
		m->bad = 1;
		return;
	}

	for (i = 0; i + 1 < node->nkids; i += 2) {
		k = node->kids[i];
		if (k->type == CNODE_INVALID)
			continue;
		if (k->type != CNODE_SCALAR) {
			config_error(ld, k, *path == '\0' ? "-" : path,
			    "keys must be scalars, not %s",
			    config_node_kind(k));
			continue;
		}
		for (j = 0; keys[j] != NULL; j++) {
			if (strcmp(keys[j], k->value) == 0)
				break;
		}
		if (keys[j] == NULL) {
			/* The key goes into the path, so keep it readable. */
			config_escape_key(clean, sizeof clean, k->value);
			config_path_key(kp, sizeof kp, path, clean);
			/* The one slip the shape of the file invites. */
			if (keys == config_pitch_keys &&
			    strcmp(k->value, "pitch") == 0) {
				config_error(ld, k, kp, "unknown key (the "
				    "length of one pitch is \"length\")");
			} else
				config_error(ld, k, kp, "unknown key");
			continue;
		}
		if (m->values[j] != NULL) {
			config_path_key(kp, sizeof kp, path, keys[j]);
			config_error(ld, k, kp, "duplicate key (first at %zu:%zu)",
			    m->values[j]->line, m->values[j]->column);
			continue;
		}
		m->values[j] = node->kids[i + 1];
		m->keynodes[j] = k;
	}
}

/* Finds the slot of a key in a map's key table; a missing one is a bug. */
static size_t
config_map_slot(const struct config_map *m, const char *key)
{
	size_t	i;

	for (i = 0; m->keys[i] != NULL; i++) {
		if (strcmp(m->keys[i], key) == 0)
			return (i);
	}
	fprintf(stderr, "config: no key %s in table\n", key);
	abort();
}

/* Returns the node of key itself, or NULL when it is absent. */
static const struct cnode *
config_map_keynode(const struct config_map *m, const char *key)
{
	return (m->keynodes[config_map_slot(m, key)]);
}

/* Returns the value node for key, or NULL when it is absent or null. */
static const struct cnode *
config_map_get(const struct config_map *m, const char *key)
{
	const struct cnode	*v;

	v = m->values[config_map_slot(m, key)];
	if (v == NULL || config_is_null(v))
		return (NULL);
	return (v);
}

/*
 * Fetches a scalar value. Returns 1 with *out set when it is there and is a
 * clean string, 0 when absent or null (an error if required), -1 on error.
 */
static int
config_scalar(struct config_loader *ld, const struct config_map *m,
    const char *key, int required, const struct cnode **out)
{
	const struct cnode	*v;
	char			 kp[CONFIG_PATH_SIZE];

	*out = NULL;
	if (m->bad)
		return (-1);
	config_path_key(kp, sizeof kp, m->path, key);
	v = m->values[config_map_slot(m, key)];
	if (v == NULL || config_is_null(v)) {
		if (!required)
			return (0);
		if (v != NULL)
			config_error(ld, v, kp, "must not be empty");
		else if (m->where != NULL)
			config_error(ld, m->where, kp, "required key is missing");
		else
			config_error_at(ld, 1, 1, kp, "required key is missing");
		return (-1);
	}
	if (v->type == CNODE_INVALID)
		return (-1);
	if (v->type != CNODE_SCALAR) {
		config_error(ld, v, kp, "expected a scalar, not %s",
		    config_node_kind(v));
		return (-1);
	}
	if (strlen(v->value) != v->len) {
		config_error(ld, v, kp, "contains a NUL character");
		return (-1);
	}
	if (config_utf8_length(v->value, v->len) == -1) {
		config_error(ld, v, kp, "is not valid UTF-8");
		return (-1);
	}
	if (required && v->len == 0) {
		config_error(ld, v, kp, "must not be empty");
		return (-1);
	}
	*out = v;
	return (1);
}

/* Fetches a string into *dst (owned), or a copy of def when absent. */
static int
config_string(struct config_loader *ld, const struct config_map *m,
    const char *key, int required, const char *def, char **dst)
{
	const struct cnode	*v;
	int			 r;

	r = config_scalar(ld, m, key, required, &v);
	free(*dst);
	*dst = config_xstrdup(r == 1 ? v->value : def);
	return (r);
}

/* Fetches one of a fixed list of words, returning its index in *idx. */
static int
config_enum(struct config_loader *ld, const struct config_map *m,
    const char *key, const char *const *names, int *idx)
{
	const struct cnode	*v;
	char			 kp[CONFIG_PATH_SIZE], q[256], list[128];
	size_t			 i, o = 0;
	int			 r;

	if ((r = config_scalar(ld, m, key, 0, &v)) != 1)
		return (r);
	for (i = 0; names[i] != NULL; i++) {
		if (strcmp(names[i], v->value) == 0) {
			*idx = (int)i;
			return (1);
		}
	}
	for (i = 0; names[i] != NULL && o < sizeof list; i++) {
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%s",
		    i == 0 ? "" : ", ", names[i]);
	}
	config_path_key(kp, sizeof kp, m->path, key);
	config_error(ld, v, kp, "%s is not one of %s",
	    config_quote(q, sizeof q, v->value), list);
	return (-1);
}

/* Fetches a duration in milliseconds. */
static int
config_duration(struct config_loader *ld, const struct config_map *m,
    const char *key, int64_t *ms)
{
	const struct cnode	*v;
	char			 kp[CONFIG_PATH_SIZE], q[256];
	int			 r;

	if ((r = config_scalar(ld, m, key, 0, &v)) != 1)
		return (r);
	if (duration_parse(v->value, ms) != 0) {
		config_path_key(kp, sizeof kp, m->path, key);
		config_error(ld, v, kp, "%s is not a duration",
		    config_quote(q, sizeof q, v->value));
		return (-1);
	}
	return (1);
}

/* Tells whether s is a slug: 1 to 40 of a-z, 0-9 and '-'. */
static int
config_is_slug(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i == CONFIG_MAX_SLUG)
			return (0);
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return (0);
	}
	return (i > 0);
}

/* Fetches a required slug and remembers it for the uniqueness check. */
static int
config_slug(struct config_loader *ld, const struct config_map *m,
    const char *key, struct config_ids *ids, char **dst)
{
	const struct cnode	*v;
	struct config_idref	*ref;
	char			 kp[CONFIG_PATH_SIZE], q[256];
	int			 r;

	if ((r = config_scalar(ld, m, key, 1, &v)) != 1)
		return (r);
	config_path_key(kp, sizeof kp, m->path, key);
	if (!config_is_slug(v->value)) {
		config_error(ld, v, kp, "%s is not a valid id (1 to %d of "
		    "a-z, 0-9 and -)", config_quote(q, sizeof q, v->value),
		    CONFIG_MAX_SLUG);
		return (-1);
	}
	free(*dst);
	*dst = config_xstrdup(v->value);

	if (ids->n == ids->alloc) {
		ids->alloc = ids->alloc == 0 ? 16 : ids->alloc * 2;
		ids->refs = config_xreallocarray(ids->refs, ids->alloc,
		    sizeof *ids->refs);
	}
	ref = &ids->refs[ids->n++];
	ref->id = *dst;
	ref->line = v->line;
	ref->column = v->column;
	ref->path = config_xstrdup(kp);
	return (1);
}

/* Orders id references by id, then by position. */
static int
config_idref_cmp(const void *a, const void *b)
{
	const struct config_idref	*ra = a, *rb = b;
	int				 c;

	if ((c = strcmp(ra->id, rb->id)) != 0)
		return (c);
	if (ra->line != rb->line)
		return (ra->line < rb->line ? -1 : 1);
	if (ra->column != rb->column)
		return (ra->column < rb->column ? -1 : 1);
	return (0);
}

/*
 * Reports every id used more than once, pointing at the first use. Sorting
 * keeps this fast for big files; the errors are sorted by position later.
 */
static void
config_ids_check(struct config_loader *ld, struct config_ids *ids)
{
	struct config_idref	*first = NULL, *r;
	size_t			 i;

	if (ids->n < 2)
		return;
	qsort(ids->refs, ids->n, sizeof *ids->refs, config_idref_cmp);
	for (i = 0; i < ids->n; i++) {
		r = &ids->refs[i];
		if (first != NULL && strcmp(first->id, r->id) == 0) {
			config_error_at(ld, r->line, r->column, r->path,
			    "duplicate id \"%s\" (first at %zu:%zu)", r->id,
			    first->line, first->column);
		} else
			first = r;
	}
}

/* Frees the id references; the ids themselves belong to the config. */
static void
config_ids_free(struct config_ids *ids)
{
	size_t	i;

	for (i = 0; i < ids->n; i++)
		free(ids->refs[i].path);
	free(ids->refs);
	memset(ids, 0, sizeof *ids);
}

/* Tells whether a year is a Gregorian leap year. */
static int
config_leap(int y)
{
	return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

/* Splits "YYYY-MM-DD" into numbers if it is a real calendar date. */
static int
config_date_split(const char *s, int *y, int *mo, int *d)
{
	static const int	 days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	size_t			 i;
	int			 dim;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return (-1);
	for (i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return (-1);
	}
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	*mo = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	/* Unix time before 1970 is never an upcoming event. */
	if (*y < 1970 || *mo < 1 || *mo > 12)
		return (-1);
	dim = days[*mo - 1] + (*mo == 2 && config_leap(*y));
	if (*d < 1 || *d > dim)
		return (-1);
	return (0);
}

/*
 * Tells whether tz names a compiled zone under /usr/share/zoneinfo. glibc
 * silently falls back to UTC for an unknown TZ, which would shift every
 * planned time, so the file is looked at here; ".." would escape the tree.
 */
static int
config_timezone_ok(const char *tz)
{
	char		 path[512], magic[4];
	struct stat	 st;
	size_t		 i;
	int		 fd, ok;

	if (tz == NULL || *tz == '\0' || *tz == '/' || strstr(tz, "..") != NULL)
		return (0);
	if (strlen(tz) > 200)
		return (0);
	for (i = 0; tz[i] != '\0'; i++) {
		if (!((tz[i] >= 'a' && tz[i] <= 'z') ||
		    (tz[i] >= 'A' && tz[i] <= 'Z') ||
		    (tz[i] >= '0' && tz[i] <= '9') ||
		    tz[i] == '/' || tz[i] == '_' || tz[i] == '-' ||
		    tz[i] == '+'))
			return (0);
	}
	snprintf(path, sizeof path, "%s/%s", CONFIG_ZONEINFO, tz);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	/* Tables such as zone.tab live in the same directory: check magic. */
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    read(fd, magic, sizeof magic) == (ssize_t)sizeof magic &&
	    memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return (ok);
}

/*
 * Converts a local date and minute in tz to unix milliseconds through TZ and
 * mktime, which know the zone's rules; TZ is put back as it was afterwards.
 * This touches the environment, so it is not for use from several threads.
 */
int
config_local_to_unix_ms(const char *date, int minute, const char *tz,
    int64_t *ms)
{
	struct tm	 tm;
	struct tz_saved	 z;
	time_t		 t;
	int		 y, mo, d;

	if (date == NULL || config_date_split(date, &y, &mo, &d) != 0)
		return (-1);
	if (minute < 0 || minute >= 24 * 60 || !config_timezone_ok(tz))
		return (-1);

	if (tz_enter(&z, tz) != 0)
		return (-1);

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = minute / 60;
	tm.tm_min = minute % 60;
	tm.tm_isdst = -1;	/* let the zone rules decide */
	t = mktime(&tm);

	tz_leave(&z);

	if (t == (time_t)-1)
		return (-1);
	*ms = (int64_t)t * 1000;
	return (0);
}

/* Parses "HH:MM" (or "H:MM") into minutes after midnight. */
static int
config_time_of_day(const char *s, int *minute)
{
	int	h = 0, m, digits = 0;

	while (*s >= '0' && *s <= '9' && digits < 3) {
		h = h * 10 + (*s++ - '0');
		digits++;
	}
	if (digits < 1 || digits > 2 || *s++ != ':')
		return (-1);
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[2] != '\0')
		return (-1);
	m = (s[0] - '0') * 10 + (s[1] - '0');
	if (h > 23 || m > 59)
		return (-1);
	*minute = h * 60 + m;
	return (0);
}

/* Frees the strings owned by a timing. */
static void
config_timing_free(struct timing *t)
{
	free(t->time_up_message);
	t->time_up_message = NULL;
}

/* Shows a whole-second duration the way it would be written: "1m30s". */
static const char *
config_duration_str(char *buf, size_t size, int64_t ms)
{
	int64_t	s = ms / 1000;

	if (s >= 60 && s % 60 == 0)
		snprintf(buf, size, "%lldm", (long long)(s / 60));
	else if (s >= 60)
		snprintf(buf, size, "%lldm%llds", (long long)(s / 60),
		    (long long)(s % 60));
	else
		snprintf(buf, size, "%llds", (long long)s);
	return (buf);
}

/*
 * Reads the timing keys of a mapping over a copy of the defaults. The slot
 * length is "pitch" under timing: (the default for every pitch) and "length"
 * on a pitch (its own).
 */
static void
config_timing(struct config_loader *ld, const struct config_map *m,
    const char *lengthkey, const struct timing *defaults, struct timing *t)
{
	const struct cnode	*v;
	char			 kp[CONFIG_PATH_SIZE], a[32], b[32];
	const char		*blame;
	ssize_t			 chars;
	int			 rw, rd, idx, r;

	*t = *defaults;
	t->time_up_message = config_xstrdup(defaults->time_up_message);

	if (config_duration(ld, m, lengthkey, &t->pitch_ms) == 1 &&
	    t->pitch_ms < 1000) {
		config_path_key(kp, sizeof kp, m->path, lengthkey);
		config_error(ld, config_map_get(m, lengthkey), kp,
		    "must be at least 1s");
	}
	config_duration(ld, m, "changeover", &t->changeover_ms);
	rw = config_duration(ld, m, "warning", &t->warning_ms);
	rd = config_duration(ld, m, "danger", &t->danger_ms);
	config_duration(ld, m, "grace", &t->grace_ms);
	if (config_enum(ld, m, "on_time_up", config_time_up_names, &idx) == 1)
		t->on_time_up = (enum time_up_action)idx;

	r = config_scalar(ld, m, "time_up_message", 0, &v);
	if (r == 1) {
		chars = config_utf8_length(v->value, v->len);
		if (chars > CONFIG_MAX_MESSAGE) {
			config_path_key(kp, sizeof kp, m->path,
			    "time_up_message");
			config_error(ld, v, kp, "is %zd characters long, at "
			    "most %d are allowed", chars, CONFIG_MAX_MESSAGE);
		} else {
			free(t->time_up_message);
			t->time_up_message = config_xstrdup(v->value);
		}
	}

	/*
	 * Blame whichever of the two was written here; when neither was, the
	 * defaults are to blame and were reported already.
	 */
	if (rw != -1 && rd != -1 && (rw == 1 || rd == 1) &&
	    t->danger_ms > t->warning_ms) {
		blame = rd == 1 ? "danger" : "warning";
		config_path_key(kp, sizeof kp, m->path, blame);
		config_error(ld, config_map_get(m, blame), kp,
		    "danger (%s) must not be longer than warning (%s)",
		    config_duration_str(a, sizeof a, t->danger_ms),
		    config_duration_str(b, sizeof b, t->warning_ms));
	}
}

/* Reads the event: block; *when_ok says whether date and zone are usable. */
static void
config_event(struct config_loader *ld, struct config *cfg,
    const struct cnode *node, const struct cnode *keynode,
    const struct cnode *root, int *when_ok)
{
	struct config_map	 m;
	const struct cnode	*v;
	char			 q[256];
	int			 y, mo, d, idx, rd, rz;

	*when_ok = 0;
	if (node == NULL) {
		config_error(ld, root, "event", "required key is missing");
		return;
	}
	config_map_init(ld, &m, node, keynode, "event", config_event_keys);

	config_string(ld, &m, "title", 1, "", &cfg->title);
	config_string(ld, &m, "venue", 0, "", &cfg->venue);

	rd = config_scalar(ld, &m, "date", 1, &v);
	if (rd == 1 && config_date_split(v->value, &y, &mo, &d) != 0) {
		config_error(ld, v, "event.date", "%s is not a date "
		    "(YYYY-MM-DD)", config_quote(q, sizeof q, v->value));
		rd = -1;
	}
	free(cfg->date);
	cfg->date = config_xstrdup(rd == 1 ? v->value : "");

	rz = config_scalar(ld, &m, "timezone", 0, &v);
	if (rz == 1 && !config_timezone_ok(v->value)) {
		config_error(ld, v, "event.timezone", "%s is not a known "
		    "timezone", config_quote(q, sizeof q, v->value));
		rz = -1;
	}
	free(cfg->timezone);
	cfg->timezone = config_xstrdup(rz == 1 ? v->value :
	    CONFIG_DEFAULT_TIMEZONE);

	idx = 0;
	config_enum(ld, &m, "language", config_language_names, &idx);
	free(cfg->language);
	cfg->language = config_xstrdup(config_language_names[idx]);

	*when_ok = rd == 1 && rz != -1;
}

/* Reads one pitch mapping into p, with timing merged over the defaults. */
static void
config_pitch(struct config_loader *ld, struct config *cfg,
    const struct cnode *node, const char *path, struct config_ids *ids,
    struct config_pitch *p)
{
	struct config_map	m;

	config_map_init(ld, &m, node, NULL, path, config_pitch_keys);
	if (m.node != NULL && config_is_null(m.node)) {
		config_error(ld, node, path, "expected a mapping, not "
		    "an empty value");
		m.bad = 1;
	}
	config_slug(ld, &m, "id", ids, &p->id);
	config_string(ld, &m, "startup", 1, "", &p->startup);
	config_string(ld, &m, "presenter", 0, "", &p->presenter);
	config_string(ld, &m, "title", 0, "", &p->title);
	config_string(ld, &m, "contact", 0, "", &p->contact);
	config_timing(ld, &m, "length", &cfg->timing, &p->timing);
}

/* Reads a list of pitches into a stage. */
static void
config_pitches(struct config_loader *ld, struct config *cfg,
    const struct cnode *node, const char *path, struct config_ids *ids,
    struct config_stage *st)
{
	char	ip[CONFIG_PATH_SIZE];
	size_t	i;

	if (node == NULL || config_is_null(node) ||
	    node->type == CNODE_INVALID)
		return;
	if (node->type != CNODE_SEQUENCE) {
		config_error(ld, node, path, "expected a list, not %s",
		    config_node_kind(node));
		return;
	}
	st->pitches = config_xcalloc(node->nkids, sizeof *st->pitches);
	st->npitches = node->nkids;
	for (i = 0; i < node->nkids; i++) {
		config_path_index(ip, sizeof ip, path, i);
		config_pitch(ld, cfg, node->kids[i], ip, ids, &st->pitches[i]);
	}
}

/* Fills in the planned start of a stage in unix time, when it is known. */
static void
config_stage_when(struct config *cfg, struct config_stage *st, int when_ok)
{
	if (!when_ok || config_local_to_unix_ms(cfg->date, st->start_minute,
	    cfg->timezone, &st->start_ms) != 0)
		st->start_ms = 0;
}

/* Reads one stage mapping. */
static void
config_stage(struct config_loader *ld, struct config *cfg,
    const struct cnode *node, const char *path, struct config_ids *stageids,
    struct config_ids *pitchids, struct config_stage *st, int when_ok)
{
	struct config_map	 m;
	const struct cnode	*v;
	char			 kp[CONFIG_PATH_SIZE], q[256];

	config_map_init(ld, &m, node, NULL, path, config_stage_keys);
	if (m.node != NULL && config_is_null(m.node)) {
		config_error(ld, node, path, "expected a mapping, not "
		    "an empty value");
		m.bad = 1;
	}
	config_slug(ld, &m, "id", stageids, &st->id);
	config_string(ld, &m, "name", 0, st->id != NULL ? st->id : "",
	    &st->name);

	st->start_minute = CONFIG_DEFAULT_START;
	if (config_scalar(ld, &m, "start", 0, &v) == 1 &&
	    config_time_of_day(v->value, &st->start_minute) != 0) {
		config_path_key(kp, sizeof kp, path, "start");
		config_error(ld, v, kp, "%s is not a time of day (HH:MM)",
		    config_quote(q, sizeof q, v->value));
		st->start_minute = CONFIG_DEFAULT_START;
	}
	config_stage_when(cfg, st, when_ok);

	if (!m.bad) {
		config_path_key(kp, sizeof kp, path, "pitches");
		config_pitches(ld, cfg, m.values[config_map_slot(&m,
		    "pitches")], kp, pitchids, st);
	}
}

/*
 * Reads the stages, or the single implicit stage "main" when the file has
 * only a top-level pitches list.
 */
static void
config_stages(struct config_loader *ld, struct config *cfg,
    const struct config_map *root, int when_ok)
{
	const struct cnode	*stages, *pitches;
	struct config_ids	 stageids = { NULL, 0, 0 };
	struct config_ids	 pitchids = { NULL, 0, 0 };
	struct config_stage	*st;
	char			 ip[CONFIG_PATH_SIZE];
	size_t			 i;

	stages = config_map_get(root, "stages");
	pitches = config_map_get(root, "pitches");

	if (stages != NULL && pitches != NULL) {
		config_error(ld, pitches, "pitches", "cannot be used together "
		    "with stages (put the pitches under a stage)");
	}
	if (stages == NULL && pitches == NULL) {
		/* A given but empty top-level list still means stage main. */
		if (root->values[config_map_slot(root, "pitches")] == NULL) {
			config_error(ld, root->node, "stages", "required key is "
			    "missing (or give a top-level pitches list)");
			return;
		}
	}

	if (stages == NULL) {
		cfg->stages = config_xcalloc(1, sizeof *cfg->stages);
		cfg->nstages = 1;
		st = &cfg->stages[0];
		st->id = config_xstrdup(CONFIG_DEFAULT_STAGE);
		st->name = config_xstrdup(CONFIG_DEFAULT_STAGE);
		st->start_minute = CONFIG_DEFAULT_START;
		config_stage_when(cfg, st, when_ok);
		config_pitches(ld, cfg, pitches, "pitches", &pitchids, st);
	} else if (stages->type == CNODE_INVALID) {
		/* Already reported. */
	} else if (stages->type != CNODE_SEQUENCE) {
		config_error(ld, stages, "stages", "expected a list, not %s",
		    config_node_kind(stages));
	} else if (stages->nkids == 0) {
		config_error(ld, stages, "stages", "at least one stage is "
		    "required");
	} else {
		cfg->stages = config_xcalloc(stages->nkids,
		    sizeof *cfg->stages);
		cfg->nstages = stages->nkids;
		for (i = 0; i < stages->nkids; i++) {
			config_path_index(ip, sizeof ip, "stages", i);
			config_stage(ld, cfg, stages->kids[i], ip, &stageids,
			    &pitchids, &cfg->stages[i], when_ok);
		}
	}

	config_ids_check(ld, &stageids);
	config_ids_check(ld, &pitchids);
	config_ids_free(&stageids);
	config_ids_free(&pitchids);
}

/* Tells whether s looks like a mail address: one '@', something each side. */
static int
config_is_email(const char *s)
{
	const char	*at;
	size_t		 i;

	if ((at = strchr(s, '@')) == NULL || at == s || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL)
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return (0);
	}
	return (1);
}

/* Reads the attendee list. */
static void
config_attendees(struct config_loader *ld, struct config *cfg,
    const struct cnode *node)
{
	struct config_ids	 ids = { NULL, 0, 0 };
	struct config_map	 m;
	struct config_attendee	*a;
	const struct cnode	*v;
	char			 ip[CONFIG_PATH_SIZE], kp[CONFIG_PATH_SIZE];
	char			 q[256];
	size_t			 i;
	int			 idx;

	if (node == NULL || node->type == CNODE_INVALID)
		return;
	if (node->type != CNODE_SEQUENCE) {
		config_error(ld, node, "attendees", "expected a list, not %s",
		    config_node_kind(node));
		return;
	}
	cfg->attendees = config_xcalloc(node->nkids, sizeof *cfg->attendees);
	cfg->nattendees = node->nkids;
	for (i = 0; i < node->nkids; i++) {
		a = &cfg->attendees[i];
		config_path_index(ip, sizeof ip, "attendees", i);
		config_map_init(ld, &m, node->kids[i], NULL, ip,
		    config_attendee_keys);
		if (m.node != NULL && config_is_null(m.node)) {
			config_error(ld, m.node, ip, "expected a mapping, not "
			    "an empty value");
			m.bad = 1;
		}
		config_slug(ld, &m, "id", &ids, &a->id);
		config_string(ld, &m, "name", 1, "", &a->name);
		config_string(ld, &m, "department", 0, "", &a->department);
		idx = ROLE_DEPARTMENT_HEAD;
		config_enum(ld, &m, "role", config_role_names, &idx);
		a->role = (enum attendee_role)idx;
		if (config_scalar(ld, &m, "email", 0, &v) == 1 &&
		    !config_is_email(v->value)) {
			config_path_key(kp, sizeof kp, ip, "email");
			config_error(ld, v, kp, "%s is not a mail address",
			    config_quote(q, sizeof q, v->value));
		}
		free(a->email);
		a->email = config_xstrdup(v != NULL ? v->value : "");
	}
	config_ids_check(ld, &ids);
	config_ids_free(&ids);
}

/* Tells whether s is "host:port" with an IPv4 address or localhost. */
static int
config_listen_ok(const char *s)
{
	const char	*colon, *p;
	struct in_addr	 in;
	char		 host[64];
	size_t		 hlen;
	long		 port = 0;

	if ((colon = strrchr(s, ':')) == NULL)
		return (0);
	hlen = (size_t)(colon - s);
	if (hlen == 0 || hlen >= sizeof host)
		return (0);
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (strcmp(host, "localhost") != 0 &&
	    inet_pton(AF_INET, host, &in) != 1)
		return (0);
	p = colon + 1;
	if (*p == '\0' || strlen(p) > 5)
		return (0);
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return (0);
		port = port * 10 + (*p - '0');
	}
	return (port <= 65535);
}

/* Resolves a relative database path against the config file's directory. */
static char *
config_database_path(const char *cfgpath, const char *db)
{
	const char	*slash;

	/* ":memory:" is SQLite's name for a database that is not a file. */
	if (db[0] == '/' || strcmp(db, ":memory:") == 0 ||
	    (slash = strrchr(cfgpath, '/')) == NULL)
		return (config_xstrdup(db));
	return (config_xasprintf("%.*s/%s", (int)(slash - cfgpath), cfgpath,
	    db));
}

/* Reads the server: block. */
static void
config_server(struct config_loader *ld, struct config *cfg,
    const struct cnode *node)
{
	struct config_map	 m;
	const struct cnode	*v;
	char			 q[256];
	const char		*p;
	long			 n = 0;
	int			 ok;

	config_map_init(ld, &m, node, NULL, "server", config_server_keys);

	if (config_scalar(ld, &m, "listen", 0, &v) == 1 &&
	    !config_listen_ok(v->value)) {
		config_error(ld, v, "server.listen", "%s is not host:port "
		    "(an IPv4 address or localhost, and a port 0-65535)",
		    config_quote(q, sizeof q, v->value));
	}
	free(cfg->listen);
	cfg->listen = config_xstrdup(v != NULL ? v->value :
	    CONFIG_DEFAULT_LISTEN);

	if (config_scalar(ld, &m, "database", 0, &v) == 1 && v->len == 0)
		config_error(ld, v, "server.database", "must not be empty");
	free(cfg->database);
	cfg->database = config_database_path(ld->path,
	    v != NULL && v->len != 0 ? v->value : CONFIG_DEFAULT_DATABASE);

	cfg->max_connections = CONFIG_DEFAULT_MAXCONN;
	if (config_scalar(ld, &m, "max_connections", 0, &v) == 1) {
		ok = v->len >= 1 && v->len <= 7;
		for (p = v->value; ok && *p != '\0'; p++) {
			if (*p < '0' || *p > '9')
				ok = 0;
			else
				n = n * 10 + (*p - '0');
		}
		if (!ok || n < 1 || n > 1000000) {
			config_error(ld, v, "server.max_connections", "%s is "
			    "not a whole number from 1 to 1000000",
			    config_quote(q, sizeof q, v->value));
		} else
			cfg->max_connections = (int)n;
	}
}

/* Walks the whole tree into cfg. */
static void
config_build(struct config_loader *ld, struct config *cfg,
    const struct cnode *root)
{
	struct config_map	 m, tm;
	struct timing		 defaults;
	int			 when_ok = 0;

	if (root->type != CNODE_MAPPING) {
		if (root->type != CNODE_INVALID) {
			config_error(ld, root, "-", "expected a mapping at the "
			    "top, not %s", config_node_kind(root));
		}
		return;
	}
	config_map_init(ld, &m, root, NULL, "", config_root_keys);

	config_event(ld, cfg, m.values[config_map_slot(&m, "event")],
	    config_map_keynode(&m, "event"), root, &when_ok);

	memset(&defaults, 0, sizeof defaults);
	defaults.pitch_ms = 5 * 60 * 1000;
	defaults.changeover_ms = 0;
	defaults.warning_ms = 60 * 1000;
	defaults.danger_ms = 15 * 1000;
	defaults.grace_ms = 30 * 1000;
	defaults.on_time_up = TIME_UP_NONE;
	defaults.time_up_message = (char *)"";
	config_map_init(ld, &tm, m.values[config_map_slot(&m, "timing")],
	    NULL, "timing", config_timing_keys);
	config_timing(ld, &tm, "pitch", &defaults, &cfg->timing);

	config_stages(ld, cfg, &m, when_ok);
	config_attendees(ld, cfg, config_map_get(&m, "attendees"));
	config_server(ld, cfg, m.values[config_map_slot(&m, "server")]);
}

/* Reads and validates path; NULL (and errs filled) on any error. */
struct config *
config_load(const char *path, struct config_errors *errs)
{
	struct config_loader	 ld;
	struct config		*cfg = NULL;
	struct cnode		*root = NULL;
	unsigned char		*buf;
	size_t			 len;

	memset(&ld, 0, sizeof ld);
	ld.path = path;

	if ((buf = config_read(&ld, path, &len)) != NULL) {
		root = config_parse(&ld, buf, len);
		free(buf);
	}
	if (root != NULL) {
		cfg = config_xcalloc(1, sizeof *cfg);
		cfg->path = config_xstrdup(path);
		config_build(&ld, cfg, root);
		config_node_free(root);
	}

	if (ld.total != 0) {
		config_errors_flush(&ld, errs);
		config_free(cfg);
		return (NULL);
	}
	free(ld.errors);
	return (cfg);
}

/* Frees a config from config_load; NULL is fine. */
void
config_free(struct config *cfg)
{
	struct config_stage	*st;
	struct config_pitch	*p;
	struct config_attendee	*a;
	size_t			 i, j;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nstages; i++) {
		st = &cfg->stages[i];
		for (j = 0; j < st->npitches; j++) {
			p = &st->pitches[j];
			free(p->id);
			free(p->startup);
			free(p->presenter);
			free(p->title);
			free(p->contact);
			config_timing_free(&p->timing);
		}
		free(st->pitches);
		free(st->id);
		free(st->name);
	}
	free(cfg->stages);
	for (i = 0; i < cfg->nattendees; i++) {
		a = &cfg->attendees[i];
		free(a->id);
		free(a->name);
		free(a->department);
		free(a->email);
	}
	free(cfg->attendees);
	config_timing_free(&cfg->timing);
	free(cfg->path);
	free(cfg->title);
	free(cfg->venue);
	free(cfg->date);
	free(cfg->timezone);
	free(cfg->language);
	free(cfg->listen);
	free(cfg->database);
	free(cfg);
}

/* Finds a stage by id; NULL if none. */
const struct config_stage *
config_stage_find(const struct config *cfg, const char *id)
{
	size_t	i;

	if (cfg == NULL || id == NULL)
		return (NULL);
	for (i = 0; i < cfg->nstages; i++) {
		if (cfg->stages[i].id != NULL &&
		    strcmp(cfg->stages[i].id, id) == 0)
			return (&cfg->stages[i]);
	}
	return (NULL);
}

/* Names a time's-up action as it is written in YAML and JSON. */
const char *
time_up_action_name(enum time_up_action a)
{
	if ((unsigned)a >= sizeof config_time_up_names /
	    sizeof config_time_up_names[0] - 1)
		return ("unknown");
	return (config_time_up_names[a]);
}

/* Names an attendee role as it is written in YAML and JSON. */
const char *
attendee_role_name(enum attendee_role r)
{
	if ((unsigned)r >= sizeof config_role_names /
	    sizeof config_role_names[0] - 1)
		return ("unknown");
	return (config_role_names[r]);
}
