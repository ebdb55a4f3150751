/*
 * writer.c — a single writer thread with its own SQLite connection. Jobs
 * queue under a mutex; the thread drains the whole queue per round, so the
 * busier the daemon, the more writes share one fsync. Results travel back
 * through a pipe the event loop watches.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "store.h"
#include "writer.h"

struct writer_job {
	struct writer_job	*next;
	writer_fn		 fn;
	writer_done		 done;
	void			*arg;
	int			 rc;
};

struct writer_queue {
	struct writer_job	*head;
	struct writer_job	**tail;
};

static pthread_t		 writer_thread;
static pthread_mutex_t		 writer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t		 writer_cond = PTHREAD_COND_INITIALIZER;
static struct writer_queue	 writer_todo, writer_done_q;
static bool			 writer_running, writer_quit, writer_group;
static struct store		*writer_store;
static struct event		*writer_ev;
static int			 writer_pipe[2] = { -1, -1 };
static unsigned long long	 writer_njobs, writer_ncommits;
static unsigned long long	 writer_batch_commits;	/* the thread's own count */

/* Empties a queue. */
static void
writer_queue_init(struct writer_queue *q)
{
	q->head = NULL;
	q->tail = &q->head;
}

/* Moves every job of src to the end of dst. */
static void
writer_queue_splice(struct writer_queue *dst, struct writer_queue *src)
{
	if (src->head == NULL)
		return;
	*dst->tail = src->head;
	dst->tail = src->tail;
	writer_queue_init(src);
}

/* Runs one job in a savepoint so its failure does not undo the others. */
static void
writer_run_job(struct writer_job *j)
{
	if (store_savepoint(writer_store) == -1) {
		j->rc = -1;
		return;
	}
	j->rc = j->fn(writer_store, j->arg);
	if (j->rc != 0)
		store_savepoint_rollback(writer_store);
	store_savepoint_release(writer_store);
}

/* Runs a batch: one transaction for all (group commit) or one each. */
static void
writer_run_batch(struct writer_job *batch)
{
	struct writer_job	*j;
	int			 rc = 0;

	if (writer_group) {
		if (store_begin(writer_store) == -1)
			rc = -1;
		for (j = batch; j != NULL && rc == 0; j = j->next)
			writer_run_job(j);
		if (rc == 0 && store_commit(writer_store) == -1) {
			store_rollback(writer_store);
			rc = -1;
		}
		if (rc == -1)
			for (j = batch; j != NULL; j = j->next)
				j->rc = -1;
		writer_batch_commits++;
		return;
	}
	for (j = batch; j != NULL; j = j->next) {
		if (store_begin(writer_store) == -1) {
			j->rc = -1;
			continue;
		}
		writer_run_job(j);
		if (store_commit(writer_store) == -1) {
			store_rollback(writer_store);
			j->rc = -1;
		}
		writer_batch_commits++;
	}
}

/* The thread: wait for jobs, run them all, commit, hand them back. */
static void *
writer_main(void *arg)
{
	struct writer_queue	 batch;
	struct writer_job	*j;
	char			 one = 1;

	(void)arg;
	pthread_mutex_lock(&writer_lock);
	for (;;) {
		while (writer_todo.head == NULL && !writer_quit)
			pthread_cond_wait(&writer_cond, &writer_lock);
		if (writer_todo.head == NULL && writer_quit)
			break;
		writer_queue_init(&batch);
		writer_queue_splice(&batch, &writer_todo);
		pthread_mutex_unlock(&writer_lock);

		writer_run_batch(batch.head);

		pthread_mutex_lock(&writer_lock);
		for (j = batch.head; j != NULL; j = j->next)
			writer_njobs++;
		writer_ncommits = writer_batch_commits;
		writer_queue_splice(&writer_done_q, &batch);
		pthread_mutex_unlock(&writer_lock);
		/* Wake the loop; a full pipe already means it will wake. */
		while (write(writer_pipe[1], &one, 1) == -1 && errno == EINTR)
			;
		pthread_mutex_lock(&writer_lock);
	}
	pthread_mutex_unlock(&writer_lock);
	return NULL;
}

/* In the loop: delivers finished jobs to their done callbacks. */
static void
writer_deliver(evutil_socket_t fd, short what, void *arg)
{
	struct writer_queue	 q;
	struct writer_job	*j, *next;
	char			 buf[256];

	(void)what;
	(void)arg;
	while (read(fd, buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&writer_lock);
	writer_queue_init(&q);
	writer_queue_splice(&q, &writer_done_q);
	pthread_mutex_unlock(&writer_lock);
	for (j = q.head; j != NULL; j = next) {
		next = j->next;
		j->done(j->arg, j->rc);
		free(j);
	}
}

/* Opens the writer's connection and starts the thread. */
int
writer_start(struct event_base *base, const char *path, bool group_commit)
{
	bool	 created;
	char	*err = NULL;

	writer_queue_init(&writer_todo);
	writer_queue_init(&writer_done_q);
	writer_group = group_commit;
	if ((writer_store = store_open(path, &created, &err)) == NULL) {
		log_warnx("writer: %s", err != NULL ? err : "cannot open the database");
		free(err);
		return -1;
	}
	if (pipe2(writer_pipe, O_NONBLOCK | O_CLOEXEC) == -1)
		return -1;
	writer_ev = event_new(base, writer_pipe[0], EV_READ | EV_PERSIST,
	    writer_deliver, NULL);
	if (writer_ev == NULL || event_add(writer_ev, NULL) == -1)
		return -1;
	writer_quit = false;
	if (pthread_create(&writer_thread, NULL, writer_main, NULL) != 0)
		return -1;
	writer_running = true;
	log_info("writer: %s", group_commit ? "group commit" :
	    "one commit per request");
	return 0;
}

/* Queues a job for the thread. */
int
writer_submit(writer_fn fn, writer_done done, void *arg)
{
	struct writer_job	*j;

	if (!writer_running || (j = calloc(1, sizeof *j)) == NULL)
		return -1;
	j->fn = fn;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&writer_lock);
	*writer_todo.tail = j;
	writer_todo.tail = &j->next;
	pthread_cond_signal(&writer_cond);
	pthread_mutex_unlock(&writer_lock);
	return 0;
}

/* Drains the queue, answers the last jobs and joins the thread. */
void
writer_stop(void)
{
	if (!writer_running)
		return;
	pthread_mutex_lock(&writer_lock);
	writer_quit = true;
	pthread_cond_signal(&writer_cond);
	pthread_mutex_unlock(&writer_lock);
	pthread_join(writer_thread, NULL);
	writer_running = false;
	writer_deliver(writer_pipe[0], EV_READ, NULL);
	event_free(writer_ev);
	writer_ev = NULL;
	close(writer_pipe[0]);
	close(writer_pipe[1]);
	writer_pipe[0] = writer_pipe[1] = -1;
	store_close(writer_store);
	writer_store = NULL;
}

/* Counters for /metrics. */
void
writer_stats(unsigned long long *jobs, unsigned long long *commits)
{
	pthread_mutex_lock(&writer_lock);
	*jobs = writer_njobs;
	*commits = writer_ncommits;
	pthread_mutex_unlock(&writer_lock);
}
