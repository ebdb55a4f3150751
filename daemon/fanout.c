/*
 * fanout.c — the send() half of a broadcast, split over two threads. The
 * loop thread hands the helper the second half of a batch, sends the first
 * half itself and waits for the helper before it goes on, so no socket can
 * be closed while the helper writes to it.
 */
#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>

#include "fanout.h"

#define FANOUT_MIN	64	/* below this a hand-off costs more than it saves */

static pthread_t		 fanout_thread;
static pthread_mutex_t		 fanout_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t		 fanout_cond = PTHREAD_COND_INITIALIZER;
static struct fanout_item	*fanout_items;
static size_t			 fanout_n;
static bool			 fanout_running, fanout_busy, fanout_quit;

/* Sends each item once, as much as the socket takes right now. */
static void
fanout_run(struct fanout_item *items, size_t n)
{
	size_t	i;
	ssize_t	w;

	for (i = 0; i < n; i++) {
		items[i].sent = 0;
		do
			w = send(items[i].fd, items[i].p, items[i].n,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
		while (w == -1 && errno == EINTR);
		if (w > 0)
			items[i].sent = (size_t)w;
	}
}

/* The helper: wait for a batch, send it, say so. */
static void *
fanout_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&fanout_lock);
	for (;;) {
		while (!fanout_busy && !fanout_quit)
			pthread_cond_wait(&fanout_cond, &fanout_lock);
		if (fanout_quit)
			break;
		pthread_mutex_unlock(&fanout_lock);
		fanout_run(fanout_items, fanout_n);
		pthread_mutex_lock(&fanout_lock);
		fanout_busy = false;
		pthread_cond_broadcast(&fanout_cond);
	}
	pthread_mutex_unlock(&fanout_lock);
	return NULL;
}

/* Starts the helper. */
int
fanout_start(void)
{
	fanout_quit = false;
	if (pthread_create(&fanout_thread, NULL, fanout_main, NULL) != 0)
		return -1;
	fanout_running = true;
	return 0;
}

/* Sends the batch: the helper the second half, this thread the first. */
void
fanout_send(struct fanout_item *items, size_t n)
{
	size_t	half = n / 2;

	if (!fanout_running || n < FANOUT_MIN) {
		fanout_run(items, n);
		return;
	}
	pthread_mutex_lock(&fanout_lock);
	fanout_items = items + half;
	fanout_n = n - half;
	fanout_busy = true;
	pthread_cond_broadcast(&fanout_cond);
	pthread_mutex_unlock(&fanout_lock);

	fanout_run(items, half);

	pthread_mutex_lock(&fanout_lock);
	while (fanout_busy)
		pthread_cond_wait(&fanout_cond, &fanout_lock);
	pthread_mutex_unlock(&fanout_lock);
}

/* Stops and joins the helper. */
void
fanout_stop(void)
{
	if (!fanout_running)
		return;
	pthread_mutex_lock(&fanout_lock);
	fanout_quit = true;
	pthread_cond_broadcast(&fanout_cond);
	pthread_mutex_unlock(&fanout_lock);
	pthread_join(fanout_thread, NULL);
	fanout_running = false;
}
