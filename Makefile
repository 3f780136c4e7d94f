# studyhall — make run serves everything with demo data; make test runs every test.

GO          ?= go
NPM         ?= npm
NODE        ?= node
BIN         ?= bin/studyhall
DATA        ?= pb_data
HTTP        ?= 127.0.0.1:8090
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
ROUNDS      ?= 50
REPLICA     ?= $(STUDYHALL_REPLICATE)
VENDOR_DIR  := pb_public/vendor
FUZZTIME    ?= 5s
FUZZ_LONG   ?= 2m
# the native Go fuzz targets, as Name:package (go runs one -fuzz target
# per package per command)
FUZZ_TARGETS := FuzzClean:./plaintext FuzzBindForm:./request

.PHONY: run build vendor test test-go test-fuzz test-web lint bench fuzz crash restore-drill

## run: vendor the web app's SDK, build, seed the demo data (idempotent) and serve API, dashboard and web app
run: vendor build
	./$(BIN) seed --demo --dir $(DATA)
	./$(BIN) serve --dir $(DATA) --http $(HTTP)

## build: the studyhall binary in bin/
build:
	$(GO) build -o $(BIN) .

## vendor: the web app's third-party code (the PocketBase JS SDK) from npm into pb_public/vendor/ (git-ignored)
vendor:
	@if command -v $(NPM) >/dev/null 2>&1; then \
		if [ ! -d node_modules/pocketbase ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
			$(NPM) ci --no-audit --no-fund || exit 1; \
		fi; \
		mkdir -p $(VENDOR_DIR) && cp node_modules/pocketbase/dist/pocketbase.es.mjs $(VENDOR_DIR)/ \
			&& echo "web app SDK copied to $(VENDOR_DIR)/"; \
	elif [ -f $(VENDOR_DIR)/pocketbase.es.mjs ]; then \
		echo "warning: npm not found; using the SDK already in $(VENDOR_DIR)/"; \
	else \
		echo "warning: npm not found, so the web app cannot get its SDK: the API and dashboard work, the web app at / does not (install Node.js 20+ and run make vendor)"; \
	fi

## test: every test: Go (API, realtime, mail), each fuzz target briefly, then the web app in headless Chromium
test: test-go test-fuzz test-web

## test-go: the Go tests
test-go:
	$(GO) test -count=1 -timeout 15m ./...

## test-fuzz: each Go fuzz target for FUZZTIME (5s by default)
test-fuzz:
	@set -e; for target in $(FUZZ_TARGETS); do \
		name=$${target%%:*}; pkg=$${target#*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

## fuzz: each Go fuzz target for FUZZ_LONG (2m); a failing input is saved under the package's testdata/fuzz/
fuzz:
	$(MAKE) test-fuzz FUZZTIME=$(FUZZ_LONG)

## test-web: the browser tests (node --test webtests/); they build, seed and serve studyhall themselves
test-web: vendor
	$(NODE) --test --test-concurrency=1 webtests/

## lint: gofmt, go vet and staticcheck at a pinned version
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## bench: the realtime load tool against a freshly started studyhall (see bench/README.md)
bench:
	$(GO) run ./bench

## crash: kill -9 the server at ROUNDS random moments of a 200-client rush (make test runs 5); replay one with CRASH_SEED=n
crash:
	$(GO) test -count=1 -timeout 60m -v ./replication -run 'TestCrashDuringRush$$' -crash.rounds $(ROUNDS) $(if $(CRASH_SEED),-crash.seed $(CRASH_SEED))

## restore-drill: restore REPLICA (default $$STUDYHALL_REPLICATE) into a new directory and check that it opens; the live data is not touched
restore-drill: build
	@if [ -z "$(REPLICA)" ]; then echo "usage: make restore-drill REPLICA=file:///path/to/replica (or s3://bucket/path)"; exit 2; fi
	@dir=$$(mktemp -d -t studyhall-drill-XXXXXX)/pb_data; \
	./$(BIN) restore --from "$(REPLICA)" --dir "$$dir" || exit 1; \
	./$(BIN) outbox list --dir "$$dir" --limit 5 || exit 1; \
	echo; echo "The restored copy is in $$dir. Look at it with:"; \
	echo "  STUDYHALL_REPLICATE= ./$(BIN) serve --dir $$dir --http 127.0.0.1:8091   (never with --replicate: it would write into the live replica)"; \
	echo "then remove it: rm -r $$(dirname $$dir)"
