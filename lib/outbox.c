/*
 * outbox: file names, MIME pieces, SMS segmentation, CSV fields and
 * staged files for emit-letters (see outbox.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "outbox.h"

int
outbox_safe_name(const char *s, struct sbuf *out)
{
	size_t i, n = strlen(s), kept = 0;
	int changed = 0;

	if (n == 0) {
		sbuf_addc(out, '_');
		return 1;
	}
	for (i = 0; i < n && kept < 64; i++, kept++) {
		unsigned char c = (unsigned char)s[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		    (c == '.' && i > 0);

		sbuf_addc(out, ok ? (char)c : '_');
		if (!ok)
			changed = 1;
	}
	if (i < n)
		changed = 1;
	return changed;
}

void
outbox_plain_text(char *s)
{
	unsigned char *u = (unsigned char *)s, *o = u;

	if (s == NULL)
		return;
	while (*u) {
		if (*u < 32 || *u == 127) {
			*o++ = ' ';
			u++;
		} else if (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f) {
			*o++ = ' ';
			u += 2;
		} else if ((u[0] == 0xd8 && u[1] == 0x9c) ||
		    (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0x8e ||
		    u[2] == 0x8f || (u[2] >= 0xaa && u[2] <= 0xae))) ||
		    (u[0] == 0xe2 && u[1] == 0x81 && u[2] >= 0xa6 &&
		    u[2] <= 0xa9)) {
			u += u[0] == 0xd8 ? 2 : 3;
		} else
			*o++ = *u++;
	}
	*o = '\0';
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
outbox_base64(const unsigned char *s, size_t n, struct sbuf *out)
{
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		sbuf_addc(out, b64[s[i] >> 2]);
		sbuf_addc(out, b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)]);
		sbuf_addc(out, b64[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)]);
		sbuf_addc(out, b64[s[i + 2] & 63]);
	}
	if (n - i == 1) {
		sbuf_addc(out, b64[s[i] >> 2]);
		sbuf_addc(out, b64[(s[i] & 3) << 4]);
		sbuf_adds(out, "==");
	} else if (n - i == 2) {
		sbuf_addc(out, b64[s[i] >> 2]);
		sbuf_addc(out, b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)]);
		sbuf_addc(out, b64[(s[i + 1] & 15) << 2]);
		sbuf_addc(out, '=');
	}
}

void
outbox_qp(const char *s, struct sbuf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char enc[4];
		size_t w;
		int plain;

		if (c == '\r' && s[1] == '\n')
			continue;
		if (c == '\n') {
			sbuf_addc(out, '\n');
			col = 0;
			continue;
		}
		plain = c >= 33 && c <= 126 && c != '=';
		if ((c == ' ' || c == '\t') && s[1] != '\n' && s[1] != '\0' &&
		    !(s[1] == '\r' && s[2] == '\n'))
			plain = 1;
		if (col == 0 && (c == '.' || (c == 'F' &&
		    strncmp(s, "From ", 5) == 0)))
			plain = 0;
		if (plain) {
			enc[0] = (char)c;
			w = 1;
		} else {
			enc[0] = '=';
			enc[1] = hex[c >> 4];
			enc[2] = hex[c & 15];
			w = 3;
		}
		/* 75 + the soft break's '=' keeps a line within 76. */
		if (col + w > 75) {
			sbuf_adds(out, "=\n");
			col = 0;
			if (c == '.' && w == 1) {
				sbuf_adds(out, "=2E");
				col = 3;
				continue;
			}
		}
		sbuf_add(out, enc, w);
		col += w;
	}
}

/* long_word: a run of s without a space too long to fold (a header line
 * is kept within 78 columns where it can be, and RFC 5322 allows no more
 * than 998): such a value goes as encoded words, which split anywhere.
 * Longer than 76, so an encoded word (75 at most) is never taken for
 * one. */
static int
long_word(const char *s)
{
	size_t run = 0;

	for (; *s; s++)
		if (*s == ' ')
			run = 0;
		else if (++run > 76)
			return 1;
	return 0;
}

static int
all_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 32 || (unsigned char)*s > 126)
			return 0;
	return 1;
}

/* clean: value with controls (CR, LF, tabs...) as spaces. */
static char *
clean(const char *v)
{
	char *c = xstrdup(v ? v : "");

	for (char *p = c; *p; p++)
		if ((unsigned char)*p < 32 || *p == 127)
			*p = ' ';
	return c;
}

/* utf8_len: the length of the UTF-8 character starting with c. */
static size_t
utf8_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		return 2;
	if ((c & 0xf0) == 0xe0)
		return 3;
	return 4;
}

/* encoded_words: v as =?UTF-8?B?...?= words, whole characters each,
 * 75 characters at most, separated by LF and a space; col is the column
 * the first starts at. */
static void
encoded_words(const char *v, size_t col, struct sbuf *out)
{
	size_t n = strlen(v), i = 0;

	while (i < n) {
		/* 12 bytes of =?UTF-8?B? and ?=, and base64 of 3 bytes in
		 * 4: as many bytes as keep the line within 76 from col
		 * (45 bytes -> 60 of base64 -> 72 on a folded line). */
		size_t room = col + 12 + 4 < 76 ? 76 - col - 12 : 4;
		size_t take = 0, max = room / 4 * 3;

		while (i + take < n) {
			size_t l = utf8_len((unsigned char)v[i + take]);

			if (take + l > max)
				break;
			take += l;
		}
		if (take == 0)
			take = utf8_len((unsigned char)v[i]);
		if (i + take > n)
			take = n - i;
		if (i > 0)
			sbuf_adds(out, "\n ");
		sbuf_adds(out, "=?UTF-8?B?");
		outbox_base64((const unsigned char *)v + i, take, out);
		sbuf_adds(out, "?=");
		i += take;
		col = 1;
	}
}

void
outbox_header(const char *name, const char *value, struct sbuf *out)
{
	char *v = clean(value);
	size_t col = strlen(name) + 2;

	sbuf_addf(out, "%s: ", name);
	if (all_ascii(v) && !long_word(v)) {
		/* Fold at spaces so no line passes 78 columns. */
		char *p = v;

		while (*p) {
			char *sp = strchr(p, ' ');
			size_t w = sp ? (size_t)(sp - p) : strlen(p);

			if (col + w > 78 && p != v) {
				sbuf_adds(out, "\n ");
				col = 1;
			}
			sbuf_add(out, p, w);
			col += w;
			p += w;
			if (*p == ' ') {
				if (col + 1 > 78) {
					sbuf_adds(out, "\n");
					col = 0;
				}
				sbuf_addc(out, ' ');
				col++;
				p++;
			}
		}
	} else
		encoded_words(v, col, out);
	sbuf_addc(out, '\n');
	free(v);
}

int
outbox_addr_ok(const char *a)
{
	const char *at;

	if (a == NULL || *a == '\0' || (at = strchr(a, '@')) == NULL ||
	    at == a || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return 0;
	for (; *a; a++)
		if ((unsigned char)*a <= 32 || (unsigned char)*a >= 127 ||
		    strchr("<>()[]\\,;:\"", *a) != NULL)
			return 0;
	return 1;
}

int
outbox_phone_ok(const char *s, char *out)
{
	char buf[OUTBOX_PHONE_BUFSZ];
	size_t digits = 0, n = 0;
	int plus = 0;

	if (s == NULL)
		return 0;
	for (; *s; s++) {
		/* A '-' or '.' goes between digits, not before them. */
		if (*s == ' ' || *s == '(' || *s == ')' ||
		    ((*s == '-' || *s == '.') && digits > 0))
			continue;
		if (*s == '+' && digits == 0 && !plus) {
			plus = 1;
			buf[n++] = '+';
			continue;
		}
		if (*s < '0' || *s > '9')
			return 0;
		if (plus && digits == 0 && *s == '0')
			return 0;
		if (++digits > 15)
			return 0;
		buf[n++] = *s;
	}
	buf[n] = '\0';
	if (plus ? digits < 7 : digits < 5)
		return 0;
	if (out != NULL)
		memcpy(out, buf, n + 1);
	return 1;
}

int
outbox_mailbox(const char *name, const char *addr, struct sbuf *out)
{
	char *n;

	if (!outbox_addr_ok(addr))
		return -1;
	if (name == NULL || *name == '\0') {
		sbuf_adds(out, addr);
		return 0;
	}
	n = clean(name);
	if (all_ascii(n) && !long_word(n)) {
		sbuf_addc(out, '"');
		for (char *p = n; *p; p++) {
			if (*p == '"' || *p == '\\')
				sbuf_addc(out, '\\');
			sbuf_addc(out, *p);
		}
		sbuf_addc(out, '"');
	} else
		encoded_words(n, 6, out);
	sbuf_addf(out, " <%s>", addr);
	free(n);
	return 0;
}

int
outbox_rfc5322_date(const char *iso, char buf[40])
{
	static const char *const wd[] = { "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat", "Sun" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char day[DATE_BUFSZ];
	int32_t dn;
	int y, m, d, hh, mm, ss;

	if (iso == NULL || strlen(iso) < 19 || iso[10] != 'T')
		return -1;
	memcpy(day, iso, 10);
	day[10] = '\0';
	if (date_parse_iso(day, &dn) != 0 ||
	    sscanf(iso + 11, "%2d:%2d:%2d", &hh, &mm, &ss) != 3)
		return -1;
	date_to_ymd(dn, &y, &m, &d);
	snprintf(buf, 40, "%s, %d %s %04d %02d:%02d:%02d +0000",
	    wd[date_weekday(dn)], d, mon[m - 1], y, hh, mm, ss);
	return 0;
}

/* The GSM 03.38 default alphabet beyond ASCII, and the extension table. */
static const uint32_t gsm_basic_extra[] = {
	0xa3, 0xa5, 0xe8, 0xe9, 0xf9, 0xec, 0xf2, 0xc7, 0xd8, 0xf8, 0xc5,
	0xe5, 0x394, 0x3a6, 0x393, 0x39b, 0x3a9, 0x3a0, 0x3a8, 0x3a3, 0x398,
	0x39e, 0xc6, 0xe6, 0xdf, 0xc9, 0xa4, 0xa1, 0xc4, 0xd6, 0xd1, 0xdc,
	0xa7, 0xbf, 0xe4, 0xf6, 0xf1, 0xfc, 0xe0
};

int
outbox_gsm7_units(uint32_t c)
{
	if (c == '\n' || c == '\r')
		return 1;
	if (c == 0x0c || c == '^' || c == '{' || c == '}' || c == '\\' ||
	    c == '[' || c == '~' || c == ']' || c == '|' || c == 0x20ac)
		return 2;
	if (c >= 32 && c < 127)
		return c == '`' ? 0 : 1;
	for (size_t i = 0; i < sizeof gsm_basic_extra /
	    sizeof gsm_basic_extra[0]; i++)
		if (gsm_basic_extra[i] == c)
			return 1;
	return 0;
}

static uint32_t
decode(const char *s, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t l = utf8_len(u[0]);
	uint32_t c;

	*len = l;
	if (l == 1)
		return u[0];
	c = u[0] & (l == 2 ? 0x1f : l == 3 ? 0x0f : 0x07);
	for (size_t i = 1; i < l; i++)
		c = (c << 6) | (u[i] & 0x3f);
	return c;
}

void
outbox_sms_split(const char *text, struct outbox_sms *out)
{
	size_t n = strlen(text), i, l, units = 0, per, single, start, cur;
	int gsm = 1;

	memset(out, 0, sizeof *out);
	for (i = 0; i < n; i += l) {
		uint32_t c = decode(text + i, &l);
		int u = outbox_gsm7_units(c);

		if (u == 0)
			gsm = 0;
	}
	for (i = 0; i < n; i += l) {
		uint32_t c = decode(text + i, &l);

		units += gsm ? (size_t)outbox_gsm7_units(c) :
		    (c > 0xffff ? 2 : 1);
	}
	out->coding = gsm ? OUTBOX_GSM7 : OUTBOX_UCS2;
	out->units = units;
	single = gsm ? 160 : 70;
	per = gsm ? 153 : 67;
	if (units <= single) {
		out->parts = xcalloc(1, sizeof *out->parts);
		out->parts[0] = xstrdup(text);
		out->nparts = 1;
		return;
	}
	out->parts = xcalloc(units / per + 2, sizeof *out->parts);
	start = 0;
	cur = 0;
	for (i = 0; i < n; i += l) {
		uint32_t c = decode(text + i, &l);
		size_t u = gsm ? (size_t)outbox_gsm7_units(c) :
		    (c > 0xffff ? 2 : 1);

		/* A character that does not fit whole starts the next
		 * part: an escape pair or a surrogate pair never splits. */
		if (cur + u > per) {
			out->parts[out->nparts++] = xstrndup(text + start,
			    i - start);
			start = i;
			cur = 0;
		}
		cur += u;
	}
	out->parts[out->nparts++] = xstrndup(text + start, n - start);
}

void
outbox_sms_free(struct outbox_sms *s)
{
	for (size_t i = 0; i < s->nparts; i++)
		free(s->parts[i]);
	free(s->parts);
	memset(s, 0, sizeof *s);
}

int
outbox_mkdirs(const char *path, struct diag *d)
{
	char *p = xstrdup(path);

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char save = *s;

			*s = '\0';
			if (mkdir(p, 0777) != 0 && errno != EEXIST) {
				diag_set(d, "%s: %s", p, strerror(errno));
				free(p);
				return -1;
			}
			*s = save;
			if (save == '\0')
				break;
		}
	}
	free(p);
	return 0;
}

int
outbox_stage_file(struct outbox_stage *st, const char *path,
    const char *data, size_t len, struct diag *d)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	struct sbuf tmp = { 0 };
	int fd;

	if (slash != NULL) {
		*slash = '\0';
		if (*dir && outbox_mkdirs(dir, d) != 0) {
			free(dir);
			return -1;
		}
	}
	free(dir);
	sbuf_addf(&tmp, "%s.tmp-XXXXXX", path);
	if ((fd = mkstemp(tmp.buf)) < 0) {
		diag_set(d, "%s: %s", path, strerror(errno));
		sbuf_free(&tmp);
		return -1;
	}
	(void)fchmod(fd, 0644);
	for (size_t off = 0; off < len; ) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			diag_set(d, "%s: %s", sbuf_str(&tmp),
			    strerror(errno));
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		diag_set(d, "%s: %s", sbuf_str(&tmp), strerror(errno));
		goto fail;
	}
	if (st->n == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 16;
		st->tmp = xreallocarray(st->tmp, st->cap, sizeof *st->tmp);
		st->final = xreallocarray(st->final, st->cap,
		    sizeof *st->final);
	}
	st->tmp[st->n] = tmp.buf;
	st->final[st->n++] = xstrdup(path);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(sbuf_str(&tmp));
	sbuf_free(&tmp);
	return -1;
}

static void
stage_free(struct outbox_stage *st)
{
	for (size_t i = 0; i < st->n; i++) {
		free(st->tmp[i]);
		free(st->final[i]);
	}
	free(st->tmp);
	free(st->final);
	memset(st, 0, sizeof *st);
}

int
outbox_stage_commit(struct outbox_stage *st, struct diag *d)
{
	for (size_t i = 0; i < st->n; i++)
		if (rename(st->tmp[i], st->final[i]) != 0) {
			diag_set(d, "%s: %s", st->final[i], strerror(errno));
			/* Those renamed stay: no action is recorded for
			 * them, and the next run writes them again. */
			for (size_t j = i; j < st->n; j++)
				unlink(st->tmp[j]);
			stage_free(st);
			return -1;
		}
	stage_free(st);
	return 0;
}

/* is_stale: NAME.tmp-XXXXXX, six characters after the marker, as
 * mkstemp fills them. */
static int
is_stale(const char *name)
{
	const char *t = strstr(name, ".tmp-");

	while (t != NULL && strlen(t + 5) != 6)
		t = strstr(t + 1, ".tmp-");
	return t != NULL && t != name;
}

long
outbox_remove_stale(const char *dir, struct diag *d)
{
	struct sbuf p = { 0 };
	struct dirent *e;
	DIR *dp;
	long n = 0;

	if ((dp = opendir(dir)) == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;	/* nothing staged there */
		diag_set(d, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(dp)) != NULL) {
		if (!is_stale(e->d_name))
			continue;
		sbuf_reset(&p);
		sbuf_addf(&p, "%s/%s", dir, e->d_name);
		if (unlink(sbuf_str(&p)) != 0 && errno != ENOENT) {
			diag_set(d, "%s: %s", sbuf_str(&p), strerror(errno));
			n = -1;
			break;
		}
		n++;
	}
	closedir(dp);
	sbuf_free(&p);
	return n;
}

void
outbox_stage_abort(struct outbox_stage *st)
{
	for (size_t i = 0; i < st->n; i++)
		unlink(st->tmp[i]);
	stage_free(st);
}
