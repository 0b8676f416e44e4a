/*
 * util: the small helpers every module shares: allocation that never
 * returns NULL, a growable string buffer, checked number parsing, UTF-8
 * validation and case-insensitive comparison.  Nothing here knows about
 * credit control.
 *
 * Out of memory is the one condition lib/ does not hand back to its caller:
 * like git's xmalloc, the x* allocators print "out of memory" and exit 3,
 * because no tool can do anything useful after it and checking every
 * allocation would bury the logic.
 */
#ifndef CK_UTIL_H
#define CK_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* xreallocarray: p resized to n*size bytes, dying on overflow too. */
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A growable NUL-terminated buffer; zero-initialised is empty and valid. */
struct sbuf {
	char *buf;	/* NUL-terminated once anything was added */
	size_t len;
	size_t cap;
};
void sbuf_add(struct sbuf *b, const char *s, size_t n);
void sbuf_adds(struct sbuf *b, const char *s);
void sbuf_addc(struct sbuf *b, char c);
void sbuf_addf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sbuf_vaddf(struct sbuf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void sbuf_reset(struct sbuf *b);	/* len 0, keeps the memory */
void sbuf_free(struct sbuf *b);
/* The contents as a string: "" for an empty buffer, never NULL. */
const char *sbuf_str(const struct sbuf *b);

/*
 * util_strtonum: s, the whole string, as a decimal integer in [min, max].
 * Returns 0, or -1 with *errstr set to "invalid", "too small" or
 * "too large" (OpenBSD strtonum's contract, without its global errno use).
 */
int util_strtonum(const char *s, long long min, long long max,
    long long *out, const char **errstr);

/* util_utf8_valid: 1 if s[0..n) is well-formed UTF-8 (no overlongs, no
 * surrogates, nothing past U+10FFFF), else 0. */
int util_utf8_valid(const char *s, size_t n);

/* ASCII case-insensitive comparisons that never depend on the locale. */
int util_strcaseeq(const char *a, const char *b);
int util_strncaseeq(const char *a, const char *b, size_t n);

/* util_trim: the span of s[0..*n) without leading and trailing ASCII
 * white space; returns its start and sets *n to its length. */
const char *util_trim(const char *s, size_t *n);

/* util_norm_key: lower-case s keeping only ASCII letters and digits, for
 * matching header names ("Invoice No." == "invoice_no") and references
 * ("INV 306" == "inv-306").  Non-ASCII bytes are kept as they are. */
void util_norm_key(const char *s, struct sbuf *out);

/*
 * util_quote: s[0..n) as "text" for a message, in buf (bufsz >= 16).
 * Well-formed UTF-8 is kept so "€ 1.234,56" reads as written; control
 * characters, quotes and bytes that are not UTF-8 are escaped as \xNN,
 * and characters that print as nothing or move the text (C1 controls,
 * zero-width and direction marks, the BOM) as \uNNNN, so the message
 * stays one printable line that shows what is there; long values are
 * cut with "...".
 */
const char *util_quote(const char *s, size_t n, char *buf, size_t bufsz);

/*
 * util_visible: s as a list a person reviews should show it, in out
 * (reset first): each control character (C0, DEL, C1), each character
 * util_quote shows as \uNNNN (zero-width and direction marks and
 * overrides, the line separators, the BOM) and each byte that is not
 * UTF-8 becomes U+FFFD, so that a name can neither hide nor reorder the
 * text beside it; the rest is kept.
 */
void util_visible(const char *s, struct sbuf *out);

#include "banned.h"

#endif
