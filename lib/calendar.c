/*
 * calendar: business days, contact hours and local times in a zone.
 *
 * Holidays are few (a dozen a year), so a sorted array and a binary
 * search; rolling a step forward looks at a handful of days at most.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "date.h"
#include "util.h"

void
calendar_init(struct calendar *c)
{
	memset(c, 0, sizeof *c);
	c->workdays = CAL_WEEKDAYS;
}

void
calendar_free(struct calendar *c)
{
	free(c->holidays);
	c->holidays = NULL;
	c->nholidays = 0;
}

static size_t
find(const struct calendar *c, int32_t day)
{
	size_t lo = 0, hi = c->nholidays;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->holidays[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
calendar_add_holiday(struct calendar *c, int32_t day)
{
	size_t i = find(c, day);

	if (i < c->nholidays && c->holidays[i] == day)
		return;
	c->holidays = xreallocarray(c->holidays, c->nholidays + 1,
	    sizeof *c->holidays);
	memmove(c->holidays + i + 1, c->holidays + i,
	    (c->nholidays - i) * sizeof *c->holidays);
	c->holidays[i] = day;
	c->nholidays++;
}

int
calendar_is_holiday(const struct calendar *c, int32_t day)
{
	size_t i = find(c, day);

	return i < c->nholidays && c->holidays[i] == day;
}

int
calendar_is_business(const struct calendar *c, int32_t day)
{
	return (c->workdays & (1u << date_weekday(day))) != 0 &&
	    !calendar_is_holiday(c, day);
}

int32_t
calendar_roll(const struct calendar *c, int32_t day)
{
	/* Bounded: a year of holidays back to back is a broken config,
	 * not a reason to loop for ever. */
	for (int i = 0; i < 400; i++)
		if (calendar_is_business(c, day + i))
			return day + i;
	return day;
}

int32_t
calendar_add_business(const struct calendar *c, int32_t day, int n)
{
	while (n-- > 0)
		day = calendar_roll(c, day + 1);
	return day;
}

static const char *const day_names[] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

static int
day_index(const char *s, size_t n)
{
	if (n < 3)
		return -1;
	for (int i = 0; i < 7; i++)
		if (util_strncaseeq(s, day_names[i], 3))
			return i;
	return -1;
}

/* parse_day_list: "mon-fri", "mon,wed", "sat" into bits; -1 if bad. */
static int
parse_day_list(const char *s, unsigned *bits)
{
	unsigned b = 0;

	if (util_strcaseeq(s, "all")) {
		*bits = CAL_ALLDAYS;
		return 0;
	}
	while (*s != '\0') {
		size_t n = strcspn(s, ",- ");
		int a = day_index(s, n), z;

		if (a < 0 || n != 3)
			return -1;
		s += n;
		z = a;
		if (*s == '-') {
			s++;
			n = strcspn(s, ", ");
			if ((z = day_index(s, n)) < 0 || n != 3 || z < a)
				return -1;
			s += n;
		}
		for (int i = a; i <= z; i++)
			b |= 1u << i;
		while (*s == ',' || *s == ' ')
			s++;
	}
	if (b == 0)
		return -1;
	*bits = b;
	return 0;
}

int
calendar_parse_days(const struct cfg_node *n, const char *what,
    unsigned *bits, struct diag *d)
{
	unsigned b = 0, one;

	if (cfg_is_null(n))
		return 0;
	if (n->kind == CFG_SCALAR) {
		if (parse_day_list(n->value, &b) != 0)
			goto bad;
		*bits = b;
		return 1;
	}
	if (n->kind != CFG_SEQ || n->n == 0)
		goto bad;
	for (size_t i = 0; i < n->n; i++) {
		const struct cfg_node *v = n->items[i];

		if (v->kind != CFG_SCALAR || v->value == NULL ||
		    parse_day_list(v->value, &one) != 0) {
			n = v;
			goto bad;
		}
		b |= one;
	}
	*bits = b;
	return 1;
bad:
	diag_set(d, "%s: not a list of days (write [mon, tue] or "
	    "\"mon-fri\")", what);
	d->line = n->line;
	return -1;
}

int
calendar_load(const struct cfg_node *n, const char *where,
    struct calendar *c, struct diag *d)
{
	static const char *const keys[] = { "workdays", "holidays", NULL };
	const struct cfg_node *h;
	char what[128];

	if (cfg_is_null(n))
		return 0;
	if (n->kind != CFG_MAP) {
		diag_set(d, "%s: must be a map (workdays, holidays)", where);
		d->line = n->line;
		return -1;
	}
	if (cfg_check_keys(n, keys, where, d) != 0)
		return -1;
	snprintf(what, sizeof what, "%s.workdays", where);
	if (calendar_parse_days(cfg_get(n, "workdays"), what, &c->workdays,
	    d) < 0)
		return -1;
	h = cfg_get(n, "holidays");
	if (cfg_is_null(h))
		return 0;
	snprintf(what, sizeof what, "%s.holidays", where);
	if (h->kind != CFG_SEQ) {
		diag_set(d, "%s: must be a list of dates", what);
		d->line = h->line;
		return -1;
	}
	for (size_t i = 0; i < h->n; i++) {
		const struct cfg_node *v = h->items[i];
		int32_t day;

		if (v->kind != CFG_SCALAR || v->value == NULL ||
		    date_parse_iso(v->value, &day) != 0) {
			char q[64];

			diag_set(d, "%s: %s is not a date (use YYYY-MM-DD)",
			    what, v->kind == CFG_SCALAR && v->value ?
			    util_quote(v->value, strlen(v->value), q,
			    sizeof q) : "a list or map");
			d->line = v->line;
			return -1;
		}
		calendar_add_holiday(c, day);
	}
	return 0;
}

int
calendar_parse_hm(const char *s)
{
	int h, m;

	if (s == NULL || strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

int
calendar_hours_open(const struct cal_hours *h, const struct calendar *c,
    int32_t day)
{
	if ((h->days & (1u << date_weekday(day))) == 0)
		return 0;
	return h->holidays || !calendar_is_holiday(c, day);
}

int
calendar_zone_valid(const char *name)
{
	const char *dir = getenv("TZDIR");
	struct sbuf p = { 0 };
	int ok;

	if (name == NULL || name[0] == '\0' || name[0] == '/' ||
	    strstr(name, "..") != NULL || strlen(name) > 64)
		return 0;
	for (const char *s = name; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || strchr("/_+-", *s)))
			return 0;
	if (strcmp(name, "UTC") == 0)
		return 1;
	sbuf_addf(&p, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo",
	    name);
	ok = access(sbuf_str(&p), R_OK) == 0;
	sbuf_free(&p);
	return ok;
}

/* days_from_tm: the day number of tm's civil date (no time zone). */
static int64_t
local_seconds(const struct tm *tm)
{
	int32_t day = 0;

	if (date_from_ymd(tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday,
	    &day) != 0)
		return INT64_MIN;
	return (int64_t)day * 86400 + tm->tm_hour * 3600 + tm->tm_min * 60 +
	    tm->tm_sec;
}

int
calendar_local_time(const char *zone, int32_t day, int minutes,
    char out[CAL_TIMESZ], struct diag *d)
{
	char *old = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;
	struct sbuf tz = { 0 };
	struct tm tm, lt;
	time_t t;
	int y, m, dd, rc = -1;
	int64_t off;

	if (!calendar_zone_valid(zone)) {
		diag_set(d, "\"%s\" is not a time zone this system knows "
		    "(use an IANA name such as Europe/London)", zone);
		free(old);
		return -1;
	}
	sbuf_addf(&tz, ":%s", zone);
	setenv("TZ", sbuf_str(&tz), 1);
	tzset();
	date_to_ymd(day, &y, &m, &dd);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = dd;
	tm.tm_hour = minutes / 60;
	tm.tm_min = minutes % 60;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1 || localtime_r(&t, &lt) == NULL) {
		diag_set(d, "no local time %02d:%02d in %s", minutes / 60,
		    minutes % 60, zone);
	} else {
		int64_t ls = local_seconds(&lt);

		off = (ls - (int64_t)t) / 60;
		date_to_ymd((int32_t)(ls / 86400), &y, &m, &dd);
		snprintf(out, CAL_TIMESZ, "%04d-%02d-%02dT%02d:%02d%c%02d:%02d",
		    y, m, dd, lt.tm_hour, lt.tm_min, off < 0 ? '-' : '+',
		    (int)((off < 0 ? -off : off) / 60),
		    (int)((off < 0 ? -off : off) % 60));
		rc = 0;
	}
	if (old != NULL)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
	sbuf_free(&tz);
	return rc;
}
