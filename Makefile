# Fengqiao: the two commands a new machine needs are `make run` and `make test`.
JOBS   ?= 2
BUILD  ?= build
ASAN   ?= build-asan
DB     ?= var/fengqiao.db
PORT   ?= 8080

MAKEFLAGS += --no-print-directory

.PHONY: all setup build asan run demo test unit-test asan-test api-test e2e-test web screenshots crashtest bench bench-search clean format

all: build

setup:
	@scripts/setup

$(BUILD)/Makefile:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

$(ASAN)/Makefile:
	cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DFQ_SANITIZE=ON >/dev/null

asan: $(ASAN)/Makefile
	cmake --build $(ASAN) -j $(JOBS)

# The web apps (web/, Vite): npm ci when node_modules is missing or older than package-lock.json,
# then vite build into web/dist, which `fengqiao serve` serves.
web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

web: web/node_modules/.package-lock.json
	cd web && npx vite build --logLevel warn

# Set up, build, create the demo database if there is none, and serve it.
run: setup build web
	@mkdir -p var
	@if [ ! -f $(DB) ]; then $(BUILD)/fengqiao init --db $(DB) --data-dir var/data && \
	  $(BUILD)/fengqiao demo --db $(DB); fi
	$(BUILD)/fengqiao serve --db $(DB) --data-dir var/data --port $(PORT) --web web/dist

unit-test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan-test: asan
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)
	FENGQIAO=$(ASAN)/fengqiao node --test --test-concurrency=1 tests/api/

api-test: build
	FENGQIAO=$(BUILD)/fengqiao node --test --test-concurrency=1 tests/api/

# Browser tests: playwright-core driving Debian's chromium over the built web apps; they also
# refresh docs/screenshots/ (FQ_SCREENSHOTS=0 to skip).
e2e-test: build web
	FENGQIAO=$(BUILD)/fengqiao node --test --test-concurrency=1 tests/e2e/

screenshots: e2e-test

crashtest: build
	tests/crash/run $(BUILD)/fengqiao $(CRASH_N)

# Every test: unit tests, API tests over real HTTP, the sanitizer build of both, the browser
# tests, the crash test.
test: setup
	$(MAKE) unit-test api-test asan-test e2e-test
	$(MAKE) crashtest CRASH_N=3000

bench: setup build
	bench/run $(BUILD)/fengqiao

# Search latency at SEARCH_CASES synthetic cases (default 1,000,000; builds a scratch database).
bench-search: setup build
	bench/search/run $(BUILD) $(SEARCH_CASES)

format:
	clang-format -i src/*.c src/*/*.c src/*/*.h tests/unit/*.c

clean:
	rm -rf $(BUILD) $(ASAN)
