/*
 * Unit tests of lib/calendar: business days and rolling over weekends and
 * England and Wales' 2024 bank holidays (DOMAIN.md 0 and 4.1's Easter
 * example), day sets, contact hours, times of day, and local times with
 * their UTC offsets across the clock changes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "config.h"
#include "date.h"
#include "t.h"

static int32_t
day(const char *iso)
{
	int32_t d = 0;

	if (date_parse_iso(iso, &d) != 0)
		printf("# bad date in a test: %s\n", iso);
	return d;
}

static const char *
iso(int32_t d, char *buf)
{
	return date_format(d, buf);
}

static const char *const ew2024[] = {
	"2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27",
	"2024-08-26", "2024-12-25", "2024-12-26"
};

static void
ew(struct calendar *c)
{
	calendar_init(c);
	/* Out of order and one twice: the list is kept sorted, unique. */
	for (size_t i = sizeof ew2024 / sizeof ew2024[0]; i-- > 0;)
		calendar_add_holiday(c, day(ew2024[i]));
	calendar_add_holiday(c, day("2024-03-29"));
}

static void
test_roll(void)
{
	static const struct { const char *in, *want; } t[] = {
		{ "2024-03-10", "2024-03-11" },	/* Sun: S0 */
		{ "2024-03-15", "2024-03-15" },	/* Fri */
		{ "2024-03-29", "2024-04-02" },	/* Good Friday, Easter Mon */
		{ "2024-03-30", "2024-04-02" },
		{ "2024-04-01", "2024-04-02" },
		{ "2024-04-14", "2024-04-15" },	/* Sun: S5 */
		{ "2024-04-29", "2024-04-29" },	/* Mon: S6 */
		{ "2024-12-24", "2024-12-24" },
		{ "2024-12-25", "2024-12-27" },
		{ "2024-12-28", "2024-12-30" },
		{ "2023-12-30", "2024-01-02" },	/* over New Year */
	};
	struct calendar c;
	char buf[DATE_BUFSZ];

	ew(&c);
	CHECK_INT(c.nholidays, 8);
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		CHECK_STR(iso(calendar_roll(&c, day(t[i].in)), buf),
		    t[i].want);
	CHECK(!calendar_is_business(&c, day("2024-03-29")));
	CHECK(calendar_is_business(&c, day("2024-03-28")));
	CHECK(!calendar_is_business(&c, day("2024-03-30")));
	CHECK(calendar_is_holiday(&c, day("2024-05-06")));
	CHECK(!calendar_is_holiday(&c, day("2024-05-07")));
	CHECK_STR(iso(calendar_add_business(&c, day("2024-03-28"), 1), buf),
	    "2024-04-02");
	CHECK_STR(iso(calendar_add_business(&c, day("2024-03-28"), 0), buf),
	    "2024-03-28");
	/* A six-day week: Saturday works. */
	c.workdays = CAL_WEEKDAYS | CAL_SAT;
	CHECK_STR(iso(calendar_roll(&c, day("2024-03-30")), buf),
	    "2024-03-30");
	/* No working day at all: the day itself, no endless loop. */
	c.workdays = 0;
	CHECK_STR(iso(calendar_roll(&c, day("2024-03-30")), buf),
	    "2024-03-30");
	calendar_free(&c);
}

static void
test_days(void)
{
	static const struct { const char *yaml; int rc; unsigned want; } t[] =
	{
		{ "d: mon-fri", 1, CAL_WEEKDAYS },
		{ "d: Mon-Sat", 1, CAL_WEEKDAYS | CAL_SAT },
		{ "d: all", 1, CAL_ALLDAYS },
		{ "d: [mon, wed]", 1, 0x05 },
		{ "d: \"sat,sun\"", 1, CAL_SAT | CAL_SUN },
		{ "d: [mon-wed, fri]", 1, 0x17 },
		{ "d:", 0, 0 },
		{ "d: fri-mon", -1, 0 },
		{ "d: monday", -1, 0 },
		{ "d: []", -1, 0 },
		{ "d: [mon, {a: 1}]", -1, 0 },
		{ "d: mo", -1, 0 },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct cfg_node *root = NULL;
		struct diag d;
		unsigned bits = 0;
		int rc;

		diag_clear(&d);
		if (cfg_parse_string(t[i].yaml, strlen(t[i].yaml), "t", &root,
		    &d) != 0) {
			printf("# %s: %s\n", t[i].yaml, d.msg);
			CHECK(0);
			continue;
		}
		rc = calendar_parse_days(cfg_get(root, "d"), "d", &bits, &d);
		CHECK_INT(rc, t[i].rc);
		if (rc == 1)
			CHECK_INT(bits, t[i].want);
		if (rc < 0)
			CHECK(strncmp(d.msg, "d: ", 3) == 0 && d.line == 1);
		cfg_free(root);
	}
}

static void
test_load(void)
{
	static const char good[] = "c:\n  workdays: mon-sat\n  holidays: "
	    "[2024-12-25, 2024-12-26]\n";
	static const struct { const char *yaml; const char *msg; long line; }
	bad[] = {
		{ "c: [1]\n", "c: must be a map", 1 },
		{ "c:\n  holiday: [2024-01-01]\n", "unknown key \"holiday\"",
		    2 },
		{ "c:\n  holidays: 2024-01-01\n", "c.holidays: must be a "
		    "list", 2 },
		{ "c:\n  holidays:\n    - 2024-01-01\n    - 01/02/2024\n",
		    "c.holidays: \"01/02/2024\" is not a date", 4 },
	};
	struct cfg_node *root = NULL;
	struct calendar c;
	struct diag d;

	diag_clear(&d);
	calendar_init(&c);
	CHECK(cfg_parse_string(good, strlen(good), "t", &root, &d) == 0);
	CHECK_INT(calendar_load(cfg_get(root, "c"), "c", &c, &d), 0);
	CHECK_INT(c.workdays, CAL_WEEKDAYS | CAL_SAT);
	CHECK_INT(c.nholidays, 2);
	CHECK(calendar_is_business(&c, day("2024-12-28")));
	cfg_free(root);
	calendar_free(&c);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		root = NULL;
		calendar_init(&c);
		diag_clear(&d);
		CHECK(cfg_parse_string(bad[i].yaml, strlen(bad[i].yaml), "t",
		    &root, &d) == 0);
		CHECK_INT(calendar_load(cfg_get(root, "c"), "c", &c, &d), -1);
		if (strstr(d.msg, bad[i].msg) == NULL)
			printf("# got \"%s\"\n", d.msg);
		CHECK(strstr(d.msg, bad[i].msg) != NULL);
		CHECK_INT(d.line, bad[i].line);
		cfg_free(root);
		calendar_free(&c);
	}
}

static void
test_hours(void)
{
	static const struct { const char *s; int want; } hm[] = {
		{ "00:00", 0 }, { "09:00", 540 }, { "17:30", 1050 },
		{ "23:59", 1439 }, { "24:00", 1440 }, { "24:01", -1 },
		{ "9:00", -1 }, { "09:60", -1 }, { "0900", -1 },
		{ "09:00 ", -1 }, { "", -1 }, { "ab:cd", -1 },
	};
	struct cal_hours consumer = { CAL_WEEKDAYS | CAL_SAT, 480, 1200, 0 };
	struct calendar c;

	for (size_t i = 0; i < sizeof hm / sizeof hm[0]; i++)
		CHECK_INT(calendar_parse_hm(hm[i].s), hm[i].want);
	CHECK_INT(calendar_parse_hm(NULL), -1);
	ew(&c);
	CHECK(calendar_hours_open(&consumer, &c, day("2024-03-30")));	/* Sat */
	CHECK(!calendar_hours_open(&consumer, &c, day("2024-03-31")));	/* Sun */
	CHECK(!calendar_hours_open(&consumer, &c, day("2024-04-01")));	/* BH */
	consumer.holidays = 1;
	CHECK(calendar_hours_open(&consumer, &c, day("2024-04-01")));
	calendar_free(&c);
}

static void
test_zones(void)
{
	static const struct {
		const char *zone, *day;
		int min;
		const char *want;
	} t[] = {
		{ "UTC", "2024-03-26", 540, "2024-03-26T09:00+00:00" },
		{ "Europe/London", "2024-03-30", 540, "2024-03-30T09:00+00:00" },
		{ "Europe/London", "2024-04-02", 540, "2024-04-02T09:00+01:00" },
		{ "Europe/London", "2024-10-28", 1050, "2024-10-28T17:30+00:00" },
		{ "America/New_York", "2024-03-26", 540,
		    "2024-03-26T09:00-04:00" },
		{ "Australia/Sydney", "2024-04-08", 480,
		    "2024-04-08T08:00+10:00" },
		{ "Asia/Kolkata", "2024-01-15", 1200, "2024-01-15T20:00+05:30" },
		/* 01:30 does not exist on 31 March in London. */
		{ "Europe/London", "2024-03-31", 90, "2024-03-31T02:30+01:00" },
	};
	static const char *const badz[] = {
		"", "Mars/Olympus", "../etc/passwd", "/etc/localtime",
		"Europe/London;rm", NULL
	};
	char out[CAL_TIMESZ];
	struct diag d;
	const char *tz = getenv("TZ");

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		diag_clear(&d);
		CHECK_INT(calendar_local_time(t[i].zone, day(t[i].day),
		    t[i].min, out, &d), 0);
		CHECK_STR(out, t[i].want);
	}
	for (size_t i = 0; badz[i]; i++) {
		CHECK(!calendar_zone_valid(badz[i]));
		CHECK_INT(calendar_local_time(badz[i], day("2024-01-01"), 0,
		    out, &d), -1);
	}
	CHECK(!calendar_zone_valid(NULL));
	CHECK(calendar_zone_valid("Europe/London"));
	/* TZ is put back as it was. */
	CHECK_STR(getenv("TZ"), tz);
}

int
main(void)
{
	T_RUN(test_roll);
	T_RUN(test_days);
	T_RUN(test_load);
	T_RUN(test_hours);
	T_RUN(test_zones);
	return T_DONE();
}
