/*
 * tests/unit/test_map_queue.c - map/queue: first in first out up to its
 * capacity, close (pushes refused, pops drain, then NULL), a close that
 * wakes a thread waiting to pop or to push, and 100,000 items through a
 * queue of two between two threads, in order.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "map/queue.h"

#define N_ITEMS 100000

/* Items are small integers dressed as pointers (never NULL). */
static void *item(uintptr_t n) { return (void *)(n + 1); }
static uintptr_t number(void *p) { return (uintptr_t)p - 1; }

static void test_map_queue__fifo_up_to_capacity(void **state)
{
	struct map_queue q;

	(void)state;
	map_queue_init(&q, 3);
	for (int round = 0; round < 4; round++) { /* the ring wraps */
		for (uintptr_t i = 0; i < 3; i++)
			assert_int_equal(map_queue_push(&q, item(10 * (uintptr_t)round + i)), 0);
		assert_int_equal(q.len, 3);
		for (uintptr_t i = 0; i < 3; i++)
			assert_int_equal(number(map_queue_pop(&q)), 10 * (uintptr_t)round + i);
		assert_int_equal(q.len, 0);
	}
	map_queue_release(&q);
	assert_null(q.items);
}

static void test_map_queue__close_refuses_pushes_and_drains(void **state)
{
	struct map_queue q;

	(void)state;
	map_queue_init(&q, 4);
	assert_int_equal(map_queue_push(&q, item(1)), 0);
	assert_int_equal(map_queue_push(&q, item(2)), 0);
	map_queue_close(&q);
	map_queue_close(&q); /* again: harmless */
	assert_int_equal(map_queue_push(&q, item(3)), -1);
	assert_int_equal(number(map_queue_pop(&q)), 1);
	assert_int_equal(number(map_queue_pop(&q)), 2);
	assert_null(map_queue_pop(&q));
	assert_null(map_queue_pop(&q));
	map_queue_release(&q);
}

struct waiter {
	struct map_queue *q;
	int push;              /* push item(7), else pop */
	void *popped;
	int pushed;
};

static void *wait_on_queue(void *arg)
{
	struct waiter *w = arg;

	if (w->push)
		w->pushed = map_queue_push(w->q, item(7));
	else
		w->popped = map_queue_pop(w->q);
	return NULL;
}

static void short_sleep(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* A thread blocked in pop on an empty queue, or in push on a full one,
 * returns when the queue is closed (a hang here is the failure). */
static void test_map_queue__close_wakes_waiters(void **state)
{
	struct map_queue q;
	struct waiter popper = { &q, 0, item(99), 99 };
	struct waiter pusher = { &q, 1, NULL, 99 };
	pthread_t t;

	(void)state;
	map_queue_init(&q, 1);
	assert_int_equal(pthread_create(&t, NULL, wait_on_queue, &popper), 0);
	short_sleep();
	map_queue_close(&q);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_null(popper.popped);
	map_queue_release(&q);

	map_queue_init(&q, 1);
	assert_int_equal(map_queue_push(&q, item(1)), 0); /* full */
	assert_int_equal(pthread_create(&t, NULL, wait_on_queue, &pusher), 0);
	short_sleep();
	map_queue_close(&q);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(pusher.pushed, -1);
	assert_int_equal(number(map_queue_pop(&q)), 1); /* the item queued before */
	assert_null(map_queue_pop(&q));
	map_queue_release(&q);
}

struct consumer {
	struct map_queue *q;
	uintptr_t n_seen;
	int out_of_order;
};

static void *consume(void *arg)
{
	struct consumer *c = arg;
	void *p;

	while ((p = map_queue_pop(c->q)) != NULL) {
		if (number(p) != c->n_seen)
			c->out_of_order = 1;
		c->n_seen++;
	}
	return NULL;
}

static void test_map_queue__many_between_threads_in_order(void **state)
{
	struct map_queue q;
	struct consumer c = { &q, 0, 0 };
	pthread_t t;

	(void)state;
	map_queue_init(&q, 2);
	assert_int_equal(pthread_create(&t, NULL, consume, &c), 0);
	for (uintptr_t i = 0; i < N_ITEMS; i++)
		assert_int_equal(map_queue_push(&q, item(i)), 0);
	map_queue_close(&q);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(c.n_seen, N_ITEMS);
	assert_false(c.out_of_order);
	map_queue_release(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_queue__fifo_up_to_capacity),
		cmocka_unit_test(test_map_queue__close_refuses_pushes_and_drains),
		cmocka_unit_test(test_map_queue__close_wakes_waiters),
		cmocka_unit_test(test_map_queue__many_between_threads_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
