# lib.sh: sourced by the build-chasepath cases.  seed makes an empty
# state (ingest-invoices on a header-only export); debtor adds a debtor,
# invoice an open item, act records what emit-letters would record for a
# plan row (an action and its action_item rows), walk runs the plan day
# by day and records each planned row as done, as the daily cycle does.
seed() {
	ingest-invoices -q "$CK_DATA/aging/empty.csv" || exit 99
}

db() {
	sqlite3 -bail "${CREDITKIT_DB:-creditkit.db}" "$@" || exit 99
}

# debtor REF [TYPE [SEGMENT [CHASE_PATH [TIME_ZONE]]]]
debtor() {
	db "INSERT INTO debtor (ref, name, type, segment, chase_path,
	    time_zone) VALUES ('$1', '$1 Ltd', '${2:-business}',
	    nullif('${3:-}', ''), nullif('${4:-}', ''), nullif('${5:-}', ''))"
}

# invoice DEBTOR DOC DUE MINOR [CURRENCY [DOC_TYPE [IN_QUERY]]]
invoice() {
	db "INSERT INTO item (debtor_id, issue_date, due_date, amount,
	    open_amount, currency, doc_type, doc_id, row_hash, batch_id,
	    in_query) VALUES ((SELECT id FROM debtor WHERE ref = '$1'),
	    strftime('%s', '$3') / 86400 - 30, strftime('%s', '$3') / 86400,
	    $4, $4, '${5:-GBP}', '${6:-invoice}', '$2', 'h', 1, ${7:-0})"
}

# act DEBTOR DAY STEP CHANNEL DOC_IDS (comma-separated; action_item rows)
act() {
	db "INSERT INTO action (debtor_id, as_of, path, step, channel,
	    currency, created_at) VALUES ((SELECT id FROM debtor WHERE ref =
	    '$1'), strftime('%s', '$2') / 86400, 'default', '$3', '$4', 'GBP',
	    '$2T00:00:00Z');
	    INSERT INTO action_item (action_id, item_id) SELECT (SELECT max(id) FROM action), id FROM item
	    WHERE ',' || '$5' || ',' LIKE '%,' || doc_id || ',%'"
}

# query DEBTOR DOC OPENED [CLOSED]
query() {
	db "INSERT INTO query (debtor_id, reason, opened, closed) VALUES
	    ((SELECT id FROM debtor WHERE ref = '$1'), 'price',
	    strftime('%s', '$3') / 86400,
	    strftime('%s', nullif('${4:-}', '')) / 86400);
	    INSERT INTO query_item SELECT last_insert_rowid(), id FROM item
	    WHERE doc_id = '$2'"
}

# walk FROM TO [build-chasepath options]: one run a business day (or
# every day with WALK_EVERY_DAY=1), the rows planned printed as
# "day step channel reason doc_ids", each recorded as done.
walk() {
	from=$1 to=$2
	shift 2
	day=$from
	while [ "$day" != "$(date -u -d "$to + 1 day" +%F)" ]; do
		wd=$(date -u -d "$day" +%u)
		if [ "${WALK_EVERY_DAY:-0}" = 1 ] || [ "$wd" -lt 6 ]; then
			build-chasepath --as-of "$day" "$@" >plan.tsv ||
			    echo "$day: exit $?"
			awk -F'\t' -v day="$day" 'NR > 1 { print day, $1, $4,
			    $5, $11, $7 }' plan.tsv
			awk -F'\t' 'NR > 1 { print $1 "|" $4 "|" $5 "|" $7 }' \
			    plan.tsv | while IFS='|' read -r d s c docs; do
				act "$d" "$day" "$s" "$c" "$docs"
			done
		fi
		day=$(date -u -d "$day + 1 day" +%F)
	done
}

tsv() {
	tr '|' '\t'
}

# promise DEBTOR MADE_ON DUE MINOR [GRACE]
promise() {
	db "INSERT INTO promise (debtor_id, made_on, amount, currency,
	    due_date, grace_days) VALUES ((SELECT id FROM debtor WHERE ref =
	    '$1'), strftime('%s', '$2') / 86400, $4, 'GBP',
	    strftime('%s', '$3') / 86400, ${5:-3})"
}

# pay DEBTOR VALUE_DATE MINOR: a receipt assigned to the debtor (its
# cash, which promises and plans are judged by).
pay() {
	db "INSERT INTO payment (entry_key, batch_id, value_date, currency,
	    amount, kind, debtor_id, unallocated) VALUES ('P-$1-$2', 1,
	    strftime('%s', '$2') / 86400, 'GBP', $3, 'receipt',
	    (SELECT id FROM debtor WHERE ref = '$1'), 0)"
}

# plan DEBTOR CREATED GRACE DUE:MINOR ...
plan() {
	ref=$1 created=$2 grace=$3
	shift 3
	total=0
	for i in "$@"; do total=$((total + ${i#*:})); done
	db "INSERT INTO plan (debtor_id, total, currency, created,
	    grace_days) VALUES ((SELECT id FROM debtor WHERE ref = '$ref'),
	    $total, 'GBP', strftime('%s', '$created') / 86400, $grace)"
	seq=1
	for i in "$@"; do
		db "INSERT INTO instalment VALUES ((SELECT max(id) FROM plan),
		    $seq, strftime('%s', '${i%:*}') / 86400, ${i#*:})"
		seq=$((seq + 1))
	done
}

# hold DEBTOR KIND START [END [RELEASED]]
hold() {
	db "INSERT INTO hold (debtor_id, kind, start_date, end_date,
	    released) VALUES ((SELECT id FROM debtor WHERE ref = '$1'), '$2',
	    strftime('%s', '$3') / 86400,
	    strftime('%s', nullif('${4:-}', '')) / 86400,
	    strftime('%s', nullif('${5:-}', '')) / 86400)"
}

# settle DOC DAY MINOR: a settlement of the item on that day (closed when
# nothing is left), as allocate-payments records one.
settle() {
	db "INSERT INTO settlement (item_id, date, amount, kind) SELECT id,
	    strftime('%s', '$2') / 86400, $3, 'allocation' FROM item WHERE
	    doc_id = '$1';
	    UPDATE item SET open_amount = open_amount - $3,
	    closed_date = CASE WHEN open_amount - $3 = 0 THEN
	    strftime('%s', '$2') / 86400 END WHERE doc_id = '$1'"
}
