package source

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// scale is the size of a generated configuration.
type scale struct {
	apis, subscriptions int
}

// BenchmarkConfigScale builds the managed gateway's snapshot of a
// generated configuration (APIs of 20 operations, one product per five
// APIs with a rate-limit policy, 500 named values used by API policies,
// subscriptions spread over the products), and compiles it as a gateway
// installs it. The timed builds follow a first one (reported as
// first-build-ms), as the builds of later configuration versions do,
// with the subscriptions unchanged. It reports the snapshot's size, plain and gzipped, the
// time of the gateway's compile and the memory its result holds.
//
//	go test ./internal/configsync/source -run '^$' -bench ConfigScale -benchtime 3x
func BenchmarkConfigScale(b *testing.B) {
	for _, sc := range []scale{{100, 1_000}, {1_000, 10_000}, {5_000, 100_000}} {
		b.Run(fmt.Sprintf("apis=%d/subscriptions=%d", sc.apis, sc.subscriptions), func(b *testing.B) {
			st := generate(b, sc)
			builder := &Builder{Policies: builtin.NewRegistry()}
			var snap *snapshot.Snapshot
			build := func() {
				err := st.View(context.Background(), func(r store.Reader) error {
					var err error
					snap, err = builder.Build(context.Background(), r, model.ManagedGatewayID)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			start := time.Now()
			build() // the first build, with nothing remembered
			first := time.Since(start)
			for b.Loop() {
				build()
			}
			b.StopTimer()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start = time.Now()
			res, report := compile.Compile(snap, compile.Options{Registry: builtin.NewRegistry()})
			compiled := time.Since(start)
			runtime.GC()
			runtime.ReadMemStats(&after)
			if len(report.Diagnostics) > 0 {
				b.Fatalf("the generated configuration does not compile: %v", report.Diagnostics[0])
			}
			runtime.KeepAlive(res)
			plain, _ := json.Marshal(snap)
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			zw.Write(plain)
			zw.Close()
			b.ReportMetric(float64(len(plain))/(1<<20), "snapshot-MB")
			b.ReportMetric(float64(z.Len())/(1<<20), "gzipped-MB")
			b.ReportMetric(compiled.Seconds()*1000, "compile-ms")
			b.ReportMetric(first.Seconds()*1000, "first-build-ms")
			b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "compiled-MB")
		})
	}
}

// generate stores a configuration of size sc.
func generate(b *testing.B, sc scale) store.Store {
	b.Helper()
	st := openStore(b)
	ctx := context.Background()
	put := func(tx store.Tx, kind model.Kind, parent, id string, props, secret any) {
		rec := &store.Record{Kind: kind, Parent: parent, ID: id}
		rec.Props, _ = json.Marshal(props)
		if secret != nil {
			rec.Secret, _ = json.Marshal(secret)
		}
		if _, err := tx.Put(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
	const namedValues, opsPerAPI, apisPerProduct = 500, 20, 5
	products := max(sc.apis/apisPerProduct, 1)
	_, err := st.Update(ctx, func(tx store.Tx) error {
		for i := range namedValues {
			put(tx, model.KindNamedValue, "", fmt.Sprintf("nv-%d", i), &model.NamedValue{DisplayName: fmt.Sprintf("nv-%d", i), Value: fmt.Sprintf("value-%d", i)}, nil)
		}
		methods := []string{"GET", "POST", "PUT", "DELETE"}
		for a := range sc.apis {
			id := fmt.Sprintf("api-%d", a)
			put(tx, model.KindAPI, "", id, &model.API{DisplayName: id, Path: id, ServiceURL: "http://10.0.0.1/" + id}, nil)
			for o := range opsPerAPI {
				put(tx, model.KindOperation, id, fmt.Sprintf("op-%d", o), &model.Operation{DisplayName: fmt.Sprintf("Operation %d", o),
					Method: methods[o%len(methods)], URLTemplate: fmt.Sprintf("/resource-%d/{id}", o/len(methods))}, nil)
			}
			put(tx, model.KindPolicy, "apis/"+id, model.PolicyID, &model.Policy{Format: "rawxml", Value: fmt.Sprintf(
				`<policies><inbound><base /><set-header name="x-env" exists-action="override"><value>{{nv-%d}}</value></set-header></inbound>`+
					`<backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`, a%namedValues)}, nil)
			put(tx, model.KindProductAPI, fmt.Sprintf("product-%d", a%products), id, struct{}{}, nil)
		}
		for p := range products {
			id := fmt.Sprintf("product-%d", p)
			put(tx, model.KindProduct, "", id, &model.Product{DisplayName: id, State: "published"}, nil)
			put(tx, model.KindPolicy, "products/"+id, model.PolicyID, &model.Policy{Format: "rawxml", Value: `<policies><inbound><base />` +
				`<rate-limit-by-key calls="100" renewal-period="60" counter-key="@(context.Subscription.Id)" /></inbound>` +
				`<backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`}, nil)
		}
		for s := range sc.subscriptions {
			put(tx, model.KindSubscription, "", fmt.Sprintf("sub-%d", s),
				&model.Subscription{DisplayName: fmt.Sprintf("Subscription %d", s), Scope: fmt.Sprintf("/products/product-%d", s%products), State: "active"},
				&model.SubscriptionKeys{PrimaryKey: fmt.Sprintf("primary-%024d", s), SecondaryKey: fmt.Sprintf("secondary-%024d", s)})
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return st
}
