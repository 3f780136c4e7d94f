# studyhall — make run serves everything with demo data; make test runs every test.

GO          ?= go
BIN         ?= bin/studyhall
DATA        ?= pb_data
HTTP        ?= 127.0.0.1:8090
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: run build test lint bench

## run: build, seed the demo data (idempotent) and serve API, dashboard and web app
run: build
	./$(BIN) seed --demo --dir $(DATA)
	./$(BIN) serve --dir $(DATA) --http $(HTTP)

## build: the studyhall binary in bin/
build:
	$(GO) build -o $(BIN) .

## test: every test (Go API, realtime and mail tests)
test:
	$(GO) test -count=1 -timeout 15m ./...

## lint: gofmt, go vet and staticcheck at a pinned version
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## bench: the realtime load tool against a freshly started studyhall (see bench/README.md)
bench:
	$(GO) run ./bench
