/*
 * tools/runstat.c - run a command and print its wall time and peak memory.
 *
 *     runstat COMMAND [ARG...]
 *
 * Prints "<seconds> <max_rss_kib> <exit_status>" on stderr's last line (to
 * fd 3 if it is open, so the command's own stderr stays separate).  Used by
 * bench/run.sh; getrusage(RUSAGE_CHILDREN) gives the peak RSS of the child.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	FILE *out = fdopen(3, "w");
	int status = 0;
	pid_t pid;

	if (argc < 2) {
		fputs("usage: runstat COMMAND [ARG...]\n", stderr);
		return 64;
	}
	if (!out)
		out = stderr;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("runstat: fork");
		return 71;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror("runstat: exec");
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("runstat: waitpid");
		return 71;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_CHILDREN, &ru);
	fprintf(out, "%.3f %ld %d\n",
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
