#!/bin/sh
# creditkit-nightly: the bureau's nightly cycle, for one client directory
# or for every client of a bureau (creditkit-nightly(1)).  Installed as
# creditkit-nightly beside the C tools (make builds it into BUILD/bin).
#
# Per client it takes DIR/.lock with flock(1), ingests what the inbox
# holds (a file moved to processed/DATE/ only once its tool said the batch
# committed: exit 0 or 1), allocates, ages, scores, plans, emits, reports
# and exports, each step's command, stderr, exit status and time appended
# to DIR/logs/DATE.log; then prints one TSV summary line.  Every tool is
# run with --client DIR and an explicit --as-of, never through
# $CREDITKIT_* (unset here), so one client's run cannot reach another's
# files: the tools then check that the paths the config names stay inside
# DIR and that the state is the config's client.
#
# A run killed at any point is completed by the next: every tool is
# idempotent (an ingested file is known, an emitted action is not sent
# again), a file not yet moved is ingested again, and the outputs are made
# in DIR/.nightly and renamed into place.  Written for POSIX sh; needs
# flock(1) (util-linux).
set -u
LC_ALL=C
export LC_ALL
# Standard output or error closed: /dev/null in its place (as the tools
# do, creditkit(7)), else awk and the tools would fail on it.
true 2>/dev/null 3>&1 || exec 1>/dev/null
true 3>&2 || exec 2>/dev/null

prog=creditkit-nightly
version=0.1.0
usage="usage: creditkit-nightly [-n|--dry-run] [--as-of date] [--wait seconds]
       [--timeout seconds] [-q|--quiet] (--all [--bureau dir] | client_dir ...)"
tab=$(printf '\t')

# warn MESSAGE: on stderr, on a line of its own (the progress line, on a
# terminal, cleared first).
warn() {
	[ "${tty:-0}" -eq 0 ] || printf '\r\033[K' >&2
	printf '%s: %s\n' "$prog" "$*" >&2
}
die() { st=$1; shift; warn "$*"; exit "$st"; }
usage_error() { printf '%s: %s\n%s\n' "$prog" "$1" "$usage" >&2; exit 2; }

# valid_date DATE: a real day written YYYY-MM-DD.
valid_date() {
	case $1 in
	[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) ;;
	*) return 1 ;;
	esac
	awk -v d="$1" 'BEGIN {
		y = substr(d, 1, 4) + 0; m = substr(d, 6, 2) + 0
		n = substr(d, 9, 2) + 0
		split("31 28 31 30 31 30 31 31 30 31 30 31", len, " ")
		if (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) len[2] = 29
		exit !(y >= 1 && m >= 1 && m <= 12 && n >= 1 && n <= len[m])
	}'
}

# ---- options --------------------------------------------------------------
# Options may come before or after the client directories, as with the C
# tools' getopt_long; the operands are rotated back into "$@".
dry=0 quiet=0 all=0 as_of='' wait='' bureau='' have_bureau=0 limit=
n=$#
while [ "$n" -gt 0 ]; do
	arg=$1
	shift
	n=$((n - 1))
	case $arg in
	--as-of=* | --wait=* | --bureau=* | --timeout=*)
		opt=${arg%%=*} val=${arg#*=} ;;
	--as-of | --wait | --bureau | --timeout)
		[ "$n" -gt 0 ] || usage_error "$arg: a value is required"
		opt=$arg val=$1
		shift
		n=$((n - 1)) ;;
	-n | --dry-run) dry=1; continue ;;
	-q | --quiet) quiet=1; continue ;;
	--all) all=1; continue ;;
	-h | --help)
		printf '%s\nSee creditkit-nightly(1).\n' "$usage"
		exit 0 ;;
	--version)
		printf '%s (creditkit) %s\n' "$prog" "$version"
		exit 0 ;;
	--)
		while [ "$n" -gt 0 ]; do
			set -- "$@" "$1"
			shift
			n=$((n - 1))
		done
		break ;;
	-?*) usage_error "unknown option \"$arg\"" ;;
	*) set -- "$@" "$arg"; continue ;;
	esac
	case $opt in
	--as-of) as_of=$val ;;
	--wait) wait=$val ;;
	--timeout) limit=$val ;;
	--bureau) bureau=$val have_bureau=1 ;;
	esac
done

if [ -z "$as_of" ]; then
	as_of=${CREDITKIT_AS_OF:-$(date +%Y-%m-%d)}
	valid_date "$as_of" ||
	    usage_error "CREDITKIT_AS_OF: \"$as_of\" is not a date (use YYYY-MM-DD)"
else
	valid_date "$as_of" ||
	    usage_error "--as-of: \"$as_of\" is not a date (use YYYY-MM-DD)"
fi
# A night after today (a typo, a clock reset) would ingest the inbox as
# of it, after which every real night's export is "older" and refused,
# and emit-letters refuses to send for it anyway: refused before anything
# is read, but for a dry run (nu6 N5).
today=$(date +%Y-%m-%d)
if [ "$dry" -eq 0 ] && [ "$(printf '%s' "$as_of" | tr -d -)" -gt \
    "$(printf '%s' "$today" | tr -d -)" ]; then
	usage_error "--as-of $as_of is after today ($today): no night is run for a day still to come (--dry-run runs it)"
fi
case $wait in
*[!0-9]*) usage_error "--wait: \"$wait\" is not a number of seconds" ;;
esac
case $limit in
*[!0-9]* | 0) usage_error "--timeout: \"$limit\" is not a number of seconds" ;;
esac
if [ "$all" -eq 1 ]; then
	[ $# -eq 0 ] ||
	    usage_error "--all and client directories: give one or the other"
	[ "$have_bureau" -eq 1 ] || bureau=${CREDITKIT_BUREAU:-}
	[ -n "$bureau" ] ||
	    usage_error "--all: no bureau (give --bureau dir or set CREDITKIT_BUREAU)"
	[ -d "$bureau" ] || usage_error "--bureau: $bureau: not a directory"
else
	[ "$have_bureau" -eq 0 ] || usage_error "--bureau: only with --all"
	[ $# -gt 0 ] || usage_error "no client directory (give one, or --all)"
fi

# The tools' own defaults must not reach them: each gets explicit paths.
unset CREDITKIT_CLIENT CREDITKIT_DB CREDITKIT_CONFIG CREDITKIT_AS_OF CDPATH \
    CREDITKIT_PROGRESS_FD

# ---- the tools --------------------------------------------------------------
# Beside this script first (an installed or built set stays together),
# then PATH.
here=$(cd "$(dirname "$0")" && pwd) || die 3 "cannot find my own directory"
find_tool() {
	if [ -f "$here/$1" ] && [ -x "$here/$1" ]; then
		printf '%s\n' "$here/$1"
	else
		command -v "$1"
	fi
}
need() {
	find_tool "$1" || die 3 "$1: not found beside $prog ($here) or on PATH"
}
tool_ingest_invoices=$(need ingest-invoices) || exit 3
tool_ingest_payments=$(need ingest-payments) || exit 3
tool_allocate_payments=$(need allocate-payments) || exit 3
tool_log_contact=$(need log-contact) || exit 3
tool_age_ledger=$(need age-ledger) || exit 3
tool_score_debtor=$(need score-debtor) || exit 3
tool_build_chasepath=$(need build-chasepath) || exit 3
tool_emit_letters=$(need emit-letters) || exit 3
tool_kpi_report=$(need kpi-report) || exit 3
tool_export_client=$(find_tool export-client) || tool_export_client=
command -v flock >/dev/null 2>&1 || die 3 "flock(1) not found (util-linux)"
[ -z "$limit" ] || command -v timeout >/dev/null 2>&1 ||
    die 3 "--timeout: timeout(1) not found (coreutils)"

# kpi-report's periods: the eleven months before the as-of day's, then
# that month up to the as-of day, so the page's trend ends today.
periods=$(awk -v d="$as_of" 'BEGIN {
	y = substr(d, 1, 4) + 0; m = substr(d, 6, 2) + 0
	for (i = 11; i >= 1; i--) {
		mm = m - i; yy = y
		while (mm < 1) { mm += 12; yy-- }
		printf "--period %04d-%02d ", yy, mm
	}
	printf "--period %s-01..%s\n", substr(d, 1, 7), d
}')

# ---- helpers ----------------------------------------------------------------
clock() { date -u +%H:%M:%SZ; }
now() { date +%s; }
log() { printf '%s\n' "$*" >>"$log" 2>/dev/null; }

# shown ARG...: the command as one line, an argument with anything but
# [A-Za-z0-9_./=:,+-] in single quotes.
shown() {
	s=
	for a; do
		case $a in
		'' | *[!A-Za-z0-9_./=:,+-]*)
			a="'$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'" ;;
		esac
		s="${s:+$s }$a"
	done
	printf '%s\n' "$s"
}

# progress MESSAGE: one line on stderr, overwritten by the next, only
# when stderr is a terminal (silent under cron).
progress() {
	[ "$tty" -eq 1 ] || return 0
	printf '\r%s: %.76s\033[K' "$prog" "$*" >&2
}

# step N OUT CMD ARG...: runs CMD with its stdout to OUT and its stderr to
# $scratch/err; the command goes to the log before it runs (a killed run's
# log names the step it was in), its stderr, status and time after.
# Sets rc.
step() {
	stepno=$1 out=$2
	shift 2
	progress "$name$of: step $stepno: ${1##*/}${last_arg:+ $last_arg}"
	log "$(clock) step $stepno: $(shown "$@")"
	t0=$(now)
	# On a terminal the tools draw their own line (rows, rate, time
	# left) over this one, on descriptor 3: the terminal, while their
	# standard error goes to the log.
	if [ "$tty" -eq 1 ]; then
		launch "$@" </dev/null >"$out" 3>&2 2>"$scratch/err"
	else
		launch "$@" </dev/null >"$out" 2>"$scratch/err"
	fi
	rc=$?
	if [ -n "$limit" ]; then
		case $rc in
		124 | 137) echo "creditkit-nightly: stopped after --timeout $limit s" >>"$scratch/err" ;;
		esac
	fi
	sed 's/^/    /' "$scratch/err" >>"$log" 2>/dev/null
	log "$(clock) exit $rc ($(($(now) - t0)) s)"
}

# launch CMD ARG...: CMD, under --timeout a time limit: a tool that hangs
# (a template on a dead mount) is sent TERM (it rolls back), KILL 10 s
# later; exit 124 or 137, a failure.
launch() {
	if [ -n "$limit" ]; then
		timeout -k 10 "$limit" "$@"
	else
		"$@"
	fi
}

# run N OUT TOOL ARG...: step with the client's folder (--client, so the
# tools check that every path the config names stays inside it and that
# the state is the config's client), the state (--db, only in a dry run:
# its copy) and the day.
run() {
	r_n=$1 r_out=$2 r_tool=$3
	shift 3
	if [ "$dry" -eq 1 ]; then
		step "$r_n" "$r_out" "$r_tool" --client "$cdir" --db "$db" \
		    --as-of "${r_day:-$as_of}" "$@"
	else
		step "$r_n" "$r_out" "$r_tool" --client "$cdir" \
		    --as-of "${r_day:-$as_of}" "$@"
	fi
	r_day=
}
r_day=

# reconcile STEP DAY: outbox/DAY.emitted.tsv made to list every message
# the state records as emitted on DAY.  A run killed after emit-letters
# committed, or while it ran (the tool goes on, the driver is gone),
# never added that run's rows; they are added now, from the state
# (export-client actions), each once, and told on stderr: someone must
# send them.  Without export-client the list is not checked.
reconcile() {
	c_list=$root/outbox/$2.emitted.tsv
	[ -f "$db" ] || return 0
	if [ -z "$tool_export_client" ]; then
		log "$(clock) export-client not found: outbox/$2.emitted.tsv not checked against the state"
		return 0
	fi
	r_day=$2
	run "$1" "$scratch/actions.tsv" "$tool_export_client" --since "$2" \
	    --format tsv actions
	judge "export-client actions (checking outbox/$2.emitted.tsv)" ||
	    return 1
	c_have=/dev/null
	[ ! -f "$c_list" ] || c_have=$c_list
	awk -F"$tab" -v OFS="$tab" -v day="$2" '
	FILENAME == ARGV[1] {
		if (FNR > 1) have[$1 OFS $2 OFS $3 OFS $4]++
		next
	}
	FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["date"] == day {
		k = $c["debtor_id"] OFS $c["step"] OFS $c["channel"] OFS $c["file"]
		if (have[k] > 0) { have[k]--; next }
		print k, $c["doc_ids"], $c["amount_due"], $c["interest"],
		    $c["compensation"]
	}' "$c_have" "$scratch/actions.tsv" >"$scratch/missing.tsv" ||
	    { rc=3; failed "checking outbox/$2.emitted.tsv"; return 1; }
	c_n=$(wc -l <"$scratch/missing.tsv")
	c_n=$((c_n + 0))
	[ "$c_n" -gt 0 ] || return 0
	mkdir -p "$root/outbox" || { rc=3; failed "mkdir outbox"; return 1; }
	if [ ! -s "$c_list" ]; then
		printf 'debtor_id\tstep\tchannel\tfile\tdoc_ids\tamount_due\tinterest\tcompensation\n' >"$scratch/list.tsv" &&
		    cat "$scratch/missing.tsv" >>"$scratch/list.tsv" &&
		    mv -f "$scratch/list.tsv" "$c_list"
	else
		cat "$scratch/missing.tsv" >>"$c_list"
	fi || { rc=3; failed "adding to outbox/$2.emitted.tsv"; return 1; }
	m="outbox/$2.emitted.tsv lacked $c_n message(s) the state records as emitted on $2 (a run killed after emit-letters): added, to be sent"
	warn "$name: $m"
	log "$(clock) $m"
	return 0
}

# failed WHAT [step]: the client failed at WHAT: told on stderr (after a
# step, with the tool's last message but its -v counts: the error that
# ended it, not a row rejected before), and the rest of its cycle skipped.
failed() {
	status=failed stop=1
	first=
	[ "${2:-}" != step ] ||
	    first=$(awk '/^[a-z-]+: (.* )?[0-9]+ (rows?|events?): / { next }
		/^allocate-payments: [0-9]+ allocated, / { next }
		{ m = $0 } END { if (m != "") print ": " m }' \
		"$scratch/err" 2>/dev/null)
	warn "$name: $1: exit $rc$first (see $log)"
	log "$(clock) $1 failed (exit $rc): the rest of the cycle is skipped"
}

# judge WHAT: after a step, 0 and 1 go on (1 marks the client rejects),
# anything else fails the client.
judge() {
	case $rc in
	0) return 0 ;;
	1) [ "$status" = failed ] || status=rejects; return 0 ;;
	*) failed "$1" step; return 1 ;;
	esac
}

# counted TOOL: the "N rejected" of TOOL's -v summary line in
# $scratch/err ("ingest-invoices: f.csv: 4 rows: 3 new, ..., 1 rejected";
# "log-contact: 3 events: ...; "emit-letters: 1 row: ..."), else 0.
counted() {
	awk -v p="$1: " '
	index($0, p) == 1 && / [0-9]+ (rows?|events?): / &&
	    match($0, /[0-9]+ rejected/) {
		n += substr($0, RSTART, RLENGTH - 9)
	}
	END { print n + 0 }' "$scratch/err"
}

# entries FILE: the entries of an ingest-payments rejects file (camt Ntry
# elements, MT940 :61: lines, else CSV rows).
entries() {
	[ -s "$1" ] || { echo 0; return; }
	if grep -q '<\([A-Za-z0-9_]*:\)\{0,1\}Ntry[ >]' "$1"; then
		grep -o '<\([A-Za-z0-9_]*:\)\{0,1\}Ntry[ >]' "$1" | wc -l
	elif grep -q '^:61:' "$1"; then
		grep -c '^:61:' "$1"
	else
		wc -l <"$1"
	fi
}

# rows FILE: the rows of a TSV stream, not its header.
rows() {
	[ -s "$1" ] || { echo 0; return; }
	awk 'END { print (NR > 0 ? NR - 1 : 0) }' "$1"
}

# free_name NAME: NAME, or NAME.2.ext, NAME.3.ext... when processed/DATE
# or rejects/DATE holds that name already (a file dropped again the same
# day): nothing there is ever written over.  A rejects file of the name
# without its processed file is a killed run's, made again by the same
# ingest.
free_name() {
	cand=$1 k=1
	while [ -e "$root/processed/$as_of/$cand" ] ||
	    [ -e "$root/rejects/$as_of/$cand" ]; do
		k=$((k + 1))
		case $1 in
		?*.*) cand=${1%.*}.$k.${1##*.} ;;
		*) cand=$1.$k ;;
		esac
		cand=$(short "$cand" 255)
	done
	printf '%s\n' "$cand"
}

# short NAME MAX: NAME, or when longer than MAX bytes (a file name is at
# most 255; a tool writes NAME.rejects.tmp-XXXXXX first), cut and a
# checksum of the whole put before its extension.
short() {
	if [ ${#1} -le "$2" ]; then
		printf '%s\n' "$1"
		return 0
	fi
	sum=$(printf '%s' "$1" | cksum | cut -d' ' -f1)
	ext=
	case $1 in ?*.*) ext=.${1##*.} ;; esac
	[ ${#ext} -le 16 ] || ext=
	printf '%s~%s%s\n' \
	    "$(printf '%s' "$1" | cut -b "1-$(($2 - 12 - ${#ext}))")" "$sum" "$ext"
}

# inbox_scan: what of the inbox no step will take, looked at before any
# is.  A symbolic link (inbox/ itself, a kind's folder, an entry of one)
# fails the client: it could lead anywhere, another client's folder too,
# so nothing is opened, and it is left where it is.  Anything else no
# step takes (a file in inbox/ itself, a folder of another name, a
# folder, FIFO or device in a kind's folder, a name with a control
# character) is left too, named on stderr and in the log, and the client
# has rejects.  Dot names are uploads in progress: passed over silently.
inbox_scan() {
	if [ -h "$inbox" ]; then
		refused inbox
		return 0
	fi
	[ -d "$inbox" ] || return 0
	for e in "$inbox"/*; do
		[ -e "$e" ] || [ -h "$e" ] || continue
		b=${e##*/}
		case $b in
		*[[:cntrl:]]*)
			passed "inbox/$b" "its name has a control character"
			continue ;;
		invoices | open-items | payments | contacts) ;;
		*)
			if [ -h "$e" ]; then
				refused "inbox/$b"
			elif [ -d "$e" ]; then
				passed "inbox/$b" "a folder no step reads (the inbox's are invoices/, open-items/, payments/, contacts/)"
			else
				passed "inbox/$b" "not in one of the inbox's folders invoices/, open-items/, payments/, contacts/"
			fi
			continue ;;
		esac
		if [ -h "$e" ]; then
			refused "inbox/$b"
			continue
		fi
		[ -d "$e" ] || { passed "inbox/$b" "not a folder"; continue; }
		# Where a file is taken to be read (nu6 N2).
		if [ -h "$e/.ingesting" ]; then
			refused "inbox/$b/.ingesting"
			continue
		fi
		for f in "$e"/*; do
			[ -e "$f" ] || [ -h "$f" ] || continue
			n=${f##*/}
			case $n in
			*[[:cntrl:]]*)
				passed "inbox/$b/$n" "its name has a control character" ;;
			*)
				if [ -h "$f" ]; then
					refused "inbox/$b/$n"
				elif [ ! -f "$f" ]; then
					passed "inbox/$b/$n" "not a regular file"
				fi ;;
			esac
		done
	done
}

# visible TEXT: TEXT with its control characters (a newline in a file
# name) as "?", for one line of the log or stderr.
visible() { printf '%s' "$1" | tr '[:cntrl:]' '?'; }

# refused ENTRY: a symbolic link in the inbox fails the client.
refused() {
	status=failed stop=1
	to=$(readlink "$root/$1" 2>/dev/null) && to=" (to $(visible "$to"))"
	m="$(visible "$1"): a symbolic link$to: refused, left in the inbox (put the file itself there)"
	warn "$name: $m"
	log "$(clock) $m"
}

# passed ENTRY WHY: an inbox entry no step takes, left and told.
passed() {
	[ "$status" = failed ] || status=rejects
	m="$(visible "$1"): $2: left in the inbox, not read"
	warn "$name: $m"
	log "$(clock) $m"
}

# ingest STEP SUB COUNT TOOL OPTION...: TOOL on each file of inbox/SUB
# (names sorted; dot files, uploads in progress, skipped), one run each.
# A file is first taken: renamed into inbox/SUB/.ingesting/, and read
# there, so that one renamed into the inbox under its name meanwhile is
# left for the next run, not moved unread; a killed run's files there are
# taken first.  Exit 0 or 1 moves it to processed/DATE/, rejects to
# rejects/DATE/NAME.rejects; anything else puts it back in the inbox and
# fails the client.  COUNT says how its rejected rows are counted: a tool
# name (its -v summary) or "entries" (its rejects file).
ingest() {
	i_step=$1 sub=$2 how=$3
	shift 3
	[ -d "$inbox/$sub" ] || return 0
	held=$inbox/$sub/.ingesting
	for f in "$held"/* "$inbox/$sub"/*; do
		[ "$stop" -eq 0 ] || return 0
		if [ ! -f "$f" ] || [ -h "$f" ]; then continue; fi
		base=${f##*/}
		case $base in *[[:cntrl:]]*) continue ;; esac
		if [ "$f" = "$held/$base" ]; then
			log "$(clock) inbox/$sub/$base: taken by a run that ended before moving it"
		elif [ -e "$held/$base" ]; then
			continue
		elif ! { mkdir -p "$held" && mv "$f" "$held/$base"; }; then
			[ -e "$f" ] || continue
			rc=3
			failed "taking inbox/$sub/$base into inbox/$sub/.ingesting/"
			return 0
		else
			f=$held/$base
		fi
		dest=$(free_name "$base")
		rej=$root/rejects/$as_of/$(short "$dest" 230).rejects
		mkdir -p "$root/rejects/$as_of" || { rc=3; failed "mkdir rejects/$as_of"; return 0; }
		last_arg=$sub/$base
		run "$i_step" "$scratch/out" "$@" --rejects "$rej" "$f"
		last_arg=
		if ! judge "${1##*/} inbox/$sub/$base"; then
			give_back "$f" "$sub" "$base"
			return 0
		fi
		if [ "$how" = entries ]; then
			k=$(entries "$rej")
		else
			k=$(counted "$how")
		fi
		# Exit 1 with no row rejected: the tool refused the file, or a
		# whole statement of it (no header, not events, a statement
		# that does not balance, dates of either order): kept in
		# rejects/DATE/ for a person, counted one rejected.
		if [ "$rc" -eq 1 ] && [ "$k" -eq 0 ] && [ ! -s "$rej" ]; then
			rm -f "$rej"
			refuse_file "${1##*/}" "$f" "$sub" "$base" "$dest" || return 0
			continue
		fi
		rejected=$((rejected + k))
		[ "$k" -eq 0 ] || [ "$status" = failed ] || status=rejects
		[ -s "$rej" ] || rm -f "$rej"
		files=$((files + 1))
		[ "$sub" = payments ] &&
		    receipts=$((receipts + $(awk -F"$tab" '
			NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			$c["kind"] == "receipt" { n++ } END { print n + 0 }' \
			"$scratch/out")))
		if [ "$dry" -eq 1 ]; then
			log "$(clock) dry run: inbox/$sub/$base left where it is"
			continue
		fi
		if mkdir -p "$root/processed/$as_of" &&
		    mv "$f" "$root/processed/$as_of/$dest"; then
			log "$(clock) moved to processed/$as_of/$dest"
		else
			rc=3
			failed "moving inbox/$sub/$base to processed/$as_of/$dest"
			give_back "$f" "$sub" "$base"
			return 0
		fi
	done
	rmdir "$held" 2>/dev/null
	return 0
}

# refuse_file TOOL FILE SUB BASE DEST: FILE, which TOOL refused (exit 1,
# nothing rejected row by row), moved to rejects/DATE/DEST and told.
refuse_file() {
	rejected=$((rejected + 1))
	[ "$status" = failed ] || status=rejects
	why=$(awk -v p="$1: " 'index($0, p) == 1 &&
	    / [0-9]+ (rows?|events?): / { next } { print ": " $0; exit }' \
	    "$scratch/err")
	if [ "$dry" -eq 1 ]; then
		log "$(clock) dry run: inbox/$3/$4, refused by $1, left where it is"
		give_back "$2" "$3" "$4"
		return 0
	fi
	if ! mv "$2" "$root/rejects/$as_of/$5"; then
		rc=3
		failed "moving inbox/$3/$4 to rejects/$as_of/$5"
		give_back "$2" "$3" "$4"
		return 1
	fi
	m="inbox/$3/$4: refused by $1, not row by row: moved to rejects/$as_of/$5 for a person"
	warn "$name: $(visible "$m")$(visible "$why")"
	log "$(clock) $m"
	return 0
}

# give_back FILE SUB BASE: a file taken but not ingested back into
# inbox/SUB as BASE, unless a newer file of that name is there: then it
# stays taken, and the next run tries it first.
give_back() {
	if ln "$1" "$inbox/$2/$3" 2>/dev/null; then
		rm -f "$1"
	elif [ ! -e "$inbox/$2/$3" ] && mv "$1" "$inbox/$2/$3"; then
		:
	else
		log "$(clock) inbox/$2/$3: kept in inbox/$2/.ingesting/ (the inbox has a newer file of its name): the next run tries it first"
		return 0
	fi
	rmdir "$inbox/$2/.ingesting" 2>/dev/null
	return 0
}

# new_rejects FILE K: how many of the K plan rows emit-letters rejected
# (FILE: those rows) were not rejected on the client's night before (the
# latest plans/DATE.tsv before this day's) for the same debtor, step and
# channel: a debtor with no phone number to call is rejected again each
# night until someone adds one, told once (the night it is new), not
# nightly; rejected still counts every row.
new_rejects() {
	prev=$(for p in "$cdir/plans"/*.tsv; do
		p=${p##*/}
		printf '%s\n' "${p%.tsv}"
	done | awk -v d="$as_of" '
	/^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/ && $0 < d && $0 > p { p = $0 }
	END { print p }')
	old=/dev/null
	[ -z "$prev" ] || [ ! -f "$cdir/rejects/$prev/emit-letters.rejects" ] ||
	    old=$cdir/rejects/$prev/emit-letters.rejects
	awk -F"$tab" -v k="$2" '
	FNR == 1 { split("", c); for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ key = $c["debtor_id"] FS $c["step"] FS $c["channel"] }
	FILENAME == ARGV[1] { seen[key] = 1; next }
	{ rows++; if (!(key in seen)) n++ }
	END { print n + (k > rows ? k - rows : 0) }' "$old" "$1" 2>/dev/null ||
	    echo "$2"
}

# place FROM TO: a finished output renamed into place (same file system).
place() {
	mkdir -p "${2%/*}" && mv -f "$1" "$2" && return 0
	rc=3
	failed "renaming ${1##*/} to $2"
	return 1
}

# ---- one client ---------------------------------------------------------------
summary_header="client${tab}as_of${tab}status${tab}files${tab}rejected${tab}receipts${tab}allocated${tab}planned${tab}emitted${tab}seconds"
header_done=0
summary() {
	[ "$tty" -eq 1 ] && printf '\r\033[K' >&2
	if [ "$quiet" -eq 1 ] && [ "$status" = ok ]; then
		return 0
	fi
	if [ "$header_done" -eq 0 ]; then
		printf '%s\n' "$summary_header"
		header_done=1
	fi
	printf '%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n' "$name" "$as_of" \
	    "$status" "$files" "$rejected" "$receipts" "$allocated" \
	    "$planned" "$emitted" "$(($(now) - started))"
}

# rank: the run's exit status, the worst client's: ok 0, rejects 1,
# locked 75, failed 3; a failure outranks a lock, which is only "try
# again later".
worst=0 worst_rank=0 of=
rank() {
	case $status in
	ok) st=0 r=0 ;;
	rejects) st=1 r=1 ;;
	locked) st=75 r=2 ;;
	failed) st=3 r=3 ;;
	esac
	[ "$r" -le "$worst_rank" ] || { worst=$st worst_rank=$r; }
}

# stale_copies: the copies of killed dry runs (their .pid a process no
# longer running) removed: each holds a client's state, personal data,
# which must not stay in TMPDIR for good.  One whose run is alive, or
# another user's, is left.
stale_copies() {
	for x in "${TMPDIR:-/tmp}"/creditkit-nightly.*/; do
		[ -f "$x.pid" ] || continue
		p=$(sed -n 1p "$x.pid" 2>/dev/null)
		case $p in '' | *[!0-9]*) continue ;; esac
		kill -0 "$p" 2>/dev/null && continue
		rm -rf "${x%/}" 2>/dev/null &&
		    log "$(clock) removed ${x%/}, a killed dry run's copy"
	done
}

dryroot=
cleanup() {
	[ -z "$dryroot" ] || rm -rf "$dryroot"
	dryroot=
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 129' HUP
trap 'exit 143' TERM

# config_id FILE: the client.id a config names, read as the tools write
# it (a "client:" section with an "id:" key, or "client: {id: ...}");
# empty when it names none.
config_id() {
	awk '
	/^client:[ \t]*\{/ {
		if (match($0, /[{ ,]id:[ \t]*["\047]?[A-Za-z0-9_-]+/)) {
			v = substr($0, RSTART, RLENGTH)
			sub(/^[{ ,]id:[ \t]*["\047]?/, "", v)
			print v
		}
		exit
	}
	/^[^ \t#]/ { in_client = ($0 ~ /^client:[ \t]*(#.*)?$/); next }
	in_client && /^[ \t]+id:/ {
		v = $0
		sub(/^[ \t]+id:[ \t]*["\047]?/, "", v)
		if (match(v, /^[A-Za-z0-9_-]+/)) print substr(v, 1, RLENGTH)
		exit
	}' "$1" 2>/dev/null
}

# not_client DIR: why DIR cannot be run as a client (empty: it can).
not_client() {
	if [ ! -d "$1" ]; then
		echo "no such directory"
	elif [ -h "$1/client.yaml" ] && [ ! -e "$1/client.yaml" ]; then
		echo "client.yaml is a link to nothing"
	elif [ ! -e "$1/client.yaml" ]; then
		if [ -e "$1/client.yml" ]; then
			echo "no client.yaml (there is a client.yml: name it client.yaml)"
		else
			echo "no client.yaml (not a client directory)"
		fi
	elif [ ! -f "$1/client.yaml" ]; then
		echo "client.yaml is not a regular file"
	elif [ ! -s "$1/client.yaml" ]; then
		echo "client.yaml is empty"
	fi
}

# looks_client DIR: whether DIR, without a usable client.yaml, still looks
# like a client's (a config by another name, its state, inbox, logs...):
# under --all such a directory fails rather than being passed over.
looks_client() {
	for x in client.yaml client.yml state.db inbox processed outbox plans \
	    logs .lock; do
		[ ! -e "$1/$x" ] && [ ! -h "$1/$x" ] || return 0
	done
	return 1
}

# ids: "ID<tab>NAME" of each client of the run, for same_id.
ids=
# same_id ID NAME: the other clients of the run whose config names ID.
same_id() {
	printf '%s\n' "$ids" | awk -F"$tab" -v id="$1" -v me="$2" '
	$1 == id && $2 != me { s = s (s == "" ? "" : ", ") $2 }
	END { print s }'
}

# last_night DIR: the latest DATE of DIR/plans/DATE.tsv (empty: none).
last_night() {
	for p in "$1"/plans/*.tsv; do
		b=${p##*/}
		b=${b%.tsv}
		valid_date "$b" && printf '%s\n' "$b"
	done | sort | tail -n 1
}

client() {
	dir=$1
	case $dir in -*) dir=./$dir ;; esac
	name=${dir%/}
	name=${name##*/}
	status=ok stop=0 files=0 rejected=0 receipts=0 allocated=0 planned=0
	emitted=0 started=$(now) rc=0 last_arg='' log=/dev/null scratch=''
	killed_day=
	why=$(not_client "$dir")
	if [ -n "$why" ]; then
		status=failed
		warn "$name: $dir: $why"
		summary
		return
	fi
	# No client.id: the folder's name is the id, as the tools take it.
	cid=$(config_id "$dir/client.yaml")
	[ -n "$cid" ] || cid=$name
	others=$(same_id "$cid" "$name")
	if [ -n "$others" ]; then
		status=failed
		warn "$name: $dir/client.yaml: client.id \"$cid\" is also that of $others (a copied client.yaml? each client's id is its own): none of them is run"
		summary
		return
	fi
	cdir=$(cd "$dir" && pwd) || { status=failed; summary; return; }
	name=${cdir##*/}
	# What the run writes must be the client's own: a link there (to
	# another client's processed/ or logs/) is never followed (nu6 N2).
	for x in logs .lock .running .nightly processed rejects outbox plans \
	    reports exports "logs/$as_of.log" "processed/$as_of" \
	    "rejects/$as_of" "outbox/$as_of" "outbox/$as_of.emitted.tsv" \
	    "plans/$as_of.tsv" "reports/$as_of.tsv" "reports/$as_of.html" \
	    "exports/$as_of"; do
		if [ -h "$cdir/$x" ]; then
			status=failed
			warn "$name: $cdir/$x: a symbolic link: refused (the run writes only into the client's own folders)"
			summary
			return
		fi
	done
	if ! mkdir -p "$cdir/logs" || ! command exec 9>>"$cdir/.lock"; then
		status=failed
		warn "$name: cannot make $cdir/logs or $cdir/.lock"
		summary
		return
	fi
	if [ -n "$wait" ]; then
		flock -w "$wait" 9
	else
		flock -n 9
	fi || {
		exec 9>&-
		status=locked
		summary
		return
	}
	log=$cdir/logs/$as_of.log
	if [ "$dry" -eq 1 ]; then
		log "$(date -u +%Y-%m-%dT%H:%M:%SZ) $prog $$: $name as of $as_of, dry run"
		stale_copies
		dryroot=$(mktemp -d "${TMPDIR:-/tmp}/creditkit-nightly.XXXXXX") || {
			rc=3; failed "mktemp"; exec 9>&-; summary; return
		}
		printf '%s\n' "$$" >"$dryroot/.pid"
		root=$dryroot inbox=$dryroot/inbox db=$dryroot/state.db
		scratch=$dryroot/.nightly
		# A copy taken under the lock: the state with its -wal (the
		# -shm is rebuilt), the inbox as it is now, the day's send list.
		ok=1
		mkdir "$scratch" || ok=0
		for x in state.db state.db-wal; do
			[ ! -f "$cdir/$x" ] || cp -p "$cdir/$x" "$dryroot/$x" || ok=0
		done
		[ ! -d "$cdir/inbox" ] || cp -Rp "$cdir/inbox" "$dryroot/" || ok=0
		# The day's send list, which the run adds to.
		x=$cdir/outbox/$as_of.emitted.tsv
		[ ! -f "$x" ] || { mkdir -p "$dryroot/outbox" &&
		    cp -p "$x" "$dryroot/outbox/"; } || ok=0
		exec 9>&-
		[ "$ok" -eq 1 ] || { rc=3; failed "copying the state and inbox to $dryroot"; }
		log "$(clock) state and inbox copied to $dryroot; lock released"
	else
		log "$(date -u +%Y-%m-%dT%H:%M:%SZ) $prog $$: $name as of $as_of"
		# A night before the client's last (plans/DATE.tsv) would not
		# see what was sent since, and would send it again: refused
		# before anything is read (nu6 D23); a dry run may look back.
		last=$(last_night "$cdir") early=0
		if [ -n "$last" ] && [ "$(printf '%s' "$last" | tr -d -)" -gt \
		    "$(printf '%s' "$as_of" | tr -d -)" ]; then
			rc=3 early=1
			failed "the client's last night was $last, after $as_of: an earlier night would send again what was sent since (--dry-run runs it)"
		fi
		root=$cdir inbox=$cdir/inbox db=$cdir/state.db
		scratch=$cdir/.nightly
		rm -rf "$scratch"
		mkdir "$scratch" || { rc=3; failed "making $scratch"; }
		# .running: the day of the run under way, removed at its
		# end; found at the start, a run was killed.
		killed_day=
		# (A refused night leaves a killed run's .running as it was.)
		if [ "$early" -eq 1 ]; then
			:
		elif [ -f "$cdir/.running" ]; then
			killed_day=$(sed -n 1p "$cdir/.running")
			valid_date "$killed_day" || killed_day=
		fi
		[ "$early" -eq 1 ] || printf '%s\n' "$as_of" >"$cdir/.running" ||
		    { rc=3; failed "writing $cdir/.running"; }
	fi
	[ "$stop" -eq 1 ] || cycle
	[ -d "$root/rejects/$as_of" ] && rmdir "$root/rejects/$as_of" 2>/dev/null
	[ -d "$root/rejects" ] && rmdir "$root/rejects" 2>/dev/null
	if [ "$dry" -eq 1 ]; then
		cleanup
	else
		rm -rf "$scratch"
		[ "$early" -eq 1 ] || rm -f "$cdir/.running"
	fi
	log "$(clock) end: $status, $files files, $rejected rejected, $receipts receipts, $allocated allocated, $planned planned, $emitted emitted"
	exec 9>&-
	summary
}

cycle() {
	# A run of this client killed: its day's list of what was emitted
	# is completed from the state first.
	if [ -n "$killed_day" ]; then
		log "$(clock) the run of $killed_day did not end: checking what it emitted"
		reconcile 0 "$killed_day" || return 0
	fi

	# 1-3: the inbox, each kind in its order.
	inbox_scan
	[ "$stop" -eq 0 ] || return 0
	# -q: no item stream (and no line, but on a terminal).
	ingest 1 invoices ingest-invoices "$tool_ingest_invoices" ${q:+-q} -v
	ingest 1 open-items ingest-invoices "$tool_ingest_invoices" ${q:+-q} -v \
	    --snapshot
	ingest 2 payments entries "$tool_ingest_payments"
	[ "$stop" -eq 0 ] || return 0
	if [ ! -f "$db" ]; then
		log "$(clock) no state file yet (nothing ingested): nothing to plan"
		return 0
	fi
	run 2 "$scratch/allocations.tsv" "$tool_allocate_payments" -v
	judge allocate-payments || return 0
	allocated=$(sed -n 's/^allocate-payments: \([0-9]*\) allocated, .*/\1/p' \
	    "$scratch/err" | tail -n 1)
	allocated=${allocated:-0}
	ingest 3 contacts log-contact "$tool_log_contact" -v
	[ "$stop" -eq 0 ] || return 0

	# 4: the plan, through files so that each failure is seen.
	rates=
	[ ! -f "$cdir/rates.tsv" ] || rates=$cdir/rates.tsv
	run 4 "$scratch/aged.tsv" "$tool_age_ledger" --state --by item
	judge age-ledger || return 0
	run 4 "$scratch/scored.tsv" "$tool_score_debtor" "$scratch/aged.tsv"
	judge score-debtor || return 0
	mkdir -p "$root/rejects/$as_of"
	rej=$root/rejects/$as_of/build-chasepath.rejects
	run 4 "$scratch/plan.tsv" "$tool_build_chasepath" --rejects "$rej" \
	    "$scratch/scored.tsv"
	judge build-chasepath || return 0
	k=$(rows "$rej")
	rejected=$((rejected + k))
	[ "$k" -eq 0 ] || status=rejects
	[ -s "$rej" ] || rm -f "$rej"
	planned=$(rows "$scratch/plan.tsv")
	plan=$root/plans/$as_of.tsv
	place "$scratch/plan.tsv" "$plan" || return 0

	# 5: emit.  The day's emitted.tsv keeps every run's rows: a second
	# run the same day adds what it sent (nothing, when nothing is new).
	mkdir -p "$root/outbox"
	rej=$root/rejects/$as_of/emit-letters.rejects
	run 5 "$scratch/emitted.tsv" "$tool_emit_letters" \
	    --outbox "$root/outbox" --rejects "$rej" -v "$plan"
	was=$status
	judge emit-letters || return 0
	# Its exit 1 is judged here: only rows not rejected the night
	# before too make the night "rejects".
	status=$was
	k=$(counted emit-letters)
	rejected=$((rejected + k))
	if [ "$k" -gt 0 ]; then
		n=$(new_rejects "$rej" "$k")
		if [ "$n" -gt 0 ]; then
			status=rejects
		else
			log "$(clock) emit-letters: the $k rows rejected were all rejected the night before too (the same debtor, step and channel): no new rejects"
		fi
	fi
	[ -s "$rej" ] || rm -f "$rej"
	emitted=$(rows "$scratch/emitted.tsv")
	out=$root/outbox/$as_of.emitted.tsv
	if [ -s "$out" ]; then
		sed 1d "$scratch/emitted.tsv" >>"$out" || { rc=3; failed "appending to $out"; return 0; }
	else
		place "$scratch/emitted.tsv" "$out" || return 0
	fi
	reconcile 5 "$as_of" || return 0

	# 6: the KPIs, the last twelve months, this one to date.
	# $periods and $rates are lists of words without blanks.
	# shellcheck disable=SC2086
	run 6 "$scratch/kpi.tsv" "$tool_kpi_report" $periods \
	    ${rates:+--rates "$rates"} --html "$scratch/kpi.html"
	judge kpi-report || return 0
	place "$scratch/kpi.tsv" "$root/reports/$as_of.tsv" || return 0
	place "$scratch/kpi.html" "$root/reports/$as_of.html" || return 0

	# 7: the export back to the client's system, when the tool is there.
	if [ -z "$tool_export_client" ]; then
		log "$(clock) step 7: export-client not found: skipped"
		return 0
	fi
	# What happened since the client's previous night: from the day
	# after the latest exports/DATE before this one (all of it on the
	# first night), so no night rewrites the whole history; made in
	# .nightly/ and renamed into place, whole.
	since=$(for e in "$cdir/exports"/*/; do
		e=${e%/}
		printf '%s\n' "${e##*/}"
	done | awk -v d="$as_of" '
	/^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/ && $0 < d && $0 > p { p = $0 }
	END {
		if (p == "") exit
		y = substr(p, 1, 4) + 0; m = substr(p, 6, 2) + 0
		n = substr(p, 9, 2) + 0
		split("31 28 31 30 31 30 31 31 30 31 30 31", len, " ")
		if (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) len[2] = 29
		if (++n > len[m]) { n = 1; if (++m > 12) { m = 1; y++ } }
		printf "%04d-%02d-%02d\n", y, m, n
	}')
	rm -rf "$scratch/export"
	mkdir "$scratch/export" || { rc=3; failed "mkdir $scratch/export"; return 0; }
	run 7 "$scratch/out" "$tool_export_client" ${since:+--since "$since"} \
	    --dir "$scratch/export"
	judge export-client || return 0
	ex=$root/exports/$as_of
	if ! { mkdir -p "$root/exports" && rm -rf "$root/exports/.old" &&
	    { [ ! -d "$ex" ] || mv "$ex" "$root/exports/.old"; } &&
	    mv "$scratch/export" "$ex"; }; then
		rc=3
		failed "renaming the export to $ex"
		return 0
	fi
	rm -rf "$root/exports/.old"
}

# ---- the run ------------------------------------------------------------------
tty=0 q=-q
if [ -t 2 ] && [ "$quiet" -eq 0 ]; then
	tty=1 q=
	CREDITKIT_PROGRESS_FD=3
	export CREDITKIT_PROGRESS_FD
fi
if [ "$all" -eq 1 ]; then
	# The bureau's clients: a directory with a client.yaml, or one that
	# looks like a client's without one (it fails, told).
	for d in "$bureau"/*/; do
		d=${d%/}
		case ${d##*/} in
		.* | _*) continue ;;
		esac
		looks_client "$d" && set -- "$@" "$d"
	done
	if [ $# -eq 0 ]; then
		[ "$quiet" -eq 1 ] || printf '%s\n' "$summary_header"
		die 3 "--all: no client in $bureau (no folder with a client.yaml)"
	fi
fi
[ "$quiet" -eq 1 ] || { printf '%s\n' "$summary_header"; header_done=1; }
# Each client's id, so that two clients with one id are both refused.
for d; do
	[ -f "$d/client.yaml" ] || continue
	n=${d%/}
	n=${n##*/}
	i=$(config_id "$d/client.yaml")
	ids="$ids${i:-$n}$tab$n
"
done
nth=0
for d; do
	nth=$((nth + 1))
	of=
	[ $# -le 1 ] || of=" ($nth of $#)"
	client "$d"
	rank
done
exit "$worst"
