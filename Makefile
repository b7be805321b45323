# fsearch - build, test and install.
#
#   make              libfsearch.a, libfsearch.so, fsearch, the SQLite extension
#   make test         every test (unit, end-to-end, header); what CI runs
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

CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wwrite-strings -Wno-unused-function
DEFS     = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
DEPS_PKG = sqlite3 libutf8proc
DEPS_CFLAGS := $(shell pkg-config --cflags $(DEPS_PKG) 2>/dev/null)
DEPS_LIBS   := $(shell pkg-config --libs $(DEPS_PKG) 2>/dev/null || echo -lsqlite3 -lutf8proc) -lstemmer
ALL_CFLAGS = $(WARN) $(DEFS) -Iinclude -Isrc $(DEPS_CFLAGS) $(CFLAGS) $(SAN)
LDLIBS   = $(DEPS_LIBS) -lm -lpthread

VERSION  := $(shell sed -n 's/^\#define FSEARCH_VERSION "\(.*\)"/\1/p' include/fsearch.h)
SOMAJOR  := $(shell sed -n 's/^\#define FSEARCH_VERSION_MAJOR \([0-9]*\)/\1/p' include/fsearch.h)

B        ?= build
LIB_SRC  := $(sort $(wildcard src/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
EXT_SRC  := $(sort $(wildcard src/ext/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
PIC_OBJ  := $(LIB_SRC:%.c=$(B)/pic/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/%.o)
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
DEB_PACKAGES = gcc make pkg-config libsqlite3-dev libstemmer-dev libutf8proc-dev sqlite3

.PHONY: all deps test check unit e2e headertest check-asan valgrind fuzz fuzz-replay \
        bench bench-relevance index install uninstall clean

all: $(B)/libfsearch.a $(B)/libfsearch.so fsearch

fsearch: $(B)/fsearch
	$(Q)cp $< $@

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -DFSEARCH_BUILD_SHARED -MMD -MP -c $< -o $@

$(B)/libfsearch.a: $(LIB_OBJ)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

$(B)/libfsearch.so: $(PIC_OBJ)
	$(call say,LD,$@)$(CC) -shared -Wl,-soname,libfsearch.so.$(SOMAJOR) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

$(B)/fsearch: $(CLI_OBJ) $(B)/libfsearch.a
	$(call say,LD,$@)$(CC) $(CFLAGS) $(SAN) -o $@ $(CLI_OBJ) $(B)/libfsearch.a $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libfsearch.a tests/test.h
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

test check: unit e2e headertest

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do $(RUNNER) ./$$t; done

e2e: $(B)/fsearch
	@FSEARCH_BIN=$(abspath $(B)/fsearch) RUNNER="$(RUNNER)" sh tests/e2e/run.sh

headertest:
	@mkdir -p $(B)/tests
	$(call say,CC,tests/headertest.c)$(CC) -std=c99 -pedantic -Wall -Wextra -Werror -Iinclude -c tests/headertest.c -o $(B)/tests/headertest.o
	$(Q)if command -v c++ >/dev/null; then c++ -x c++ -std=c++11 -pedantic -Wall -Wextra -Werror -Iinclude -c tests/headertest.c -o $(B)/tests/headertest_cpp.o; fi
	@echo "headertest: 1 passed, 0 failed"

check-asan:
	$(MAKE) B=build-asan CC=clang CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	    ASAN_OPTIONS=detect_leaks=1 test fuzz-replay

valgrind: $(UNIT_BIN) $(B)/fsearch
	@set -e; for t in $(UNIT_BIN); do \
	    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect ./$$t; done
	@FSEARCH_BIN=$(abspath $(B)/fsearch) RUNNER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect" sh tests/e2e/run.sh

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

fuzz:
	@mkdir -p build-fuzz
	@set -e; for s in $(FUZZ_SRC); do n=$$(basename $$s .c); \
	    echo "== $$n ($(FUZZ_SECONDS)s)"; \
	    clang $(WARN) $(DEFS) -Iinclude -Isrc $(DEPS_CFLAGS) -O1 -g \
	        -fsanitize=fuzzer,address,undefined -o build-fuzz/$$n $$s $(LIB_SRC) $(FUZZ_LIBS); \
	    mkdir -p build-fuzz/corpus-$$n; \
	    ./build-fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=build-fuzz/$$n- \
	        build-fuzz/corpus-$$n tests/fuzz/seeds/$${n#fuzz_}; done

# ---- running -------------------------------------------------------------

index: fsearch
	./fsearch index

bench: all
	sh bench/run.sh

bench-relevance: all
	sh bench/relevance.sh

clean:
	rm -rf build build-asan build-fuzz fsearch

-include $(LIB_OBJ:.o=.d) $(PIC_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
