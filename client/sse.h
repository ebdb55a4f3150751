/*
 * sse.h — a Server-Sent Events parser (event/id/data/blank line), fed with
 * whatever bytes arrive; no I/O of its own.
 */
#ifndef SSE_H
#define SSE_H

#include <stddef.h>

/* Called once per complete event; data is NUL-terminated. */
typedef void sse_cb(const char *event, const char *id, const char *data,
    void *arg);

struct sse_parser {
	char	*sp_line;
	size_t	 sp_len, sp_cap;
	char	*sp_data;
	size_t	 sp_dlen, sp_dcap;
	char	 sp_event[64];
	char	 sp_id[64];
	int	 sp_has_data;
	int	 sp_skip_lf;	/* the last byte was a CR */
	sse_cb	*sp_cb;
	void	*sp_arg;
};

void	sse_parser_init(struct sse_parser *, sse_cb *, void *);
void	sse_parser_reset(struct sse_parser *);
void	sse_parser_feed(struct sse_parser *, const char *, size_t);
void	sse_parser_free(struct sse_parser *);

#endif
