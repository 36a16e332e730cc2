# Thin wrapper around meson; see README.md.
BUILD ?= build
MESON ?= meson

.PHONY: all deps build demo check bench install clean

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

bench: build
	bench/run.sh $(BUILD)

install: build
	$(MESON) install -C $(BUILD)

clean:
	rm -rf $(BUILD)
