/*
 * tests/unit/test_queue.c - lib/queue: first in first out through the
 * ring's wrap, a put waiting on a full queue and a get on an empty one,
 * 100,000 items between two threads in order through a queue of 2, and
 * closing: what is left comes out, then NULL; a put refuses; a waiting get
 * and a waiting put are woken (the storing thread of ingest stops its
 * reading thread this way).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "queue.h"

/* Items are small integers cast to pointers (never 0: NULL means closed). */
#define ITEM(i) ((void *)(uintptr_t)(i))
#define NUM(p) ((size_t)(uintptr_t)(p))

static void pause_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

static void test_queue__first_in_first_out_through_the_wrap(void **state)
{
	struct pl_queue q;
	size_t next_in = 1, next_out = 1;

	(void)state;
	pl_queue_init(&q, 3);
	assert_int_equal(pl_queue_put(&q, ITEM(next_in++)), 0);
	for (int round = 0; round < 10; round++) {
		/* 2 in, 2 out, one always left: head and tail go round the ring */
		assert_int_equal(pl_queue_put(&q, ITEM(next_in++)), 0);
		assert_int_equal(pl_queue_put(&q, ITEM(next_in++)), 0);
		assert_int_equal(NUM(pl_queue_get(&q)), next_out++);
		assert_int_equal(NUM(pl_queue_get(&q)), next_out++);
	}
	assert_int_equal(NUM(pl_queue_get(&q)), next_out++);
	assert_int_equal(next_out, next_in);
	assert_int_equal(next_in, 22);
	pl_queue_release(&q);
}

static void test_queue__capacity_zero_holds_one(void **state)
{
	struct pl_queue q;

	(void)state;
	pl_queue_init(&q, 0);
	assert_int_equal(q.cap, 1);
	assert_int_equal(pl_queue_put(&q, ITEM(7)), 0);
	assert_int_equal(NUM(pl_queue_get(&q)), 7);
	pl_queue_release(&q);
}

struct pair {
	struct pl_queue *q;
	size_t n;                 /* items to put, or items got */
	size_t bad;               /* items out of order */
	int rc;                   /* last put's result */
	void *got;                /* last get's result */
};

static void *put_many(void *arg)
{
	struct pair *p = arg;

	for (size_t i = 1; i <= p->n; i++)
		p->rc = pl_queue_put(p->q, ITEM(i));
	return NULL;
}

static void *get_all(void *arg)
{
	struct pair *p = arg;
	void *item;

	p->n = 0;
	while ((item = pl_queue_get(p->q)) != NULL) {
		p->n++;
		if (NUM(item) != p->n)
			p->bad++;
	}
	p->got = item;
	return NULL;
}

static void test_queue__many_items_between_two_threads_in_order(void **state)
{
	struct pl_queue q;
	struct pair out = { &q, 100000, 0, -1, NULL }, in = { &q, 0, 0, 0, NULL };
	pthread_t producer, consumer;

	(void)state;
	pl_queue_init(&q, 2);
	assert_int_equal(pthread_create(&consumer, NULL, get_all, &in), 0);
	assert_int_equal(pthread_create(&producer, NULL, put_many, &out), 0);
	assert_int_equal(pthread_join(producer, NULL), 0);
	pl_queue_close(&q);   /* the end: the consumer takes what is left, then NULL */
	assert_int_equal(pthread_join(consumer, NULL), 0);
	assert_int_equal(out.rc, 0);
	assert_int_equal(in.n, 100000);
	assert_int_equal(in.bad, 0);
	assert_null(in.got);
	pl_queue_release(&q);
}

static void test_queue__closed_gives_what_is_left_then_null(void **state)
{
	struct pl_queue q;

	(void)state;
	pl_queue_init(&q, 4);
	assert_int_equal(pl_queue_put(&q, ITEM(1)), 0);
	assert_int_equal(pl_queue_put(&q, ITEM(2)), 0);
	pl_queue_close(&q);
	pl_queue_close(&q);   /* again: no-op */
	assert_int_equal(pl_queue_put(&q, ITEM(3)), -1);
	assert_int_equal(NUM(pl_queue_get(&q)), 1);
	assert_int_equal(NUM(pl_queue_get(&q)), 2);
	assert_null(pl_queue_get(&q));
	assert_null(pl_queue_get(&q));
	pl_queue_release(&q);
}

static void *get_one(void *arg)
{
	struct pair *p = arg;

	p->got = pl_queue_get(p->q);
	return NULL;
}

static void *put_one(void *arg)
{
	struct pair *p = arg;

	p->rc = pl_queue_put(p->q, ITEM(99));
	return NULL;
}

/* Without the wake-up on close the joins below would never return. */
static void test_queue__close_wakes_a_waiting_get(void **state)
{
	struct pl_queue q;
	struct pair p = { &q, 0, 0, 0, ITEM(1) };
	pthread_t t;

	(void)state;
	pl_queue_init(&q, 1);
	assert_int_equal(pthread_create(&t, NULL, get_one, &p), 0);
	pause_ms(50);         /* let it wait on the empty queue */
	pl_queue_close(&q);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_null(p.got);
	pl_queue_release(&q);
}

static void test_queue__close_wakes_a_waiting_put(void **state)
{
	struct pl_queue q;
	struct pair p = { &q, 0, 0, 0, NULL };
	pthread_t t;

	(void)state;
	pl_queue_init(&q, 1);
	assert_int_equal(pl_queue_put(&q, ITEM(1)), 0);   /* full */
	assert_int_equal(pthread_create(&t, NULL, put_one, &p), 0);
	pause_ms(50);         /* let it wait on the full queue */
	pl_queue_close(&q);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(p.rc, -1);                       /* not added */
	assert_int_equal(NUM(pl_queue_get(&q)), 1);
	assert_null(pl_queue_get(&q));
	pl_queue_release(&q);
}

static void test_queue__a_put_waits_for_room(void **state)
{
	struct pl_queue q;
	struct pair p = { &q, 0, 0, 1, NULL };
	size_t n_items;
	pthread_t t;

	(void)state;
	pl_queue_init(&q, 1);
	assert_int_equal(pl_queue_put(&q, ITEM(1)), 0);
	assert_int_equal(pthread_create(&t, NULL, put_one, &p), 0);
	pause_ms(50);
	pthread_mutex_lock(&q.lock);
	n_items = q.n_items;
	pthread_mutex_unlock(&q.lock);
	assert_int_equal(n_items, 1);                     /* it still waits */
	assert_int_equal(NUM(pl_queue_get(&q)), 1);       /* makes room */
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(p.rc, 0);
	assert_int_equal(NUM(pl_queue_get(&q)), 99);
	pl_queue_release(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue__first_in_first_out_through_the_wrap),
		cmocka_unit_test(test_queue__capacity_zero_holds_one),
		cmocka_unit_test(test_queue__many_items_between_two_threads_in_order),
		cmocka_unit_test(test_queue__closed_gives_what_is_left_then_null),
		cmocka_unit_test(test_queue__close_wakes_a_waiting_get),
		cmocka_unit_test(test_queue__close_wakes_a_waiting_put),
		cmocka_unit_test(test_queue__a_put_waits_for_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
