#!/bin/sh
# deps: installs the Debian packages creditkit needs to build and test,
# when they are missing ("sh mk/deps.sh fuzz" adds clang for make fuzz).  As root it runs apt-get; otherwise it prints the
# exact command and stops.  It downloads nothing else.
set -u

missing=""
need() {	# need PACKAGE TEST...
	pkg=$1; shift
	"$@" >/dev/null 2>&1 || missing="$missing $pkg"
}
has_header() { [ -f "/usr/include/$1" ]; }

need make            command -v make
need gcc             command -v cc
need pkg-config      command -v pkg-config
need libcsv-dev      has_header csv.h
need libsqlite3-dev  has_header sqlite3.h
need libxml2-dev     has_header libxml2/libxml/parser.h
need libyaml-dev     has_header yaml.h
need sqlite3         command -v sqlite3
need libxml2-utils   command -v xmllint
need mandoc          command -v mandoc
need jq              command -v jq	# the camt oracle of the tests
# make fuzz: libFuzzer comes with clang.
if [ "${1:-}" = fuzz ]; then
	need clang           command -v clang
fi

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "creditkit needs:$missing" >&2
	echo "install them with:  sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists of a fresh machine may be empty or stale.
apt-get update -qq >&2 || exit 1
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2 || exit 1
