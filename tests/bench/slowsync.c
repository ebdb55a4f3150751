/*
 * slowsync.c — LD_PRELOAD shim for benchmarks only: fsync and fdatasync
 * sleep TAKT_SLOWSYNC_US microseconds (default 1000) before calling the real
 * function, so a disk whose flush is nearly free (a VM whose host cache
 * acknowledges it) behaves like one that really waits for the medium. The
 * sleep is in the calling thread, exactly where a slow flush would block.
 *
 *	LD_PRELOAD=build/tests/bench/slowsync.so TAKT_SLOWSYNC_US=10000 taktd ...
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define SLOWSYNC_DEFAULT_US	1000
#define SLOWSYNC_MAX_US		10000000	/* 10 s: anything above is a typo */

typedef int	(*sync_fn)(int);

static sync_fn		real_fsync, real_fdatasync;
static unsigned long	slowsync_us = SLOWSYNC_DEFAULT_US;

/* Reads TAKT_SLOWSYNC_US and says once, on stderr, that the shim is active. */
__attribute__((constructor)) static void
slowsync_init(void)
{
	const char	*s = getenv("TAKT_SLOWSYNC_US");
	char		*end;
	unsigned long	 v;

	if (s != NULL && *s != '\0') {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno == 0 && *end == '\0' && s[0] != '-' &&
		    v <= SLOWSYNC_MAX_US)
			slowsync_us = v;
		else
			fprintf(stderr, "slowsync: ignoring TAKT_SLOWSYNC_US=%s\n",
			    s);
	}
	fprintf(stderr, "slowsync: adding %lu us to every fsync and fdatasync\n",
	    slowsync_us);
}

/* Finds the next definition of name (libc's); NULL if there is none. */
static sync_fn
slowsync_next(sync_fn *cache, const char *name)
{
	sync_fn	fn;

	/* Every thread resolves the same address: a race is harmless. */
	if ((fn = __atomic_load_n(cache, __ATOMIC_ACQUIRE)) == NULL) {
		fn = (sync_fn)dlsym(RTLD_NEXT, name);
		__atomic_store_n(cache, fn, __ATOMIC_RELEASE);
	}
	return fn;
}

/* Sleeps the configured delay, resuming after signals. */
static void
slowsync_sleep(void)
{
	struct timespec	ts, rem;
	int		saved = errno;

	if (slowsync_us == 0)
		return;
	ts.tv_sec = (time_t)(slowsync_us / 1000000);
	ts.tv_nsec = (long)(slowsync_us % 1000000) * 1000;
	while (nanosleep(&ts, &rem) == -1 && errno == EINTR)
		ts = rem;
	errno = saved;
}

/* fsync(2), late by the configured delay. */
int
fsync(int fd)
{
	sync_fn	fn = slowsync_next(&real_fsync, "fsync");

	if (fn == NULL) {
		errno = ENOSYS;
		return -1;
	}
	slowsync_sleep();
	return fn(fd);
}

/* fdatasync(2), late by the configured delay. */
int
fdatasync(int fd)
{
	sync_fn	fn = slowsync_next(&real_fdatasync, "fdatasync");

	if (fn == NULL) {
		errno = ENOSYS;
		return -1;
	}
	slowsync_sleep();
	return fn(fd);
}
