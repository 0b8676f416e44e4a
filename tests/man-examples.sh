#!/bin/sh
# man-examples: prints, each followed by a line "#--", the commands of the EXAMPLES section
# of each man page named, so a test can run them as the pages show them.
# A command is a ".Dl" line, or in a literal display a line after "$ "
# with the indented lines that continue it; a display with no "$ " at all
# is commands throughout.  Lines after a "$ " command that are not
# indented are its output and are left out.  mandoc's \e becomes \.
#   sh tests/man-examples.sh man/man1/age-ledger.1 ...
set -eu
for page in "$@"; do
	awk '
	/^\.Sh / { ex = ($2 == "EXAMPLES"); next }
	!ex { next }
	/^\.Dl / { flush(); cmd = substr($0, 5); flush(); next }
	/^\.Bd -literal/ { inbd = 1; n = 0; dollar = 0; next }
	/^\.Ed/ {
		if (!dollar)
			for (i = 1; i <= n; i++)
				add(line[i], line[i] ~ /^[ \t]/)
		flush(); inbd = 0; next
	}
	!inbd { next }
	/^\$ / { dollar = 1; flush(); cmd = substr($0, 3); next }
	/^[ \t]/ && cmd != "" { cmd = cmd "\n" $0; next }
	{ if (dollar) flush(); line[++n] = $0 }
	function add(s, cont) {
		if (cont && cmd != "") cmd = cmd "\n" s
		else { flush(); cmd = s }
	}
	function flush() { if (cmd != "") print unesc(cmd) "\n#--"; cmd = "" }
	function unesc(s) { gsub(/\\e/, "\\", s); return s }
	END { flush() }
	' "$page"
done
