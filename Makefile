# creditkit: build, test, bench, demo, install.
#
#   make            build the tools into build/bin
#   make check      install missing build dependencies (as root), then run
#                   every test, plain and under ASan+UBSan
#   make demo       a bureau's nightly run for the two example clients
#   make demo-real  the same on the public AR sample (../shared/data/real)
#   make bench      speed against sqlite3, awk and Miller (not a test)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BUILD  ?= build
CC     ?= cc

PKGS      = sqlite3 libxml-2.0 yaml-0.1
WARN      = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wvla -Wwrite-strings
OPT      ?= -O2 -g
SAN_FLAGS =
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(OPT) $(SAN_FLAGS) \
             -Ilib $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)
LIBS      = $(PKG_LIBS) -lcsv -lm

LIB_SRC   = $(wildcard lib/*.c)
LIB_OBJ   = $(LIB_SRC:lib/%.c=$(BUILD)/lib/%.o)
LIB_A     = $(BUILD)/libcreditkit.a
TOOL_SRC  = $(wildcard bin/*.c)
TOOLS     = $(TOOL_SRC:bin/%.c=$(BUILD)/bin/%)
SCRIPTS   = $(wildcard bin/*.sh)
UNIT_SRC  = $(wildcard tests/unit/test_*.c)
UNITS     = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC  = $(wildcard tests/fuzz/fuzz_*.c)
HEADERS   = $(wildcard lib/*.h)

.PHONY: all tools deps check test test-plain test-san fuzz bench demo \
        demo-real install lint clean

all: tools $(UNITS)

# The tools alone (what the demos and install need), without the tests.
tools: $(TOOLS) $(SCRIPTS:bin/%.sh=$(BUILD)/bin/%)

$(BUILD)/lib/%.o: lib/%.c $(HEADERS) | $(BUILD)/lib
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(BUILD)/bin/%: bin/%.c $(LIB_A) $(HEADERS) | $(BUILD)/bin
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_A) $(ALL_LDFLAGS) $(LIBS)

$(BUILD)/bin/%: bin/%.sh | $(BUILD)/bin
	cp $< $@ && chmod +x $@

$(BUILD)/tests/%: tests/unit/%.c tests/unit/t.h $(LIB_A) $(HEADERS) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIB_A) $(ALL_LDFLAGS) $(LIBS)

$(BUILD)/lib $(BUILD)/bin $(BUILD)/tests:
	mkdir -p $@

deps:
	@sh mk/deps.sh

# One run of every test, plain, then again under the sanitizers; the last
# line is "N passed, N failed" and any failure makes the exit non-zero.
check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory BUILD=build-san OPT="-O1 -g" \
	    SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" all
	@sh tests/run.sh build build-san

test: all
	@sh tests/run.sh $(BUILD)

fuzz:
	@sh mk/deps.sh fuzz
	@sh tests/fuzz/run.sh $(FUZZ_SEC)

bench: deps
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh $(BUILD) $(ROWS)

# The demos build the tools only, a job per core, so that a fresh
# machine runs `make demo` in well under a minute.
DEMO_JOBS = -j$$(nproc 2>/dev/null || echo 2)

demo: deps
	@$(MAKE) --no-print-directory $(DEMO_JOBS) tools
	@sh examples/demo.sh $(BUILD)

# CK_REAL=DIR names the folder of the public data (default
# ../shared/data/real); where it is absent the target says so and passes.
demo-real: deps
	@$(MAKE) --no-print-directory $(DEMO_JOBS) tools
	@sh examples/demo-real.sh $(BUILD)

lint: all
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --suppress=missingIncludeSystem -Ilib lib bin
	mandoc -Tlint -Wwarning man/man1/*.1 man/man5/*.5 man/man7/*.7
	shellcheck mk/deps.sh tests/*.sh tests/fuzz/run.sh bench/run.sh examples/demo.sh \
	    examples/demo-real.sh .ci/run $(SCRIPTS)

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	cp $(TOOLS) $(SCRIPTS:bin/%.sh=$(BUILD)/bin/%) $(DESTDIR)$(BINDIR)/
	cp man/man1/*.1 $(DESTDIR)$(MANDIR)/man1/
	cp man/man5/*.5 $(DESTDIR)$(MANDIR)/man5/
	cp man/man7/*.7 $(DESTDIR)$(MANDIR)/man7/

clean:
	rm -rf build build-san build-fuzz
