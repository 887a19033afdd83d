# phonograph - GNU make build. Targets:
#   make run      install missing Debian packages, build, run the default deck (2 ranks)
#   make check    install missing Debian packages, build, run every test (ends "N passed, N failed")
#   make bench    benchmarks against peer codes (bench/); make figures (analysis/)
#   make all | clean | deps | docs
# Switches: DEBUG=1 (-O0), SANITIZE=1 (ASan+UBSan, separate build dir), WERROR=1 (CI).
# Library flags come from pkg-config (flavour-explicit names: hdf5-openmpi, scalapack-openmpi).

SHELL       := /bin/bash
PKG         ?= pkg-config
CC          := mpicc
NP          ?= 2
DECK        ?= inputs/Ag3SBr/Ag3SBr.deck
RUN_OUT     ?= runs/Ag3SBr
PYTHON      ?= /usr/bin/python3

ifeq ($(SANITIZE),1)
BUILD       ?= build-san
else ifeq ($(DEBUG),1)
BUILD       ?= build-debug
else
BUILD       ?= build
endif

PKGS        := scalapack-openmpi openblas hdf5-openmpi spglib
LIB_CFLAGS  := $(shell $(PKG) --cflags $(PKGS) 2>/dev/null) -DSPGCONST=const
LIB_LIBS    := $(shell $(PKG) --libs $(PKGS) 2>/dev/null) -lm
CMOCKA_LIBS := $(shell $(PKG) --libs cmocka 2>/dev/null)

OPT         := -O2
ifeq ($(DEBUG),1)
OPT         := -O0
endif
CFLAGS      ?= $(OPT) -g
CFLAGS      += -std=c17 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter
ifeq ($(WERROR),1)
CFLAGS      += -Werror
endif
ifeq ($(SANITIZE),1)
CFLAGS      += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS     += -fsanitize=address,undefined
endif
CPPFLAGS    += -Iinclude -Isrc -Itest/common -I$(BUILD)/gen $(LIB_CFLAGS) -MMD -MP

LIB_SRC     := $(shell find src -name '*.c' ! -path src/main.c | sort)
LIB_OBJ     := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB         := $(BUILD)/libphonograph.a
BIN         := $(BUILD)/phonograph

TEST_COMMON := $(wildcard test/common/*.c)
TEST_COMMON_OBJ := $(TEST_COMMON:%.c=$(BUILD)/%.o)
UNIT_SRC    := $(wildcard test/unit/test_*.c)
UNIT_BIN    := $(UNIT_SRC:%.c=$(BUILD)/%)
MPI_SRC     := $(wildcard test/mpi/*.c)
MPI_BIN     := $(MPI_SRC:%.c=$(BUILD)/%)
BENCH_SRC   := $(wildcard bench/*.c)
BENCH_BIN   := $(BENCH_SRC:%.c=$(BUILD)/%)

export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
export OPENBLAS_NUM_THREADS := 1
MPIRUN      ?= mpirun --oversubscribe

.PHONY: all run check check-slurm bench figures deps docs build tests clean FORCE format format-check

all: deps
	@$(MAKE) --no-print-directory build

build: $(BIN)

deps:
	@tools/deps.sh

run: deps
	@$(MAKE) --no-print-directory build
	$(MPIRUN) -np $(NP) $(BIN) run $(DECK)
	$(PYTHON) analysis/make_figures.py $(RUN_OUT)

check: deps
	@$(MAKE) --no-print-directory tests
	@BUILD=$(BUILD) MPIRUN="$(MPIRUN)" SANITIZE=$(SANITIZE) tools/run_tests.sh

check-slurm: deps
	@$(MAKE) --no-print-directory build
	@BUILD=$(BUILD) test/slurm/test_slurm.sh

tests: $(BIN) $(UNIT_BIN) $(MPI_BIN)

bench: deps
	@$(MAKE) --no-print-directory build $(BENCH_BIN)
	@BUILD=$(BUILD) bench/run_all.sh

figures:
	$(PYTHON) analysis/make_figures.py $(RUN_OUT)

docs: $(BIN)
	$(BIN) deck --markdown > docs/deck.md

# generated build information (git describe, compiler, flags), rewritten only when it changes
$(BUILD)/gen/build_info.h: FORCE
	@mkdir -p $(dir $@)
	@tools/gen_build_info.sh "$(CC)" "$(CFLAGS)" > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv -f $@.tmp $@

$(BUILD)/%.o: %.c | $(BUILD)/gen/build_info.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/src/core/version.o: $(BUILD)/gen/build_info.h

# phonon kernels: short inner loops that only the full vectoriser handles (docs/performance.md)
$(BUILD)/src/core/eigh_small.o $(BUILD)/src/core/tridiag.o $(BUILD)/src/phonon/dynmat.o: CFLAGS += $(if $(filter -O2,$(OPT)),-O3)

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/src/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

$(BUILD)/test/unit/%: $(BUILD)/test/unit/%.o $(TEST_COMMON_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS) $(CMOCKA_LIBS)

$(BUILD)/test/mpi/%: $(BUILD)/test/mpi/%.o $(TEST_COMMON_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS) $(CMOCKA_LIBS)

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

format:
	clang-format -i $$(find src include test bench -name '*.[ch]')

# reports files that differ from .clang-format (not enforced in CI yet)
format-check:
	@n=0; for f in $$(find src include test bench -name '*.[ch]' | sort); do \
	    clang-format --dry-run --Werror "$$f" >/dev/null 2>&1 || { echo "differs: $$f"; n=$$((n + 1)); }; \
	done; echo "format-check: $$n file(s) differ from .clang-format"; [ $$n -eq 0 ]

clean:
	rm -rf build build-san build-debug

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
