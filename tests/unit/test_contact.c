/*
 * Unit tests of lib/contact's pure parts: the codes and the spellings
 * diallers write, local date-times, explicit plan schedules, and the
 * configuration's contact: section with every bad value and its line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "contact.h"
#include "date.h"
#include "t.h"

static void
test_codes(void)
{
	static const struct {
		const char *(*fn)(const char *);
		const char *in, *want;
	} t[] = {
		{ contact_event_code, "attempt", "attempt" },
		{ contact_event_code, "Query Open", "query_open" },
		{ contact_event_code, "query-close", "query_close" },
		{ contact_event_code, "PTP", "promise" },
		{ contact_event_code, "callback", NULL },
		{ contact_event_code, "", NULL },
		{ contact_channel_code, "Phone", "call" },
		{ contact_channel_code, "E-mail", "email" },
		{ contact_channel_code, "TEXT", "sms" },
		{ contact_channel_code, "post", "letter" },
		{ contact_channel_code, "fax", NULL },
		{ contact_outcome_code, "Right-party contact", "rpc" },
		{ contact_outcome_code, "right_party_contact", "rpc" },
		{ contact_outcome_code, "RPC", "rpc" },
		{ contact_outcome_code, "No Answer", "no_answer" },
		{ contact_outcome_code, "NA", "no_answer" },
		{ contact_outcome_code, "VM", "voicemail" },
		{ contact_outcome_code, "Answering machine", "voicemail" },
		{ contact_outcome_code, "wrong number", "wrong_number" },
		{ contact_outcome_code, "Refused to pay", "refused" },
		{ contact_outcome_code, "promise to pay", "promise" },
		{ contact_outcome_code, "dispute", "query" },
		{ contact_outcome_code, "busy", NULL },
		{ contact_hold_code, "Breathing Space", "breathing_space" },
		{ contact_hold_code, "client instruction", "client" },
		{ contact_hold_code, "litigation", "legal" },
		{ contact_hold_code, "holiday", NULL },
		{ contact_close_code, "credit note due", "credit_note_due" },
		{ contact_close_code, "resolved", NULL },
	};
	enum plan_frequency f = PLAN_WEEKLY;

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		CHECK_STR(t[i].fn(t[i].in), t[i].want);
	CHECK_INT(contact_frequency("Monthly", &f), 0);
	CHECK_INT(f, PLAN_MONTHLY);
	CHECK_INT(contact_frequency("fortnightly", &f), 0);
	CHECK_INT(f, PLAN_FORTNIGHTLY);
	CHECK_INT(contact_frequency("quarterly", &f), -1);
}

static void
test_time(void)
{
	static const struct {
		const char *in, *want, *err;
	} t[] = {
		{ "2024-03-01T10:15", "2024-03-01T10:15:00", NULL },
		{ "2024-03-01 10:15:30", "2024-03-01T10:15:30", NULL },
		{ "2024-03-01T10:15:30.250", "2024-03-01T10:15:30", NULL },
		{ "2024-02-29", "2024-02-29", NULL },
		{ "2024-03-01T23:59:59", "2024-03-01T23:59:59", NULL },
		{ "2024-03-01T24:00", NULL,
		    "\"2024-03-01T24:00\" is not an ISO date-time (use "
		    "YYYY-MM-DDTHH:MM)" },
		{ "2024-03-01T10:15Z", NULL,
		    "\"2024-03-01T10:15Z\" has a time zone: give the debtor's "
		    "local time" },
		{ "2024-03-01T10:15+01:00", NULL,
		    "\"2024-03-01T10:15+01:00\" has a time zone: give the "
		    "debtor's local time" },
		{ "2023-02-29T10:00", NULL,
		    "bad date \"2023-02-29T10:00\": 2023 is not a leap year" },
		{ "01/03/2024 10:15", NULL, NULL },
		{ "", NULL, NULL },
		{ "2024-03-01T1015", NULL,
		    "\"2024-03-01T1015\" is not an ISO date-time (use "
		    "YYYY-MM-DDTHH:MM)" },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char out[CONTACT_TIMESZ] = "";
		int32_t day = 0, want = 0;
		struct diag d;
		int rc;

		diag_clear(&d);
		rc = contact_parse_time(t[i].in, &day, out, &d);
		if (t[i].want != NULL) {
			CHECK_INT(rc, 0);
			CHECK_STR(out, t[i].want);
			memcpy(out, t[i].in, 10);
			out[10] = '\0';
			date_parse_iso(out, &want);
			CHECK_INT(day, want);
		} else {
			CHECK_INT(rc, -1);
			CHECK(d.msg[0] != '\0');
			if (t[i].err)
				CHECK_STR(d.msg, t[i].err);
		}
	}
}

static void
test_schedule(void)
{
	struct plan_inst *in = NULL;
	size_t n = 0;
	struct diag d;

	diag_clear(&d);
	CHECK_INT(contact_parse_schedule("2024-03-01:100.00, 2024-04-01:100;"
	    "2024-05-01:50.5", 2, &in, &n, &d), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_INT(in[0].amount, 10000);
		CHECK_INT(in[1].amount, 10000);
		CHECK_INT(in[2].amount, 5050);
	}
	free(in);
	CHECK_INT(contact_parse_schedule("2024-03-01:100,2024-03-01:100", 2,
	    &in, &n, &d), -1);
	CHECK_STR(d.msg, "\"2024-03-01:100\": the dates must increase");
	CHECK_INT(contact_parse_schedule("2024-03-01", 2, &in, &n, &d), -1);
	CHECK_STR(d.msg, "\"2024-03-01\" is not date:amount (like "
	    "2024-03-01:100.00)");
	CHECK_INT(contact_parse_schedule("2024-02-30:1", 2, &in, &n, &d), -1);
	CHECK_STR(d.msg, "\"2024-02-30:1\": \"2024-02-30\" is not a date (use "
	    "YYYY-MM-DD)");
	CHECK_INT(contact_parse_schedule("2024-03-01:0", 2, &in, &n, &d), -1);
	CHECK_STR(d.msg, "\"2024-03-01:0\": an instalment must be more than 0");
	CHECK_INT(contact_parse_schedule("2024-03-01:1.005", 2, &in, &n, &d),
	    -1);
	CHECK_INT(contact_parse_schedule(" , ", 2, &in, &n, &d), -1);
	CHECK(in == NULL);
}

static int
load(const char *yaml, struct contact_config *c, struct diag *d)
{
	struct cfg_node *root = NULL;
	int rc;

	contact_config_defaults(c);
	if (cfg_parse_string(yaml, strlen(yaml), "test", &root, d) != 0)
		return -2;
	rc = contact_config_load(root, c, d);
	cfg_free(root);
	return rc;
}

static void
test_config(void)
{
	struct contact_config c;
	struct diag d;
	static const struct {
		const char *yaml, *err;
		long line;
	} bad[] = {
		{ "contact:\n  promise_grace: 3\n",
		    "unknown key \"promise_grace\" in contact (known: "
		    "query_reasons, promise_grace_days, plan_grace_days, "
		    "breathing_space_days)", 2 },
		{ "contact:\n  plan_grace_days: 400\n",
		    "contact.plan_grace_days: 400 is more than 365", 2 },
		{ "contact:\n  breathing_space_days: 0\n",
		    "contact.breathing_space_days: 0 is less than 1", 2 },
		{ "contact:\n  query_reasons: price\n",
		    "contact.query_reasons: expected a list of reason codes, "
		    "like [price, quality, short_payment]", 2 },
		{ "contact:\n  query_reasons:\n    - price\n    - Bad Code\n",
		    "contact.query_reasons: \"Bad Code\" is not a code "
		    "(lower-case letters, digits and _)", 4 },
		{ "contact:\n  query_reasons: [price, price]\n",
		    "contact.query_reasons: \"price\" is listed twice", 2 },
		{ "contact: 3\n", "contact: expected a map of settings", 1 },
	};

	diag_clear(&d);
	CHECK_INT(load("client:\n  currency: GBP\n", &c, &d), 0);
	CHECK_INT(c.promise_grace_days, 3);
	CHECK_INT(c.plan_grace_days, 3);
	CHECK_INT(c.breathing_space_days, 60);
	CHECK_INT(c.nreasons, 10);
	contact_config_free(&c);
	CHECK_INT(load("contact:\n  query_reasons: [price, late_delivery]\n"
	    "  promise_grace_days: 0\n  plan_grace_days: 5\n"
	    "  breathing_space_days: 30\n", &c, &d), 0);
	CHECK_INT(c.promise_grace_days, 0);
	CHECK_INT(c.plan_grace_days, 5);
	CHECK_INT(c.breathing_space_days, 30);
	CHECK_INT(c.nreasons, 2);
	if (c.nreasons == 2)
		CHECK_STR(c.reasons[1], "late_delivery");
	contact_config_free(&c);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		diag_clear(&d);
		CHECK_INT(load(bad[i].yaml, &c, &d), -1);
		CHECK_STR(d.msg, bad[i].err);
		CHECK_INT(d.line, bad[i].line);
		contact_config_free(&c);
	}
}

/* The one definition of a connect and a right-party contact, which
 * kpi-report and score-debtor share: every outcome code, and none. */
static void
test_rpc(void)
{
	static const struct {
		const char *out;
		int connect, rpc;
	} t[] = {
		{ NULL, 0, 0 },
		{ "", 0, 0 },
		{ "no_answer", 0, 0 },
		{ "voicemail", 0, 0 },
		{ "wrong_number", 1, 0 },
		{ "rpc", 1, 1 },
		{ "promise", 1, 1 },
		{ "query", 1, 1 },
		{ "refused", 1, 1 },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		CHECK_INT(contact_is_connect(t[i].out), t[i].connect);
		CHECK_INT(contact_is_rpc(t[i].out), t[i].rpc);
		/* An RPC is always a connect. */
		CHECK(!contact_is_rpc(t[i].out) ||
		    contact_is_connect(t[i].out));
	}
}

int
main(void)
{
	T_RUN(test_codes);
	T_RUN(test_rpc);
	T_RUN(test_time);
	T_RUN(test_schedule);
	T_RUN(test_config);
	return T_DONE();
}
