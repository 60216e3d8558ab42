# bpfrt top-level entry points. CMake does the building underneath.
#   make demo        build, then run the bundled examples
#   make test        install what is missing, build with -Werror, run every test, then again under ASan+UBSan
#   make bench       JIT (trusted, checked, verified), interpreter and uBPF (a build you supply in BENCH_UBPF_DIR) beside native C, compile times,
#                    maps, and the verifier on BPFRT_REAL_CORPUS beside the kernel (bench/verifier_corpus.c)
#   make check-long  the long fuzz and differential sweeps, the verifier soundness generator for
#                    LONG_VGEN_SECONDS (an hour), then every libFuzzer target for LONG_FUZZ_SECONDS
#   make fuzz        libFuzzer targets (clang, build-fuzz/), FUZZ_SECONDS each, with a summary (docs/fuzzing.md)
#   make install     libraries (.a, .so), headers, pkg-config file, CMake package, the CLI (PREFIX=/usr/local)
#   make release-check  Release builds with gcc and clang at -O2 and -O3, warnings as errors (compile only)

PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
BUILD_ASAN ?= build-asan
BUILD_TSAN ?= build-tsan
BUILD_FUZZ ?= build-fuzz
SHARED ?= $(abspath ../shared)
CMAKE_ARGS ?=
FUZZ_ITERS ?= 2000
LONG_FUZZ_ITERS ?= 200000
FUZZ_SECONDS ?= 60
LONG_VGEN_SECONDS ?= 3600
LONG_FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= elf btf asm exec

.PHONY: all deps build test test-fast test-asan test-tsan demo bench check-long fuzz install release-check clean

all: build

deps:
	@bash scripts/install-deps.sh

# Developers and CI build with warnings as errors; a packager's plain
# `cmake` does not (BPFRT_WERROR defaults to OFF).
WERROR ?= -DBPFRT_WERROR=ON

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBPFRT_SHARED_DIR=$(SHARED) \
	      -DBPFRT_FUZZ_ITERS=$(FUZZ_ITERS) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(WERROR) $(CMAKE_ARGS)

build: deps $(BUILD)/CMakeCache.txt
	@cmake -S . -B $(BUILD) $(WERROR) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DBPFRT_SANITIZE=ON \
	      -DBPFRT_SHARED_DIR=$(SHARED) -DBPFRT_FUZZ_ITERS=$(FUZZ_ITERS) $(WERROR) $(CMAKE_ARGS)
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    ctest --output-on-failure -j $(JOBS) -LE no-sanitize

# Concurrency tests (label "tsan") again under ThreadSanitizer.
test-tsan: deps
	cmake -S . -B $(BUILD_TSAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBPFRT_TSAN=ON \
	      -DBPFRT_SHARED_DIR=$(SHARED) $(WERROR) $(CMAKE_ARGS)
	cmake --build $(BUILD_TSAN) -j $(JOBS)
	cd $(BUILD_TSAN) && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -j $(JOBS) -L tsan

test: test-fast test-asan test-tsan
	@echo "make test: all tests passed (plain, ASan+UBSan and TSan builds)"

demo: build
	@bash examples/demo.sh $(BUILD)

bench: build
	@bash bench/run.sh $(BUILD) $(SHARED)

check-long: deps
	cmake -S . -B $(BUILD)-long -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBPFRT_SANITIZE=ON \
	      -DBPFRT_SHARED_DIR=$(SHARED) -DBPFRT_FUZZ_ITERS=$(LONG_FUZZ_ITERS) $(WERROR) $(CMAKE_ARGS)
	cmake --build $(BUILD)-long -j $(JOBS)
	cd $(BUILD)-long && ctest --output-on-failure -j $(JOBS) --timeout 3600 -LE no-sanitize
	cd $(BUILD)-long && BPFRT_VERIFIER_GEN_SECONDS=$(LONG_VGEN_SECONDS) ./test_verifier_gen
	$(MAKE) fuzz FUZZ_SECONDS=$(LONG_FUZZ_SECONDS)

# Coverage-guided fuzzing: clang with libFuzzer, ASan and UBSan in its own
# build directory; each target runs FUZZ_SECONDS, one after the other.
fuzz:
	@bash scripts/install-deps.sh fuzz
	cmake -S . -B $(BUILD_FUZZ) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBPFRT_FUZZ=ON $(WERROR) \
	      -DBPFRT_SHARED_DIR=$(SHARED) $(CMAKE_ARGS)
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz_targets
	@bash tests/fuzz/run.sh $(BUILD_FUZZ) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# What a packager's Release build sees, with each compiler and level.
release-check: deps
	@set -e; for cc in gcc clang; do for o in O2 O3; do \
	    echo "release-check: $$cc -$$o"; \
	    cmake -S . -B $(BUILD)-rel-$$cc-$$o -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=$$cc \
	          "-DCMAKE_C_FLAGS_RELEASE=-$$o -DNDEBUG" -DBPFRT_SHARED_DIR=$(SHARED) $(WERROR) $(CMAKE_ARGS) >/dev/null; \
	    cmake --build $(BUILD)-rel-$$cc-$$o -j $(JOBS) >/dev/null; \
	done; done; echo "release-check: gcc and clang at -O2 and -O3 build cleanly"

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_TSAN) $(BUILD)-long $(BUILD_FUZZ) $(BUILD)-rel-*
