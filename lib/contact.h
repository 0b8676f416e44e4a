/*
 * contact: what happened with a debtor, recorded from a TSV of events
 * (a dialler's export, a staff member's sheet, a pipe): contact
 * attempts, promises to pay, queries opened and closed, instalment
 * plans, holds and their release.  It owns the event columns and their
 * codes, the client configuration's contact: section, the checks of each
 * event against the state (the debtor, its documents, its open queries
 * and holds), and idempotence: every event is recorded once in
 * contact_event, by its event id or, without one, by the hash of its
 * content.
 *
 * Statuses (kept, broken, missed...) are not decided here: lib/promise
 * computes them when read.  One run may take several files; the caller
 * wraps the run in one transaction.
 */
#ifndef CK_CONTACT_H
#define CK_CONTACT_H

#include <stdio.h>
#include <stdint.h>

#include "config.h"
#include "diag.h"
#include "promise.h"
#include "state.h"

/* The client configuration's contact: section. */
struct contact_config {
	char **reasons;			/* query reason codes */
	size_t nreasons;
	int promise_grace_days;		/* default 3 (DOMAIN.md 1.8) */
	int plan_grace_days;		/* default 3 */
	int breathing_space_days;	/* default 60 (DOMAIN.md 3.3) */
};

/* contact_config_defaults: the section as if absent; the default reason
 * list is CONTACT_DEFAULT_REASONS. */
#define CONTACT_DEFAULT_REASONS "price, quantity, quality, not_received, " \
	"damaged, duplicate, wrong_customer, missing_po, short_payment, other"
void contact_config_defaults(struct contact_config *c);
/*
 * contact_config_load: the contact: section of a parsed configuration
 * (root may be NULL: no file) over c, which contact_config_defaults set:
 *   contact:
 *     query_reasons: [price, quality, short_payment]   # codes
 *     promise_grace_days: 3      # 0..365
 *     plan_grace_days: 3         # 0..365
 *     breathing_space_days: 60   # 1..366
 * A reason code is lower-case letters, digits and _.  Returns 0, or -1
 * with d set (the dotted key first, d->line at it); an unknown key is an
 * error.  contact_config_free is safe either way.
 */
int contact_config_load(const struct cfg_node *root, struct contact_config *c,
    struct diag *d);
void contact_config_free(struct contact_config *c);

/*
 * Codes.  Each reads the spellings diallers and people write (any case,
 * spaces, hyphens and underscores ignored: "Right-party contact", "RPC",
 * "no answer", "VM") and returns the stable code, or NULL when it knows
 * none.
 */
const char *contact_event_code(const char *s);	/* attempt, promise, ... */
const char *contact_channel_code(const char *s);	/* call, email, sms,
							   letter, visit */
const char *contact_outcome_code(const char *s);	/* rpc, no_answer, ... */

/*
 * What a call's outcome code (as contact_outcome_code gives it, or NULL
 * for none) says, the one definition kpi-report and score-debtor share
 * (DOMAIN.md 1.10): a call is answered (a connect) unless no_answer,
 * voicemail or none; it reached the right party (an RPC) when the debtor's
 * own person spoke: rpc, promise, query or refused (a refusal is a talk
 * with the right person); wrong_number is a connect, not an RPC.
 */
int contact_is_connect(const char *outcome);
int contact_is_rpc(const char *outcome);
const char *contact_hold_code(const char *s);	/* breathing_space, ... */
const char *contact_close_code(const char *s);	/* credit_note_due, invalid,
						   paid, other */
int contact_frequency(const char *s, enum plan_frequency *f);	/* 0, -1 */

/*
 * contact_parse_time: an ISO local date-time, "2024-03-01T10:15",
 * "2024-03-01 10:15:30", or a date alone, into its day and the
 * normalised text ("2024-03-01T10:15:00" or "2024-03-01") in out.  A
 * time zone (Z, +01:00) is refused: the time is the debtor's local time.
 * 0, or -1 with d set.
 */
#define CONTACT_TIMESZ 20
int contact_parse_time(const char *s, int32_t *day, char out[CONTACT_TIMESZ],
    struct diag *d);

/*
 * contact_parse_schedule: "2024-03-01:100.00,2024-04-01:100.00" (the
 * separator may also be ; or spaces) with amounts in `digits` minor
 * digits.  Dates must increase, amounts be positive; at most
 * CONTACT_MAX_INSTALMENTS.  *out is allocated (free it).  0, or -1 with
 * d set.
 */
#define CONTACT_MAX_INSTALMENTS 600
int contact_parse_schedule(const char *s, int digits, struct plan_inst **out,
    size_t *n, struct diag *d);

struct contact_opts {
	int32_t as_of;			/* the default day of an event */
	const struct contact_config *cfg;
	char currency[4];		/* the client's, when the debtor's
					   items do not say */
	FILE *rejects;			/* rejected rows, whole, or NULL */
	void (*report)(void *ctx, const char *file, long line,
	    const char *msg);
	void *report_ctx;
};

struct contact_run;	/* opaque */

/* contact_begin: prepares a run against st, inside the caller's
 * transaction.  NULL with d set on a state error. */
struct contact_run *contact_begin(struct state *st,
    const struct contact_opts *o, struct diag *d);

#define CONTACT_EDATA (-1)
#define CONTACT_ESTATE (-2)

/*
 * contact_file: the events of one TSV stream, called name in messages
 * and in its batch (kind 'contacts').  Each row is one event, applied in
 * the file's order; a bad row is reported, counted in c->rejected and
 * written whole to o->rejects (after the file's header line, once), and
 * the rest goes on.  New events count in c->ingested, events recorded
 * before in c->unchanged.  Returns 0, CONTACT_EDATA with d set when the
 * stream cannot be read as events at all (no header, no event or
 * debtor_id column), or CONTACT_ESTATE on a state error; the caller then
 * rolls back.
 */
int contact_file(struct contact_run *r, FILE *fp, const char *name,
    struct batch_counts *c, struct diag *d);
void contact_free(struct contact_run *r);

/*
 * contact_load_cash: the debtor's receipts in ccy with value dates on or
 * before as_of and not reversed by then, for lib/promise.  *out is
 * allocated (free it).  0, or -1 with d set.
 */
int contact_load_cash(struct state *st, int64_t debtor_id, const char *ccy,
    int32_t as_of, struct promise_cash **out, size_t *n, struct diag *d);

/*
 * contact_load_action_days: the days of the debtor's actions on or
 * before as_of in ccy (or in none), the contacts a plan's first miss asks
 * for (plan_miss_judge).  *out is allocated (free it).  0, or -1 with d
 * set.
 */
int contact_load_action_days(struct state *st, int64_t debtor_id,
    const char *ccy, int32_t as_of, int32_t **out, size_t *n,
    struct diag *d);

#endif
