/*
 * lib/queue.c - a bounded blocking queue of pointers: one mutex, two
 * condition variables, a ring.
 */
#define _POSIX_C_SOURCE 200809L
#include "queue.h"

#include <stdlib.h>

#include "pl.h"

/* A mutex or condition variable call that fails is a caller's mistake
 * (e.g. a queue used after release): nothing to recover. */
static void check(int rc)
{
	if (rc != 0)
		abort();
}

void pl_queue_init(struct pl_queue *q, size_t cap)
{
	check(pthread_mutex_init(&q->lock, NULL));
	check(pthread_cond_init(&q->not_empty, NULL));
	check(pthread_cond_init(&q->not_full, NULL));
	q->cap = cap ? cap : 1;
	q->items = pl_xcalloc(q->cap, sizeof(*q->items));
	q->head = 0;
	q->n_items = 0;
	q->closed = 0;
}

void pl_queue_release(struct pl_queue *q)
{
	pthread_cond_destroy(&q->not_full);
	pthread_cond_destroy(&q->not_empty);
	pthread_mutex_destroy(&q->lock);
	free(q->items);
	q->items = NULL;
	q->cap = q->n_items = 0;
}

int pl_queue_put(struct pl_queue *q, void *item)
{
	int rc = -1;

	check(pthread_mutex_lock(&q->lock));
	while (!q->closed && q->n_items == q->cap)
		check(pthread_cond_wait(&q->not_full, &q->lock));
	if (!q->closed) {
		q->items[(q->head + q->n_items) % q->cap] = item;
		q->n_items++;
		check(pthread_cond_signal(&q->not_empty));
		rc = 0;
	}
	check(pthread_mutex_unlock(&q->lock));
	return rc;
}

void *pl_queue_get(struct pl_queue *q)
{
	void *item = NULL;

	check(pthread_mutex_lock(&q->lock));
	while (!q->closed && q->n_items == 0)
		check(pthread_cond_wait(&q->not_empty, &q->lock));
	if (q->n_items) {
		item = q->items[q->head];
		q->head = (q->head + 1) % q->cap;
		q->n_items--;
		check(pthread_cond_signal(&q->not_full));
	}
	check(pthread_mutex_unlock(&q->lock));
	return item;
}

void pl_queue_close(struct pl_queue *q)
{
	check(pthread_mutex_lock(&q->lock));
	q->closed = 1;
	check(pthread_cond_broadcast(&q->not_empty));
	check(pthread_cond_broadcast(&q->not_full));
	check(pthread_mutex_unlock(&q->lock));
}
