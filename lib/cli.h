/*
 * cli: what every tool's main shares: the common options (--db, --as-of,
 * --config, --client, --help, --version) with their environment
 * defaults, the client folder's isolation (lib/clientdir.h), opening
 * inputs ("-" is standard input), and the messages a tool prints.  This is
 * the one module that writes to stderr; only bin/ calls it.
 *
 * Messages: "tool: file:line: message" for data, "tool: file: strerror"
 * for the system, "tool: message" then the usage for usage errors.
 */
#ifndef CK_CLI_H
#define CK_CLI_H

#include <stdio.h>
#include <stdint.h>
#include <getopt.h>
#include "config.h"
#include "progress.h"
#include "state.h"

#define CK_VERSION "0.1.0"

/* Exit statuses every tool shares. */
enum {
	EXIT_OK = 0,
	EXIT_REJECTS = 1,	/* some input rejected, the rest done */
	EXIT_USAGE = 2,
	EXIT_STATE = 3		/* state or system error, nothing changed */
};

/* getopt_long values of the shared options (beyond any char). */
enum {
	CLI_OPT_DB = 0x1000,
	CLI_OPT_AS_OF,
	CLI_OPT_CONFIG,
	CLI_OPT_VERSION,
	CLI_OPT_CLIENT,
	CLI_OPT_FIRST_TOOL	/* tools number their own long options
				   from here */
};

#define CLI_SHARED_LONGOPTS \
	{ "db", required_argument, NULL, CLI_OPT_DB }, \
	{ "as-of", required_argument, NULL, CLI_OPT_AS_OF }, \
	{ "config", required_argument, NULL, CLI_OPT_CONFIG }, \
	{ "client", required_argument, NULL, CLI_OPT_CLIENT }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, CLI_OPT_VERSION }

struct cli {
	const char *prog;
	const char *usage;	/* the SYNOPSIS lines, without "usage: " */
	const char *db;		/* --db, DIR/state.db of the client,
				   $CREDITKIT_DB, ./creditkit.db */
	int32_t as_of;		/* --as-of, $CREDITKIT_AS_OF, today */
	const char *config;	/* --config, DIR/client.yaml of the client,
				   $CREDITKIT_CONFIG, or NULL */
	const char *client;	/* --client, $CREDITKIT_CLIENT: the client
				   folder DIR, or NULL */
	const char *client_outbox;	/* DIR/outbox with a client, else
					   NULL: emit-letters' --outbox */
	const char *client_id;	/* the config's client.id, once
				   cli_config_load read it; NULL: none */
	/* What the command line said, for cli_options_done. */
	const char *opt_db, *opt_config, *opt_client;
};

/* cli_init: sets the program name and the defaults from the environment;
 * exits 2 with a message when $CREDITKIT_AS_OF is not a date.  Before
 * anything else it puts /dev/null on any of fds 0, 1, 2 that is closed,
 * so no file the tool opens takes their place. */
void cli_init(struct cli *c, const char *prog, const char *usage);

/* cli_need_stdout: exits 3 when the tool was started with stdout closed;
 * for tools whose output is wanted, called before they change anything. */
void cli_need_stdout(const struct cli *c);

/*
 * cli_shared_option: handles opt (as getopt_long returned it) if it is a
 * shared option: returns 1 if handled (exits for --help and --version and
 * on a bad value), 0 if opt is not a shared option.  '?' prints the usage
 * and exits 2.
 */
int cli_shared_option(struct cli *c, int opt, const char *arg);

/*
 * cli_options_done: called once the options are parsed: the client
 * folder (--client, else $CREDITKIT_CLIENT) gives the defaults of --db
 * (DIR/state.db), --config (DIR/client.yaml) and emit-letters' --outbox
 * (DIR/outbox); options given on the command line win.  A usage error
 * (exit 2) when the folder does not exist or has no client.yaml, or when
 * $CREDITKIT_DB or $CREDITKIT_CONFIG names another file than the
 * client's (clientdir_resolve).
 */
void cli_options_done(struct cli *c);

/*
 * cli_config_load: config_load of c->config; with a client folder, every
 * path the config names must resolve inside it (clientdir_check_config).
 * Remembers the run's client id in c->client_id for cli_state_open: with
 * a client folder its name (the config's client.id may only repeat it:
 * clientdir_client_id), else the config's client.id.
 * 0, or -1 with d set (d->line at the key) and cfg holding the defaults:
 * the tool prints it against c->config and exits 2.
 */
int cli_config_load(struct cli *c, struct client_config *cfg,
    struct diag *d);

/* cli_check_other_client: with a client folder, an output option's path
 * (opt "--dir", path its value; NULL: not given) inside another client
 * folder of the bureau is refused: exit 2, nothing written.  An explicit
 * option wins over the folder's defaults, but never writes one client's
 * data into another's folder. */
void cli_check_other_client(const struct cli *c, const char *opt,
    const char *path);

/* cli_state_open: state_open of c->db, refused (-1 with d set, the file
 * closed and unchanged) when it records another client id than
 * c->client_id (state_client): the tool exits 3. */
int cli_state_open(const struct cli *c, struct state *st,
    enum state_mode mode, struct diag *d);

/* Messages, one line each on stderr, prefixed with the program name. */
void cli_warn(const struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cli_at(const struct cli *c, const char *file, long line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* cli_die: message and exit with status. */
void cli_die(const struct cli *c, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
/* cli_usage_error: message, the usage, exit 2. */
void cli_usage_error(const struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/*
 * A reporter for lib/'s per-row callbacks (a rejected row, a warning):
 * each message is told as "tool: file:line: message" until limit (0: a
 * hundred) have been; then one line says more were not shown, since a
 * run over a broken file must not flood the terminal (the rejects file
 * has every row).  Zero-initialised but for cli, it is ready.
 */
struct cli_reporter {
	const struct cli *cli;
	long limit;
	long shown;
};
void cli_report(void *reporter, const char *file, long line,
    const char *msg);

/*
 * A progress line for long work (ingest, allocation): rows, rows a
 * second, and the percent done and time left when the work in all is
 * known (lib/progress.h does the arithmetic).  On standard error,
 * rewritten in place with a carriage return at most four times a second,
 * cleared by cli_progress_end and before any message; only when standard
 * error is a terminal and the tool is not quiet, so never under cron, in
 * a pipe or in the tests.
 * cli_progress_start: p ready, on or off as said.
 * cli_progress_files: the inputs whose bytes measure the work when the
 *   hook is given no total: their sizes summed when every one is a
 *   regular file, else unknown (rows and rate only).
 * cli_progress_file: input i is the one being read now.
 * cli_progress: the hook lib/ calls (progress_fn), ctx the cli_progress:
 *   one more row, done of total (total 0: measured by the inputs).
 */
struct cli_progress {
	const struct cli *cli;
	int on;
	FILE **files;
	size_t nfiles, cur;
	long long bytes;	/* the inputs' sizes summed; 0: unknown */
	long long before;	/* of the inputs before cur */
	long long rows;
	double start, last;	/* monotonic seconds */
	unsigned tick;
	size_t width;		/* of the line drawn, to clear it */
};
void cli_progress_start(const struct cli *c, struct cli_progress *p,
    int quiet);
void cli_progress_files(struct cli_progress *p, FILE **files, size_t n);
void cli_progress_file(struct cli_progress *p, size_t i);
void cli_progress(void *p, long long done, long long total);
void cli_progress_end(struct cli_progress *p);

/* cli_known_encoding: whether iconv can read name into UTF-8. */
int cli_known_encoding(const char *name);

/*
 * Outputs never replace what the run reads or keeps.  cli_output_clash:
 * NULL, or what path is ("the state file", "the configuration file",
 * "one of the inputs"): the state db or its -wal or -shm (also one not
 * there yet: the same name in the same folder), the --config file, one of
 * inputs (names; "-" or NULL is standard input) or any file
 * cli_open_input has opened; however path reaches it (a symbolic link,
 * a dangling one onto a -wal to be, a hard link, another spelling).  Only
 * regular files clash: /dev/null may be input and output.
 * cli_check_output: the same, told as "OPTION: PATH is ..." with exit 2
 * (no usage: the command line is well formed);
 * for every output option, before anything is written.  cli_replace_open
 * refuses a clash as well, as the last guard.
 */
const char *cli_output_clash(const struct cli *c, const char *path,
    const char *const *inputs, size_t ninputs);
void cli_check_output(const struct cli *c, const char *option,
    const char *path, const char *const *inputs, size_t ninputs);

/* cli_same_file: 1 if path is one of the open inputs, 2 if it is the
 * state file db (or its -wal or -shm, as cli_is_state), 0 if neither
 * (or it does not exist yet). */
int cli_same_file(const char *path, FILE **files, size_t nfiles,
    const char *db);

/* cli_is_state: whether path names the state file db or its -wal or
 * -shm (also one not there yet: the same name in the same folder),
 * through links as cli_output_clash. */
int cli_is_state(const char *path, const char *db);

/* cli_open_input: name as a FILE ("-" or NULL is stdin); NULL with the
 * system's message printed when it cannot be opened. */
FILE *cli_open_input(const struct cli *c, const char *name);
void cli_close_input(FILE *fp);
/* cli_input_name: "-" and NULL read as "<stdin>" in messages. */
const char *cli_input_name(const char *name);

/*
 * cli_copy_out: from (rewound) to stdout, flushed.  0 when all of it got
 * out or the reader went away (a broken pipe is its choice, not a
 * fault); -1, the system's reason printed, when stdout failed.
 */
int cli_copy_out(const struct cli *c, FILE *from);

/*
 * A file written whole or not at all (the rejects file): written to a
 * temporary file beside path and renamed into place by cli_replace_commit,
 * so a run that does not stand leaves path as it was.  A symbolic link is
 * written through: the temporary file is made beside the file it names
 * and renamed onto that, the link kept.  A path under /dev/ or /proc/, or
 * a link that leads through them (/dev/stdout), and one that exists and
 * is not a regular file (a FIFO) are written directly, never renamed over.
 * cli_replace_open: 0, or -1 with the system's reason printed; a path
 * that is the state, the configuration or an open input
 * (cli_output_clash) is refused, -1 with that said.
 * cli_replace_commit: flushed, synced and renamed; 0, or -1 with the
 * reason printed (the temporary file removed).  cli_replace_abort: the
 * temporary file removed, path untouched.  Both close fp.
 */
struct cli_replace {
	FILE *fp;
	const char *path;
	char *tmp;		/* NULL when writing path directly */
};
int cli_replace_open(const struct cli *c, struct cli_replace *r,
    const char *path);
int cli_replace_commit(const struct cli *c, struct cli_replace *r);
void cli_replace_abort(struct cli_replace *r);

/* cli_stdout_failed: a write or flush of stdout just failed (errno
 * set): tells why once, with the system's reason of that failure (a
 * later check would only see the stream's error flag), and returns -1;
 * a reader that went away (EPIPE) is no fault: 0, nothing said. */
int cli_stdout_failed(const struct cli *c);

/* cli_finish: flushes stdout and checks it (a full disk is never silent);
 * returns status, or 3 when stdout failed. */
int cli_finish(const struct cli *c, int status);

/*
 * cli_keep_going_on_epipe: for tools whose product is the state, not
 * their output: a reader that stops early (| head) must not kill the run
 * before it commits.  SIGPIPE is ignored, writes fail quietly, and
 * cli_finish does not count a broken pipe as a failure.
 */
void cli_keep_going_on_epipe(void);

/* cli_parse_date_arg: an option's ISO date, or a usage error naming the
 * option. */
int32_t cli_parse_date_arg(const struct cli *c, const char *option,
    const char *arg);

/* cli_today: the local calendar date now. */
int32_t cli_today(void);

/* cli_no_future: exits 2 (before anything is read) when the as-of day is
 * after today: a state changed as of a day still to come takes every real
 * day's input after it as older, and refuses it. */
void cli_no_future(const struct cli *c);

#endif
