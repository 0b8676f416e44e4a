/*
 * progress: rate, percent and time left of a long run, and its line.
 */
#include <math.h>
#include <stdio.h>

#include "progress.h"

void
progress_compute(long long rows, long long done, long long total,
    double elapsed, struct progress_view *v)
{
	v->rows = rows;
	v->rate = elapsed > 0 && rows > 0 ? (double)rows / elapsed : 0;
	v->percent = -1;
	v->left = -1;
	if (total <= 0 || done < 0)
		return;
	if (done > total)
		done = total;
	v->percent = (int)((double)done * 100 / (double)total);
	if (done == total)
		v->left = 0;
	else if (done > 0 && elapsed > 0)
		v->left = (long long)ceil(elapsed * (double)(total - done) /
		    (double)done);
}

void
progress_format(const struct progress_view *v, struct sbuf *out)
{
	sbuf_addf(out, "%lld row%s", v->rows, v->rows == 1 ? "" : "s");
	if (v->rate > 0)
		sbuf_addf(out, ", %.0f rows/s", v->rate);
	if (v->percent >= 0)
		sbuf_addf(out, ", %d%%", v->percent);
	if (v->left >= 3600)
		sbuf_addf(out, ", %lld:%02lld:%02lld left", v->left / 3600,
		    v->left / 60 % 60, v->left % 60);
	else if (v->left >= 0)
		sbuf_addf(out, ", %lld:%02lld left", v->left / 60,
		    v->left % 60);
}
