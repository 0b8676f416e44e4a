/*
 * outbox: the encodings emit-letters writes its files in, each small and
 * separately testable: file names built from data, RFC 5322 / MIME
 * pieces (quoted-printable bodies, base64, encoded-word headers, the
 * Date header), SMS segmentation in GSM 03.38 or UCS-2 (CSV fields a
 * spreadsheet will not run are lib/csvout's).  Nothing here touches the
 * state; writing files whole or not at all is outbox_stage_*.
 */
#ifndef CK_OUTBOX_H
#define CK_OUTBOX_H

#include <stddef.h>
#include <stdint.h>
#include "diag.h"
#include "util.h"

/*
 * outbox_safe_name: s as one path component: letters, digits, '.', '_'
 * and '-' kept, every other byte (a '/', a control character, a space,
 * each byte of a non-ASCII character) written as '_'; a leading '.'
 * becomes '_' (so never "." or ".." or a hidden file), an empty name
 * "_", at most 64 bytes kept.  Appends to out; returns 1 if the name
 * differs from s (the caller then adds something unique), else 0.
 */
int outbox_safe_name(const char *s, struct sbuf *out);

/*
 * outbox_plain_text: s (UTF-8, NULL allowed) made one line of plain text
 * in place: C0 and C1 control characters and DEL become spaces, and the
 * bidirectional controls (U+061C, U+200E, U+200F, U+202A to U+202E,
 * U+2066 to U+2069), which would reorder what a reader sees, are
 * removed.
 */
void outbox_plain_text(char *s);

/* outbox_base64: s[0..n) in base64 (RFC 4648), no line breaks. */
void outbox_base64(const unsigned char *s, size_t n, struct sbuf *out);

/*
 * outbox_qp: s as a quoted-printable body (RFC 2045 6.7): LF ends a line
 * (written as LF; the mail system writes CRLF on the wire), lines at most
 * 76 characters with soft breaks, '=' and every byte outside printable
 * ASCII encoded, a space or tab before a line end encoded, and a '.' or
 * "From " at a line's start encoded so no relay alters it.
 */
void outbox_qp(const char *s, struct sbuf *out);

/*
 * outbox_header: "Name: value" and LF.  A value that is all printable
 * ASCII is written as it is (folded at spaces past 78 columns); any other
 * is written as RFC 2047 encoded words (=?UTF-8?B?...?=), each at most 75
 * characters and holding whole UTF-8 characters, on folded lines.  Control
 * characters in value (a CR or LF that would start a new header) are
 * replaced by spaces first.
 */
void outbox_header(const char *name, const char *value, struct sbuf *out);

/*
 * outbox_mailbox: "Display Name <addr>" with the name as a quoted string
 * or encoded words; just addr when name is NULL or empty.  0, or -1 when
 * addr is not a plausible address (one @, no spaces, <, >, controls).
 */
int outbox_mailbox(const char *name, const char *addr, struct sbuf *out);
int outbox_addr_ok(const char *addr);
/*
 * outbox_phone_ok: whether s is a telephone number an SMS or a call can
 * go to: after its spaces, '(' and ')' are taken out, and its '-' and
 * '.' between digits, an E.164 number ('+', a first digit 1 to 9, 7 to
 * 15 digits in all) or a national one (5 to 15 digits, a leading 0
 * allowed).  Nothing else: text an export left there (=cmd|..., "n/a",
 * an e-mail address) is no number.  When it is one and out is not NULL,
 * out (OUTBOX_PHONE_BUFSZ bytes) gets it as a dialler or an SMS gateway
 * takes it: '+' and digits, or digits ("+447700900001", "01134960000").
 */
#define OUTBOX_PHONE_BUFSZ 17
int outbox_phone_ok(const char *s, char *out);

/* outbox_rfc5322_date: "YYYY-MM-DDTHH:MM:SSZ" as "Thu, 29 Feb 2024
 * 09:00:00 +0000" into buf (40 bytes).  -1 if iso is malformed. */
int outbox_rfc5322_date(const char *iso, char buf[40]);

/* SMS. */
enum outbox_sms_coding { OUTBOX_GSM7, OUTBOX_UCS2 };

struct outbox_sms {
	enum outbox_sms_coding coding;
	size_t units;		/* septets (GSM-7, extension ones count 2)
				   or UTF-16 code units (UCS-2) */
	size_t nparts;
	char **parts;		/* the text of each part, owned */
};

/*
 * outbox_sms_split: text (valid UTF-8) in GSM-7 when every character is
 * in the GSM 03.38 default alphabet or its extension table, else UCS-2.
 * One part holds 160 septets or 70 code units; a longer message is sent
 * in parts of 153 septets or 67 code units (the rest of each part is the
 * concatenation header), never splitting an escape pair or a surrogate
 * pair.  outbox_sms_free releases parts.
 */
void outbox_sms_split(const char *text, struct outbox_sms *out);
void outbox_sms_free(struct outbox_sms *s);
/* outbox_gsm7_units: septets of code point c: 1, 2 (extension), 0 when
 * not in GSM-7. */
int outbox_gsm7_units(uint32_t c);

/*
 * Staging: each file is written in full under a temporary name in its
 * final folder (made as needed), and all are renamed into place by
 * outbox_stage_commit, which the caller runs before it commits the
 * state, so an action is never recorded without its file.
 * outbox_stage_abort removes every temporary file.
 */
struct outbox_stage {
	size_t n, cap;
	char **tmp, **final;
};
int outbox_stage_file(struct outbox_stage *st, const char *path,
    const char *data, size_t len, struct diag *d);
int outbox_stage_commit(struct outbox_stage *st, struct diag *d);
void outbox_stage_abort(struct outbox_stage *st);
/* outbox_remove_stale: removes the temporary files (NAME.tmp-XXXXXX, as
 * outbox_stage_file makes them) a killed run left in folder dir (not
 * below it); a missing folder is none.  The caller holds the state's
 * write lock, so no other run is staging there.  Returns how many were
 * removed, or -1 with d set. */
long outbox_remove_stale(const char *dir, struct diag *d);
/* outbox_mkdirs: path and its parents, like mkdir -p. 0 or -1, d set. */
int outbox_mkdirs(const char *path, struct diag *d);

#endif
