/*
 * util: allocation, string buffers, checked numbers, UTF-8 validation.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void
out_of_memory(void)
{
	fputs("creditkit: out of memory\n", stderr);
	exit(3);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		out_of_memory();
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void
sbuf_grow(struct sbuf *b, size_t more)
{
	size_t want;

	if (more > SIZE_MAX - b->len - 1)
		out_of_memory();
	want = b->len + more + 1;
	if (want <= b->cap)
		return;
	if (b->cap < 64)
		b->cap = 64;
	while (b->cap < want)
		b->cap = b->cap > SIZE_MAX / 2 ? want : b->cap * 2;
	b->buf = xrealloc(b->buf, b->cap);
}

void
sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	sbuf_grow(b, n);
	if (n)
		memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

void
sbuf_adds(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void
sbuf_addc(struct sbuf *b, char c)
{
	sbuf_grow(b, 1);
	b->buf[b->len++] = c;
	b->buf[b->len] = '\0';
}

void
sbuf_vaddf(struct sbuf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	sbuf_grow(b, (size_t)n);
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(b, fmt, ap);
	va_end(ap);
}

void
sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->buf)
		b->buf[0] = '\0';
}

void
sbuf_free(struct sbuf *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = b->cap = 0;
}

const char *
sbuf_str(const struct sbuf *b)
{
	return b->buf ? b->buf : "";
}

int
util_strtonum(const char *s, long long min, long long max, long long *out,
    const char **errstr)
{
	const char *p = s;
	long long v = 0;
	int neg = 0;

	*errstr = "invalid";
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		int dig = *p - '0';

		/* Accumulate negatively so LLONG_MIN parses too. */
		if (v < (LLONG_MIN + dig) / 10) {
			for (; *p >= '0' && *p <= '9'; p++)
				;
			if (*p != '\0')
				return -1;
			*errstr = neg ? "too small" : "too large";
			return -1;
		}
		v = v * 10 - dig;
	}
	if (*p != '\0')
		return -1;
	if (!neg) {
		if (v == LLONG_MIN) {
			*errstr = "too large";
			return -1;
		}
		v = -v;
	}
	if (v < min) {
		*errstr = "too small";
		return -1;
	}
	if (v > max) {
		*errstr = "too large";
		return -1;
	}
	*errstr = NULL;
	*out = v;
	return 0;
}

int
util_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t len;
		unsigned cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2; cp = c & 0x1F; min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3; cp = c & 0x0F; min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4; cp = c & 0x07; min = 0x10000;
		} else {
			return 0;
		}
		if (n - i < len)
			return 0;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += len;
	}
	return 1;
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int
util_strcaseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower((unsigned char)*a) != lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

int
util_strncaseeq(const char *a, const char *b, size_t n)
{
	for (; n > 0; a++, b++, n--) {
		if (lower((unsigned char)*a) != lower((unsigned char)*b))
			return 0;
		if (*a == '\0')
			return 1;
	}
	return 1;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	    c == '\v';
}

const char *
util_trim(const char *s, size_t *n)
{
	size_t len = *n;

	while (len > 0 && is_space((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_space((unsigned char)s[len - 1]))
		len--;
	*n = len;
	return s;
}

void
util_norm_key(const char *s, struct sbuf *out)
{
	sbuf_reset(out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c >= 0x80)
			sbuf_addc(out, (char)c);
		else if (c >= 'A' && c <= 'Z')
			sbuf_addc(out, (char)lower(c));
	}
	if (out->buf == NULL)
		sbuf_add(out, "", 0);
}

/* utf8_decode: the code point of the well-formed sequence s[0..len). */
static unsigned
utf8_decode(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp = p[0] & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);

	for (size_t k = 1; k < len; k++)
		cp = cp << 6 | (p[k] & 0x3F);
	return cp;
}

/* invisible: a character that prints as nothing, or moves the text about,
 * so that a value holding it would look right in a message: the C1
 * controls, the soft hyphen, zero-width and direction marks, the line
 * and paragraph separators, the BOM. */
static int
invisible(const char *s, size_t len)
{
	unsigned cp = utf8_decode(s, len);

	return (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD ||
	    (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
	    (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF;
}

void
util_visible(const char *s, struct sbuf *out)
{
	size_t n = strlen(s), i = 0;

	sbuf_reset(out);
	sbuf_add(out, "", 0);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len = 1;

		if (c >= 0x80) {
			len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
			if (len > n - i || !util_utf8_valid(s + i, len))
				len = 1;
		}
		if ((len == 1 && (c < 0x20 || c >= 0x7F)) ||
		    (len > 1 && invisible(s + i, len)))
			sbuf_adds(out, "\xef\xbf\xbd");	/* U+FFFD */
		else
			sbuf_add(out, s + i, len);
		i += len;
	}
}

const char *
util_quote(const char *s, size_t n, char *buf, size_t bufsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, o = 0;

	buf[o++] = '"';
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len = 1;

		if (o + 12 > bufsz) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c >= 0x80) {
			len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
			if (len > n - i || !util_utf8_valid(s + i, len))
				len = 1;
		}
		if (len > 1 && invisible(s + i, len)) {
			unsigned cp = utf8_decode(s + i, len);

			buf[o++] = '\\';
			buf[o++] = 'u';
			for (int sh = 12; sh >= 0; sh -= 4)
				buf[o++] = hex[(cp >> sh) & 0xF];
		} else if (len > 1) {
			memcpy(buf + o, s + i, len);
			o += len;
		} else if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 0xF];
		} else {
			buf[o++] = (char)c;
		}
		i += len;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}
