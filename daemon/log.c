/* log.c — stderr logging, one line per event, prefixed with UTC time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "log.h"

/* Writes one line: timestamp, message, optional errno text. */
static void
log_vline(const char *tag, int err, const char *fmt, va_list ap)
{
	struct timeval	tv;
	struct tm	tm;
	char		ts[32];

	/* UTC: reports switch TZ on the loop thread while the writer may log. */
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	flockfile(stderr);
	fprintf(stderr, "%s.%03ldZ taktd: %s", ts, (long)(tv.tv_usec / 1000), tag);
	vfprintf(stderr, fmt, ap);
	if (err != 0)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	funlockfile(stderr);
}

/* Logs an informational line. */
void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vline("", 0, fmt, ap);
	va_end(ap);
}

/* Logs a warning with the current errno. */
void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	err = errno;

	va_start(ap, fmt);
	log_vline("warning: ", err, fmt, ap);
	va_end(ap);
}

/* Logs a warning. */
void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vline("warning: ", 0, fmt, ap);
	va_end(ap);
}

/* Logs a fatal error and exits. */
void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vline("fatal: ", 0, fmt, ap);
	va_end(ap);
	exit(1);
}
