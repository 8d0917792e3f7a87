/*
 * map/queue.c - a bounded FIFO of pointers between threads (see queue.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "queue.h"

#include <stdlib.h>

#include "pl.h"

void map_queue_init(struct map_queue *q, size_t cap)
{
	if (cap == 0)
		abort(); /* a caller's mistake */
	if (pthread_mutex_init(&q->mu, NULL) != 0 || pthread_cond_init(&q->not_empty, NULL) != 0 ||
	    pthread_cond_init(&q->not_full, NULL) != 0)
		abort(); /* only for lack of memory on Linux */
	q->items = pl_xcalloc(cap, sizeof(*q->items));
	q->cap = cap;
	q->head = q->len = 0;
	q->closed = 0;
}

void map_queue_release(struct map_queue *q)
{
	pthread_cond_destroy(&q->not_full);
	pthread_cond_destroy(&q->not_empty);
	pthread_mutex_destroy(&q->mu);
	free(q->items);
	q->items = NULL;
	q->cap = q->len = 0;
}

int map_queue_push(struct map_queue *q, void *item)
{
	int rc = -1;

	pthread_mutex_lock(&q->mu);
	while (!q->closed && q->len == q->cap)
		pthread_cond_wait(&q->not_full, &q->mu);
	if (!q->closed) {
		q->items[(q->head + q->len) % q->cap] = item;
		q->len++;
		pthread_cond_signal(&q->not_empty);
		rc = 0;
	}
	pthread_mutex_unlock(&q->mu);
	return rc;
}

void *map_queue_pop(struct map_queue *q)
{
	void *item = NULL;

	pthread_mutex_lock(&q->mu);
	while (!q->closed && q->len == 0)
		pthread_cond_wait(&q->not_empty, &q->mu);
	if (q->len) {
		item = q->items[q->head];
		q->head = (q->head + 1) % q->cap;
		q->len--;
		pthread_cond_signal(&q->not_full);
	}
	pthread_mutex_unlock(&q->mu);
	return item;
}

void map_queue_close(struct map_queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->closed = 1;
	pthread_cond_broadcast(&q->not_empty);
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->mu);
}
