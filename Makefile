# Makefile - build, run and test the caseload pipeline.  `make help` lists targets.
#
# Dependencies come from Debian packages; tools/deps.sh installs what is
# missing (as root) or prints the apt-get line.  pkg-config flags are expanded
# lazily (=, not :=) so they are read after deps.sh has run.

CC      ?= cc
BUILD   ?= pipeline/build
CFLAGS  ?= -O2 -g
LDFLAGS ?=
PREFIX  ?= /usr/local
DESTDIR ?=

STD_FLAGS  = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Ipipeline/lib
PKGS       = sqlite3 libsodium inih gsl xlsxwriter
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm -pthread
CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell pkg-config --libs cmocka 2>/dev/null)
ALL_CFLAGS = $(STD_FLAGS) $(PKG_CFLAGS) $(CFLAGS)

STAGES   = ingest map dedup indicators report scan run
LIB_SRC  = $(wildcard pipeline/lib/*.c)
LIB_OBJ  = $(LIB_SRC:pipeline/lib/%.c=$(BUILD)/lib/%.o) $(BUILD)/lib/schema_sql.o
LIB_A    = $(BUILD)/libpipeline.a
BINS     = $(STAGES:%=$(BUILD)/%) $(BUILD)/gen_sample $(BUILD)/gen_linkage $(BUILD)/runstat \
           $(BUILD)/seal_v6
STAGE_SRC = $(filter-out %/main.c,$(foreach s,$(STAGES),$(wildcard pipeline/$(s)/*.c)))
STAGE_OBJ = $(STAGE_SRC:pipeline/%.c=$(BUILD)/stages/%.o)
STAGES_A = $(BUILD)/libstages.a
HEADERS  = $(wildcard pipeline/lib/*.h pipeline/*/*.h)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNITS    = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

CHECK_BUILD  = pipeline/build/check
CHECK_CFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=all -Werror

.PHONY: all deps run test check bench install clean help samples unit-tests
.PHONY: fuzz check-valgrind
.DEFAULT_GOAL := all

all: $(BINS)

help:
	@echo 'make            build the stage programs into $(BUILD)/'
	@echo 'make run        build, then run the pipeline on input/ into output/'
	@echo 'make test       build, then run unit tests and stage tests'
	@echo 'make check      make test in $(CHECK_BUILD)/ with -Werror, ASan and UBSan'
	@echo 'make bench      benchmarks (BENCH_SIZES="1000000 10000000" RUNS=3); results in bench/RESULTS.md'
	@echo 'make fuzz       libFuzzer targets in $(FUZZ_BUILD)/, FUZZ_SECONDS=$(FUZZ_SECONDS) each (clang)'
	@echo 'make check-valgrind  unit and stage tests with every binary under valgrind'
	@echo 'make samples    regenerate the sample exports in input/ and their truth file'
	@echo 'make install    install programs and examples (PREFIX=$(PREFIX) DESTDIR=)'
	@echo 'make deps       install missing Debian packages (root) or say which'
	@echo 'make clean      remove build products and output/ (never secret/)'

deps:
	@sh tools/deps.sh

# Every compile waits for deps (order-only: it never forces a rebuild).
$(BUILD)/lib/%.o: pipeline/lib/%.c $(HEADERS) | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/lib/schema_sql.c: pipeline/schema.sql | deps
	@mkdir -p $(@D)
	{ echo '/* generated from pipeline/schema.sql by the Makefile */'; \
	  echo 'const char pl_schema_sql[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } > $@.tmp && mv $@.tmp $@

$(BUILD)/lib/schema_sql.o: $(BUILD)/lib/schema_sql.c
	$(CC) $(ALL_CFLAGS) -Wno-overlength-strings -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/stages/%.o: pipeline/%.c $(HEADERS) | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Stage code other than main.c, for the unit tests.
$(STAGES_A): $(STAGE_OBJ)
	rm -f $@
	ar rcs $@ $^

define stage_rule
$(BUILD)/$(1): $(BUILD)/stages/$(1)/main.o $(STAGES_A) $(LIB_A)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(PKG_LIBS)
endef
$(foreach s,$(STAGES),$(eval $(call stage_rule,$(s))))

$(BUILD)/%: tools/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(STD_FLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

# The one tool built on the library: the upgrade test's (tests/stages/t0511).
$(BUILD)/seal_v6: tools/seal_v6.c $(LIB_A) $(HEADERS) | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_A) $(PKG_LIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(STAGES_A) $(LIB_A) $(HEADERS) $(wildcard tests/unit/*.h) | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -Ipipeline $(LDFLAGS) -o $@ $< \
	    $(STAGES_A) $(LIB_A) $(CMOCKA_LIBS) $(PKG_LIBS)

unit-tests: $(BINS) $(UNITS)

run: all
	$(BUILD)/run
	@if [ -n "$${CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1 || \
	    command -v chromium-browser >/dev/null 2>&1; then \
	    sh tools/screenshot.sh output/report-sv.html output/report-first-screen.png && \
	    echo "make run: the report's first screen in output/report-first-screen.png"; \
	else \
	    echo "make run: no screenshot of the report: chromium is missing (apt-get install chromium)"; \
	fi

test: unit-tests
	@sh tests/run-all.sh $(BUILD)

check:
	$(MAKE) BUILD=$(CHECK_BUILD) CFLAGS='$(CHECK_CFLAGS)' LDFLAGS='-fsanitize=address,undefined' test

samples: $(BUILD)/gen_sample
	$(BUILD)/gen_sample -o input -t tests/data/sample-truth.txt

bench: all
	@sh bench/run.sh $(BUILD)

# ---- fuzzing and valgrind: not part of CI (see tests/fuzz/README.md) --------
FUZZ_BUILD   = pipeline/build/fuzz
FUZZ_CC      = clang
FUZZ_SECONDS = 60
FUZZ_TARGETS = csvread mapping pnr value compare scan catalogue population
FUZZ_CFLAGS  = -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
               -fno-sanitize-recover=all
VALGRIND_DIR = $(BUILD)/valgrind
VALGRIND     = valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite

fuzz:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) CFLAGS='$(FUZZ_CFLAGS)' \
	    $(FUZZ_BUILD)/libpipeline.a $(FUZZ_BUILD)/libstages.a
	FUZZ_CC='$(FUZZ_CC)' FUZZ_CFLAGS='$(STD_FLAGS) $(PKG_CFLAGS) $(FUZZ_CFLAGS)' \
	    FUZZ_LIBS='$(PKG_LIBS)' sh tools/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# $(VALGRIND_DIR) gets a wrapper per stage and unit test binary that runs the
# real one under valgrind (logs in $(VALGRIND_DIR)/logs), and links to the
# test tools (gen_sample, ...: they make fixtures, they are not checked); the
# usual suites then run on the wrappers, the stage tests with
# PL_BIN=$(VALGRIND_DIR).
check-valgrind: unit-tests
	@rm -rf $(VALGRIND_DIR) && mkdir -p $(VALGRIND_DIR)/tests $(VALGRIND_DIR)/logs
	@for t in gen_sample gen_linkage runstat; do \
	    ln -s '$(abspath $(BUILD))'/$$t $(VALGRIND_DIR)/$$t || exit 1; done
	@for b in $(STAGES) $(UNITS:$(BUILD)/%=%); do \
	    printf '#!/bin/sh\nexec %s --log-file=%s/logs/%s.%%p.log %s "$$@"\n' '$(VALGRIND)' \
	        '$(abspath $(VALGRIND_DIR))' "$${b#tests/}" '$(abspath $(BUILD))'/$$b \
	        >$(VALGRIND_DIR)/$$b && chmod +x $(VALGRIND_DIR)/$$b || exit 1; \
	done
	@PL_TEST_TIMEOUT=3600 sh tests/run-all.sh $(VALGRIND_DIR); rc=$$?; \
	for l in $(VALGRIND_DIR)/logs/*.log; do \
	    if [ -s "$$l" ]; then echo "valgrind errors in $$l:"; cat "$$l"; rc=1; fi; \
	done; exit $$rc

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/caseload/mappings/codelists \
	    $(DESTDIR)$(PREFIX)/share/doc/caseload
	install -m 0755 $(STAGES:%=$(BUILD)/%) $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	for p in $(STAGES); do \
	    sh tools/mkman.sh $(BUILD)/$$p $(DESTDIR)$(PREFIX)/share/man/man1/$$p.1 || exit 1; done
	install -m 0644 mappings/*.ini $(DESTDIR)$(PREFIX)/share/caseload/mappings/
	install -m 0644 mappings/codelists/*.ini $(DESTDIR)$(PREFIX)/share/caseload/mappings/codelists/
	install -d $(DESTDIR)$(PREFIX)/share/caseload/mappings/linkage
	install -m 0644 mappings/linkage/*.ini $(DESTDIR)$(PREFIX)/share/caseload/mappings/linkage/
	install -d $(DESTDIR)$(PREFIX)/share/caseload/mappings/indicators \
	    $(DESTDIR)$(PREFIX)/share/caseload/mappings/population
	install -m 0644 mappings/indicators/*.ini $(DESTDIR)$(PREFIX)/share/caseload/mappings/indicators/
	install -m 0644 mappings/population/*.csv $(DESTDIR)$(PREFIX)/share/caseload/mappings/population/
	install -m 0644 README.md docs/*.md docs/*.ini $(DESTDIR)$(PREFIX)/share/doc/caseload/

clean:
	rm -rf pipeline/build output/*.db output/*.db-wal output/*.db-shm output/run.state \
	    output/run.lock output/logs output/report-*.html output/report.xlsx output/tables \
	    output/report-first-screen.png
