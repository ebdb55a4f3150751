/*
 * writer.h — the writer thread: group commit off the event loop.
 *
 * Writes from HTTP handlers (check-ins, interests, screens) are queued here.
 * The writer thread takes everything queued, runs each job in its own
 * savepoint inside one transaction, commits once (synchronous=FULL: one fsync
 * for the whole group) and hands the results back to the event loop, which
 * only then answers each client. The loop never waits for an fsync.
 */
#ifndef TAKT_WRITER_H
#define TAKT_WRITER_H

#include <stdbool.h>

struct event_base;
struct store;

/* Runs in the writer thread inside a transaction; 0 or an HTTP-ish error code. */
typedef int	(*writer_fn)(struct store *, void *arg);
/* Runs in the event loop once the job's transaction is durable (or failed:
 * rc is then the job's error, or -1 when the commit itself failed). */
typedef void	(*writer_done)(void *arg, int rc);

/* Opens the writer's own connection to path and starts the thread. */
int	writer_start(struct event_base *base, const char *path, bool group_commit);
/* Queues a job; 0, or -1 if the writer is not running. */
int	writer_submit(writer_fn fn, writer_done done, void *arg);
/* Finishes every queued job, delivers the results and stops the thread. */
void	writer_stop(void);
/* Jobs committed and commits made, for /metrics. */
void	writer_stats(unsigned long long *jobs, unsigned long long *commits);

#endif
