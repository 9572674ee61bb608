# stakewallet — build, test and demo.
#   make build   bin/stakewallet and bin/stakewallet-devnet
#   make demo    the whole stake → unstake → wait → claim → transfer cycle on a local devnet
#   make test    every test: unit, end to end (devnet and anvil), keyring, Ledger emulator
#   make man     a man page per command in ./man
#   make fuzz-smoke  every fuzz target for 5 s; make fuzz: FUZZTIME each (5m)
#   make bench   round trips and wall time against cast (not part of make test); BENCH_ARGS="-runs 9"
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
# go test runs up to 2 packages at once here: the end-to-end packages each
# start nodes, and the machines are small.
GOTEST_FLAGS ?= -timeout 20m -p 2
# How long `make fuzz` runs each fuzz target (scripts/fuzz-targets.txt).
FUZZTIME ?= 5m

.PHONY: build demo man test test-unit test-keyring lint fmt-check vet fuzz fuzz-smoke contracts ledger-data npm clean bench

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/stakewallet ./cmd/stakewallet
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/stakewallet-devnet ./cmd/stakewallet-devnet

demo: build
	scripts/demo.sh

# One man page per command, from the command tree (stakewallet man DIR).
man: build
	bin/stakewallet man man

# npm tools for the tests (anvil, Ledger's JS client) and the contract build (solc).
npm: scripts/node_modules/.package-lock.json
scripts/node_modules/.package-lock.json: scripts/package.json scripts/package-lock.json
	npm ci --prefix scripts --no-audit --no-fund
	@touch $@

test: build npm fmt-check vet
	$(GO) test $(GOTEST_FLAGS) ./...
	scripts/test-keyring.sh

fmt-check:
	@out="$$(gofmt -l cmd pkg internal)"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# Fuzzing, one target after another (scripts/fuzz-run.sh): a crash leaves
# its input in the package's testdata/fuzz/, which `go test` then replays.
fuzz-smoke:
	GO=$(GO) scripts/fuzz-run.sh 5s

fuzz:
	GO=$(GO) scripts/fuzz-run.sh $(FUZZTIME)

lint: fmt-check vet
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# stakewallet against cast on the devnet and anvil, +0 and +50 ms per round
# trip (scripts/bench.sh); the README carries its table.
bench: npm
	GO=$(GO) scripts/bench.sh $(BENCH_ARGS)

# Regenerate the committed model-contract artifacts (needs npm).
contracts: npm
	scripts/gen-contracts.sh

clean:
	rm -rf bin .demo man
