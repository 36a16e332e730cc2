# Thin wrapper around meson; see README.md.
BUILD ?= build
MESON ?= meson

.PHONY: all deps build demo check check-jit-long bench install clean linux-kernel deb

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
