/*
 * calendar: business days and local times for the chase path.  A
 * business day is a weekday of the client's working week that is not
 * one of its bank holidays (DOMAIN.md section 0); a step that falls on
 * any other day rolls to the next business day (section 4.1).  It also
 * owns contact hours (which days, from when to when, section 4.2) and
 * the step from a debtor's local wall-clock time, in its IANA time zone,
 * to the UTC offset that a dialler needs to place a call in its window.
 *
 * The calendar is configuration (chase.calendar in the client's YAML,
 * read by lib/chase); nothing here reads the state.  emit-letters may use
 * it too (a letter's date, a deadline "14 days from today").
 */
#ifndef CK_CALENDAR_H
#define CK_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "diag.h"

/* Weekday bits, Monday bit 0 (date_weekday's numbering). */
#define CAL_MON 0x01
#define CAL_SAT 0x20
#define CAL_SUN 0x40
#define CAL_WEEKDAYS 0x1F		/* Mon-Fri */
#define CAL_ALLDAYS 0x7F

struct calendar {
	unsigned workdays;		/* weekday bits; default Mon-Fri */
	int32_t *holidays;		/* sorted, no duplicates */
	size_t nholidays;
};

/* calendar_init: Mon-Fri, no holidays.  calendar_free frees the list. */
void calendar_init(struct calendar *c);
void calendar_free(struct calendar *c);

/* calendar_add_holiday: adds a day (a second time is no change). */
void calendar_add_holiday(struct calendar *c, int32_t day);
int calendar_is_holiday(const struct calendar *c, int32_t day);
/* calendar_is_business: a working weekday that is not a holiday. */
int calendar_is_business(const struct calendar *c, int32_t day);
/* calendar_roll: day itself if it is a business day, else the next one.
 * A calendar with no working day at all returns day unchanged. */
int32_t calendar_roll(const struct calendar *c, int32_t day);
/* calendar_add_business: n (>= 0) business days after day. */
int32_t calendar_add_business(const struct calendar *c, int32_t day, int n);

/*
 * calendar_load: a calendar map of the configuration over c (which
 * calendar_init set); where is its dotted name ("chase.calendar"):
 *   workdays: [mon, tue, wed, thu, fri]
 *   holidays: [2024-03-29, 2024-04-01]     # ISO dates
 * Returns 0 (n absent or null: c unchanged), or -1 with d set (the dotted
 * key first, d->line at the value).
 */
int calendar_load(const struct cfg_node *n, const char *where,
    struct calendar *c, struct diag *d);

/*
 * calendar_parse_days: a day set, as a list of names ([mon, sat]) or one
 * scalar: "mon-fri", "mon-sat", "mon,wed", "all".  Names are the first
 * three letters of the English day, any case.  1 and *bits, 0 absent,
 * -1 with d set.
 */
int calendar_parse_days(const struct cfg_node *n, const char *what,
    unsigned *bits, struct diag *d);

/* Contact hours: on the days in `days`, from `from` to `to`, minutes
 * after local midnight (from < to). */
struct cal_hours {
	unsigned days;
	int from, to;
	int holidays;			/* 1: also on bank holidays */
};

/* calendar_parse_hm: "09:00" (00:00 to 24:00) into minutes; -1 if not. */
int calendar_parse_hm(const char *s);
/* calendar_hours_open: whether the hours allow contact on day. */
int calendar_hours_open(const struct cal_hours *h, const struct calendar *c,
    int32_t day);

/*
 * calendar_zone_valid: name is an IANA zone the system knows ("UTC",
 * "Europe/London"): its file exists under $TZDIR or
 * /usr/share/zoneinfo.  Names with "..", a leading "/" or other than
 * letters, digits and "/_+-" are refused.
 */
int calendar_zone_valid(const char *name);

/*
 * calendar_local_time: the local time `minutes` after midnight of day in
 * zone, as ISO 8601 with its UTC offset ("2024-04-02T09:00+01:00") in
 * out (CAL_TIMESZ bytes).  A local time that a clock change skips is
 * written as the clock shows it after the change.  0, or -1 with d set.
 * It sets TZ for the call and puts it back: not for threaded callers.
 */
#define CAL_TIMESZ 24
int calendar_local_time(const char *zone, int32_t day, int minutes,
    char out[CAL_TIMESZ], struct diag *d);

#endif
