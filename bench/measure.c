/*
 * measure: runs a command as a whole process and reports its wall time
 * and peak resident set size.  A tool of the bench only, built by
 * bench/run.sh, so the bench needs neither GNU time nor anything else not
 * already on a build machine.
 *
 *   measure -o result-file command [argument ...]
 *
 * The command inherits stdin, stdout and stderr, so the shell's
 * redirections of measure apply to it.  The result file gets one line,
 * "wall_seconds peak_rss_kib", even when the command fails.  The peak RSS
 * is the kernel's ru_maxrss from wait4(2), which covers the command and
 * the descendants it waited for: for "sh -c 'a | b'" it is the largest
 * of them, as GNU time reports it, not their sum.
 *
 * Exits with the command's status, 128 + the signal that ended it, or 127
 * when it could not be run.
 */
#define _DEFAULT_SOURCE		/* wait4 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG "measure"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	const char *out;
	FILE *f;
	pid_t pid;
	int status, rc;
	struct rusage ru;
	double t0, wall;

	if (argc < 4 || strcmp(argv[1], "-o") != 0) {
		fprintf(stderr, "usage: " PROG
		    " -o result-file command [argument ...]\n");
		return 2;
	}
	out = argv[2];
	/* Open the result file first: a bad path is found before the run. */
	if ((f = fopen(out, "w")) == NULL) {
		fprintf(stderr, PROG ": %s: %s\n", out, strerror(errno));
		return 127;
	}
	fflush(NULL);
	t0 = now();
	if ((pid = fork()) == -1) {
		fprintf(stderr, PROG ": fork: %s\n", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		fprintf(stderr, PROG ": %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) == -1) {
		if (errno != EINTR) {
			fprintf(stderr, PROG ": wait4: %s\n", strerror(errno));
			return 127;
		}
	}
	wall = now() - t0;
	if (WIFEXITED(status))
		rc = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		rc = 128 + WTERMSIG(status);
	else
		rc = 127;
	fprintf(f, "%.3f %ld\n", wall, (long)ru.ru_maxrss);
	if (fclose(f) != 0) {
		fprintf(stderr, PROG ": %s: %s\n", out, strerror(errno));
		return 127;
	}
	return rc;
}
