/*
 * tests/fault/nothread.c - an LD_PRELOAD shim under which no thread can be
 * started: pthread_create fails with EAGAIN (as when RLIMIT_NPROC or memory
 * runs out), for the stage test that every stage then does its work on one
 * thread (t0921).  Every refused call is counted on stderr once, at exit,
 * as "nothread: N refused" (so a test can tell the shim was in effect).
 *
 * Build: cc -shared -fPIC -o nothread.so nothread.c
 * Use:   LD_PRELOAD=./nothread.so ingest ...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned long refused;

static void report(void)
{
	if (refused)
		fprintf(stderr, "nothread: %lu refused\n", refused);
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
		   void *arg)
{
	(void)thread;
	(void)attr;
	(void)start;
	(void)arg;
	if (!refused++)
		atexit(report);
	return EAGAIN;
}
