/*
 * money: amounts as int64_t minor units, read from the decimal text of
 * real exports without ever passing through a double, printed as plain
 * decimals, and the checked arithmetic that interest and currency
 * conversion need, with one rounding rule: half away from zero.
 *
 * The parser is strict wherever a wrong guess would move money.  A
 * grouping separator must sit between groups of exactly three digits, so
 * "1,23" read with a decimal point is an error (it is almost certainly a
 * decimal comma), never 123.00.  Decimals past the currency's minor digits
 * must be zeros.  The two limits of int64_t are themselves refused, so any
 * parsed amount can be negated and neither limit can be mistaken for a
 * sentinel.  Nothing here depends on the locale: every character class is
 * an explicit ASCII range or an explicit UTF-8 byte sequence.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "util.h"

/* 10^18 is the largest power of ten an int64_t holds. */
#define MAX_MINOR 18

static const int64_t pow10_tab[MAX_MINOR + 1] = {
	1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL,
	10000000LL, 100000000LL, 1000000000LL, 10000000000LL,
	100000000000LL, 1000000000000LL, 10000000000000LL,
	100000000000000LL, 1000000000000000LL, 10000000000000000LL,
	100000000000000000LL, 1000000000000000000LL
};

/* ISO 4217 currencies whose minor unit is not 2 (list as of 2024). */
static const char minor0[][4] = {
	"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
	"RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"
};
static const char minor3[][4] = {
	"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"
};

/* ISO 4217's codes, sorted for bsearch: the current list (2025; XTS
 * and XXX left out) and the euro's predecessors (a legacy statement in
 * DEM is real money of its day). */
static const char iso4217[][4] = {
	"AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "ATS", "AUD",
	"AWG", "AZN", "BAM", "BBD", "BDT", "BEF", "BGN", "BHD", "BIF",
	"BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN",
	"BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY",
	"COP", "COU", "CRC", "CUC", "CUP", "CVE", "CYP", "CZK", "DEM",
	"DJF", "DKK", "DOP", "DZD", "EEK", "EGP", "ERN", "ESP", "ETB",
	"EUR", "FIM", "FJD", "FKP", "FRF", "GBP", "GEL", "GHS", "GIP",
	"GMD", "GNF", "GRD", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG",
	"HUF", "IDR", "IEP", "ILS", "INR", "IQD", "IRR", "ISK", "ITL",
	"JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW",
	"KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LTL",
	"LUF", "LVL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT",
	"MOP", "MRU", "MTL", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR",
	"MZN", "NAD", "NGN", "NIO", "NLG", "NOK", "NPR", "NZD", "OMR",
	"PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PTE", "PYG", "QAR",
	"RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK",
	"SGD", "SHP", "SIT", "SKK", "SLE", "SLL", "SOS", "SRD", "SSP",
	"STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP",
	"TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI",
	"UYU", "UYW", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF",
	"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG", "XDR",
	"XOF", "XPD", "XPF", "XPT", "XSU", "XUA", "YER", "ZAR", "ZMW",
	"ZWG", "ZWL"
};

static int
cmp_code(const void *a, const void *b)
{
	return memcmp(a, b, 4);
}

int
money_is_iso4217(const char *code)
{
	if (!money_is_currency(code))
		return 0;
	return bsearch(code, iso4217, sizeof iso4217 / sizeof iso4217[0],
	    sizeof iso4217[0], cmp_code) != NULL;
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_alpha(int c)
{
	return is_upper(c) || (c >= 'a' && c <= 'z');
}

int
money_minor_digits(const char *code)
{
	char up[4];
	size_t i;

	if (code == NULL)
		return -1;
	/* Stops at the first non-letter, so a short string is never
	 * read past its NUL. */
	for (i = 0; i < 3; i++) {
		int c = (unsigned char)code[i];

		if (!is_alpha(c))
			return -1;
		up[i] = (char)(is_upper(c) ? c : c - ('a' - 'A'));
	}
	if (code[3] != '\0')
		return -1;
	up[3] = '\0';
	for (i = 0; i < sizeof minor0 / sizeof minor0[0]; i++)
		if (memcmp(up, minor0[i], 4) == 0)
			return 0;
	for (i = 0; i < sizeof minor3 / sizeof minor3[0]; i++)
		if (memcmp(up, minor3[i], 4) == 0)
			return 3;
	return 2;
}

int
money_known_currency(const char *code)
{
	char up[4];

	if (money_minor_digits(code) < 0)
		return 0;
	for (int i = 0; i < 4; i++)
		up[i] = (char)(code[i] >= 'a' && code[i] <= 'z' ?
		    code[i] - ('a' - 'A') : code[i]);
	return money_is_iso4217(up);
}

int
money_is_currency(const char *code)
{
	if (code == NULL)
		return 0;
	return is_upper((unsigned char)code[0]) &&
	    is_upper((unsigned char)code[1]) &&
	    is_upper((unsigned char)code[2]) && code[3] == '\0';
}

/* Blanks allowed around the number: ASCII white space, and the no-break
 * spaces spreadsheets put next to currency symbols. */
static size_t
blank_len(const unsigned char *p, const unsigned char *end)
{
	size_t left = (size_t)(end - p);

	if (left == 0)
		return 0;
	if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' ||
	    *p == '\f' || *p == '\v')
		return 1;
	if (left >= 2 && p[0] == 0xC2 && p[1] == 0xA0)	/* U+00A0 */
		return 2;
	/* U+2009 thin space, U+202F narrow no-break space (French groups) */
	if (left >= 3 && p[0] == 0xE2 && p[1] == 0x80 &&
	    (p[2] == 0x89 || p[2] == 0xAF))
		return 3;
	return 0;
}

/* A minus sign: ASCII, or U+2212 as typeset reports write it. */
static size_t
minus_len(const unsigned char *p, const unsigned char *end)
{
	size_t left = (size_t)(end - p);

	if (left >= 1 && *p == '-')
		return 1;
	if (left >= 3 && p[0] == 0xE2 && p[1] == 0x88 && p[2] == 0x92)
		return 3;
	return 0;
}

int
money_symbol_fits(const char *symbol, const char *code)
{
	static const char dollars[] = "USD CAD AUD NZD SGD HKD TWD BSD BBD "
	    "BZD BMD BND FJD GYD JMD LRD NAD SBD SRD TTD XCD KYD MXN ARS CLP "
	    "COP CUP DOP UYU";

	if (strcmp(symbol, "$") == 0)
		return strlen(code) == 3 && strstr(dollars, code) != NULL;
	if (strcmp(symbol, "\xc2\xa5") == 0)
		return strcmp(code, "JPY") == 0 || strcmp(code, "CNY") == 0;
	return strcmp(symbol, code) == 0;
}

/*
 * ccy_len: a currency symbol or ISO code at p, its length, and the code it
 * names in ccy; a symbol that does not name one currency is copied as it
 * is ("$" is USD, CAD, AUD and more; "¥" is JPY or CNY).  A code is exactly three upper-case
 * letters not touching another letter, so "12abc" and "12 EURO" are not
 * amounts.
 */
static size_t
ccy_len(const unsigned char *p, const unsigned char *end,
    const unsigned char *start, char ccy[4])
{
	size_t left = (size_t)(end - p);

	ccy[0] = '\0';
	if (left == 0)
		return 0;
	if (*p == '$') {
		memcpy(ccy, "$", 2);
		return 1;
	}
	if (left >= 2 && p[0] == 0xC2 && p[1] == 0xA3) {	/* £ */
		memcpy(ccy, "GBP", 4);
		return 2;
	}
	if (left >= 2 && p[0] == 0xC2 && p[1] == 0xA5) {	/* ¥ */
		memcpy(ccy, "\xc2\xa5", 3);
		return 2;
	}
	if (left >= 3 && p[0] == 0xE2 && p[1] == 0x82 && p[2] == 0xAC) {
		memcpy(ccy, "EUR", 4);				/* € */
		return 3;
	}
	if (left >= 3 && is_upper(p[0]) && is_upper(p[1]) && is_upper(p[2]) &&
	    (left == 3 || !is_alpha(p[3])) &&
	    (p == start || !is_alpha(p[-1]))) {
		memcpy(ccy, p, 3);
		ccy[3] = '\0';
		return 3;
	}
	return 0;
}

/*
 * group_len: a thousands separator at p under dec, its length, and its
 * kind (so one number cannot mix them): the non-decimal one of , and .,
 * an apostrophe (Swiss 1'234.56), or a space of any width (1 234,56).
 */
static size_t
group_len(const unsigned char *p, const unsigned char *end,
    enum money_decimal dec, int *kind)
{
	size_t k;

	if (p >= end)
		return 0;
	if (*p == (dec == MONEY_COMMA ? '.' : ',')) {
		*kind = 1;
		return 1;
	}
	if (*p == '\'') {
		*kind = 2;
		return 1;
	}
	if (*p == ' ') {
		*kind = 3;
		return 1;
	}
	k = blank_len(p, end);
	if (k > 1) {
		*kind = 3;
		return k;
	}
	return 0;
}

/* Adds one digit to a magnitude that must stay at most 2^63; sets
 * *over instead of wrapping. */
static void
push_digit(uint64_t *mag, int dig, int *over)
{
	const uint64_t lim = (uint64_t)INT64_MAX + 1;

	if (*over)
		return;
	if (*mag > (lim - (uint64_t)dig) / 10) {
		*over = 1;
		return;
	}
	*mag = *mag * 10 + (uint64_t)dig;
}

int
money_parse(const char *str, size_t n, int digits, enum money_decimal dec,
    int64_t *out, char found_ccy[4], struct diag *d)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	const unsigned char *p, *end;
	char ccy[4] = "", tmp[4], qbuf[96];
	const char *hint = "";
	char decsep = dec == MONEY_COMMA ? ',' : '.';
	uint64_t mag = 0;
	/* Counts are size_t: a value may be longer than INT_MAX bytes. */
	size_t k, ndig = 0, nfrac = 0, glen = 0, ndigits;
	int neg = 0, signs = 0, paren = 0, closed = 0, have_ccy = 0;
	int over = 0, toomany = 0, point = 0, gkind = 0;
	int grouped = 0, kind = 0;

	if (str == NULL)
		n = 0;
	if (found_ccy != NULL)
		found_ccy[0] = '\0';
	if (digits < 0 || digits > MAX_MINOR) {
		diag_set(d, "not an amount: %d minor digits is out of range",
		    digits);
		return -1;
	}
	ndigits = (size_t)digits;
	p = s;
	end = s + n;

	/* Before the number: blanks, one sign or "(", one currency. */
	for (;;) {
		if ((k = blank_len(p, end)) > 0) {
			p += k;
		} else if (p < end && (*p == '(' || *p == '+')) {
			if (signs++)
				goto bad;
			paren = *p == '(';
			neg = paren;
			p++;
		} else if ((k = minus_len(p, end)) > 0) {
			if (signs++)
				goto bad;
			neg = 1;
			p += k;
		} else if ((k = ccy_len(p, end, s, tmp)) > 0) {
			if (have_ccy++)
				goto bad;
			memcpy(ccy, tmp, sizeof ccy);
			p += k;
		} else {
			break;
		}
	}

	/* Whole units, in groups of three once a separator appears. */
	for (;;) {
		if (p < end && is_digit(*p)) {
			push_digit(&mag, *p - '0', &over);
			ndig++;
			glen++;
			p++;
			continue;
		}
		/* A separator only counts when a digit follows it: the
		 * space in "12 EUR" ends the number instead. */
		k = group_len(p, end, dec, &kind);
		if (k == 0 || ndig == 0 || p + k >= end || !is_digit(p[k]))
			break;
		if (grouped && kind != gkind)
			goto bad;
		if ((!grouped && glen > 3) || (grouped && glen != 3)) {
			gkind = kind;
			goto badgroup;
		}
		gkind = kind;
		grouped = 1;
		glen = 0;
		p += k;
	}
	if (grouped && glen != 3)
		goto badgroup;

	/* Minor units: the first `digits` count, the rest must be 0. */
	if (p < end && *p == (unsigned char)decsep) {
		point = 1;
		p++;
		for (; p < end && is_digit(*p); p++, nfrac++) {
			if (nfrac < ndigits)
				push_digit(&mag, *p - '0', &over);
			else if (*p != '0')
				toomany = 1;
		}
	}
	if (ndig + nfrac == 0)
		goto bad;
	for (; nfrac < ndigits; nfrac++)
		push_digit(&mag, 0, &over);
	/* "1.234,56" read with a decimal point stops at the comma. */
	if (point && p < end && *p == (dec == MONEY_COMMA ? '.' : ','))
		goto baddec;

	/* After the number: blanks, one sign "-" or ")", one currency. */
	for (;;) {
		if ((k = blank_len(p, end)) > 0) {
			p += k;
		} else if (p < end && *p == ')') {
			if (!paren || closed)
				goto bad;
			closed = 1;
			p++;
		} else if ((k = minus_len(p, end)) > 0) {
			if (signs++)
				goto bad;
			neg = 1;
			p += k;
		} else if ((k = ccy_len(p, end, s, tmp)) > 0) {
			if (have_ccy++)
				goto bad;
			memcpy(ccy, tmp, sizeof ccy);
			p += k;
		} else {
			break;
		}
	}
	if (p != end || paren != closed)
		goto bad;

	if (toomany) {
		diag_set(d, "too many decimals for %d minor digits: %s",
		    digits, util_quote(str, n, qbuf, sizeof qbuf));
		return -1;
	}
	/* Both int64_t limits are refused: see the top of the file. */
	if (over || mag > (uint64_t)INT64_MAX - (neg ? 0 : 1)) {
		diag_set(d, "amount too large: %s",
		    util_quote(str, n, qbuf, sizeof qbuf));
		return -1;
	}
	*out = neg ? -(int64_t)mag : (int64_t)mag;
	if (found_ccy != NULL)
		memcpy(found_ccy, ccy, 4);
	return 0;

badgroup:
	if (gkind == 1)
		hint = dec == MONEY_COMMA ?
		    " (a point not followed by 3 digits looks like a decimal"
		    " point: use --decimal point)" :
		    " (a comma not followed by 3 digits looks like a decimal"
		    " comma: use --decimal comma)";
	else
		hint = " (thousands separators must group 3 digits)";
	goto bad;
baddec:
	hint = dec == MONEY_COMMA ?
	    " (looks like 1,234.56: use --decimal point)" :
	    " (looks like 1.234,56: use --decimal comma)";
bad:
	diag_set(d, "not an amount: %s%s",
	    util_quote(str, n, qbuf, sizeof qbuf), hint);
	return -1;
}

char *
money_format(int64_t v, int digits, char *buf)
{
	char tmp[MONEY_BUFSZ];
	/* Negating in unsigned arithmetic handles INT64_MIN. */
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	size_t i = sizeof tmp;
	int k = 0;

	if (digits < 0)
		digits = 0;
	if (digits > MAX_MINOR)
		digits = MAX_MINOR;
	tmp[--i] = '\0';
	do {
		if (k == digits && digits > 0)
			tmp[--i] = '.';
		tmp[--i] = (char)('0' + (int)(mag % 10));
		mag /= 10;
		k++;
	} while (mag > 0 || k <= digits);
	if (v < 0)
		tmp[--i] = '-';
	memcpy(buf, tmp + i, sizeof tmp - i);
	return buf;
}

int
money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return -1;
	*out = r;
	return 0;
}

int
money_mul(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return -1;
	*out = r;
	return 0;
}

int
money_muldiv(int64_t a, int64_t num, int64_t den, int64_t *out)
{
	/* |a * num| <= 2^126, so neither the product nor the doubled
	 * remainder can overflow 128 bits. */
	__int128 p = (__int128)a * num, q, r, ad;

	if (den == 0)
		return -1;
	q = p / den;
	r = p % den;
	if (r < 0)
		r = -r;
	ad = den < 0 ? -(__int128)den : den;
	/* C division truncates toward zero; step away from zero on a
	 * remainder of half the divisor or more. */
	if (2 * r >= ad)
		q += (p < 0) != (den < 0) ? -1 : 1;
	if (q > INT64_MAX || q < INT64_MIN)
		return -1;
	*out = (int64_t)q;
	return 0;
}

int
money_rate_factors(int64_t num, int frac, int from, int to, int64_t *mul,
    int64_t *div)
{
	int e = to - frac - from;

	if (frac < 0 || from < 0 || to < 0 || e > MAX_MINOR || -e > MAX_MINOR)
		return -1;
	if (e >= 0) {
		if (money_mul(num, pow10_tab[e], mul) != 0)
			return -1;
		*div = 1;
	} else {
		*mul = num;
		*div = pow10_tab[-e];
	}
	return 0;
}

int
money_rescale(int64_t v, int from, int to, int64_t *out)
{
	if (from < 0 || from > MAX_MINOR || to < 0 || to > MAX_MINOR)
		return -1;
	if (to >= from)
		return money_mul(v, pow10_tab[to - from], out);
	return money_muldiv(v, 1, pow10_tab[from - to], out);
}
