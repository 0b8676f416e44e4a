/*
 * money: amounts as int64_t minor units (pence, cents; JPY has none, BHD
 * three), parsed from decimal text without ever passing through a double,
 * printed as plain decimals.  Overflow is an error, never a wrap.  One
 * rounding rule for everything computed (interest, conversions): half away
 * from zero.
 */
#ifndef CK_MONEY_H
#define CK_MONEY_H

#include <stdint.h>
#include <stddef.h>
#include "diag.h"

/* The text an amount of n minor units needs at most: sign, 19 digits,
 * point, NUL. */
#define MONEY_BUFSZ 24

enum money_decimal {
	MONEY_POINT,	/* 1,234.56: comma groups thousands (default) */
	MONEY_COMMA	/* 1.234,56: point (or space, ') groups thousands */
};

/* money_minor_digits: ISO 4217 minor digits of code (3 letters, any case):
 * 0 (JPY, KRW, ...), 3 (BHD, KWD, ...), 2 for every other well-formed
 * code.  -1 if code is not three ASCII letters. */
int money_minor_digits(const char *code);

/* money_known_currency: money_is_iso4217 in any case (GBP, eur), 0 for
 * any other text (ABC, XXX, "GB"). */
int money_known_currency(const char *code);

/* money_is_currency: 1 if code is three upper-case ASCII letters. */
int money_is_currency(const char *code);

/* money_is_iso4217: 1 if code is on ISO 4217's list: the current codes
 * (2025, fund and precious-metal codes included, XTS and XXX not: they
 * name no money) and the euro's predecessors, which old statements
 * still carry (DEM, FRF, HRK, ...).  XYZ is three letters and no
 * currency. */
int money_is_iso4217(const char *code);

/* money_symbol_fits: 1 if the symbol money_parse found ("$", "¥", or a
 * code) can be written for currency code: "$" for the dollars and pesos
 * written with it, "¥" for JPY and CNY, a code for itself. */
int money_symbol_fits(const char *symbol, const char *code);

/*
 * money_parse: s (length n) as an amount with `digits` minor digits.
 * Accepts: leading/trailing spaces; sign as -12.00, +12.00, 12.00-,
 * (12.00); a currency symbol (£ € $ ¥) or a 3-letter code before or after
 * the number ("GBP 12.00", "12.00 EUR"); thousands separators per `dec`;
 * fewer decimals than `digits` ("94" is 94.00).  More decimals than
 * `digits` are accepted only when the extra ones are zeros ("18.150" for
 * EUR); otherwise an error, never a silent rounding.  If the text names a
 * currency it is copied to found_ccy (4 bytes, "" when none; may be NULL);
 * a symbol that names no one currency is copied as written: "$" (USD,
 * CAD, AUD, ...) or "¥" (JPY, CNY).
 * Returns 0, or -1 with d set ("not an amount", "too many decimals for 2
 * minor digits", "amount too large").
 */
int money_parse(const char *s, size_t n, int digits, enum money_decimal dec,
    int64_t *out, char found_ccy[4], struct diag *d);

/* money_format: v with `digits` minor digits as "-1234.50" into buf
 * (MONEY_BUFSZ bytes); returns buf. */
char *money_format(int64_t v, int digits, char *buf);

/* Checked arithmetic: 0, or -1 on overflow (*out untouched). */
int money_add(int64_t a, int64_t b, int64_t *out);
int money_mul(int64_t a, int64_t b, int64_t *out);

/* money_muldiv: a * num / den rounded half away from zero, computed in
 * 128 bits; -1 if den is 0 or the result does not fit. */
int money_muldiv(int64_t a, int64_t num, int64_t den, int64_t *out);

/*
 * money_rate_factors: an exchange rate num / 10^frac (frac <= 12) as the
 * factors that take minor units of a currency of `from` digits to one of
 * `to` digits in one rounding: converted = money_muldiv(v, *mul, *div).
 * The rate and the change of digits are one fraction, so JPY into GBP
 * keeps its pence (100 JPY at 0.0049 is 49 pence, never a pound rounded
 * in yen first).  -1 when the factor does not fit int64.  age-ledger and
 * kpi-report both convert with it.
 */
int money_rate_factors(int64_t num, int frac, int from, int to,
    int64_t *mul, int64_t *div);

/* money_rescale: v from `from` minor digits to `to`, rounding half away
 * from zero when digits are lost; -1 on overflow. */
int money_rescale(int64_t v, int from, int to, int64_t *out);

#endif
