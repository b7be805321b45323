# fsearch - build, test and install.
#
#   make              libfsearch.a, libfsearch.so, fsearch, the SQLite extension
#   make test         every test (unit, end-to-end, header, fuzz seeds); CI
#   make check-asan   the same tests built with ASan + UBSan (in build-asan/)
#   make valgrind     end-to-end and unit tests under valgrind memcheck
#   make fuzz         run each fuzz target under libFuzzer (FUZZ_SECONDS each)
#   make bench        speed benchmarks against the peers (slow; not in CI)
#   make index        index corpus/ into index/fsearch.db
#   make install      PREFIX=/usr/local DESTDIR=
#
# Output is quiet unless V=1.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
LIBDIR   ?= $(PREFIX)/lib
INCDIR   ?= $(PREFIX)/include
MANDIR   ?= $(PREFIX)/share/man
PKGDIR   ?= $(LIBDIR)/pkgconfig
EXTDIR   ?= $(LIBDIR)/fsearch

CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wwrite-strings -Wno-unused-function
DEFS     = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
DEPS_PKG = sqlite3 libutf8proc libzstd
DEPS_CFLAGS := $(shell pkg-config --cflags $(DEPS_PKG) 2>/dev/null)
DEPS_LIBS   := $(shell pkg-config --libs $(DEPS_PKG) 2>/dev/null || echo -lsqlite3 -lutf8proc -lzstd) -lstemmer
ALL_CFLAGS = $(WARN) $(DEFS) -Iinclude -Isrc $(DEPS_CFLAGS) $(CFLAGS) $(SAN)
LDLIBS   = $(DEPS_LIBS) -lm -lpthread

VERSION  := $(shell sed -n 's/^\#define FSEARCH_VERSION "\(.*\)"/\1/p' include/fsearch.h)
SOMAJOR  := $(shell sed -n 's/^\#define FSEARCH_VERSION_MAJOR \([0-9]*\)/\1/p' include/fsearch.h)
SONAME   := libfsearch.so.$(SOMAJOR)
SOFILE   := libfsearch.so.$(VERSION)

B        ?= build
LIB_SRC  := $(sort $(wildcard src/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
EXT_SRC  := $(sort $(wildcard src/ext/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
PIC_OBJ  := $(LIB_SRC:%.c=$(B)/pic/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/%.o)
EXT_OBJ  := $(EXT_SRC:%.c=$(B)/pic/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)

ifeq ($(V),1)
Q =
say =
else
Q = @
say = @printf '  %-6s %s\n' $(1) $(2);
endif

# Debian packages the build and the tests need.
DEB_PACKAGES = gcc make pkg-config libsqlite3-dev libstemmer-dev libutf8proc-dev libzstd-dev sqlite3

.PHONY: all deps test check suites unit e2e headertest check-asan valgrind fuzz fuzz-replay \
        bench bench-relevance index install uninstall clean
.PHONY: installtest valgrind-reports crash

# ./fsearch is the normal build's binary; sanitizer builds leave it alone.
ifeq ($(B),build)
TOP_BIN = fsearch
endif

all: $(B)/libfsearch.a $(B)/libfsearch.so $(B)/$(SONAME) $(TOP_BIN) $(B)/fsearch_ext.so

# A copy written 4 MB at a time, mode 755, replacing (not rewriting) the
# target so a running one is not disturbed: see CLI_HUGE_TEXT.
COPY_BIN = rm -f $(2) && dd if=$(1) of=$(2) bs=4M 2>/dev/null && chmod 755 $(2)

fsearch: $(B)/fsearch
	$(Q)$(call COPY_BIN,$<,$@)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -DFSEARCH_BUILD_SHARED -MMD -MP -c $< -o $@

$(B)/libfsearch.a: $(LIB_OBJ)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

# libfsearch.so.X.Y.Z with soname libfsearch.so.X; the two shorter names are
# symlinks, as the linker (-lfsearch) and the loader look for them.
$(B)/$(SOFILE): $(PIC_OBJ)
	$(call say,LD,$@)$(CC) -shared -Wl,-soname,$(SONAME) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

$(B)/$(SONAME) $(B)/libfsearch.so: $(B)/$(SOFILE)
	$(Q)ln -sf $(SOFILE) $@

# The SQLite loadable extension: the library's objects plus src/ext/, with
# only the sqlite3_*_init entry points exported (src/ext/fsearch_ext.map).
$(B)/fsearch_ext.so: $(EXT_OBJ) $(PIC_OBJ) src/ext/fsearch_ext.map
	$(call say,LD,$@)$(CC) -shared $(CFLAGS) $(SAN) -Wl,--version-script=src/ext/fsearch_ext.map -o $@ $(EXT_OBJ) $(PIC_OBJ) $(LDLIBS)

# The command links SQLite, utf8proc, libstemmer and zstd statically when their
# .a files are installed (Debian's -dev packages ship them): the dynamic
# loader relocating libsqlite3 costs each search ~0.5 ms. STATIC_DEPS=0 (or
# a missing .a) links them dynamically, as the libraries are.
STATIC_DEPS ?= 1
STATIC_LIBS := $(foreach l,sqlite3 utf8proc stemmer zstd,$(shell $(CC) -print-file-name=lib$(l).a))
# With them, glibc too when its libc.a is there: the loader mapping,
# relocating and binding libc and libm took ~0.6 ms of CPU of each search,
# a third of a cheap one. (ld warns about dlopen: SQLite's extension
# loading, which the command never uses.) Otherwise the command is at least
# not position-independent, which spares the loader its ~12 700 own
# relocations. Sanitizers cannot link statically, and valgrind cannot see
# malloc in a static binary: those builds, and `make valgrind`'s e2e run
# (fsearch-dyn), link glibc dynamically.
STATIC_LIBC := $(filter /%,$(shell $(CC) -print-file-name=libc.a))
# The static command's code and constants in one segment that starts and
# ends on a 2 MB boundary (src/cli/hugetext.ld), so that where its page
# cache is in 2 MB folios a search maps them in 2 faults instead of ~45
# (10-20 us each on the bench VM). The page cache gets 2 MB folios when the
# file is written in large writes (ext4 and xfs on Linux 6.x), hence
# COPY_BIN (above) rather than cp or install for ./fsearch and its install.
CLI_HUGE_TEXT = -Wl,-z,max-page-size=0x200000 -Wl,-z,noseparate-code \
                -Wl,-T,src/cli/hugetext.ld
CLI_DYN_LDFLAGS = -no-pie
ifeq ($(STATIC_DEPS)$(filter lib%,$(STATIC_LIBS)),1)
CLI_LIBS = $(STATIC_LIBS) -lm -lpthread -ldl
ifeq ($(SAN)$(if $(STATIC_LIBC),y),y)
CLI_LDFLAGS ?= -static $(CLI_HUGE_TEXT)
endif
else
CLI_LIBS = $(LDLIBS)
endif
CLI_LDFLAGS ?= $(CLI_DYN_LDFLAGS)

$(B)/fsearch: $(CLI_OBJ) $(B)/libfsearch.a src/cli/hugetext.ld
	$(call say,LD,$@)$(CC) $(CFLAGS) $(SAN) $(CLI_LDFLAGS) -o $@ $(CLI_OBJ) $(B)/libfsearch.a $(CLI_LIBS)

$(B)/fsearch-dyn: $(CLI_OBJ) $(B)/libfsearch.a
	$(call say,LD,$@)$(CC) $(CFLAGS) $(SAN) $(CLI_DYN_LDFLAGS) -o $@ $(CLI_OBJ) $(B)/libfsearch.a $(CLI_LIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libfsearch.a tests/test.h tests/fixture.h
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/libfsearch.a $(LDLIBS)

# Install what is missing (as root, from Debian's packages); quick when all is there.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "installing:$$missing"; \
	    SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# ---- tests ---------------------------------------------------------------

# Each suite ends with "NAME: N passed, N failed"; tests/total.sh adds
# them up in a last line, "total: N passed, N failed", which CI reads.
# The normal run also installs into a temporary prefix and builds the
# examples against it (installtest); the sanitizer runs skip that step.
test check:
	@sh tests/total.sh $(B)/test.log $(MAKE) --no-print-directory -k suites installtest

suites: unit e2e headertest fuzz-replay crash

# kill -9 the indexer at random moments on a changing corpus; the index must
# open, answer and hold whole documents, and end equal to a fresh rebuild.
crash: $(B)/fsearch
	@sh tests/crash/kill_test.sh $(B)/fsearch

# Every program runs even if one fails. One that dies before its closing
# line (a crash; a sanitizer or valgrind error: exit status above 1) is
# counted as one more failure.
unit: $(UNIT_BIN)
	@failed=0; for t in $(UNIT_BIN); do $(RUNNER) ./$$t; rc=$$?; \
	    [ $$rc -le 1 ] || echo "$${t##*/}: 0 passed, 1 failed (exit status $$rc)"; \
	    [ $$rc -eq 0 ] || failed=1; done; [ $$failed -eq 0 ]

E2E_BIN ?= $(B)/fsearch
e2e: $(E2E_BIN)
	@FSEARCH_BIN=$(abspath $(E2E_BIN)) RUNNER="$(RUNNER)" sh tests/e2e/run.sh

# The sqlite3 shell loads the extension in tests/e2e/cases/5*.
e2e: $(B)/fsearch_ext.so

headertest:
	@mkdir -p $(B)/tests
	$(call say,CC,tests/headertest.c)$(CC) -std=c99 -pedantic -Wall -Wextra -Werror -Iinclude -c tests/headertest.c -o $(B)/tests/headertest.o
	$(Q)if command -v c++ >/dev/null; then c++ -x c++ -std=c++11 -pedantic -Wall -Wextra -Werror -Iinclude -c tests/headertest.c -o $(B)/tests/headertest_cpp.o; fi
	@echo "headertest: 1 passed, 0 failed"

# Sanitizer findings exit 86, so that no e2e case expecting exit 1 or 2 can
# mistake one for a normal status. The fault test fails every allocation
# here (ASAN_FAULT_STRIDE=1), with leak checking; `make test` does every 5th.
ASAN_FAULT_STRIDE ?= 1
SAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86 \
          UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=86 \
          FAULT_STRIDE=$(ASAN_FAULT_STRIDE)
check-asan:
	@$(SAN_ENV) sh tests/total.sh build-asan/test.log \
	    $(MAKE) --no-print-directory -k B=build-asan CC=clang \
	    CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" suites

# "possibly lost" blocks are not shown: a CLI killed by SIGPIPE (e2e case
# 09) still holds SQLite's memory. Definite and indirect leaks fail the run.
# The fault test runs every 97th allocation here (FAULT_STRIDE), as valgrind
# is some 50 times slower; the big-file cases shrink when RUNNER is set.
# Each process writes its report to $(VG_DIR)/PID.log, so that one from a
# background process is not missed nor taken for fsearch's own stderr; any
# report not empty is printed and fails the run ("memcheck: N passed, N
# failed" counts processes).
VG_DIR   = $(abspath $(B))/valgrind
VALGRIND = valgrind -q --log-file=$(VG_DIR)/%p.log --error-exitcode=99 \
           --leak-check=full --show-leak-kinds=definite,indirect \
           --errors-for-leak-kinds=definite,indirect
VALGRIND_FAULT_STRIDE ?= 97
valgrind: $(UNIT_BIN) $(B)/fsearch-dyn $(B)/fsearch_ext.so
	@rm -rf $(VG_DIR) && mkdir -p $(VG_DIR)
	@FAULT_STRIDE=$(VALGRIND_FAULT_STRIDE) sh tests/total.sh $(B)/valgrind.log \
	    $(MAKE) --no-print-directory -k RUNNER="$(VALGRIND)" \
	    E2E_BIN=$(B)/fsearch-dyn unit e2e valgrind-reports

valgrind-reports:
	@n=0; bad=0; for f in $(VG_DIR)/*.log; do [ -e "$$f" ] || continue; \
	    n=$$((n + 1)); [ -s "$$f" ] || continue; bad=$$((bad + 1)); \
	    echo "== $$f"; cat "$$f"; done; \
	echo "memcheck: $$((n - bad)) passed, $$bad failed"; [ $$bad -eq 0 ]

# ---- fuzzing -------------------------------------------------------------

FUZZ_SECONDS ?= 60
FUZZ_LIBS = $(DEPS_LIBS) -lm -lpthread

# Standalone replay builds: run every seed (and any crash files) as a test.
$(B)/fuzz/%: tests/fuzz/%.c tests/fuzz/driver.c $(B)/libfsearch.a
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -o $@ $< tests/fuzz/driver.c $(B)/libfsearch.a $(FUZZ_LIBS)

fuzz-replay: $(FUZZ_BIN)
	@set -e; for f in $(FUZZ_BIN); do n=$$(basename $$f); \
	    ./$$f tests/fuzz/seeds/$${n#fuzz_}; done

# Every target runs FUZZ_SECONDS even if an earlier one crashed; crashes
# are left as build-fuzz/fuzz_NAME-crash-* (turn them into seeds), and the
# target fails at the end. FUZZ_TARGETS="roundtrip query" picks some.
FUZZ_TARGETS ?= $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
fuzz:
	@mkdir -p build-fuzz
	@failed=""; for t in $(FUZZ_TARGETS); do n=fuzz_$$t; \
	    echo "== $$n ($(FUZZ_SECONDS)s)"; \
	    clang $(WARN) $(DEFS) -Iinclude -Isrc $(DEPS_CFLAGS) -O1 -g \
	        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	        -o build-fuzz/$$n tests/fuzz/$$n.c $(LIB_SRC) $(FUZZ_LIBS) || exit 1; \
	    mkdir -p build-fuzz/corpus-$$n; \
	    ./build-fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -timeout=30 \
	        -artifact_prefix=build-fuzz/$$n- -print_final_stats=1 \
	        build-fuzz/corpus-$$n tests/fuzz/seeds/$$t || failed="$$failed $$n"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: crashes in$$failed"; exit 1; fi

# ---- running -------------------------------------------------------------

index: fsearch
	./fsearch index

bench: all
	sh bench/run.sh

bench-relevance: all
	sh bench/relevance.sh

clean:
	rm -rf build build-asan build-fuzz fsearch

# ---- install -------------------------------------------------------------

# fsearch.pc is written at install time, so it names the PREFIX installed to.
install: all
	$(Q)install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) \
	    $(DESTDIR)$(PKGDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(EXTDIR)
	$(Q)$(call COPY_BIN,$(B)/fsearch,$(DESTDIR)$(BINDIR)/fsearch)
	$(Q)install -m 644 $(B)/libfsearch.a $(DESTDIR)$(LIBDIR)/libfsearch.a
	$(Q)install -m 755 $(B)/$(SOFILE) $(DESTDIR)$(LIBDIR)/$(SOFILE)
	$(Q)ln -sf $(SOFILE) $(DESTDIR)$(LIBDIR)/$(SONAME)
	$(Q)ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libfsearch.so
	$(Q)install -m 644 include/fsearch.h $(DESTDIR)$(INCDIR)/fsearch.h
	$(Q)install -m 644 docs/fsearch.1 $(DESTDIR)$(MANDIR)/man1/fsearch.1
	$(Q)install -m 755 $(B)/fsearch_ext.so $(DESTDIR)$(EXTDIR)/fsearch_ext.so
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCDIR@|$(INCDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    fsearch.pc.in > $(DESTDIR)$(PKGDIR)/fsearch.pc
	@echo "installed fsearch $(VERSION) in $(DESTDIR)$(PREFIX)"

uninstall:
	$(Q)rm -f $(DESTDIR)$(BINDIR)/fsearch $(DESTDIR)$(LIBDIR)/libfsearch.a \
	    $(DESTDIR)$(LIBDIR)/$(SOFILE) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	    $(DESTDIR)$(LIBDIR)/libfsearch.so $(DESTDIR)$(INCDIR)/fsearch.h \
	    $(DESTDIR)$(MANDIR)/man1/fsearch.1 $(DESTDIR)$(PKGDIR)/fsearch.pc \
	    $(DESTDIR)$(EXTDIR)/fsearch_ext.so
	$(Q)rmdir $(DESTDIR)$(EXTDIR) 2>/dev/null || true

# Install into a temporary prefix and build examples/ against it with
# pkg-config alone, shared and static (tests/install.sh).
installtest: all
	@B=$(B) MAKE="$(MAKE)" CC="$(CC)" SAN="$(SAN)" sh tests/install.sh

-include $(LIB_OBJ:.o=.d) $(PIC_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(EXT_OBJ:.o=.d)
