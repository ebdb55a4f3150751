/*
 * sse.c — parses a text/event-stream as the WHATWG rules say: lines end in
 * CR, LF or CRLF; "field: value" lines build an event; a blank line ends it;
 * lines starting with ":" are comments.
 */
#include <stdlib.h>
#include <string.h>

#include "sse.h"

/* Prepares an empty parser that reports events to cb. */
void
sse_parser_init(struct sse_parser *p, sse_cb *cb, void *arg)
{
	memset(p, 0, sizeof *p);
	p->sp_cb = cb;
	p->sp_arg = arg;
}

/* Forgets a half-received event (a new connection starts afresh). */
void
sse_parser_reset(struct sse_parser *p)
{
	p->sp_len = 0;
	p->sp_dlen = 0;
	p->sp_has_data = 0;
	p->sp_skip_lf = 0;
	p->sp_event[0] = '\0';
	p->sp_id[0] = '\0';
}

/* Frees the buffers. */
void
sse_parser_free(struct sse_parser *p)
{
	free(p->sp_line);
	free(p->sp_data);
	p->sp_line = p->sp_data = NULL;
}

/* Grows a buffer so that need more bytes fit. */
static void
sse_grow(char **buf, size_t *cap, size_t len, size_t need)
{
	size_t	n = *cap == 0 ? 256 : *cap;

	if (len + need <= *cap)
		return;
	while (n < len + need)
		n *= 2;
	if ((*buf = realloc(*buf, n)) == NULL)
		abort();
	*cap = n;
}

/* Copies value into a fixed field, cut to fit. */
static void
sse_set(char *dst, size_t size, const char *v)
{
	size_t	n = strlen(v);

	if (n >= size)
		n = size - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

/* Applies one complete line. */
static void
sse_line(struct sse_parser *p)
{
	char	*line, *value;

	sse_grow(&p->sp_line, &p->sp_cap, p->sp_len, 1);
	p->sp_line[p->sp_len] = '\0';
	line = p->sp_line;
	p->sp_len = 0;
	if (*line == '\0') {
		if (p->sp_has_data) {
			sse_grow(&p->sp_data, &p->sp_dcap, p->sp_dlen, 1);
			/* The last data line's newline is not part of the data. */
			if (p->sp_dlen > 0)
				p->sp_dlen--;
			p->sp_data[p->sp_dlen] = '\0';
			p->sp_cb(p->sp_event[0] != '\0' ? p->sp_event : "message",
			    p->sp_id, p->sp_data, p->sp_arg);
		}
		p->sp_dlen = 0;
		p->sp_has_data = 0;
		p->sp_event[0] = '\0';
		return;
	}
	if (*line == ':')
		return;
	if ((value = strchr(line, ':')) != NULL) {
		*value++ = '\0';
		if (*value == ' ')
			value++;
	} else
		value = line + strlen(line);
	if (strcmp(line, "event") == 0)
		sse_set(p->sp_event, sizeof p->sp_event, value);
	else if (strcmp(line, "id") == 0)
		sse_set(p->sp_id, sizeof p->sp_id, value);
	else if (strcmp(line, "data") == 0) {
		size_t	n = strlen(value);

		sse_grow(&p->sp_data, &p->sp_dcap, p->sp_dlen, n + 2);
		memcpy(p->sp_data + p->sp_dlen, value, n);
		p->sp_dlen += n;
		p->sp_data[p->sp_dlen++] = '\n';
		p->sp_has_data = 1;
	}
	/* Other fields (retry) mean nothing to us. */
}

/* Feeds bytes; complete events are reported as they finish. */
void
sse_parser_feed(struct sse_parser *p, const char *buf, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		char	ch = buf[i];

		if (p->sp_skip_lf) {
			p->sp_skip_lf = 0;
			if (ch == '\n')
				continue;
		}
		if (ch == '\r' || ch == '\n') {
			p->sp_skip_lf = ch == '\r';
			sse_line(p);
			continue;
		}
		sse_grow(&p->sp_line, &p->sp_cap, p->sp_len, 1);
		p->sp_line[p->sp_len++] = ch;
	}
}
