/*
 * emit: emit-letters' work.  Reads a chase plan (build-chasepath's TSV:
 * one row per debtor, step and channel due), renders each row with the
 * client's templates into the outbox (letters as text and HTML, e-mails
 * as RFC 5322 files, SMS, the call list and task list as CSV), adds the
 * statutory interest and compensation the client's `interest:` section
 * asks for, and records each action in the state (action, action_item)
 * in the caller's transaction.  Files are staged under temporary names
 * and renamed into place by emit_finish before the caller commits, so an
 * action is never recorded without its file.
 *
 * It owns the `branding:` section of the client's config (see
 * emit_branding_load and emit-letters(1)).
 */
#ifndef CK_EMIT_H
#define CK_EMIT_H

#include <stdio.h>
#include <stdint.h>
#include "chase.h"
#include "config.h"
#include "diag.h"
#include "interest.h"
#include "state.h"
#include "util.h"

struct emit_branding {
	/* Text fields, NULL when not given; see emit-letters(1). */
	char *name, *address, *email, *phone, *website, *logo, *colour,
	    *accent_colour, *signature, *bank_name, *account_name,
	    *account_number, *sort_code, *iban, *bic, *company_number,
	    *vat_number, *reference_prefix, *sms_from, *pap_template,
	    *templates;	/* the folder, resolved against the config's */
	long long deadline_days;	/* days a demand gives; 7 */
	long long pap_days;		/* the Protocol's 30 */
	long templates_line;		/* of branding.templates, 0: none */
};

/* emit_branding_load: root's `branding:` (defaults when absent) with
 * templates relative to the folder of config_path.  0, or -1 with d set
 * (d->line at the key, message naming it). */
int emit_branding_load(const struct cfg_node *root, const char *config_path,
    struct emit_branding *b, struct diag *d);
void emit_branding_free(struct emit_branding *b);

/* emit_check_steps: each of the rules' interest.steps must be a step of
 * one of c's paths (a misspelt step would claim nowhere, silently).  0,
 * or -1 with d set (d->line at the step in interest, the section). */
int emit_check_steps(const struct interest_rules *r,
    const struct cfg_node *interest, const struct chase_config *c,
    struct diag *d);

struct emit_opts {
	struct state *st;		/* NULL only with dry_run */
	int32_t as_of;
	const struct emit_branding *brand;
	const struct interest_rules *rules;
	const char *client_currency;	/* a plan row without currency */
	/* The paths and chase rules (lib/chase): a row's step must be one
	 * of its debtor's path, and what stops a plan (a restriction, a
	 * promise pending, a plan kept) stops the row; net_credits and
	 * net_unapplied say which of the plan's credits are deducted. */
	const struct chase_config *chase;
	const char *debtor_type;	/* the client's default (config) */
	const char *config_path;	/* the config file, NULL: none */
	/* With a paths: section in it, each step's template is checked
	 * when the templates load (told at config_path and the step's
	 * line); without, not (the default path's templates are the
	 * steps' names, which a client need not have). */
	int check_paths;
	const char *outbox;		/* the folder */
	int dry_run;			/* render, write and record nothing */
	FILE *out;			/* the TSV of what was emitted */
	FILE *rejects;			/* rejected rows, whole, or NULL */
	void (*report)(void *ctx, const char *file, long line,
	    const char *msg);
	void *report_ctx;
};

struct emit_counts {
	long read, emitted, done_before, rejected;
	long restated;		/* emitted with the state's amount due, not
				   the plan's, which disagreed */
	long not_planned;	/* build-chasepath --suppressed rows whose
				   planned column is not 1: not actions */
};

struct emit_run;	/* opaque */

#define EMIT_EDATA (-1)		/* the input (or a template) is unusable */
#define EMIT_ESTATE (-2)	/* the state failed */
#define EMIT_EFILE (-3)		/* the outbox cannot be written */

/*
 * emit_begin: loads and checks every template of the brand's folder
 * (NAME.txt, NAME.html, NAME.sms; files starting with '_' are partials).
 * NULL with d set and *errfile naming the file: an unknown field or a
 * malformed template is found here, before anything is emitted; so is
 * a step of the config's paths (o->check_paths) whose template lacks a
 * file its
 * channel needs (NAME.txt with a Subject: line for an e-mail, NAME.txt
 * and NAME.html for a letter, NAME.sms for an SMS).
 */
struct emit_run *emit_begin(const struct emit_opts *o, struct sbuf *errfile,
    int *code, struct diag *d);

/*
 * emit_last_day: the latest day the state has an action of (0: none).
 * A run as of an earlier day would not see what was sent since (the
 * state is replayed as of the day), so would send it again.  0, or -1
 * with d set.
 */
int emit_last_day(struct state *st, int32_t *day, struct diag *d);

/*
 * emit_file: the plan rows of one TSV stream.  A bad row is reported
 * through o->report, counted and written to o->rejects, and the rest
 * goes on; a row already recorded for this day (debtor, step, channel)
 * is counted in done_before and emits nothing.  Returns 0, EMIT_EDATA
 * with d set when the stream has no header or lacks a needed column, or
 * EMIT_ESTATE or EMIT_EFILE with d set (d->msg names the file).
 */
int emit_file(struct emit_run *r, FILE *fp, const char *name,
    struct emit_counts *c, struct diag *d);

/* emit_finish: stages the call and task lists and renames every staged
 * file into place (the caller commits next).  0, EMIT_ESTATE or
 * EMIT_EFILE. */
int emit_finish(struct emit_run *r, struct diag *d);
/* emit_free: removes what is still staged (a run that did not stand). */
void emit_free(struct emit_run *r);

/* emit_money: v of currency ccy for people: "£2,400.00", "€40.00",
 * "USD 1,234.00", "-£5.00". */
void emit_money(int64_t v, const char *ccy, struct sbuf *out);
/* emit_long_date: "29 February 2024". */
void emit_long_date(int32_t day, struct sbuf *out);

#endif
