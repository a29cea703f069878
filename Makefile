# zmcsync: sync ZMC alarms into Prometheus Alertmanager.
# Plain make: `make`, `make check`, `make demo`, `make bench`, `make install`.

VERSION	 = 0.1.0
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/zmcsync
SYSCONFDIR ?= /etc/zmcsync
STATEDIR ?= /var/lib/zmcsync
# systemd, sysusers.d, tmpfiles.d and bash-completion look under both /usr
# and /usr/local; Debian 12's systemd units live in /lib/systemd/system.
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR	?=

CC	?= cc
PKGS	 = libcurl json-c odbc sqlite3
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	   -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
	   $(shell pkg-config --cflags $(PKGS)) -I/usr/include/iniparser \
	   -DZMCSYNC_VERSION='"$(VERSION)"' \
	   -DZMCSYNC_SYSCONFDIR='"$(SYSCONFDIR)"' \
	   -DZMCSYNC_STATEDIR='"$(STATEDIR)"' \
	   -DZMCSYNC_DATADIR='"$(DATADIR)"'
LDLIBS	+= $(shell pkg-config --libs $(PKGS)) -liniparser
# Extra flags for both compiling and linking (the sanitizer build sets them).
SANFLAGS ?=
CFLAGS	+= $(SANFLAGS)
LDFLAGS	+= $(SANFLAGS)

BUILD	?= build
SRCS	 = $(sort $(wildcard src/*.c)) $(BUILD)/sqlfiles.c
OBJS	 = $(patsubst %.c,$(BUILD)/%.o,$(notdir $(SRCS)))
# Unit tests and drivers link the modules, not the commands (main, cmd, cmd_*).
LIBOBJS	 = $(filter-out $(BUILD)/main.o $(BUILD)/cmd.o $(BUILD)/cmd_%.o,$(OBJS))
SQLFILES = $(sort $(wildcard sql/*/*.sql))
UNITSRC	 = $(sort $(wildcard test/unit/test_*.c))
UNITBIN	 = $(patsubst test/unit/%.c,$(BUILD)/%,$(UNITSRC))
# Helper programs the end-to-end tests run.
TESTBIN	 = $(BUILD)/freeport $(patsubst test/%.c,$(BUILD)/%,$(wildcard test/*_driver.c))

all: $(BUILD)/zmcsync $(BUILD)/zmcsync.1 $(BUILD)/zmcsync.conf.5

$(BUILD):
	mkdir -p $(BUILD)

$(BUILD)/%.o: src/%.c src/*.h | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Isrc -c -o $@ $<

# The SQL scripts are compiled in, so the binary never depends on where
# share/ was installed.
$(BUILD)/sqlfiles.c: $(SQLFILES) scripts/embed-sql | $(BUILD)
	sh scripts/embed-sql $(SQLFILES) > $@.tmp && mv $@.tmp $@

$(BUILD)/sqlfiles.o: $(BUILD)/sqlfiles.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -Isrc -c -o $@ $<

$(BUILD)/zmcsync: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(BUILD)/test_%: test/unit/test_%.c test/unit/t.h $(LIBOBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -Isrc -Itest/unit -o $@ $< $(LIBOBJS) $(LDLIBS)

$(BUILD)/%_driver: test/%_driver.c $(LIBOBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -Isrc -Itest/unit -o $@ $< $(LIBOBJS) $(LDLIBS)

$(BUILD)/freeport: test/freeport.c | $(BUILD)
	$(CC) $(CFLAGS) -o $@ $<

# Man pages get the built-in paths substituted.
$(BUILD)/%: man/% | $(BUILD)
	$(MANSED) $< > $@

unit: $(UNITBIN)

testbin: $(TESTBIN)

# The whole suite: unit tests, then end-to-end tests against real
# Alertmanager / SQLite ODBC / PostgreSQL / node_exporter, then the same
# under AddressSanitizer+UBSan.  T selects test files by name or kind
# (`make check-fast T=t_run`, `T="test_metrics t_textfile"`, `T=unit`);
# T_BACKEND=sqlite|postgresql and T_VERBOSE=1 pass through (see test/run).
# `make check` and `make demo` first install missing Debian packages
# (scripts/bootstrap), so each is the one command a fresh machine needs.
bootstrap:
	sh scripts/bootstrap

T	?=
check: bootstrap
	$(MAKE) all unit testbin
	T='$(T)' sh test/run

check-fast: all unit testbin
	T='$(T)' ZMCSYNC_NO_SANITIZE=1 sh test/run

sanitize:
	$(MAKE) BUILD=build-asan \
	    SANFLAGS="-O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    all unit testbin

# Fuzzing: the libFuzzer targets test/fuzz/fuzz_*.c, built by clang in
# build-fuzz with the library objects rebuilt there under the same
# instrumentation (the normal build may use gcc).  `make fuzz` runs each
# target FUZZ_SECONDS; `make check` a few seconds each (test/fuzz/run),
# after replaying every saved crash in test/fuzz/regress/.
FUZZ_SECONDS ?= 60
FUZZCC	?= clang
FUZZSAN	 = -O1 -fsanitize=fuzzer-no-link,address,undefined \
	   -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZBIN	 = $(patsubst test/fuzz/%.c,$(BUILD)/%,$(wildcard test/fuzz/fuzz_*.c))

$(BUILD)/fuzz_%: test/fuzz/fuzz_%.c test/fuzz/fuzz.h $(LIBOBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -Isrc -o $@ $< $(LIBOBJS) $(LDLIBS) -lpthread

fuzzbin: $(FUZZBIN)

fuzz-build:
	$(MAKE) BUILD=build-fuzz CC=$(FUZZCC) SANFLAGS="$(FUZZSAN)" fuzzbin

fuzz:
	FUZZ_KEEP=1 sh test/fuzz/run $(FUZZ_SECONDS)

demo: bootstrap
	$(MAKE) all testbin
	sh scripts/demo

# The floor of pushing alerts that make bench measures zmcsync against.
$(BUILD)/bench_floor_push: test/bench/floor_push.c | $(BUILD)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(shell pkg-config --libs libcurl)

bench: all testbin $(BUILD)/bench_floor_push
	bash test/bench/run

# Builds the Debian package, holds it to lintian, installs it into a
# throw-away Debian 12 root (debootstrap, cached in /var/cache/zmcsync-test)
# and purges it again; builds the container image with podman on the same
# Debian 12 root and runs it like the Kubernetes CronJob's pod.  Root and
# the Debian mirror needed.  Closes with "N passed, N failed".
package-test: testbin
	@p=0; f=0; for t in test/pkg/t_*.sh; do \
	    bash $$t > $(BUILD)/$$(basename $$t .sh).log 2>&1; rc=$$?; \
	    line=$$(grep -E '^[0-9]+ passed, [0-9]+ failed' $(BUILD)/$$(basename $$t .sh).log | tail -n 1); \
	    tp=$${line%% passed*}; tf=$${line#*passed, }; tf=$${tf%% failed*}; \
	    [ -n "$$line" ] || { tp=0; tf=1; }; [ $$rc -eq 0 ] || [ "$$tf" -gt 0 ] || tf=1; \
	    echo "$$t: $$tp passed, $$tf failed"; \
	    [ "$$tf" -eq 0 ] || grep -v '^ok - ' $(BUILD)/$$(basename $$t .sh).log | tail -n 40; \
	    p=$$((p + tp)); f=$$((f + tf)); done; \
	echo "$$p passed, $$f failed"; [ $$f -eq 0 ]

# The long fault campaign (not part of check): 1,000 runs over every fault
# kind on SQLite, on PostgreSQL, and against a three-member Alertmanager
# cluster (about 15, 15 and 22 minutes on 2 cores).  A random seed unless
# FAULT_SEED is given; each campaign prints its seed and, when it fails,
# the line that replays it.
FAULT_RUNS ?= 1000
FAULT_SEED ?=
fault: all
	@seed=$(FAULT_SEED); [ -n "$$seed" ] || seed=$$(( $$(od -An -N4 -tu4 /dev/urandom) % 1000000 )); rc=0; \
	for b in "--backend sqlite" "--backend postgresql" "--backend sqlite --cluster"; do \
		python3 test/fault/campaign --seed $$seed $$b --runs $(FAULT_RUNS) --max-seconds 5400 || rc=1; \
	done; exit $$rc

# Paths compiled into the binary (SYSCONFDIR, STATEDIR) come from the
# build: pass the same PREFIX/SYSCONFDIR/STATEDIR to `make` and `make install`.
# The man pages are substituted here, so they always name the install paths.
# The same substitution makes the systemd units, cron, sysusers.d and
# tmpfiles.d files name the installed binary and directories.
MANSED	 = sed -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@STATEDIR@|$(STATEDIR)|g' \
	    -e 's|@DATADIR@|$(DATADIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@BINDIR@|$(BINDIR)|g'
UNITS	 = zmcsync.service zmcsync.timer zmcsync-cleanup.service zmcsync-cleanup.timer

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(DATADIR)/scripts $(DESTDIR)$(SYSCONFDIR) $(DESTDIR)$(SYSTEMDUNITDIR) \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(BUILD)/zmcsync $(DESTDIR)$(BINDIR)/zmcsync
	$(MANSED) man/zmcsync.1 > $(DESTDIR)$(MANDIR)/man1/zmcsync.1
	$(MANSED) man/zmcsync.conf.5 > $(DESTDIR)$(MANDIR)/man5/zmcsync.conf.5
	chmod 0644 $(DESTDIR)$(MANDIR)/man1/zmcsync.1 $(DESTDIR)$(MANDIR)/man5/zmcsync.conf.5
	set -e; for d in sql/*/; do install -d $(DESTDIR)$(DATADIR)/$$d; \
	    install -m 0644 $$d*.sql $(DESTDIR)$(DATADIR)/$$d; done
	install -m 0644 sql/README.md $(DESTDIR)$(DATADIR)/sql/README.md
	cp -R conf $(DESTDIR)$(DATADIR)/
	set -e; for u in $(UNITS); do \
	    if [ -e scripts/$$u.in ]; then src=scripts/$$u.in; else src=scripts/$$u; fi; \
	    $(MANSED) $$src > $(DESTDIR)$(SYSTEMDUNITDIR)/$$u; \
	    chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u; done
	$(MANSED) scripts/zmcsync.sysusers > $(DESTDIR)$(SYSUSERSDIR)/zmcsync.conf
	$(MANSED) scripts/zmcsync.tmpfiles > $(DESTDIR)$(TMPFILESDIR)/zmcsync.conf
	$(MANSED) scripts/zmcsync.cron.in > $(DESTDIR)$(DATADIR)/scripts/zmcsync.cron
	chmod 0644 $(DESTDIR)$(SYSUSERSDIR)/zmcsync.conf $(DESTDIR)$(TMPFILESDIR)/zmcsync.conf \
	    $(DESTDIR)$(DATADIR)/scripts/zmcsync.cron
	install -m 0644 scripts/zmcsync.logrotate $(DESTDIR)$(DATADIR)/scripts/
	install -m 0644 scripts/zmcsync.bash-completion $(DESTDIR)$(BASHCOMPDIR)/zmcsync
	[ -e $(DESTDIR)$(SYSCONFDIR)/zmcsync.conf ] || \
	    install -m 0640 conf/zmcsync.conf $(DESTDIR)$(SYSCONFDIR)/zmcsync.conf
	@# Installing into the running system as root: create the user and
	@# directories now (a package's maintainer scripts do it for DESTDIR).
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
	    sh scripts/postinstall "$(SYSUSERSDIR)/zmcsync.conf" "$(TMPFILESDIR)/zmcsync.conf" \
	        "$(STATEDIR)" "$(SYSCONFDIR)"; \
	fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/zmcsync $(DESTDIR)$(MANDIR)/man1/zmcsync.1 \
	    $(DESTDIR)$(MANDIR)/man5/zmcsync.conf.5 $(DESTDIR)$(SYSUSERSDIR)/zmcsync.conf \
	    $(DESTDIR)$(TMPFILESDIR)/zmcsync.conf $(DESTDIR)$(BASHCOMPDIR)/zmcsync
	for u in $(UNITS); do rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/$$u; done
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-asan build-fuzz

.PHONY: bootstrap all unit testbin check check-fast sanitize fuzzbin fuzz-build fuzz demo bench \
	fault package-test install uninstall clean
