# sockrr — build, test, install.  `make help` lists the targets.
# SANITIZE=1 builds everything with ASan+UBSan into build-san/ instead of build/;
# TSAN=1 with ThreadSanitizer into build-tsan/.

VERSION     := 0.1.0
SOVERSION   := 0
PREFIX      ?= /usr/local
CC          ?= cc
PKG_CONFIG  ?= pkg-config

ifeq ($(SANITIZE),1)
BUILD       ?= build-san
SANFLAGS    := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else ifeq ($(TSAN),1)
BUILD       ?= build-tsan
SANFLAGS    := -fsanitize=thread -fno-omit-frame-pointer
else
BUILD       ?= build
SANFLAGS    :=
endif

CFLAGS      ?= -O2 -g
WARN        := -Wall -Wextra -Werror
# pkg-config runs when a recipe runs (`=`, not `:=`), after `deps` has installed it.
DEP_PKGS    := libpcap
INCLUDES     = -Ilib/include -Ilib/api -Ilib/core -Ilib/trace -Ilib/worlds -Ilib/worlds/sim -Ilib/worlds/fuzz \
               -Ilib/worlds/tap -Ireplay/world -Ireplay/read -Ireplay/capture \
               $(shell $(PKG_CONFIG) --cflags $(DEP_PKGS) 2>/dev/null)
ALL_CFLAGS   = -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -fPIC $(INCLUDES)
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)
LIBS         = $(shell $(PKG_CONFIG) --libs $(DEP_PKGS) 2>/dev/null) -lm -lpthread

LIB_SRCS    := $(wildcard lib/core/*.c lib/api/*.c lib/worlds/*.c lib/worlds/sim/*.c lib/worlds/fuzz/*.c lib/worlds/tap/*.c \
               lib/trace/*.c \
               replay/world/*.c replay/read/*.c replay/capture/*.c)
LIB_OBJS    := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
HEADERS     := $(wildcard interpose/*.h lib/include/*.h lib/include/sockrr/*.h lib/api/*.h lib/core/*.h lib/core/*.inc lib/trace/*.h lib/worlds/*.h lib/worlds/sim/*.h lib/worlds/fuzz/*.h lib/worlds/tap/*.h replay/*/*.h cli/*.h)
CLI_SRCS    := $(wildcard cli/*.c)
CLI_OBJS    := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
PROG_SRCS   := $(wildcard fixtures/programs/*.c)
PROG_BINS   := $(PROG_SRCS:fixtures/programs/%.c=$(BUILD)/bin/%)
# Plain libc programs the interposer tests run (no sockrr inside them):
# built fortified, as distributions build theirs.
NATIVE_SRCS := $(wildcard fixtures/native/*.c)
NATIVE_BINS := $(NATIVE_SRCS:fixtures/native/%.c=$(BUILD)/native/%)
NATIVE_CFLAGS := -std=gnu11 $(WARN) -O2 -D_FORTIFY_SOURCE=2 -pthread
# The same program on three other allocators, with a library whose
# constructor allocates before sockrr's runs (fixtures/alloc/).
ALLOCATORS  := jemalloc tcmalloc mimalloc
ALLOC_BINS  := $(ALLOCATORS:%=$(BUILD)/native/alloc_%)
# Manual pages: scdoc sources (man/*.scd, e.g. sockrr-diff.1.scd) made into
# roff; the section is the last suffix of the name.
MAN_SRCS    := $(wildcard man/*.scd)
MAN_PAGES   := $(MAN_SRCS:man/%.scd=$(BUILD)/man/%)
MANDIR      := $(PREFIX)/share/man
BASHCOMPDIR := $(PREFIX)/share/bash-completion/completions
BENCH_SRCS  := $(wildcard bench/*.c)
BENCH_BINS  := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)

# libFuzzer targets (tests/fuzz/README.md): the library compiled again by
# clang with coverage, ASan and UBSan into build-fuzz/, whatever SANITIZE
# says, so the normal build never changes for them.
FUZZ_BUILD  := build-fuzz
FUZZ_CC     := clang
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  = -std=gnu11 $(WARN) -O1 -g $(FUZZ_SAN) -fPIC $(INCLUDES)
FUZZ_SRCS   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS   := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_OBJS   := $(LIB_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 20

SONAME      := libsockrr.so.$(SOVERSION)
SHLIB       := $(BUILD)/lib/libsockrr.so.$(VERSION)
STLIB       := $(BUILD)/lib/libsockrr.a
CLI         := $(BUILD)/bin/sockrr
# The LD_PRELOAD library: the interposer, the worlds it runs and the trace
# writer, with libc's symbols taken from dlsym(RTLD_NEXT)
# (interpose/libc_next.c) instead of by name (lib/core/libc_direct.c).  It
# exports libc's names only and links libc, libpthread and libdl alone: every
# process started under it pays for what it loads (sim configs and traces are
# read with the project's own JSON reader, lib/core/json.c).
PRELOAD     := $(BUILD)/lib/libsockrr-preload.so
PRE_SRCS    := $(wildcard interpose/*.c)
PRE_LIB     := lib/core/names lib/core/check lib/core/sock_rules lib/core/sock_opts lib/core/world lib/core/busy lib/core/grow lib/core/in_file lib/core/vtime \
               lib/core/services \
               lib/core/parse_error lib/core/json lib/core/json_value lib/core/out_file lib/worlds/kernel \
               lib/worlds/env_world lib/worlds/forked \
               lib/trace/writer lib/trace/ring lib/trace/jline lib/trace/base64 lib/trace/addrstr \
               replay/read/reader replay/read/check replay/read/jscan \
               $(basename $(wildcard lib/worlds/sim/*.c lib/worlds/fuzz/*.c lib/worlds/tap/*.c replay/world/*.c))
PRE_OBJS    := $(PRE_SRCS:%.c=$(BUILD)/obj/%.o) $(PRE_LIB:%=$(BUILD)/obj/%.o)

.PHONY: all deps check unit integration bench demo install uninstall clean help fresh-debian \
        fuzz fuzz-build

all: $(SHLIB) $(BUILD)/lib/libsockrr.so $(STLIB) $(CLI) $(PROG_BINS) $(PRELOAD) $(NATIVE_BINS) \
     $(ALLOC_BINS) $(MAN_PAGES)

help:
	@echo "make            build the libraries, the sockrr CLI and the example programs"
	@echo "make demo       the main job on the built-in example: record a client, show, replay"
	@echo "make check      run the unit and integration tests (SANITIZE=1: under ASan+UBSan;"
	@echo "                TSAN=1: the unit and threaded integration tests under ThreadSanitizer)"
	@echo "make fresh-debian  the README's commands on a minimal Debian 12 (mmdebstrap; root)"
	@echo "make bench      run the benchmarks (ONLY=NAME for one row); rows go to build/bench.json"
	@echo "make fuzz       run each libFuzzer target FUZZ_SECONDS (60) seconds (tests/fuzz/README.md)"
	@echo "make install    install into PREFIX (default /usr/local)"

# Installs the Debian packages when a library is missing (CI and new machines start bare).
deps:
	@sh scripts/deps.sh libs

$(BUILD)/man/%: man/%.scd | deps
	@mkdir -p $(dir $@)
	scdoc < $< > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c $(HEADERS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(SHLIB): $(LIB_OBJS) lib/sockrr.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=lib/sockrr.map $(ALL_LDFLAGS) \
		-o $@ $(LIB_OBJS) $(LIBS)

$(BUILD)/lib/libsockrr.so: $(SHLIB)
	ln -sf libsockrr.so.$(VERSION) $(BUILD)/lib/$(SONAME)
	ln -sf $(SONAME) $@

$(PRELOAD): $(PRE_OBJS) interpose/preload.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,--version-script=interpose/preload.map -Wl,-z,nodelete \
		-Wl,--no-undefined $(ALL_LDFLAGS) -o $@ $(PRE_OBJS) -lpthread -ldl

$(BUILD)/native/%: fixtures/native/%.c
	@mkdir -p $(dir $@)
	$(CC) $(NATIVE_CFLAGS) -o $@ $<

$(BUILD)/native/libsrr_early.so: fixtures/alloc/early_ctor.c
	@mkdir -p $(dir $@)
	$(CC) $(NATIVE_CFLAGS) -shared -fPIC -o $@ $<

$(BUILD)/native/alloc_%: fixtures/alloc/alloc_roundtrip.c $(BUILD)/native/libsrr_early.so | deps
	$(CC) $(NATIVE_CFLAGS) -o $@ $< -L$(BUILD)/native -lsrr_early -Wl,-rpath,'$$ORIGIN' -l$*

$(STLIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(CLI): $(CLI_OBJS) $(STLIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJS) $(STLIB) $(LIBS)

$(BUILD)/bin/%: fixtures/programs/%.c $(STLIB) $(HEADERS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(STLIB) $(LIBS)

# The chaos loop fails the library's N-th allocation: its calls to the
# allocator go through the test's own functions (tests/unit/test_alloc_fail.c).
$(BUILD)/tests/test_alloc_fail: UNIT_LDFLAGS = \
	$(foreach f,malloc calloc realloc free strdup strndup fopen fdopen,-Wl,--wrap=$(f))

$(BUILD)/tests/%: tests/unit/%.c $(STLIB) $(HEADERS) $(wildcard tests/unit/*.h) | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) $(UNIT_LDFLAGS) -o $@ $< $(STLIB) \
		$$($(PKG_CONFIG) --libs cmocka) $(LIBS)

$(BUILD)/bench/%: bench/%.c $(STLIB) $(HEADERS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(STLIB) $(LIBS)

# The tests also need the real programs they run (curl, tshark, ...).
check: all $(UNIT_BINS) $(BENCH_BINS) fuzz-build
	@sh scripts/deps.sh tools
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) TSAN=$(TSAN) FUZZ_BUILD=$(FUZZ_BUILD) \
		FUZZ_CHECK_SECONDS=$(FUZZ_CHECK_SECONDS) sh tests/run.sh

$(FUZZ_BUILD)/obj/%.o: %.c $(HEADERS) | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/lib/libsockrr.a: $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_BUILD)/lib/libsockrr.a $(HEADERS) | deps
	$(FUZZ_CC) $(FUZZ_CFLAGS) -D_GNU_SOURCE -Itests/fuzz -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_BUILD)/lib/libsockrr.a $(LIBS)

# The C API example of docs/fuzz.md, with its planted bug: libFuzzer must
# find it (tests/integration/fuzz_planted.sh).
$(FUZZ_BUILD)/planted_peer: tests/fuzz/fuzz_peer.c $(FUZZ_BUILD)/lib/libsockrr.a $(HEADERS) | deps
	$(FUZZ_CC) $(FUZZ_CFLAGS) -D_GNU_SOURCE -DSRR_PLANTED_BUG -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_BUILD)/lib/libsockrr.a $(LIBS)

fuzz-build: $(FUZZ_BINS) $(FUZZ_BUILD)/planted_peer

# Each target for FUZZ_SECONDS, one after another; what they find goes to
# build-fuzz/artifacts/, what they learn to build-fuzz/corpus/.
fuzz: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) sh tests/fuzz/run.sh fuzz $(FUZZ_SECONDS)

# a minimal Debian 12 built with mmdebstrap runs the README's two commands
# (root, network to Debian's registry; not part of check)
fresh-debian:
	sh scripts/fresh-debian.sh

demo: all
	@BUILD=$(BUILD) sh scripts/demo.sh

bench: all $(BENCH_BINS)
	@BUILD=$(BUILD) ONLY=$(ONLY) sh bench/run.sh

# sockrr.pc is written at install time: it names the PREFIX of this install.
# A prefix the loader searches (/usr, /usr/local) gets ldconfig; any other
# gets an rpath in sockrr.pc, so that a program built with pkg-config runs.
SYSTEM_PREFIX := $(if $(filter /usr /usr/local,$(patsubst %/,%,$(PREFIX))),1,0)
comma       := ,
PC_RPATH    := $(if $(filter 1,$(SYSTEM_PREFIX)),,-Wl$(comma)-rpath$(comma)$${libdir})

install: all
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/sockrr \
		$(DESTDIR)$(PREFIX)/bin
	install -m 644 $(STLIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHLIB) $(PRELOAD) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libsockrr.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/libsockrr.so
	install -m 644 lib/include/sockrr.h lib/include/sockrr_world.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 lib/include/sockrr/testing.h lib/include/sockrr/worlds.h lib/include/sockrr/fuzz.h \
		$(DESTDIR)$(PREFIX)/include/sockrr/
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' -e 's|@RPATH@|$(PC_RPATH)|' \
		sockrr.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/sockrr.pc
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(BASHCOMPDIR)
	for p in $(MAN_PAGES); do install -m 644 $$p $(DESTDIR)$(MANDIR)/man$${p##*.}/ || exit 1; done
	install -m 644 completion/sockrr.bash $(DESTDIR)$(BASHCOMPDIR)/sockrr
ifeq ($(SYSTEM_PREFIX),1)
	@[ -n "$(DESTDIR)" ] || ldconfig || echo "make install: ldconfig failed: run it as root"
else
	@echo "make install: $(PREFIX)/lib is not on the loader's path: programs built with"
	@echo "  pkg-config --libs sockrr carry an rpath to it; others need LD_LIBRARY_PATH=$(PREFIX)/lib"
endif

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libsockrr.* $(DESTDIR)$(PREFIX)/lib/libsockrr-preload.so \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig/sockrr.pc \
		$(DESTDIR)$(PREFIX)/include/sockrr.h $(DESTDIR)$(PREFIX)/include/sockrr_world.h \
		$(DESTDIR)$(PREFIX)/include/sockrr/testing.h $(DESTDIR)$(PREFIX)/include/sockrr/worlds.h \
		$(DESTDIR)$(PREFIX)/include/sockrr/fuzz.h \
		$(DESTDIR)$(PREFIX)/bin/sockrr $(DESTDIR)$(BASHCOMPDIR)/sockrr
	for p in $(notdir $(MAN_PAGES)); do rm -f $(DESTDIR)$(MANDIR)/man$${p##*.}/$$p; done

clean:
	rm -rf build build-san build-tsan $(FUZZ_BUILD)
