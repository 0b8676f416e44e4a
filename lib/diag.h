/*
 * diag: how lib/ reports a failure to the tool that called it.  lib/ never
 * prints and never exits; a function that fails fills a struct diag and
 * returns non-zero, and only the tool decides what to print and whether to
 * stop.  The message is lowercase, one line, without the program name,
 * file or line: the tool adds those ("tool: file:line: message").
 */
#ifndef CK_DIAG_H
#define CK_DIAG_H

struct diag {
	long line;	/* input line the problem is on, 0 if none */
	char msg[1024];	/* bounded: snprintf truncates, never overflows */
};

void diag_clear(struct diag *d);
/* diag_set: replaces the message; d may be NULL (the caller does not care). */
void diag_set(struct diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* diag_prefix: puts "text: " in front of the existing message. */
void diag_prefix(struct diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
