/*
 * lib/queue.h - a bounded blocking queue of pointers, for handing work
 * from one thread to another.
 *
 * First in, first out.  A put waits while the queue is full, a get while it
 * is empty.  Closing it (either side, any number of times) wakes every
 * waiter: from then on a put refuses, and a get returns what is left, then
 * NULL.  The queue holds pointers only; what they point to stays the
 * caller's.
 */
#ifndef PL_QUEUE_H
#define PL_QUEUE_H

#include <pthread.h>
#include <stddef.h>

struct pl_queue {
	pthread_mutex_t lock;
	pthread_cond_t not_empty;
	pthread_cond_t not_full;
	void **items;             /* a ring of cap slots */
	size_t cap;
	size_t head;              /* slot of the oldest item */
	size_t n_items;
	int closed;
};

/* An empty open queue of room for cap (at least 1) items.  Out of memory
 * aborts. */
void pl_queue_init(struct pl_queue *q, size_t cap);
/* Frees the queue; no thread may be waiting on it. */
void pl_queue_release(struct pl_queue *q);
/* Appends item (not NULL), waiting while the queue is full.  Returns 0, or
 * -1 when the queue is closed (item not added). */
int pl_queue_put(struct pl_queue *q, void *item);
/* The oldest item, waiting while the queue is empty and open; NULL when it
 * is closed and empty. */
void *pl_queue_get(struct pl_queue *q);
/* Closes the queue and wakes every waiter. */
void pl_queue_close(struct pl_queue *q);

#endif
