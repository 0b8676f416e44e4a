/*
 * allocate: cash application (DOMAIN.md section 6).  It owns the rules
 * that find the debtor of a bank receipt, the rule order that applies the
 * receipt to that debtor's open items (reference, exact amount, a unique
 * combination, oldest due first; tolerance write-offs, short-payment
 * queries, cash on account), the undoing of reversals, the client
 * config's "allocation:" section, and the allocation stream it writes.
 *
 * What it records: settlements dated at the payment's value date with
 * settlement.payment_id set (kind 'allocation' for cash applied,
 * 'writeoff' for a tolerance write-off, 'credit' for a credit note named
 * in the remittance netted against an invoice: positive on the invoice,
 * negative on the credit note; 'reversal' for the cash a reversal
 * reopens, and a negative 'writeoff' or 'credit' for the write-off or
 * netting it undoes, so each kind's sum stays true), the payment's
 * debtor_id and unallocated, a 'short_payment' query per short payment,
 * and an allocation row per payment decided.  Replay (age-ledger
 * --as-of) follows from the dates.
 *
 * Work is bounded per receipt: keys are drawn from the first
 * ALLOC_REF_SCAN bytes of its reference, once each; the debtor is found
 * by index lookups, each debtor's open items are read once per run and
 * kept in memory (by due date, and by open amount for rule 2), rule 4
 * walks from the first open item, and rule 3 searches only debtors with
 * at most combination_items open items, within a budget of steps.
 */
#ifndef CK_ALLOCATE_H
#define CK_ALLOCATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "diag.h"
#include "progress.h"
#include "state.h"
#include "util.h"

/* The shortest normalised key (letters and digits) that may name a
 * document or a debtor code: shorter ones ("1", "of") match by chance. */
#define ALLOC_KEY_MIN 3
/* The bytes of a reference looked at for keys (cut back to a whole UTF-8
 * character): remittance fields are 140 to 390 characters, and a
 * statement that puts megabytes in one must not make a receipt's work
 * grow with it.  Below the cap the work is linear in the length. */
#define ALLOC_REF_SCAN 4096
#define ALLOC_MAX_COMBINATION 4
/* Steps one combination search may take before it gives up (the receipt
 * then goes on to rule 4): with 1,000 candidates a search of pairs and
 * triples takes about 500,000. */
#define ALLOC_COMBINATION_BUDGET 2000000L

struct alloc_config {
	int64_t tolerance;	/* major units x 10^4 (5.00 is 50000) */
	int64_t tolerance_pct;	/* percent x 10^4 (0.5 % is 5000); -1:
				   not set */
	int max_combination;	/* 1 (no combinations) .. 4 */
	long combination_items;	/* rule 3 only for debtors with at most
				   this many open items in the currency */
	int not_due;		/* rule 4 goes on to items not yet due */
	int refund;		/* excess is to be refunded, not held on
				   account */
};

/* alloc_config_defaults: tolerance 5.00, no percentage, combinations of
 * up to 3 among at most 1000 open items, not-yet-due items applied,
 * excess on account. */
void alloc_config_defaults(struct alloc_config *c);

/*
 * alloc_config_read: the "allocation" map of the client config's root
 * (NULL or absent: the defaults) into c.  Keys: tolerance (a decimal,
 * in each currency's major units), tolerance_pct (a decimal percentage),
 * max_combination, combination_items, not_due (bool), excess (on_account
 * or refund).  Returns 0, or -1 with d set ("allocation.tolerance: ...",
 * d->line at the value or key).
 */
int alloc_config_read(const struct cfg_node *root, struct alloc_config *c,
    struct diag *d);

/*
 * alloc_tolerance: the shortfall on `named` (minor units of a currency
 * with `digits` minor digits) that may be written off: tolerance in that
 * currency, and no more than tolerance_pct of named when that is set.
 */
int64_t alloc_tolerance(const struct alloc_config *c, int digits,
    int64_t named);

/* A list of keys, each NUL-terminated in one buffer.  Zero-initialised,
 * it is empty. */
struct hmap;
struct alloc_keys {
	struct sbuf text;
	size_t *off;
	size_t n, cap;
	struct hmap *seen;	/* key -> the gen it was last added in */
	int64_t gen;
};
const char *alloc_key(const struct alloc_keys *k, size_t i);
void alloc_keys_free(struct alloc_keys *k);

/*
 * alloc_ref_keys: the keys a remittance text may name a document or a
 * debtor code by, normalised (util_norm_key): the whole text, each word
 * (split at white space and , ; / + : # ( )), and each two adjacent words
 * joined ("INV 306" names INV-306), all within the first ALLOC_REF_SCAN
 * bytes.  Keys shorter than ALLOC_KEY_MIN are left out; each key appears
 * once.  k is reset first.  Linear in the length looked at.
 */
void alloc_ref_keys(const char *ref, struct alloc_keys *k);

/* alloc_ref_len: how many bytes of ref (NULL: none) the keys are drawn
 * from: all of it, or ALLOC_REF_SCAN cut back to a character's start. */
size_t alloc_ref_len(const char *ref);

/*
 * alloc_rf_keys: the document ids embedded in ISO 11649 structured
 * creditor references in ref ("RF18 5390 0754 7034", "RF47INV301"),
 * within its first ALLOC_REF_SCAN bytes: each
 * word, or the whole text without spaces, that is RF, two check digits
 * and 1-21 letters or digits passing the mod-97 check gives its payload,
 * normalised.  k is reset first.
 */
void alloc_rf_keys(const char *ref, struct alloc_keys *k);

/* alloc_rf_valid: 1 if s[0..n) (no spaces) is a well-formed RF reference
 * with good check digits, else 0. */
int alloc_rf_valid(const char *s, size_t n);

/*
 * alloc_combination: whether exactly one set of 2..kmax of the n values
 * (each > 0) sums to target.  Values that are equal are different items,
 * so two equal values make two sets.  Returns ALLOC_COMB_UNIQUE with the
 * set's indices in pick[0..*npick) (pick has room for kmax), ALLOC_COMB_NONE,
 * ALLOC_COMB_MANY, or ALLOC_COMB_BUDGET when the search took more than
 * budget steps (and so proved nothing).
 */
enum {
	ALLOC_COMB_NONE,
	ALLOC_COMB_UNIQUE,
	ALLOC_COMB_MANY,
	ALLOC_COMB_BUDGET
};
int alloc_combination(const int64_t *v, size_t n, int64_t target, int kmax,
    long budget, size_t *pick, int *npick);

/* ---- a run ---------------------------------------------------------- */

struct alloc_opts {
	int32_t as_of;		/* receipts with value_date <= as_of */
	struct alloc_config cfg;
	FILE *out;		/* the allocation stream (TSV) */
	FILE *unmatched;	/* the receipts left for a person, or NULL */
	/* Called as each payment is taken up, with how many of how many
	 * are done, for a progress line (NULL: none). */
	progress_fn *progress;
	void *progress_ctx;
};

struct alloc_counts {
	long payments;		/* payments looked at */
	long receipts;		/* of them receipts */
	long allocated;		/* fully applied */
	long on_account;	/* with cash left on account (or refund) */
	long unmatched;		/* no debtor, or a reversal not undone */
	long held;		/* of on_account, for a person to decide
				   (documents named paid already) */
	long reversals;		/* reversals undone */
	long skipped;		/* stream rows: decided already, after the
				   as-of day, or not receipts */
	long rows;		/* rows written */
};

struct alloc_run;	/* opaque */

/*
 * alloc_begin: prepares a run against st inside the caller's transaction
 * (and batch): indexes the document ids of new items, reads the debtors
 * and the queries.  NULL with d set on a state error.
 */
struct alloc_run *alloc_begin(struct state *st, const struct alloc_opts *o,
    struct diag *d);
void alloc_free(struct alloc_run *r);

/* alloc_select_all: every payment still to decide with value_date on or
 * before the as-of day.  0, or -1 with d set. */
int alloc_select_all(struct alloc_run *r, struct diag *d);

/*
 * alloc_select: the payment a stream's payment_id names (its id; an
 * entry_key is accepted too).  ALLOC_SEL_OK when queued, ALLOC_SEL_SKIP
 * when there is nothing to do for it (decided already, dated after the
 * as-of day, a debit), ALLOC_SEL_BAD with d set when the value names no
 * payment, -1 with d set on a state error.
 */
enum { ALLOC_SEL_OK, ALLOC_SEL_SKIP, ALLOC_SEL_BAD };
int alloc_select(struct alloc_run *r, const char *payment_id,
    struct diag *d);

/* alloc_go: decides the queued payments in value-date order, writing the
 * stream header first.  Counts into *c.  0, or -1 with d set (the caller
 * rolls back). */
int alloc_go(struct alloc_run *r, struct alloc_counts *c, struct diag *d);

/* The allocation stream's columns, in order. */
extern const char *const alloc_columns[];
extern const size_t alloc_ncolumns;

#endif
