/*
 * qr.c — turns a personal link into a QR code drawn as SVG. The code is one
 * <path> of horizontal runs, so a sheet of a hundred badges stays small and
 * prints crisply at any size.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "qr.h"

/* A growing string; on failure it stays NULL and every later add is a no-op. */
struct qr_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

/* Appends formatted text, doubling the buffer as needed. */
static void __attribute__((format(printf, 2, 3)))
qr_buf_add(struct qr_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*ns;
	int	 n;

	if (b->s == NULL)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			free(b->s);
			b->s = NULL;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		if ((ns = realloc(b->s, b->cap * 2 + (size_t)n)) == NULL) {
			free(b->s);
			b->s = NULL;
			return;
		}
		b->s = ns;
		b->cap = b->cap * 2 + (size_t)n;
	}
}

/* Encodes text and draws each row's dark runs as one subpath. */
char *
qr_svg(const char *text)
{
	struct qr_buf	 b = { NULL, 0, 4096 };
	QRcode		*q;
	int		 size, x, y, run;

	if (text == NULL || *text == '\0')
		return NULL;
	/* 8-bit mode: the link is case-sensitive, so alphanumeric mode cannot carry it. */
	if ((q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M)) == NULL)
		return NULL;
	if ((b.s = malloc(b.cap)) == NULL) {
		QRcode_free(q);
		return NULL;
	}
	size = q->width + 2 * QR_QUIET;
	qr_buf_add(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	    "shape-rendering=\"crispEdges\" role=\"img\"><rect width=\"%d\" "
	    "height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
	    size, size, size, size);
	for (y = 0; y < q->width; y++) {
		for (x = 0; x < q->width; x += run) {
			run = 0;
			while (x + run < q->width &&
			    (q->data[y * q->width + x + run] & 1))
				run++;
			if (run > 0)
				qr_buf_add(&b, "M%d %dh%dv1h-%dz", x + QR_QUIET,
				    y + QR_QUIET, run, run);
			else
				run = 1;
		}
	}
	qr_buf_add(&b, "\"/></svg>");
	QRcode_free(q);
	return b.s;
}
