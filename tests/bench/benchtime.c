/*
 * benchtime - runs a command REPEAT times and prints the least CPU time
 * (user plus system, microsecond resolution from wait4's rusage) and the
 * least peak RSS of those runs: on a shared machine the minimum is the
 * least disturbed run.
 *
 *   benchtime [-r REPEAT] [-i INPUT] [-o OUTPUT] -- COMMAND [ARGS...]
 *
 * Prints "SECONDS MAXRSS_KIB" (seconds to the microsecond). The command's
 * standard input is INPUT (default: none), its standard output OUTPUT
 * (default: discarded). Exits 1 when a run fails, with its status.
 */
#define _DEFAULT_SOURCE /* wait4 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int repeat = 1, c;
	const char *in = NULL, *out = NULL;
	while ((c = getopt(argc, argv, "r:i:o:")) != -1) {
		switch (c) {
		case 'r':
			repeat = atoi(optarg);
			break;
		case 'i':
			in = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc || repeat < 1) {
		fprintf(stderr, "usage: benchtime [-r REPEAT] [-i INPUT] "
				"[-o OUTPUT] -- COMMAND [ARGS...]\n");
		return 2;
	}
	double best = -1;
	long best_rss = -1;
	for (int k = 0; k < repeat; k++) {
		pid_t pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			int fi = open(in ? in : "/dev/null", O_RDONLY);
			int fo = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC,
					    0644)
				     : open("/dev/null", O_WRONLY);
			if (fi < 0 || fo < 0 || dup2(fi, 0) < 0 ||
			    dup2(fo, 1) < 0)
				_exit(127);
			execvp(argv[optind], argv + optind);
			_exit(127);
		}
		int st;
		struct rusage ru;
		if (wait4(pid, &st, 0, &ru) < 0)
			return 1;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "benchtime: %s exited with %d\n",
				argv[optind],
				WIFEXITED(st) ? WEXITSTATUS(st) : -1);
			return 1;
		}
		double t = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			   ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
		if (best < 0 || t < best)
			best = t;
		if (best_rss < 0 || ru.ru_maxrss < best_rss)
			best_rss = ru.ru_maxrss;
	}
	printf("%.6f %ld\n", best, best_rss);
	return 0;
}
