/*
 * hg_maxrss.c - runs a command and reports the peak resident memory of it
 * (getrusage(RUSAGE_CHILDREN) after waiting for it: ru_maxrss, KiB on
 * Linux). For the tests of the model's host memory (tests/bigheap).
 *
 *   hg_maxrss LIMIT_KIB CMD [ARG...]
 *
 * Prints "maxrss N KiB" on standard error. Exits with the command's status
 * when it exited (128 + the signal when it was killed), and with 1 when it
 * succeeded but used more than LIMIT_KIB; 125 when it could not run it.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end;
	long long limit;
	struct rusage ru;
	int status;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: hg_maxrss LIMIT_KIB CMD [ARG...]\n");
		return 125;
	}
	errno = 0;
	limit = strtoll(argv[1], &end, 10);
	if (errno || *end || limit <= 0) {
		fprintf(stderr, "hg_maxrss: bad limit '%s'\n", argv[1]);
		return 125;
	}
	pid = fork();
	if (pid < 0) {
		perror("hg_maxrss: fork");
		return 125;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "hg_maxrss: %s: %s\n", argv[2],
			strerror(errno));
		_exit(125);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("hg_maxrss: waitpid");
			return 125;
		}
	}
	if (getrusage(RUSAGE_CHILDREN, &ru) != 0) {
		perror("hg_maxrss: getrusage");
		return 125;
	}
	fprintf(stderr, "maxrss %ld KiB\n", ru.ru_maxrss);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	if (WEXITSTATUS(status) != 0)
		return WEXITSTATUS(status);
	if (ru.ru_maxrss > limit) {
		fprintf(stderr,
			"hg_maxrss: %ld KiB is over the limit of %lld KiB\n",
			ru.ru_maxrss, limit);
		return 1;
	}
	return 0;
}
