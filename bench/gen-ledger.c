/*
 * gen-ledger: writes a generated client ledger to stdout, as the bench's
 * open-invoice CSV (../shared/BENCH.md) or as an accounting system's
 * export of it.  A tool of the bench (built by bench/run.sh) and of the
 * demo (built by examples/demo.sh).
 *
 *   gen-ledger [-f format] [-s seed] [-e last-date] [-a as-of]
 *              [-c currency] [-n company] [-t totals-file] rows debtors
 *
 * The ledger: rows documents in date order over the two years ending on
 * last-date (default 2025-06-30): invoices INV-nnnnnnn and credit notes
 * CN-nnnnnnn, each numbered in issue order.  Rows are spread over the
 * debtors by a Pareto law (about 80% of the rows on 20% of the debtors);
 * 5% are credit notes (negative amount, nothing paid); invoices are
 * unpaid, part paid or fully paid, older ones more often paid (and each
 * payment dated, so that an earlier day's ledger shows the same law);
 * GBP, EUR and USD; 14% of the debtor names hold a comma or a double
 * quote, some are UTF-8.  A debtor keeps its name, its usual currency and
 * its terms (30, 45 or 60 days) throughout.
 *
 * -f, the format:
 *   bench       (the default) header invoice_id,debtor_id,debtor_name,
 *               invoice_date,due_date,currency,amount,amount_paid; one row
 *               per document, ISO dates, plain amounts, names quoted as
 *               RFC 4180 says.
 *   xero        Xero's invoice export: *ContactName, EmailAddress, postal
 *               address, *InvoiceNumber, Reference, "15 Jan 2024" dates,
 *               Total, InvoiceAmountPaid, InvoiceAmountDue, then one row
 *               per line item (Description, *Quantity, *UnitAmount,
 *               LineAmount) with the invoice's totals repeated on each;
 *               every document, paid ones too; credit notes as negative
 *               totals.
 *   quickbooks  QuickBooks Online's A/R Aging Detail report saved as CSV:
 *               company, title and "As of" rows, a header whose first
 *               column is empty, the open documents only, grouped in
 *               sections by days past due (oldest first) with a "Total
 *               for" row each and a final TOTAL, then the time the
 *               report was run; MM/DD/YYYY dates, amounts with thousands
 *               commas, credit memos negative.  The report has no
 *               currency column, so it needs -c.
 *   erpnext     ERPNext's Sales Invoice list (the report view, every
 *               column chosen below, exported as CSV) of a Dutch
 *               wholesaler: ID, Customer (the code), Customer Name,
 *               Customer Group (Commercial, Key Account, Government),
 *               Date, Payment Due Date, Currency, Grand Total,
 *               Outstanding Amount, Is Return (Credit Note) 0 or 1,
 *               Status, Contact Email, Mobile No and Address (street,
 *               then postcode and town, on two lines of one field, as
 *               ERPNext's address display has them); ISO dates, plain
 *               amounts; every document, paid ones too; a return
 *               (credit note) with its negative total outstanding.
 *               "ID" and "Grand Total" are no standard header, so the
 *               client's config names them (input.columns).
 * In xero and quickbooks the debtor's name is its only key (Xero makes
 * contact names unique), so a name an earlier debtor has already gets
 * the debtor's code appended.
 *
 * -a as-of: the ledger as the client's system shows it that day (default
 * last-date): documents issued later are left out, payments made later
 * are not made yet.  -e fixes the ledger's days, so the exports of one
 * client on consecutive days keep -e and move -a.
 * -c code: every document in that currency (a one-currency client).
 * -n company: the company name on quickbooks' first row.
 *
 * The same seed gives the same ledger in every format and the same bytes
 * on every machine: one splitmix64 generator drives everything, and the
 * only floating point is +, *, / and sqrt, which IEEE 754 rounds exactly,
 * the same everywhere (no pow, exp or log, whose last bits differ between
 * libms).  The ledger's stream draws the debtors and the documents in a
 * fixed order, unchanged since the bench's first version (-c only
 * overrides the currency drawn).  What only some formats show or what
 * came later (payment days, line items, references, contact details)
 * comes from streams of the same generator keyed by the seed and the
 * document's or the debtor's number, so it never shifts the ledger.
 *
 * -t writes the ground truth the bench and the demo check against: per
 * currency, the open amount of the invoices and of the credit notes in
 * minor units, as of the as-of date.
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
#define RAW_NAME_LEN (NAME_MAX_LEN / 2)
#define FIELD_LEN 96		/* one encoded contact field */
#define ROW_MAX (NAME_MAX_LEN + 128)
#define DOC_MAX 4096		/* every row of one document, any format */
#define MAX_LINES 4		/* line items of one Xero invoice */
#define OUT_SIZE (1 << 20)
#define NCUR 3

/* ---- PRNG ------------------------------------------------------------ */

/* splitmix64 (Steele, Lea, Flood 2014): fast, passes BigCrush, one word
 * of state, so a seed is just its start. */
struct rng {
	uint64_t s;
};

#define GOLDEN_GAMMA 0x9e3779b97f4a7c15ULL

static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rnd(struct rng *r)
{
	return mix64(r->s += GOLDEN_GAMMA);
}

/* rnd_below: uniform in [0, n); the modulo bias is below 2^-40 for the
 * ranges used here. */
static uint64_t
rnd_below(struct rng *r, uint64_t n)
{
	return rnd(r) % n;
}

/* rnd_unit: uniform in (0, 1], exactly representable. */
static double
rnd_unit(struct rng *r)
{
	return (double)((rnd(r) >> 11) + 1) * (1.0 / 9007199254740992.0);
}

/* The keyed streams: one per document and one per debtor, each started
 * from a mix of the seed and its key, so that they neither overlap the
 * ledger's stream nor one another in any length used here. */
enum { KEY_DOC = 1, KEY_DEBTOR = 2, KEY_DEBTOR_NL = 3 };

static struct rng
rng_keyed(uint64_t seed, unsigned kind, uint64_t index)
{
	struct rng r;

	r.s = mix64(seed ^ mix64((uint64_t)kind << 56 ^ index));
	return r;
}

#define PICK(r, a) ((a)[rnd_below((r), sizeof(a) / sizeof((a)[0]))])

static void
die(const char *msg)
{
	fprintf(stderr, PROG ": %s\n", msg);
	exit(3);
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

static const char *const MONTH[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec",
};
static const char *const WEEKDAY[] = {	/* 1970-01-01 was a Thursday */
	"Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday",
	"Wednesday",
};

enum date_style {
	DS_ISO,		/* 2024-01-15 */
	DS_XERO,	/* 15 Jan 2024 */
	DS_US,		/* 01/15/2024 */
	DS_LONG		/* Jan 15, 2024 */
};

/* fmt_date: day z in style into buf[32]; returns the length. */
static int
fmt_date(char *buf, long z, enum date_style style)
{
	long y;
	unsigned m, d;

	civil_from_days(z, &y, &m, &d);
	switch (style) {
	case DS_XERO:
		return snprintf(buf, 32, "%u %s %04ld", d, MONTH[m - 1], y);
	case DS_US:
		return snprintf(buf, 32, "%02u/%02u/%04ld", m, d, y);
	case DS_LONG:
		return snprintf(buf, 32, "%s %u, %04ld", MONTH[m - 1], d, y);
	default:
		return snprintf(buf, 32, "%04ld-%02u-%02u", y, m, d);
	}
}

/* ---- names ----------------------------------------------------------- */

struct debtor {
	char id[24];
	size_t id_len;
	char raw[RAW_NAME_LEN];		/* as the client typed it */
	char name[NAME_MAX_LEN];	/* CSV-encoded */
	size_t name_len;
	int currency;			/* usual one, index in CUR */
	int terms;			/* days */
};

static const char *const CUR[NCUR] = { "GBP", "EUR", "USD" };

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
make_name(struct rng *r, struct debtor *dt)
{
	char *raw = dt->raw;
	size_t cap = sizeof(dt->raw);
	uint64_t kind = rnd_below(r, 1000), form = rnd_below(r, 5);
	const char *a, *b, *c, *d;

	if (kind < 140) {		/* needs quoting */
		switch (form) {
		case 0:
			a = PICK(r, SURNAME);
			b = PICK(r, SURNAME);
			snprintf(raw, cap, "%s, %s & Co", a, b);
			break;
		case 1:
			a = PICK(r, PLACE);
			b = PICK(r, TRADE);
			snprintf(raw, cap, "%s %s, Ltd", a, b);
			break;
		case 2:
			a = PICK(r, NICK);
			snprintf(raw, cap, "The \"%s\" Inn", a);
			break;
		case 3:
			a = PICK(r, PLACE);
			b = PICK(r, NICK);
			c = PICK(r, TRADE);
			d = PICK(r, SUFFIX);
			snprintf(raw, cap, "%s \"%s\" %s, %s", a, b, c, d);
			break;
		default:
			a = PICK(r, PLACE_UTF8);
			b = PICK(r, TRADE);
			c = PICK(r, SUFFIX_UTF8);
			snprintf(raw, cap, "%s, %s %s", a, b, c);
			break;
		}
	} else if (kind < 170) {
		a = PICK(r, PLACE_UTF8);
		b = PICK(r, TRADE);
		c = PICK(r, SUFFIX_UTF8);
		snprintf(raw, cap, "%s %s %s", a, b, c);
	} else if (kind < 185) {
		a = PICK(r, NAME_JA);
		snprintf(raw, cap, "%s", a);
	} else {
		a = kind < 300 ? PICK(r, SURNAME) : PICK(r, PLACE);
		b = PICK(r, TRADE);
		c = PICK(r, SUFFIX);
		snprintf(raw, cap, "%s %s %s", a, b, c);
	}
	dt->name_len = csv_field(dt->name, sizeof(dt->name), raw);
}

static int
by_raw_name(const void *a, const void *b)
{
	const struct debtor *x = *(const struct debtor *const *)a;
	const struct debtor *y = *(const struct debtor *const *)b;
	int c = strcmp(x->raw, y->raw);

	if (c != 0)
		return c;
	return x < y ? -1 : x > y;
}

/* unique_names: where the name is the debtor's only key, a name that a
 * debtor of a lower number has already gets " (D000123)" appended. */
static void
unique_names(struct debtor *dt, size_t n)
{
	struct debtor **ix = calloc(n ? n : 1, sizeof(*ix));
	size_t i, j;

	if (ix == NULL)
		die("out of memory");
	for (i = 0; i < n; i++)
		ix[i] = &dt[i];
	qsort(ix, n, sizeof(*ix), by_raw_name);
	for (i = 0; i < n; i = j) {
		/* Renamed ones are compared with the run's first, which
		 * keeps its name. */
		for (j = i + 1; j < n && strcmp(ix[j]->raw, ix[i]->raw) == 0;
		    j++) {
			struct debtor *d = ix[j];
			size_t len = strlen(d->raw);

			snprintf(d->raw + len, sizeof(d->raw) - len, " (%s)",
			    d->id);
			d->name_len = csv_field(d->name, sizeof(d->name),
			    d->raw);
		}
	}
	free(ix);
}

/* ---- contact details (xero) ------------------------------------------ */

struct contact {
	char email[FIELD_LEN];		/* all CSV-encoded */
	char street[FIELD_LEN];
	char city[FIELD_LEN];
	char postcode[16];
};

static const char *const MAILBOX[] = {
	"accounts", "accounts", "ap", "finance", "invoices", "purchaseledger",
};
static const char *const STREET[] = {
	"Road", "Street", "Lane", "Way", "Avenue", "Park", "Close", "Row",
};
static const struct {
	const char *city, *area;
} CITY[] = {
	{ "Bristol", "BS" }, { "Leeds", "LS" }, { "Manchester", "M" },
	{ "Birmingham", "B" }, { "Glasgow", "G" }, { "Cardiff", "CF" },
	{ "Norwich", "NR" }, { "Exeter", "EX" }, { "Leicester", "LE" },
	{ "Newcastle upon Tyne", "NE" }, { "London", "EC" }, { "York", "YO" },
};
#define POSTCODE_LETTERS "ABDEFGHJLNPQRSTUWXYZ"

/* make_contact: the e-mail and postal address Xero holds for debtor i;
 * 15% have no e-mail address. */
static void
make_contact(uint64_t seed, size_t i, const struct debtor *d,
    struct contact *c)
{
	struct rng r = rng_keyed(seed, KEY_DEBTOR, i);
	char raw[FIELD_LEN], slug[32];
	size_t n = 0;
	const char *p, *box, *place, *street;
	unsigned number, district, sector;
	uint64_t city, l1, l2;

	for (p = d->raw; *p != '\0' && n + 1 < 25; p++) {
		char ch = *p;

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			slug[n++] = ch;
	}
	if (n == 0)		/* nothing in ASCII: the account code */
		for (p = d->id; *p != '\0'; p++)
			slug[n++] = (char)(*p >= 'A' && *p <= 'Z' ?
			    *p - 'A' + 'a' : *p);
	slug[n] = '\0';
	box = PICK(&r, MAILBOX);
	if (rnd_below(&r, 100) < 85) {
		snprintf(raw, sizeof(raw), "%s@%s.example", box, slug);
		csv_field(c->email, sizeof(c->email), raw);
	} else {
		c->email[0] = '\0';
	}

	number = 1 + (unsigned)rnd_below(&r, 240);
	place = PICK(&r, PLACE);
	street = PICK(&r, STREET);
	if (rnd_below(&r, 5) == 0)
		snprintf(raw, sizeof(raw), "Unit %u, %s Business Park",
		    number % 40 + 1, place);
	else
		snprintf(raw, sizeof(raw), "%u %s %s", number, place, street);
	csv_field(c->street, sizeof(c->street), raw);
	city = rnd_below(&r, sizeof(CITY) / sizeof(CITY[0]));
	csv_field(c->city, sizeof(c->city), CITY[city].city);
	district = 1 + (unsigned)rnd_below(&r, 20);
	sector = (unsigned)rnd_below(&r, 10);
	l1 = rnd_below(&r, sizeof(POSTCODE_LETTERS) - 1);
	l2 = rnd_below(&r, sizeof(POSTCODE_LETTERS) - 1);
	snprintf(c->postcode, sizeof(c->postcode), "%s%u %u%c%c",
	    CITY[city].area, district, sector, POSTCODE_LETTERS[l1],
	    POSTCODE_LETTERS[l2]);
}

/* ---- contact details (erpnext) --------------------------------------- */

/* The wholesaler's customers are Dutch: a street and house number, then
 * the postcode (four digits, two letters) and the town. */
struct contact_nl {
	char email[FIELD_LEN];		/* all CSV-encoded */
	char mobile[24];
	char address[2 * FIELD_LEN];
	const char *group;		/* ERPNext's Customer Group */
};

static const char *const STREET_NL[] = {
	"Havenweg", "Industrieweg", "Kanaalstraat", "Stationsplein",
	"Marktplein", "Dorpsstraat", "Nijverheidsweg", "Energieweg",
	"Handelskade", "Molenstraat", "Kerkstraat", "Zuiderweg",
};
static const struct {
	const char *town;
	unsigned pc;		/* the town's first postcode */
} TOWN_NL[] = {
	{ "Amsterdam", 1011 }, { "Rotterdam", 3011 }, { "Utrecht", 3511 },
	{ "Den Haag", 2511 }, { "Eindhoven", 5611 }, { "Groningen", 9711 },
	{ "Tilburg", 5011 }, { "Breda", 4811 }, { "Zwolle", 8011 },
	{ "Arnhem", 6811 }, { "Venlo", 5911 }, { "Dordrecht", 3311 },
};
/* Dutch postcodes leave out F, I, O, Q, U and Y. */
#define POSTCODE_NL_LETTERS "ABCDEGHJKLMNPRSTVWXZ"

/* make_contact_nl: what ERPNext holds for debtor i: 85% have an e-mail
 * address, 70% a mobile number; one in ten is a key account, one in
 * twenty a public body. */
static void
make_contact_nl(uint64_t seed, size_t i, const struct debtor *d,
    struct contact_nl *c)
{
	struct rng r = rng_keyed(seed, KEY_DEBTOR_NL, i);
	char raw[2 * FIELD_LEN], slug[32];
	size_t n = 0;
	const char *p, *street;
	unsigned number, town, pc;
	uint64_t g, l1, l2;

	for (p = d->raw; *p != '\0' && n + 1 < 25; p++) {
		char ch = *p;

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			slug[n++] = ch;
	}
	if (n == 0)		/* nothing in ASCII: the account code */
		for (p = d->id; *p != '\0'; p++)
			slug[n++] = (char)(*p >= 'A' && *p <= 'Z' ?
			    *p - 'A' + 'a' : *p);
	slug[n] = '\0';
	if (rnd_below(&r, 100) < 85) {
		snprintf(raw, sizeof(raw), "crediteuren@%s.example", slug);
		csv_field(c->email, sizeof(c->email), raw);
	} else {
		c->email[0] = '\0';
	}
	if (rnd_below(&r, 100) < 70)
		snprintf(c->mobile, sizeof(c->mobile), "+31 6 %04u %04u",
		    (unsigned)rnd_below(&r, 10000),
		    (unsigned)rnd_below(&r, 10000));
	else
		c->mobile[0] = '\0';
	street = PICK(&r, STREET_NL);
	number = 1 + (unsigned)rnd_below(&r, 180);
	town = (unsigned)rnd_below(&r, sizeof(TOWN_NL) / sizeof(TOWN_NL[0]));
	pc = TOWN_NL[town].pc + (unsigned)rnd_below(&r, 80);
	l1 = rnd_below(&r, sizeof(POSTCODE_NL_LETTERS) - 1);
	l2 = rnd_below(&r, sizeof(POSTCODE_NL_LETTERS) - 1);
	snprintf(raw, sizeof(raw), "%s %u\n%u %c%c %s", street, number, pc,
	    POSTCODE_NL_LETTERS[l1], POSTCODE_NL_LETTERS[l2],
	    TOWN_NL[town].town);
	csv_field(c->address, sizeof(c->address), raw);
	g = rnd_below(&r, 20);
	c->group = g < 2 ? "Key Account" : g < 3 ? "Government" : "Commercial";
}

/* ---- output ---------------------------------------------------------- */

static char outbuf[OUT_SIZE];
static size_t outlen;

static void
flush_out(void)
{
	if (outlen > 0 && fwrite(outbuf, 1, outlen, stdout) != outlen)
		die(strerror(errno));
	outlen = 0;
}

/* reserve: room for n more bytes. */
static void
reserve(size_t n)
{
	if (outlen + n > OUT_SIZE)
		flush_out();
}

static void
put(const char *s, size_t n)
{
	memcpy(outbuf + outlen, s, n);
	outlen += n;
}

static void
put_str(const char *s)
{
	put(s, strlen(s));
}

static void
put_ch(char c)
{
	outbuf[outlen++] = c;
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

/* put_money_grouped: minor units with thousands commas, after symbol
 * ("" for none), as one CSV field: "1,234.00", -12.00, "-$1,234.00". */
static void
put_money_grouped(int64_t cents, const char *symbol)
{
	char digits[24], text[48];
	uint64_t a = cents < 0 ? (uint64_t)0 - (uint64_t)cents :
	    (uint64_t)cents, units = a / 100;
	int nd = 0, n = 0, i;

	do {
		digits[nd++] = (char)('0' + units % 10);
		units /= 10;
	} while (units != 0);
	if (cents < 0)
		text[n++] = '-';
	n += snprintf(text + n, sizeof(text) - (size_t)n, "%s", symbol);
	for (i = nd - 1; i >= 0; i--) {
		text[n++] = digits[i];
		if (i > 0 && i % 3 == 0)
			text[n++] = ',';
	}
	snprintf(text + n, sizeof(text) - (size_t)n, ".%02u",
	    (unsigned)(a % 100));
	if (strchr(text, ',') != NULL) {
		put_ch('"');
		put_str(text);
		put_ch('"');
	} else {
		put_str(text);
	}
}

static void
put_date(long day, enum date_style style)
{
	char buf[32];

	put(buf, (size_t)fmt_date(buf, day, style));
}

/* ---- the ledger ------------------------------------------------------ */

enum format { FMT_BENCH, FMT_XERO, FMT_QUICKBOOKS, FMT_ERPNEXT };

/* One document, days as numbers since 1970-01-01. */
struct doc {
	uint64_t no;		/* INV- or CN- number */
	long issue, due;
	long paid_on;		/* the day paid was paid; when paid > 0 */
	int64_t amount;		/* minor units, negative for a credit note */
	int64_t paid;		/* in the end; 0 for a credit note */
	size_t debtor;		/* index */
	int cur;		/* index in the run's currencies */
	struct rng rng;		/* the document's own stream, for details */
};

struct ledger {
	uint64_t seed;
	long first, last;	/* the two years */
	struct debtor *dt;
	size_t ndebtors;
	double *cum, total;	/* Pareto weights, cumulative */
	unsigned long long rows;
	uint64_t inv_no, cn_no;
	int one_currency;	/* -c: every document in currency 0 */
};

/* open_on: what is open of doc on day z. */
static int64_t
open_on(const struct doc *dc, long z)
{
	return dc->amount - (dc->paid > 0 && dc->paid_on <= z ? dc->paid : 0);
}

/*
 * draw_doc: document i of the ledger.  The draws from the ledger's stream
 * r are the bench's from its first version, in its order; keep them so.
 */
static void
draw_doc(struct ledger *L, struct rng *r, unsigned long long i,
    struct doc *dc)
{
	double x = rnd_unit(r) * L->total;
	size_t lo = 0, hi = L->ndebtors - 1;
	const struct debtor *d;
	long di, age, delay;
	uint64_t t;

	while (lo < hi) {	/* first cum >= x */
		size_t mid = lo + (hi - lo) / 2;

		if (L->cum[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	d = &L->dt[lo];
	dc->debtor = lo;
	di = (long)(i * YEARS_DAYS / L->rows);
	age = YEARS_DAYS - 1 - di;
	dc->issue = L->first + di;
	dc->due = dc->issue + d->terms;
	dc->cur = rnd_below(r, 10) < 9 ? d->currency :
	    (int)rnd_below(r, NCUR);
	if (L->one_currency)
		dc->cur = 0;
	dc->paid = 0;

	if (rnd_below(r, 100) < 5) {
		dc->amount = -(int64_t)(500 + rnd_below(r, 500000));
		dc->no = ++L->cn_no;
	} else {
		t = rnd_below(r, 100);
		if (t < 55)
			dc->amount = 1000 + (int64_t)rnd_below(r, 99000);
		else if (t < 85)
			dc->amount = 100000 + (int64_t)rnd_below(r, 900000);
		else if (t < 97)
			dc->amount = 1000000 + (int64_t)rnd_below(r, 9000000);
		else
			dc->amount = 10000000 +
			    (int64_t)rnd_below(r, 90000000);
		/* Older invoices are more often settled: 5% of this
		 * month's, up to 85% of those a year old. */
		t = rnd_below(r, 100);
		if ((long)t < 5 + (age * 80 / 365 > 80 ? 80 : age * 80 / 365))
			dc->paid = dc->amount;
		else if (t >= 85)
			dc->paid = 1 + (int64_t)rnd_below(r,
			    (uint64_t)dc->amount - 1);
		dc->no = ++L->inv_no;
	}

	/*
	 * The day it was paid, drawn so that any as-of day shows the law
	 * above: 5% of the invoices paid on the day they were issued, 80%
	 * over the year after, evenly.  A part payment comes within the
	 * terms.  Never after last-date.
	 */
	dc->rng = rng_keyed(L->seed, KEY_DOC, i);
	dc->paid_on = 0;
	if (dc->paid > 0) {
		long span = age < 365 ? age : 365;

		if (dc->paid < dc->amount)
			delay = (long)rnd_below(&dc->rng, (uint64_t)(span <
			    d->terms ? span : d->terms) + 1);
		else if (span == 0 || rnd_below(&dc->rng,
		    5 * 365 + 80 * (uint64_t)span) < 5 * 365)
			delay = 0;
		else
			delay = 1 + (long)rnd_below(&dc->rng, (uint64_t)span);
		dc->paid_on = dc->issue + delay;
	}
}

static void
put_doc_id(const struct doc *dc)
{
	if (dc->amount < 0)
		put("CN-", 3);
	else
		put("INV-", 4);
	put_uint(dc->no, 7);
}

/* ---- bench ----------------------------------------------------------- */

#define BENCH_HEADER "invoice_id,debtor_id,debtor_name,invoice_date," \
	"due_date,currency,amount,amount_paid\n"

/* iso: the ISO dates of the ledger's days and of their due dates, made
 * once, for the bench's speed. */
static char (*iso)[11];

static void
put_bench(const struct ledger *L, const struct doc *dc, long asof,
    const char *const *cur)
{
	const struct debtor *d = &L->dt[dc->debtor];

	put_doc_id(dc);
	put_ch(',');
	put(d->id, d->id_len);
	put_ch(',');
	put(d->name, d->name_len);
	put_ch(',');
	put(iso[dc->issue - L->first], 10);
	put_ch(',');
	put(iso[dc->due - L->first], 10);
	put_ch(',');
	put(cur[dc->cur], 3);
	put_ch(',');
	put_money(dc->amount);
	put_ch(',');
	put_money(dc->amount - open_on(dc, asof));
	put_ch('\n');
}

/* ---- xero ------------------------------------------------------------ */

#define XERO_HEADER "*ContactName,EmailAddress,POAddressLine1,POCity," \
	"POPostalCode,*InvoiceNumber,Reference,*InvoiceDate,*DueDate,Total," \
	"InvoiceAmountPaid,InvoiceAmountDue,Description,*Quantity," \
	"*UnitAmount,LineAmount,Currency\n"

static const char *const GOODS[] = {
	"Consultancy", "Delivery charge", "Installation", "Maintenance visit",
	"Spare parts", "Materials", "Labour", "Equipment hire",
	"Monthly support", "Training day", "Design work", "Freight",
	"Packaging, assorted", "Call-out fee", "Annual licence",
	"Cleaning supplies", "Printing, A4 colour", "Catering service",
};

/* put_xero: the document's rows, one per line item: the line amounts
 * (quantity times unit amount) add up to the total. */
static void
put_xero(const struct ledger *L, struct doc *dc, long asof,
    const struct contact *contacts, const char *const *cur)
{
	const struct debtor *d = &L->dt[dc->debtor];
	const struct contact *c = &contacts[dc->debtor];
	struct rng *r = &dc->rng;
	int64_t open = open_on(dc, asof);
	uint64_t total = dc->amount < 0 ? (uint64_t)0 - (uint64_t)dc->amount :
	    (uint64_t)dc->amount, rem = total, qty[MAX_LINES], unit[MAX_LINES];
	char ref[16] = "", desc[FIELD_LEN], enc[2 * FIELD_LEN];
	int nlines = 1, k;
	uint64_t t;

	if (dc->amount > 0) {
		t = rnd_below(r, 100);
		if (t >= 50 && total >= 100 * MAX_LINES)
			nlines = t < 75 ? 2 : t < 90 ? 3 : 4;
		if (rnd_below(r, 100) < 40)
			snprintf(ref, sizeof(ref), "PO %u",
			    1000 + (unsigned)rnd_below(r, 90000));
	}
	for (k = 0; k < nlines; k++) {
		uint64_t cap;

		if (k == nlines - 1) {
			qty[k] = 1;
			unit[k] = rem;
			break;
		}
		/* At most an even share of what is left, so that every
		 * later line has something. */
		qty[k] = 1 + rnd_below(r, 12);
		cap = rem / (qty[k] * (uint64_t)(nlines - k));
		if (cap == 0) {
			qty[k] = 1;
			cap = rem / (uint64_t)(nlines - k);
		}
		unit[k] = 1 + rnd_below(r, cap);
		rem -= qty[k] * unit[k];
	}
	for (k = 0; k < nlines; k++) {
		const char *g = PICK(r, GOODS);
		int64_t sign = dc->amount < 0 ? -1 : 1;

		if (dc->amount < 0)
			snprintf(desc, sizeof(desc), "Credit: %s", g);
		else
			snprintf(desc, sizeof(desc), "%s", g);
		put(d->name, d->name_len);
		put_ch(',');
		put_str(c->email);
		put_ch(',');
		put_str(c->street);
		put_ch(',');
		put_str(c->city);
		put_ch(',');
		put_str(c->postcode);
		put_ch(',');
		put_doc_id(dc);
		put_ch(',');
		put_str(ref);
		put_ch(',');
		put_date(dc->issue, DS_XERO);
		put_ch(',');
		put_date(dc->due, DS_XERO);
		put_ch(',');
		put_money(dc->amount);
		put_ch(',');
		put_money(dc->amount - open);
		put_ch(',');
		put_money(open);
		put_ch(',');
		put(enc, csv_field(enc, sizeof(enc), desc));
		put_ch(',');
		put_uint(qty[k], 1);
		put_ch(',');
		put_money(sign * (int64_t)unit[k]);
		put_ch(',');
		put_money(sign * (int64_t)(qty[k] * unit[k]));
		put_ch(',');
		put(cur[dc->cur], 3);
		put_ch('\n');
	}
}

/* ---- erpnext --------------------------------------------------------- */

#define ERPNEXT_HEADER "ID,Customer,Customer Name,Customer Group,Date," \
	"Payment Due Date,Currency,Grand Total,Outstanding Amount," \
	"Is Return (Credit Note),Status,Contact Email,Mobile No,Address\n"

/* erpnext_status: ERPNext's status of a document on day asof. */
static const char *
erpnext_status(const struct doc *dc, long asof)
{
	int64_t open = open_on(dc, asof);

	if (dc->amount < 0)
		return "Return";
	if (open == 0)
		return "Paid";
	if (asof > dc->due)
		return open < dc->amount ? "Partly Paid" : "Overdue";
	return open < dc->amount ? "Partly Paid" : "Unpaid";
}

static void
put_erpnext(const struct ledger *L, const struct doc *dc, long asof,
    const struct contact_nl *contacts, const char *const *cur)
{
	const struct debtor *d = &L->dt[dc->debtor];
	const struct contact_nl *c = &contacts[dc->debtor];

	put_str(dc->amount < 0 ? "ACC-SINV-RET-" : "ACC-SINV-");
	put_uint(dc->no, 7);
	put_ch(',');
	put(d->id, d->id_len);
	put_ch(',');
	put(d->name, d->name_len);
	put_ch(',');
	put_str(c->group);
	put_ch(',');
	put(iso[dc->issue - L->first], 10);
	put_ch(',');
	put(iso[dc->due - L->first], 10);
	put_ch(',');
	put(cur[dc->cur], 3);
	put_ch(',');
	put_money(dc->amount);
	put_ch(',');
	put_money(open_on(dc, asof));
	put_str(dc->amount < 0 ? ",1," : ",0,");
	put_str(erpnext_status(dc, asof));
	put_ch(',');
	put_str(c->email);
	put_ch(',');
	put_str(c->mobile);
	put_ch(',');
	put_str(c->address);
	put_ch('\n');
}

/* ---- quickbooks ------------------------------------------------------ */

#define QB_HEADER ",Date,Transaction type,Num,Customer full name,Due date," \
	"Amount,Open balance\n"
#define QB_NSECTIONS 5

/* The sections, oldest first, by the least days past due of each. */
static const struct {
	long min_days;
	const char *name;
} QB_SECTION[QB_NSECTIONS] = {
	{ 91, "91 or more days past due" },
	{ 61, "61 - 90 days past due" },
	{ 31, "31 - 60 days past due" },
	{ 1, "1 - 30 days past due" },
	{ -100000, "CURRENT" },
};

static int
qb_section(const struct doc *dc, long asof)
{
	int s = 0;

	while (asof - dc->due < QB_SECTION[s].min_days)
		s++;
	return s;
}

static void
put_qb_totals(const char *label, int64_t amount, int64_t open,
    const char *symbol)
{
	char enc[NAME_MAX_LEN];

	reserve(ROW_MAX);
	put(enc, csv_field(enc, sizeof(enc), label));
	put(",,,,,,", 6);
	put_money_grouped(amount, symbol);
	put_ch(',');
	put_money_grouped(open, symbol);
	put_ch('\n');
}

/* put_quickbooks: the report of the open documents docs[0..n), in date
 * order, as of asof. */
static void
put_quickbooks(const struct ledger *L, const struct doc *docs, size_t n,
    long asof, const char *company, const char *symbol)
{
	char enc[NAME_MAX_LEN], buf[32];
	int64_t all_amount = 0, all_open = 0;
	int s;
	size_t i;

	reserve(2 * ROW_MAX);
	put(enc, csv_field(enc, sizeof(enc), company));
	put_str("\nA/R Aging Detail\n\"As of ");
	put_date(asof, DS_LONG);
	put_str("\"\n\n" QB_HEADER);
	for (s = 0; s < QB_NSECTIONS; s++) {
		int64_t amount = 0, open = 0;
		int any = 0;

		for (i = 0; i < n; i++) {
			const struct doc *dc = &docs[i];
			const struct debtor *dt = &L->dt[dc->debtor];
			int64_t left = open_on(dc, asof);

			if (qb_section(dc, asof) != s)
				continue;
			reserve(ROW_MAX);
			if (!any) {
				put_str(QB_SECTION[s].name);
				put_str(",,,,,,,\n");
				any = 1;
			}
			put_ch(',');
			put_date(dc->issue, DS_US);
			put_str(dc->amount < 0 ? ",Credit Memo," : ",Invoice,");
			put_doc_id(dc);
			put_ch(',');
			put(dt->name, dt->name_len);
			put_ch(',');
			put_date(dc->due, DS_US);
			put_ch(',');
			put_money_grouped(dc->amount, "");
			put_ch(',');
			put_money_grouped(left, "");
			put_ch('\n');
			amount += dc->amount;
			open += left;
		}
		if (!any)
			continue;
		snprintf(enc, sizeof(enc), "Total for %s", QB_SECTION[s].name);
		put_qb_totals(enc, amount, open, symbol);
		all_amount += amount;
		all_open += open;
	}
	put_qb_totals("TOTAL", all_amount, all_open, symbol);
	/* When the report was run: the as-of day, at a fixed time. */
	fmt_date(buf, asof, DS_LONG);
	reserve(ROW_MAX);
	put_str("\n\n\"");
	put_str(WEEKDAY[((asof % 7) + 7) % 7]);
	put_str(", ");
	put_str(buf);
	put_str(" 06:00:00 AM GMT+00:00\",,,,,,,\n");
}

/* The symbol QuickBooks writes before its totals. */
static const char *
money_symbol(const char *code)
{
	if (strcmp(code, "GBP") == 0)
		return "\xc2\xa3";
	if (strcmp(code, "EUR") == 0)
		return "\xe2\x82\xac";
	if (strcmp(code, "USD") == 0)
		return "$";
	return "";
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
	fprintf(stderr, "usage: " PROG " [-f bench|xero|quickbooks|erpnext] "
	    "[-s seed] [-e last-date] [-a as-of]\n"
	    "                  [-c currency] [-n company] [-t totals-file] "
	    "rows debtors\n");
	exit(2);
}

static void
bad_arg(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, PROG ": %s \"%s\": %s\n", opt, val, why);
	exit(2);
}

static long
date_arg(const char *opt, const char *s)
{
	long z = parse_iso(s);

	if (z < 0)
		bad_arg(opt, s, "not a date; use YYYY-MM-DD");
	return z;
}

int
main(int argc, char *argv[])
{
	unsigned long long rows, ndebtors, seed = 20250630, i;
	const char *last_s = "2025-06-30", *asof_s = NULL, *totals_path = NULL;
	const char *company = "Example Trading Ltd", *one_cur = NULL;
	const char *cur[NCUR];
	enum format fmt = FMT_BENCH;
	struct ledger L;
	struct rng r;
	struct debtor *dt;
	struct contact *contacts = NULL;
	struct contact_nl *contacts_nl = NULL;
	struct doc dc, *open_docs = NULL;
	size_t nopen = 0, open_cap = 0;
	long asof, day;
	int64_t open_debit[NCUR] = { 0 }, open_credit[NCUR] = { 0 };
	int argi = 1, k, ncur = NCUR;

	while (argi < argc && argv[argi][0] == '-' && argv[argi][1] != '\0') {
		const char *opt = argv[argi], *val;

		if (strcmp(opt, "--") == 0) {
			argi++;
			break;
		}
		if (opt[2] != '\0' || argi + 1 >= argc)
			usage();
		val = argv[argi + 1];
		switch (opt[1]) {
		case 'f':
			if (strcmp(val, "bench") == 0)
				fmt = FMT_BENCH;
			else if (strcmp(val, "xero") == 0)
				fmt = FMT_XERO;
			else if (strcmp(val, "quickbooks") == 0)
				fmt = FMT_QUICKBOOKS;
			else if (strcmp(val, "erpnext") == 0)
				fmt = FMT_ERPNEXT;
			else
				bad_arg(opt, val, "not a format; use bench, "
				    "xero, quickbooks or erpnext");
			break;
		case 's':
			if (parse_count(val, UINT64_MAX, &seed) != 0)
				usage();
			break;
		case 'e':
			last_s = val;
			break;
		case 'a':
			asof_s = val;
			break;
		case 'c':
			if (strlen(val) != 3 || strspn(val,
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
				bad_arg(opt, val, "not a currency code; use "
				    "three capitals, like GBP");
			one_cur = val;
			break;
		case 'n':
			if (*val == '\0' || strlen(val) > RAW_NAME_LEN)
				bad_arg(opt, val, "a company name is 1 to 80 "
				    "bytes");
			company = val;
			break;
		case 't':
			totals_path = val;
			break;
		default:
			usage();
		}
		argi += 2;
	}
	if (argc - argi != 2 ||
	    parse_count(argv[argi], 99999999ULL, &rows) != 0 ||
	    parse_count(argv[argi + 1], 9999999ULL, &ndebtors) != 0 ||
	    ndebtors == 0)
		usage();
	memset(&L, 0, sizeof(L));
	L.last = date_arg("-e", last_s);
	L.first = L.last - (YEARS_DAYS - 1);
	asof = asof_s ? date_arg("-a", asof_s) : L.last;
	if (asof > L.last)
		bad_arg("-a", asof_s, "after the last date (-e)");
	if (fmt == FMT_QUICKBOOKS && one_cur == NULL) {
		fprintf(stderr, PROG ": quickbooks: the A/R Aging Detail has "
		    "no currency column; give the ledger's one currency "
		    "with -c\n");
		exit(2);
	}
	memcpy(cur, CUR, sizeof(cur));
	if (one_cur != NULL) {
		cur[0] = one_cur;
		ncur = 1;
		L.one_currency = 1;
	}
	L.seed = seed;
	L.rows = rows;
	L.ndebtors = ndebtors;
	r.s = seed;

	if ((iso = calloc(YEARS_DAYS + MAX_TERMS, sizeof(*iso))) == NULL)
		die("out of memory");
	for (day = 0; day < YEARS_DAYS + MAX_TERMS; day++) {
		char buf[32];

		fmt_date(buf, L.first + day, DS_ISO);
		memcpy(iso[day], buf, 10);
	}

	/*
	 * Pareto weights with alpha = 8/7: w = u^(-7/8) = (1/u) * u^(1/8),
	 * the eighth root by three square roots.  The top 20% of debtors
	 * then hold 0.2^(1/8) = 82% of the weight.
	 */
	if ((dt = calloc(ndebtors, sizeof(*dt))) == NULL ||
	    (L.cum = calloc(ndebtors, sizeof(*L.cum))) == NULL)
		die("out of memory");
	L.dt = dt;
	for (i = 0; i < ndebtors; i++) {
		double u = rnd_unit(&r);
		uint64_t c = rnd_below(&r, 100);

		L.total += (1.0 / u) * sqrt(sqrt(sqrt(u)));
		L.cum[i] = L.total;
		snprintf(dt[i].id, sizeof(dt[i].id), "D%06llu", i + 1);
		dt[i].id_len = strlen(dt[i].id);
		make_name(&r, &dt[i]);
		dt[i].currency = c < 80 ? 0 : c < 94 ? 1 : 2;
		dt[i].terms = 30 + 15 * (int)rnd_below(&r, 3);
	}
	if (fmt != FMT_BENCH)
		unique_names(dt, ndebtors);
	if (fmt == FMT_XERO) {
		if ((contacts = calloc(ndebtors, sizeof(*contacts))) == NULL)
			die("out of memory");
		for (i = 0; i < ndebtors; i++)
			make_contact(seed, i, &dt[i], &contacts[i]);
	}
	if (fmt == FMT_ERPNEXT) {
		contacts_nl = calloc(ndebtors, sizeof(*contacts_nl));
		if (contacts_nl == NULL)
			die("out of memory");
		for (i = 0; i < ndebtors; i++)
			make_contact_nl(seed, i, &dt[i], &contacts_nl[i]);
	}
	if (fmt == FMT_BENCH)
		put(BENCH_HEADER, sizeof(BENCH_HEADER) - 1);
	else if (fmt == FMT_XERO)
		put(XERO_HEADER, sizeof(XERO_HEADER) - 1);
	else if (fmt == FMT_ERPNEXT)
		put(ERPNEXT_HEADER, sizeof(ERPNEXT_HEADER) - 1);
	for (i = 0; i < rows; i++) {
		int64_t open;

		draw_doc(&L, &r, i, &dc);
		if (dc.issue > asof)	/* in date order: the rest is too */
			break;
		open = open_on(&dc, asof);
		if (dc.amount < 0)
			open_credit[dc.cur] += open;
		else
			open_debit[dc.cur] += open;
		reserve(DOC_MAX);
		switch (fmt) {
		case FMT_BENCH:
			put_bench(&L, &dc, asof, cur);
			break;
		case FMT_XERO:
			put_xero(&L, &dc, asof, contacts, cur);
			break;
		case FMT_ERPNEXT:
			put_erpnext(&L, &dc, asof, contacts_nl, cur);
			break;
		case FMT_QUICKBOOKS:	/* written by section at the end */
			if (open == 0)
				break;
			if (nopen == open_cap) {
				open_cap = open_cap ? 2 * open_cap : 1024;
				open_docs = realloc(open_docs,
				    open_cap * sizeof(*open_docs));
				if (open_docs == NULL)
					die("out of memory");
			}
			open_docs[nopen++] = dc;
			break;
		}
	}
	if (fmt == FMT_QUICKBOOKS)
		put_quickbooks(&L, open_docs, nopen, asof, company,
		    money_symbol(cur[0]));
	flush_out();
	if (fflush(stdout) != 0 || ferror(stdout))
		die("stdout: write error");

	if (totals_path != NULL) {
		FILE *f = fopen(totals_path, "w");

		if (f == NULL)
			die(strerror(errno));
		for (k = 0; k < ncur; k++)
			fprintf(f, "%s\t%lld\t%lld\n", cur[k],
			    (long long)open_debit[k],
			    (long long)open_credit[k]);
		if (fclose(f) != 0)
			die(strerror(errno));
	}
	free(iso);
	free(dt);
	free(L.cum);
	free(contacts);
	free(contacts_nl);
	free(open_docs);
	return 0;
}
