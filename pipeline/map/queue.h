/*
 * map/queue.h - a bounded first-in first-out queue of pointers between
 * threads, with a close that wakes every waiter.
 *
 * The map stage hands batches of rows to its mapping thread through one and
 * takes them back through another; both stay small, so the memory a run
 * holds does not grow with its input.
 */
#ifndef MAP_QUEUE_H
#define MAP_QUEUE_H

#include <pthread.h>
#include <stddef.h>

struct map_queue {
	pthread_mutex_t mu;
	pthread_cond_t not_empty;
	pthread_cond_t not_full;
	void **items;          /* ring of cap slots */
	size_t cap;
	size_t head;           /* index of the oldest item */
	size_t len;
	int closed;            /* no more pushes; pops drain, then return NULL */
};

/* A queue of at most cap (> 0) items.  Out of memory aborts. */
void map_queue_init(struct map_queue *q, size_t cap);
void map_queue_release(struct map_queue *q);

/* Appends item (not NULL), waiting while the queue is full: 0, or -1 if the
 * queue is closed (the item was not taken). */
int map_queue_push(struct map_queue *q, void *item);

/* Removes the oldest item, waiting while the queue is empty and open: the
 * item, or NULL once the queue is closed and empty. */
void *map_queue_pop(struct map_queue *q);

/* Refuses further pushes and wakes every waiter; items already queued can
 * still be popped.  Closing twice is harmless. */
void map_queue_close(struct map_queue *q);

#endif
