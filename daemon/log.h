/* log.h — one line per event to stderr, with a timestamp. */
#ifndef TAKT_LOG_H
#define TAKT_LOG_H

#include <stdarg.h>

/* Logs an informational line. */
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs a warning, appending strerror(errno). */
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs a warning without errno. */
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs and exits 1; only at start-up or on a broken invariant. */
void	fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
