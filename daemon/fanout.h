/*
 * fanout.h — a second thread for the stream fan-out. Writing one event to
 * ten thousand sockets is mostly kernel work, one send() each; on a
 * two-core machine the second core takes half of them while the event loop
 * does the other half and waits. The helper only ever touches file
 * descriptors and the bytes to send: every libevent structure stays on the
 * loop thread.
 */
#ifndef TAKT_FANOUT_H
#define TAKT_FANOUT_H

#include <stddef.h>

/* One socket and what to send on it; sent says how much the kernel took. */
struct fanout_item {
	int		 fd;
	const char	*p;
	size_t		 n;
	size_t		 sent;
};

/* Starts the helper thread; 0, or -1 (then everything is sent inline). */
int	fanout_start(void);
/* Sends every item without blocking, sharing the work; returns when done. */
void	fanout_send(struct fanout_item *items, size_t n);
/* Stops the helper thread. */
void	fanout_stop(void);

#endif
