/*
 * kpireport: turns the gathered inputs (lib/kpidata) into KPI rows with
 * the formulas of lib/kpi, judges them against the client's targets, and
 * writes them: long-format TSV (period kpi value unit target status
 * detail) and the monthly-review HTML page with inline SVG charts.
 * Nothing here reads the state; writing goes to a FILE the caller owns.
 */
#ifndef CK_KPIREPORT_H
#define CK_KPIREPORT_H

#include <stdint.h>
#include <stdio.h>

#include "kpidata.h"

struct kpi_row {
	size_t period;			/* index into the periods */
	const char *key;
	const char *unit;		/* days, pct, ratio, count, or the
					   currency code for money */
	int defined;
	long double value;		/* money in major units (charts) */
	int64_t sv;			/* the printed value: value rounded
					   once, x 10^dp (money: the exact
					   minor units) */
	int dp;				/* decimals printed */
	int has_target;
	long double target;
	int64_t st;			/* the printed target, as sv */
	enum kpi_status status;
	char detail[200];
};

struct kpi_rows {
	size_t n, cap;
	struct kpi_row *v;
};

/* kpi_rows_build: every KPI of every period, in key order within each
 * period, periods in their order. */
void kpi_rows_build(struct kpi_rows *rows, const struct kpi_period *p,
    size_t np, const struct kpi_data *x, const struct kpi_config *k);
void kpi_rows_free(struct kpi_rows *rows);

/* kpi_write_tsv: the header and the rows.  kpi_write_html: the page;
 * title is the client's name (NULL: none).  Both return 0, or -1 when
 * the stream failed. */
int kpi_write_tsv(FILE *out, const struct kpi_rows *rows,
    const struct kpi_period *p);
int kpi_write_html(FILE *out, const struct kpi_rows *rows,
    const struct kpi_period *p, size_t np, const struct kpi_data *x,
    const char *title, int32_t as_of);

/* kpi_html_escape: s with & < > " ' as entities (and controls dropped)
 * on out. */
void kpi_html_escape(FILE *out, const char *s);

#endif
