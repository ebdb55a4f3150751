/*
 * test_fanout.c — the send() half of a broadcast (daemon/fanout.c), on
 * socket pairs: every item is sent exactly once whether the helper thread
 * shares the batch or not, a full socket or a vanished peer is reported in
 * sent and never blocks or raises SIGPIPE, and batches follow one another
 * without one leaking into the next.
 */

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "fanout.h"

#define PAIRS	300	/* well above the helper's threshold */
#define ROUNDS	200

static int			 sv[PAIRS][2];
static struct fanout_item	 items[PAIRS];
static char			 msg[PAIRS][48];

/* Opens the socket pairs; the reading ends are non-blocking. */
static void
pairs_open(void)
{
	int	i;

	for (i = 0; i < PAIRS; i++) {
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]), 0);
		ck_assert_int_ne(fcntl(sv[i][1], F_SETFL, O_NONBLOCK), -1);
	}
}

/* Closes whatever is still open. */
static void
pairs_close(void)
{
	int	i, j;

	for (i = 0; i < PAIRS; i++)
		for (j = 0; j < 2; j++)
			if (sv[i][j] != -1) {
				close(sv[i][j]);
				sv[i][j] = -1;
			}
}

/* Fills items[0..n) with a message unique to the item and the round. */
static void
items_fill(int n, int round)
{
	int	i, len;

	for (i = 0; i < n; i++) {
		len = snprintf(msg[i], sizeof msg[i], "round %d item %d\n", round, i);
		items[i].fd = sv[i][0];
		items[i].p = msg[i];
		items[i].n = (size_t)len;
		items[i].sent = 12345;	/* must be overwritten */
	}
}

/* Everything waiting on pair i's reading end; its length in *len. */
static void
drain(int i, char *buf, size_t cap, size_t *len)
{
	ssize_t	r;

	*len = 0;
	while ((r = read(sv[i][1], buf + *len, cap - *len)) > 0)
		*len += (size_t)r;
	ck_assert(r == 0 || errno == EAGAIN || errno == EWOULDBLOCK);
}

/* Checks that each of items[0..n) arrived exactly once, whole. */
static void
check_delivered(int n)
{
	char	buf[256];
	size_t	len;
	int	i;

	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(items[i].sent, items[i].n);
		drain(i, buf, sizeof buf, &len);
		ck_assert_uint_eq(len, items[i].n);
		ck_assert(memcmp(buf, msg[i], len) == 0);
	}
}

/* Batches of every size around the threshold, with the helper on. */
START_TEST(test_every_item_once)
{
	int	round, n;

	pairs_open();
	ck_assert_int_eq(fanout_start(), 0);
	for (round = 0; round < ROUNDS; round++) {
		n = 1 + (round * 37) % PAIRS;
		items_fill(n, round);
		fanout_send(items, (size_t)n);
		check_delivered(n);
	}
	fanout_stop();
	pairs_close();
}
END_TEST

/* Without the helper (it could not start), everything is sent inline. */
START_TEST(test_without_helper)
{
	pairs_open();
	items_fill(PAIRS, 0);
	fanout_send(items, PAIRS);
	check_delivered(PAIRS);
	pairs_close();
}
END_TEST

/* A full socket takes nothing, a vanished peer fails: neither blocks. */
START_TEST(test_full_and_closed)
{
	char	fill[4096], buf[256];
	size_t	len;
	int	i, small = 4096;

	memset(fill, 'x', sizeof fill);
	pairs_open();
	ck_assert_int_eq(fanout_start(), 0);
	for (i = 0; i < PAIRS; i++) {
		if (i % 3 == 1) {
			/* Full: the peer never reads, the buffer is topped up. */
			setsockopt(sv[i][0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
			ck_assert_int_ne(fcntl(sv[i][0], F_SETFL, O_NONBLOCK), -1);
			while (write(sv[i][0], fill, sizeof fill) > 0)
				;
			ck_assert(errno == EAGAIN || errno == EWOULDBLOCK);
		} else if (i % 3 == 2) {
			close(sv[i][1]);	/* gone: EPIPE, no SIGPIPE */
			sv[i][1] = -1;
		}
	}
	items_fill(PAIRS, 1);
	fanout_send(items, PAIRS);
	for (i = 0; i < PAIRS; i++) {
		if (i % 3 == 0) {
			ck_assert_uint_eq(items[i].sent, items[i].n);
			drain(i, buf, sizeof buf, &len);
			ck_assert_uint_eq(len, items[i].n);
			ck_assert(memcmp(buf, msg[i], len) == 0);
		} else {
			ck_assert_uint_lt(items[i].sent, items[i].n);
			if (i % 3 == 2)
				ck_assert_uint_eq(items[i].sent, 0);
		}
	}
	fanout_stop();
	pairs_close();
}
END_TEST

/* The helper stops cleanly whether it is asleep or was never needed. */
START_TEST(test_start_stop)
{
	int	i;

	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(fanout_start(), 0);
		fanout_stop();
	}
	fanout_stop();		/* not running: nothing to do */
}
END_TEST

static Suite *
fanout_suite(void)
{
	Suite	*s = suite_create("fanout");
	TCase	*tc = tcase_create("send");

	tcase_add_test(tc, test_every_item_once);
	tcase_add_test(tc, test_without_helper);
	tcase_add_test(tc, test_full_and_closed);
	tcase_add_test(tc, test_start_stop);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(fanout_suite());
	int	 failed, i;

	for (i = 0; i < PAIRS; i++)
		sv[i][0] = sv[i][1] = -1;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
