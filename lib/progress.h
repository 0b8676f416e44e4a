/*
 * progress: the arithmetic of the progress line a long run shows on a
 * terminal (cli_progress_* draws it; lib/ never prints): from the rows
 * done, the work done of the work in all (bytes read of the input's
 * size, lines, rows: any one unit) and the time so far, the rate and the
 * time left; and the line's text.  Pure functions, for the unit tests.
 */
#ifndef CK_PROGRESS_H
#define CK_PROGRESS_H

#include "util.h"

struct progress_view {
	long long rows;
	double rate;		/* rows a second; 0 when it cannot be told */
	int percent;		/* of the work, 0..100; -1 unknown */
	long long left;		/* seconds left, rounded up; -1 unknown */
};

/*
 * progress_compute: rows done in elapsed seconds, done of total units of
 * the work (total <= 0: unknown, so no percent and no time left).  The
 * time left assumes the rest goes at the rate so far: elapsed x (total -
 * done) / done; unknown while nothing is done; 0 once done >= total
 * (done is clamped to total: a file that grew while read).
 */
void progress_compute(long long rows, long long done, long long total,
    double elapsed, struct progress_view *v);

/* progress_format: the line, as "12345 rows, 4321 rows/s, 45%, 0:12
 * left", without what it cannot know; appended to out. */
void progress_format(const struct progress_view *v, struct sbuf *out);

/* The tool's hook, as lib/ modules with long loops take it: called once
 * a row with the work done of the work in all (total 0: unknown). */
typedef void progress_fn(void *ctx, long long done, long long total);

#endif
