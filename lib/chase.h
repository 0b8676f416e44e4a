/*
 * chase: the client's chase paths (the paths: and chase: sections of its
 * YAML) and the day's plan that build-chasepath prints: which step of
 * which path is due today for which debtor, on which channel, covering
 * which items (DOMAIN.md section 4.1), and why a debtor is not chased.
 *
 * It owns the rules: consolidation (one communication per debtor,
 * currency, channel and step; the debtor's level is its most advanced
 * item's step), query pause-and-shift, promises, plans and holds (their
 * statuses from lib/promise, computed as of the day), netting of credits,
 * minimum balances and gaps, contact hours (lib/calendar), per-channel
 * limits, missed days and never-twice (from the state's action and
 * action_item rows that emit-letters writes).  It reads the state and
 * never writes it: the plan is a file a person reviews before anything
 * is sent.
 */
#ifndef CK_CHASE_H
#define CK_CHASE_H

#include <stdint.h>
#include <stdio.h>

#include "calendar.h"
#include "config.h"
#include "diag.h"
#include "state.h"

enum chase_channel {
	CHASE_EMAIL,
	CHASE_LETTER,
	CHASE_SMS,
	CHASE_CALL,
	CHASE_TASK,
	CHASE_NCHANNELS
};
const char *chase_channel_name(enum chase_channel c);

struct chase_step {
	char *name;			/* unique in its path: S0, final */
	int offset;			/* days, as written */
	int from_previous;		/* offset from the previous step */
	int due_offset;			/* from the due date, resolved */
	unsigned channels;		/* bits of enum chase_channel */
	char *template;			/* NULL: the step's name */
	char *tone;			/* NULL when not given */
	int64_t min_amount;		/* hundredths of a major unit */
	const char *escalation;		/* static text, NULL when none */
	int required;			/* never jumped over on missed days */
	long line;
};

struct chase_path {
	char *name;
	struct chase_step *steps;
	size_t nsteps;
	int broken_promise;		/* step index, -1: next escalation */
	int broken_plan;		/* step index, -1: first escalation */
};

/* Which path a debtor gets: the first rule whose given fields all
 * match; fields left out match anything. */
struct chase_rule {
	char *segment;			/* debtor.segment */
	const char *type;		/* business, sole_trader, consumer */
	char *score_band;		/* the input's score_band column */
	size_t path;			/* index into paths */
	long line;
};

enum chase_missed {
	CHASE_MISSED_LATEST,		/* the one step now due */
	CHASE_MISSED_ALL		/* every step in turn, one a run */
};

struct chase_config {
	struct chase_path *paths;
	size_t npaths;
	size_t default_path;
	struct chase_rule *rules;
	size_t nrules;
	char *time_zone;		/* the client's; default UTC */
	struct calendar cal;
	int min_gap;			/* days between contacts */
	/* The days a letter before action gives (emit-letters' branding:
	 * deadline_days, default 7, the deadline it writes; pap_days,
	 * default 30, the Pre-Action Protocol's reply time in a letter of
	 * claim): no claim step before they have passed. */
	int deadline_days, pap_days;
	int64_t min_balance;		/* hundredths */
	/* chase.plan_missed: the one contact after a plan's first missed
	 * instalment (DOMAIN.md 4.1), a step of no path named plan_missed:
	 * one channel, a template (default plan_missed), tone reminder;
	 * offset is its days after the instalment's due date + grace, 1
	 * or 2 (default 1). */
	struct chase_step plan_missed;
	enum chase_missed missed;
	int net_credits, net_unapplied;
	long limit[CHASE_NCHANNELS];	/* per run; -1: none */
	/* Contact hours per channel: [0] businesses, [1] consumers and
	 * sole traders; has_hours 0 where a channel has none. */
	int has_hours[CHASE_NCHANNELS];
	struct cal_hours hours[CHASE_NCHANNELS][2];
};

/*
 * chase_config_load: the paths: and chase: sections of root (NULL: no
 * file) into c.  With no paths: section the path is DOMAIN.md 4.1's
 * default, named "default".  A step handing the debt to an agency or a
 * solicitor gets at least the min_amount of the letter before action
 * before it; branding's deadline_days and pap_days are read too (the
 * deadline a letter before action gives).  Returns 0, or -1 with d set
 * (the dotted key first, d->line at it); unknown keys are errors.
 * chase_config_free is safe either way.
 */
int chase_config_load(const struct cfg_node *root, struct chase_config *c,
    struct diag *d);
void chase_config_free(struct chase_config *c);
/* chase_path_find: the index of the path called name, or -1. */
int chase_path_find(const struct chase_config *c, const char *name);

/*
 * chase_step_minimum: the least balance, in ccy's minor units, step s is
 * sent for: its min_amount, and never less than chase.min_balance nor
 * less than one minor unit.  build-chasepath judges it on the debtor's
 * balance, credits netted as the config says; emit-letters on what the
 * row's message demands.
 */
int64_t chase_step_minimum(const struct chase_config *c,
    const struct chase_step *s, const char *ccy);

/*
 * chase_item_step: for an item due on `due` that was paused by the
 * queries [opened[i], closed[i]) (n of them, any order, all closed), the
 * day step k of path p falls on: the nominal day (due + the step's
 * offset) moved on by the days of every pause that began on or before
 * it (pause-and-shift; days in two pauses that overlap count once),
 * rolled to a business day.
 */
int32_t chase_item_step(const struct chase_config *c,
    const struct chase_path *p, size_t k, int32_t due,
    const int32_t *opened, const int32_t *closed, size_t n);

struct chase_opts {
	int32_t as_of;
	const char *debtor_type;	/* the client's default (config) */
	int suppressed;			/* also rows for what is not planned */
	FILE *rejects;			/* bad stream rows, whole, or NULL */
	void (*report)(void *ctx, const char *file, long line,
	    const char *msg);		/* bad rows, unknown paths */
	void *report_ctx;
};

/*
 * The plan's lists of documents (doc_ids, credit_doc_ids): the ids
 * joined by ",", each with a backslash written \\ and a comma \, so that
 * an id holding a comma (INV,7 is written INV\,7) cannot split; an id
 * with neither is written as it is.  This is inside the TSV field: on
 * the wire tsv_put doubles each backslash again (INV\\,7).
 * chase_docs_add: id (not empty) onto the list in b.  chase_docs_next:
 * the next id of the list at *s into out, unescaped (an empty one
 * between two commas is returned empty), *s moved past it and its comma;
 * 1, 0 at the end of the list, -1 on a backslash that ends it.
 */
struct sbuf;
void chase_docs_add(struct sbuf *b, const char *id);
int chase_docs_next(const char **s, struct sbuf *out);

struct chase_run;

/* chase_new: a run over st (read only; the caller keeps it open). */
struct chase_run *chase_new(const struct chase_config *c,
    const struct chase_opts *o, struct state *st);
void chase_free(struct chase_run *r);

/*
 * chase_read_stream: an `age-ledger --by item` stream (columns found by
 * name: debtor_id, doc_id, due_date, currency, open_amount required;
 * debtor_name, doc_type, bucket, days_past_due, in_query, score_band,
 * score optional).  Each row's document must be the state's item (or
 * bank receipt) of that debtor and currency, with the open amount the
 * state's replay has on the day, and not one an earlier row
 * (of this stream or one read before) listed: the first row stands, a
 * later one is rejected.  in_query is 1, 0 or empty.  A bad row is
 * reported, counted in *bad and written whole to o->rejects (after the
 * stream's header line, once), the rest read.  0, -1 with d set when the
 * header is unusable (a first line that is a data row told so), -2 with
 * d set on a state error.
 */
int chase_read_stream(struct chase_run *r, FILE *fp, const char *name,
    long *bad, struct diag *d);
/* chase_read_state: the items the state held open on the day, through
 * lib/aging (the same replay age-ledger does).  0 or -1 with d set. */
int chase_read_state(struct chase_run *r, struct diag *d);

/*
 * chase_write: the plan as TSV on out, header first (CHASE_HEADER, then
 * score_band and score when the input had them, then with o->suppressed
 * planned: 1 for a row to act on, 0 for one that is not), sorted by
 * debtor, currency, step and channel.  Returns the rows planned (>= 0), or -1
 * with d set on a state error (nothing written).  *problems counts the
 * debtors reported (an unknown chase_path, a bad time zone).
 */
#define CHASE_HEADER "debtor_id\tdebtor_name\tpath\tstep\tchannel" \
	"\ttemplate\tdoc_ids\tcurrency\tamount_due\tdays_past_due\treason" \
	"\tcall_window_start\tcall_window_end\ttone\tescalation\tstep_date" \
	"\tcredit_doc_ids\tcredit_amount\tskipped"
long chase_write(struct chase_run *r, FILE *out, long *problems,
    struct diag *d);

/*
 * chase_check_send: what the rules say, on r's day, of sending debtor
 * ref step `step` in currency ccy now.  emit-letters asks it of every
 * plan row in the transaction that records the row, so that a plan made
 * earlier (or by hand) cannot send what the state has since stopped: the
 * same hold, restriction, promise and plan evaluations as the plan's.
 * path: the row's path (it must be a path of the config and, for a
 * debtor with a chase_path of its own, that one), or NULL or "" for the
 * debtor's own (its chase_path, else the first select rule that matches
 * without a score band, else the default).  v->why is NULL when the row
 * may go, else the plan's reason: hold, restricted, unknown_path,
 * not_a_step (step is not, exactly, a step of the path),
 * promise_pending, plan_active, plan_in_arrears, acted_today (another
 * step, v->other, was sent the debtor in ccy today: one step a debtor
 * and currency a day) or min_gap (the step not begun, and a contact on
 * an earlier day, v->last, holds it until v->until by
 * chase.min_days_between_contacts; today's contacts are the plan's
 * own); v->path the path judged (NULL when none), v->step the step
 * found in it (NULL when none), whose channels and template a row must
 * keep.  Step CHASE_PLAN_MISSED is the config's plan_missed contact
 * (v->step is &c->plan_missed, of no path's steps): it may go while a
 * plan's first miss is unanswered and not caught up, from its contact
 * day on, whatever the gap (else plan_active, plan_in_arrears, or
 * plan_not_missed when no plan has such a miss); v->inst_due and
 * v->inst_arrears are then that instalment's due date and what is short
 * of the schedule up to it.  0, or -1 with d set on a state error.
 */
#define CHASE_PLAN_MISSED "plan_missed"
struct chase_verdict {
	const char *why;
	const char *path;
	const struct chase_step *step;
	const char *other;		/* acted_today: the step sent */
	int32_t last, until;		/* min_gap */
	int32_t inst_due;		/* plan_missed: the instalment's */
	int64_t inst_arrears;
};
int chase_check_send(struct chase_run *r, const char *ref, const char *ccy,
    const char *path, const char *step, struct chase_verdict *v,
    struct diag *d);

#endif
