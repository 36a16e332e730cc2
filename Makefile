# Thin wrapper around meson; see README.md.
BUILD ?= build
ASAN_BUILD ?= build-asan
MESON ?= meson

.PHONY: all deps build demo check check-asan check-jit-long bench install clean linux-kernel deb

all: build

deps:
	@tools/install-deps.sh

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD)

build: deps $(BUILD)/build.ninja
	$(MESON) compile -C $(BUILD)

demo: build
	tools/demo.sh $(BUILD)

check: build
	$(MESON) test -C $(BUILD) --print-errorlogs --num-processes 2

# The whole suite again, built with AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer comes with ASan), in its own build directory. Any report fails its
# test: every sanitizer aborts on its first error, and leaks fail the process at
# exit. Bounded for CI (13 minutes on 2 shared cores, build included): the linux suite (Linux boots,
# 30 s to 3 min each under ASan) is left to `make check`, and so is the fuzz suite,
# whose libFuzzer targets are ASan builds already; the fuzz-replay and guest-fuzz
# tests do run here.
ASAN_ENV = ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
	UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
	TESSERA_TIMEOUT_SCALE=3

$(ASAN_BUILD)/build.ninja:
	$(MESON) setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false

check-asan: deps $(ASAN_BUILD)/build.ninja
	$(MESON) compile -C $(ASAN_BUILD)
	$(ASAN_ENV) $(MESON) test -C $(ASAN_BUILD) --print-errorlogs --num-processes 2 \
		--no-suite linux --no-suite fuzz --timeout-multiplier 3

# The long JIT-against-interpreter campaign (suite jit-long; it skips in check).
check-jit-long: build
	TESSERA_JIT_FUZZ_SEEDS=$${TESSERA_JIT_FUZZ_SEEDS:-20000} $(MESON) test -C $(BUILD) --suite jit-long --print-errorlogs

bench: build
	bench/run.sh $(BUILD)

install: build
	$(MESON) install -C $(BUILD)

# Debian packages into $(BUILD)/deb (docs/packaging.md); lintian-checked.
deb: deps
	tools/make-deb.sh $(BUILD)/deb

# The Linux kernel the tests/linux suite boots (5-20 minutes; never part of check).
linux-kernel:
	tools/build-linux.sh $(BUILD)/linux

clean:
	rm -rf $(BUILD)
