# Gatehouse build targets. `make run` and `make test` are the two set-up
# commands in the README.

GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION  ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS   := -s -w -X main.version=$(VERSION) -X main.commit=$(REVISION)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
PLATFORMS ?= linux/amd64,linux/arm64
PUSH      ?=
FUZZTIME  ?= 20s

.PHONY: build install run test lint image bench bench-scale bench-table fuzz faults clean

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/gatehouse ./cmd/gatehouse

# Put gatehouse and gatehouse-gateway on the PATH: into $(go env GOBIN), or
# $(go env GOPATH)/bin when GOBIN is not set.
install:
	$(GO) install -trimpath -ldflags '$(LDFLAGS)' ./cmd/gatehouse ./cmd/gatehouse-gateway

# Run the management plane and the embedded gateway with SQLite in ./gatehouse-data.
run: build
	./bin/gatehouse serve

# The whole test suite. PostgreSQL and Redis tests use GATEHOUSE_TEST_POSTGRES
# and GATEHOUSE_TEST_REDIS, or the servers at their default local addresses;
# a service found in neither place is named in a line at the end of the run.
# deploy/ is a module of its own (Helm charts, images): its tests run second;
# without -short they also build the real images for every platform.
test:
	$(GO) vet ./...
	@eval "$$($(GO) run ./scripts/testservices env)"; \
	$(GO) test -race -count=1 ./... && \
	(cd deploy && $(GO) vet ./... && $(GO) test -short -count=1 ./...); \
	status=$$?; $(GO) run ./scripts/testservices report; exit $$status

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	cd deploy && $(GO) vet ./...

# OCI images of gatehouse-gateway, gatehouse and gatehouse-controller for PLATFORMS, built without a
# container engine: dist/gatehouse-gateway.oci.tar, dist/gatehouse.oci.tar, dist/gatehouse-controller.oci.tar.
# PUSH=ghcr.io/example also pushes them as ghcr.io/example/NAME:VERSION.
image:
	cd deploy && $(GO) run ./cmd/image --src .. --out ../dist --version $(VERSION) --revision $(REVISION) \
		--created $(SOURCE_DATE_EPOCH) --platforms $(PLATFORMS) $(if $(PUSH),--push $(PUSH))

# Load test: backend, nginx and the gateway (open, keyed, and keyed with a rate limit in
# memory and in Redis, or with validate-jwt) under wrk, as ratios to direct and to keyed.
# The Go benchmarks include the policy path of rate-limit-by-key and validate-jwt, and
# the limits store (BenchmarkRedisTake runs when GATEHOUSE_TEST_REDIS is set).
bench-scale:
	$(GO) test ./internal/configsync/source -run '^$$' -bench ConfigScale -benchtime 2x
	$(GO) test ./internal/mgmt -run '^$$' -bench ListSubscriptionsPage -benchtime 20x
	$(GO) test ./internal/control -run '^$$' -bench WriteAtScale -benchtime 5x

# The configuration-at-scale table of docs/performance.md (BenchmarkConfigScale at 100,
# 1,000 and 5,000 APIs), then the throughput benchmark (scripts/bench.sh). Environment:
# BENCH_TABLE_SCALES='^apis=100$$' for one size, BENCH_TABLE_LOAD=0 to skip the load part.
bench-table:
	GO=$(GO) bash scripts/bench-table.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/gateway/... ./internal/policy/builtin/ ./internal/limits/
	bash scripts/bench.sh

# Fault suite: kill, hang and starve real gatehouse processes on loopback and print a
# table of what held. `go test ./scripts/faults` (part of `make test`) runs its short form.
# PostgreSQL rounds run when GATEHOUSE_TEST_POSTGRES is set.
faults:
	$(GO) run ./scripts/faults

# Run each fuzz target for FUZZTIME.
fuzz:
	$(GO) test ./internal/gateway/route -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./internal/urlpath -run '^$$' -fuzz FuzzClean -fuzztime $(FUZZTIME)
	$(GO) test ./internal/mgmt -run '^$$' -fuzz FuzzParseFilter -fuzztime $(FUZZTIME)
	$(GO) test ./internal/model -run '^$$' -fuzz FuzzDecodeStrict -fuzztime $(FUZZTIME)
	$(GO) test ./internal/snapshot -run '^$$' -fuzz FuzzDecodeSnapshot -fuzztime $(FUZZTIME)
	$(GO) test ./internal/openapi -run '^$$' -fuzz FuzzImport -fuzztime $(FUZZTIME)
	$(GO) test ./internal/expr/dotnet -run '^$$' -fuzz FuzzCompile -fuzztime $(FUZZTIME)
	$(GO) test ./internal/expr/dotnet -run '^$$' -fuzz FuzzEval -fuzztime $(FUZZTIME)
	$(GO) test ./internal/limits -run '^$$' -fuzz FuzzNewClient -fuzztime $(FUZZTIME)
	$(GO) test ./internal/policy/builtin -run '^$$' -fuzz FuzzParseRenewalPeriod -fuzztime $(FUZZTIME)
	$(GO) test ./internal/policy/builtin -run '^$$' -fuzz FuzzParseFirstPeriodStart -fuzztime $(FUZZTIME)
	$(GO) test ./internal/policy/builtin -run '^$$' -fuzz FuzzValidateJWT -fuzztime $(FUZZTIME)
	$(GO) test ./internal/policy/builtin -run '^$$' -fuzz FuzzParseAddressRange -fuzztime $(FUZZTIME)
	$(GO) test ./internal/expr/dotnet -run '^$$' -fuzz FuzzParseJSON -fuzztime $(FUZZTIME)
	$(GO) test ./internal/policy/builtin -run '^$$' -fuzz FuzzConvert -fuzztime $(FUZZTIME)
	$(GO) test ./internal/policy -run '^$$' -fuzz FuzzReadXML -fuzztime $(FUZZTIME)
	$(GO) test ./internal/apiops -run '^$$' -fuzz FuzzParseOverrides -fuzztime $(FUZZTIME)

clean:
	rm -rf bin dist
