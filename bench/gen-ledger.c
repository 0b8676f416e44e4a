/*
 * gen-ledger: writes the bench's open-invoice CSV (../shared/BENCH.md) to
 * stdout.  A tool of the bench only, built by bench/run.sh.
 *
 *   gen-ledger [-s seed] [-e last-date] [-t totals-file] rows debtors
 *
 * Header invoice_id,debtor_id,debtor_name,invoice_date,due_date,currency,
 * amount,amount_paid, then one row per document in date order over the two
 * years ending on last-date (default 2025-06-30), the way exports come:
 * invoices INV-nnnnnnn and credit notes CN-nnnnnnn, each numbered in issue
 * order.  Rows are spread over the debtors by a Pareto law (about 80% of
 * the rows on 20% of the debtors); 5% are credit notes (negative amount,
 * nothing paid); invoices are unpaid, part paid or fully paid, older ones
 * more often paid; GBP, EUR and USD; 14% of the debtor names hold a comma
 * or a double quote and are quoted as RFC 4180 says; some are UTF-8.  A
 * debtor keeps its name, its usual currency and its terms (30, 45 or 60
 * days) throughout.
 *
 * The same seed gives the same bytes on every machine: one splitmix64
 * stream drives everything, and the only floating point is +, *, / and
 * sqrt, which IEEE 754 rounds exactly, the same everywhere (no pow, exp
 * or log, whose last bits differ between libms).
 *
 * -t writes the ground truth the bench checks the aging peers against:
 * per currency, the open amount of the invoices and of the credit notes in
 * minor units, as of last-date.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "gen-ledger"
#define YEARS_DAYS 731		/* 2 years ending on last-date */
#define MAX_TERMS 60
#define NAME_MAX_LEN 160	/* one encoded name, quotes included */
#define ROW_MAX (NAME_MAX_LEN + 128)
#define OUT_SIZE (1 << 20)
#define HEADER "invoice_id,debtor_id,debtor_name,invoice_date,due_date," \
	"currency,amount,amount_paid\n"

/* ---- PRNG ------------------------------------------------------------ */

static uint64_t rng_state;

/* splitmix64 (Steele, Lea, Flood 2014): fast, passes BigCrush, one word
 * of state, so a seed is just its start. */
static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* rnd_below: uniform in [0, n); the modulo bias is below 2^-40 for the
 * ranges used here. */
static uint64_t
rnd_below(uint64_t n)
{
	return rnd() % n;
}

/* rnd_unit: uniform in (0, 1], exactly representable. */
static double
rnd_unit(void)
{
	return (double)((rnd() >> 11) + 1) * (1.0 / 9007199254740992.0);
}

/* ---- dates ----------------------------------------------------------- */

/* days_from_civil (H. Hinnant): days since 1970-01-01, proleptic
 * Gregorian. */
static long
days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static void
civil_from_days(long z, long *y, unsigned *m, unsigned *d)
{
	long era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long)yoe + era * 400 + (*m <= 2);
}

/* parse_iso: "YYYY-MM-DD" as a day number, or -1 if it is not a real
 * date. */
static long
parse_iso(const char *s)
{
	long y;
	unsigned m, d, ml;
	static const unsigned mdays[] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = (s[0] - '0') * 1000L + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return -1;
	ml = mdays[m - 1] + (m == 2 && y % 4 == 0 &&
	    (y % 100 != 0 || y % 400 == 0));
	if (d > ml)
		return -1;
	return days_from_civil(y, m, d);
}

/* ---- debtors --------------------------------------------------------- */

struct debtor {
	char id[24];
	size_t id_len;
	char name[NAME_MAX_LEN];	/* CSV-encoded */
	size_t name_len;
	int currency;			/* usual one, index in CUR */
	int terms;			/* days */
};

static const char *const CUR[] = { "GBP", "EUR", "USD" };
#define NCUR 3

static const char *const PLACE[] = {
	"Harbour", "Northgate", "Ashford", "Kingsley", "Wexford", "Pemberton",
	"Castle", "Riverside", "Oakridge", "Blackwell", "Fairfield",
	"Redbridge", "Westmoor", "Holloway", "Brightwater", "Carrick",
	"Thornbury", "Marlow", "Dunmore", "Elmstead", "Greenway", "Hartley",
	"Ironbridge", "Juniper", "Lakeside", "Meridian", "Newhaven",
	"Orchard", "Pinewood", "Queensway", "Rowan", "Saxon", "Tamar",
	"Upton", "Valley", "Windmill", "Yarrow", "Abbey", "Beacon", "Cobalt",
};
static const char *const SURNAME[] = {
	"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans",
	"Thomas", "Roberts", "Walker", "Wright", "Patel", "Hughes", "Green",
	"Hall", "Wood", "Clarke", "Jackson", "Khan", "Turner", "Hill",
	"Moore", "Cooper", "Ward", "Morris", "King", "Baker", "Harris",
};
static const char *const TRADE[] = {
	"Logistics", "Engineering", "Foods", "Building Supplies", "Textiles",
	"Print", "Electrical", "Dental Care", "Motors", "Hospitality",
	"Plumbing", "Software", "Farm Supplies", "Catering", "Joinery",
	"Packaging", "Fabrication", "Pharmacy", "Haulage", "Design",
	"Timber", "Glazing", "Bakery", "Cleaning Services", "Marine",
};
static const char *const SUFFIX[] = {
	"Ltd", "Limited", "Ltd", "Ltd", "PLC", "LLP", "& Sons", "Group",
	"Holdings Ltd", "Trading", "Services Ltd",
};
static const char *const NICK[] = {
	"Red Lion", "Blue Anchor", "Old Mill", "Crown", "Golden Fleece",
	"Black Swan", "Rose & Crown", "White Hart", "Eagle", "Plough",
};
static const char *const PLACE_UTF8[] = {
	"Café Élan", "Brüder Grün", "Søndergaard", "Müller", "Åkesson",
	"Crème Brûlée", "Fjørd", "Zürich", "Noël", "Gdańsk", "Straße",
	"€uro",
};
static const char *const SUFFIX_UTF8[] = {
	"SARL", "GmbH", "ApS", "AB", "KG", "BV", "S.à r.l.", "Ltd",
};
static const char *const NAME_JA[] = {
	"株式会社山田商事", "東京精機株式会社", "大阪フーズ株式会社",
	"有限会社さくら印刷", "株式会社ミドリ電機", "北海道物産株式会社",
};

#define PICK(a) ((a)[rnd_below(sizeof(a) / sizeof((a)[0]))])

/* csv_field: raw as one CSV field (quoted, inner quotes doubled, when it
 * holds a comma, a quote or a line end) into out; returns the length. */
static size_t
csv_field(char *out, size_t cap, const char *raw)
{
	size_t n = 0;
	const char *p;

	if (strpbrk(raw, ",\"\r\n") == NULL) {
		n = strlen(raw);
		if (n >= cap)
			n = cap - 1;
		memcpy(out, raw, n);
		out[n] = '\0';
		return n;
	}
	out[n++] = '"';
	for (p = raw; *p != '\0' && n + 3 < cap; p++) {
		if (*p == '"')
			out[n++] = '"';
		out[n++] = *p;
	}
	out[n++] = '"';
	out[n] = '\0';
	return n;
}

/* make_name: a debtor's name, 14% of them with a comma or a quote, about
 * 7% in UTF-8 beyond ASCII.  The words are drawn one statement at a time:
 * the order in which a call's arguments are evaluated is unspecified, and
 * gcc and clang do differ, so draws inside one call would break "same
 * seed, same bytes". */
static void
make_name(struct debtor *dt)
{
	char raw[NAME_MAX_LEN / 2];
	uint64_t kind = rnd_below(1000), form = rnd_below(5);
	const char *a, *b, *c, *d;

	if (kind < 140) {		/* needs quoting */
		switch (form) {
		case 0:
			a = PICK(SURNAME);
			b = PICK(SURNAME);
			snprintf(raw, sizeof(raw), "%s, %s & Co", a, b);
			break;
		case 1:
			a = PICK(PLACE);
			b = PICK(TRADE);
			snprintf(raw, sizeof(raw), "%s %s, Ltd", a, b);
			break;
		case 2:
			a = PICK(NICK);
			snprintf(raw, sizeof(raw), "The \"%s\" Inn", a);
			break;
		case 3:
			a = PICK(PLACE);
			b = PICK(NICK);
			c = PICK(TRADE);
			d = PICK(SUFFIX);
			snprintf(raw, sizeof(raw), "%s \"%s\" %s, %s", a, b,
			    c, d);
			break;
		default:
			a = PICK(PLACE_UTF8);
			b = PICK(TRADE);
			c = PICK(SUFFIX_UTF8);
			snprintf(raw, sizeof(raw), "%s, %s %s", a, b, c);
			break;
		}
	} else if (kind < 170) {
		a = PICK(PLACE_UTF8);
		b = PICK(TRADE);
		c = PICK(SUFFIX_UTF8);
		snprintf(raw, sizeof(raw), "%s %s %s", a, b, c);
	} else if (kind < 185) {
		a = PICK(NAME_JA);
		snprintf(raw, sizeof(raw), "%s", a);
	} else {
		a = kind < 300 ? PICK(SURNAME) : PICK(PLACE);
		b = PICK(TRADE);
		c = PICK(SUFFIX);
		snprintf(raw, sizeof(raw), "%s %s %s", a, b, c);
	}
	dt->name_len = csv_field(dt->name, sizeof(dt->name), raw);
}

/* ---- output ---------------------------------------------------------- */

static char outbuf[OUT_SIZE];
static size_t outlen;

static void
die(const char *msg)
{
	fprintf(stderr, PROG ": %s\n", msg);
	exit(3);
}

static void
flush_out(void)
{
	if (outlen > 0 && fwrite(outbuf, 1, outlen, stdout) != outlen)
		die(strerror(errno));
	outlen = 0;
}

static void
put(const char *s, size_t n)
{
	memcpy(outbuf + outlen, s, n);
	outlen += n;
}

/* put_uint: v in decimal, zero-padded to width. */
static void
put_uint(uint64_t v, int width)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n < width)
		tmp[n++] = '0';
	while (n > 0)
		outbuf[outlen++] = tmp[--n];
}

/* put_money: minor units as a plain decimal with two places. */
static void
put_money(int64_t cents)
{
	uint64_t a;

	if (cents < 0) {
		outbuf[outlen++] = '-';
		a = (uint64_t)0 - (uint64_t)cents;
	} else {
		a = (uint64_t)cents;
	}
	put_uint(a / 100, 1);
	outbuf[outlen++] = '.';
	put_uint(a % 100, 2);
}

/* ---- main ------------------------------------------------------------ */

static int
parse_count(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || *out > max)
		return -1;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: " PROG " [-s seed] [-e last-date] "
	    "[-t totals-file] rows debtors\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	unsigned long long rows, ndebtors, seed = 20250630, i;
	const char *last_s = "2025-06-30", *totals_path = NULL;
	long last, first, day;
	struct debtor *dt;
	double *cum, total;
	char dates[YEARS_DAYS + MAX_TERMS][32];
	int64_t open_debit[NCUR] = { 0 }, open_credit[NCUR] = { 0 };
	uint64_t inv_no = 0, cn_no = 0;
	int argi = 1, k;

	while (argi < argc && argv[argi][0] == '-' && argv[argi][1] != '\0') {
		const char *opt = argv[argi];

		if (strcmp(opt, "--") == 0) {
			argi++;
			break;
		}
		if (opt[2] != '\0' || argi + 1 >= argc)
			usage();
		if (opt[1] == 's') {
			if (parse_count(argv[argi + 1], UINT64_MAX, &seed) != 0)
				usage();
		} else if (opt[1] == 'e') {
			last_s = argv[argi + 1];
		} else if (opt[1] == 't') {
			totals_path = argv[argi + 1];
		} else {
			usage();
		}
		argi += 2;
	}
	if (argc - argi != 2 ||
	    parse_count(argv[argi], 99999999ULL, &rows) != 0 ||
	    parse_count(argv[argi + 1], 9999999ULL, &ndebtors) != 0 ||
	    ndebtors == 0)
		usage();
	if ((last = parse_iso(last_s)) < 0) {
		fprintf(stderr, PROG ": \"%s\": not a date; use YYYY-MM-DD\n",
		    last_s);
		exit(2);
	}
	first = last - (YEARS_DAYS - 1);
	rng_state = seed;

	for (day = 0; day < YEARS_DAYS + MAX_TERMS; day++) {
		long y;
		unsigned m, d;

		civil_from_days(first + day, &y, &m, &d);
		snprintf(dates[day], sizeof(dates[day]), "%04ld-%02u-%02u", y,
		    m, d);
	}

	/*
	 * Pareto weights with alpha = 8/7: w = u^(-7/8) = (1/u) * u^(1/8),
	 * the eighth root by three square roots.  The top 20% of debtors
	 * then hold 0.2^(1/8) = 82% of the weight.
	 */
	if ((dt = calloc(ndebtors, sizeof(*dt))) == NULL ||
	    (cum = calloc(ndebtors, sizeof(*cum))) == NULL)
		die("out of memory");
	total = 0;
	for (i = 0; i < ndebtors; i++) {
		double u = rnd_unit();
		uint64_t c = rnd_below(100);

		total += (1.0 / u) * sqrt(sqrt(sqrt(u)));
		cum[i] = total;
		snprintf(dt[i].id, sizeof(dt[i].id), "D%06llu", i + 1);
		dt[i].id_len = strlen(dt[i].id);
		make_name(&dt[i]);
		dt[i].currency = c < 80 ? 0 : c < 94 ? 1 : 2;
		dt[i].terms = 30 + 15 * (int)rnd_below(3);
	}

	put(HEADER, sizeof(HEADER) - 1);
	for (i = 0; i < rows; i++) {
		double r = rnd_unit() * total;
		size_t lo = 0, hi = ndebtors - 1;
		const struct debtor *d;
		long di, age;
		int cur;
		int64_t amount, paid = 0;
		uint64_t t;

		if (outlen + ROW_MAX > OUT_SIZE)
			flush_out();
		while (lo < hi) {	/* first cum >= r */
			size_t mid = lo + (hi - lo) / 2;

			if (cum[mid] < r)
				lo = mid + 1;
			else
				hi = mid;
		}
		d = &dt[lo];
		di = (long)(i * YEARS_DAYS / rows);
		age = YEARS_DAYS - 1 - di;
		cur = rnd_below(10) < 9 ? d->currency : (int)rnd_below(NCUR);

		if (rnd_below(100) < 5) {
			amount = -(int64_t)(500 + rnd_below(500000));
			put("CN-", 3);
			put_uint(++cn_no, 7);
		} else {
			t = rnd_below(100);
			if (t < 55)
				amount = 1000 + (int64_t)rnd_below(99000);
			else if (t < 85)
				amount = 100000 + (int64_t)rnd_below(900000);
			else if (t < 97)
				amount = 1000000 + (int64_t)rnd_below(9000000);
			else
				amount = 10000000 +
				    (int64_t)rnd_below(90000000);
			/* Older invoices are more often settled: 5% of this
			 * month's, up to 85% of those a year old. */
			t = rnd_below(100);
			if ((long)t < 5 + (age * 80 / 365 > 80 ? 80 :
			    age * 80 / 365))
				paid = amount;
			else if (t >= 85)
				paid = 1 + (int64_t)rnd_below(
				    (uint64_t)amount - 1);
			put("INV-", 4);
			put_uint(++inv_no, 7);
		}
		outbuf[outlen++] = ',';
		put(d->id, d->id_len);
		outbuf[outlen++] = ',';
		put(d->name, d->name_len);
		outbuf[outlen++] = ',';
		put(dates[di], 10);
		outbuf[outlen++] = ',';
		put(dates[di + d->terms], 10);
		outbuf[outlen++] = ',';
		put(CUR[cur], 3);
		outbuf[outlen++] = ',';
		put_money(amount);
		outbuf[outlen++] = ',';
		put_money(paid);
		outbuf[outlen++] = '\n';

		if (amount < 0)
			open_credit[cur] += amount;
		else
			open_debit[cur] += amount - paid;
	}
	flush_out();
	if (fflush(stdout) != 0 || ferror(stdout))
		die("stdout: write error");

	if (totals_path != NULL) {
		FILE *f = fopen(totals_path, "w");

		if (f == NULL)
			die(strerror(errno));
		for (k = 0; k < NCUR; k++)
			fprintf(f, "%s\t%lld\t%lld\n", CUR[k],
			    (long long)open_debit[k],
			    (long long)open_credit[k]);
		if (fclose(f) != 0)
			die(strerror(errno));
	}
	free(dt);
	free(cum);
	return 0;
}
