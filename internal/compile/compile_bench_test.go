package compile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// benchSnapshot is a configuration of n APIs of five operations, whose
// policies use named values in texts, typed attributes and expressions,
// and a fragment, as a busy management plane holds.
func benchSnapshot(n int) *snapshot.Snapshot {
	const apiPolicy = `<policies>
  <inbound>
    <base />
    <rate-limit calls="{{calls}}" renewal-period="{{period}}" />
    <set-header name="X-Env" exists-action="override"><value>{{env-name}}</value></set-header>
    <set-variable name="target" value="@("{{backend}}" + context.Request.Url.Path)" />
    <choose>
      <when condition="@(context.Request.Headers.GetValueOrDefault("X-Tier", "") == "gold")">
        <include-fragment fragment-id="auth" />
      </when>
    </choose>
  </inbound>
  <outbound>
    <base />
    <set-header name="X-Served-By" exists-action="override"><value>@(context.Deployment.Region + "{{env-name}}")</value></set-header>
  </outbound>
</policies>`
	snap := &snapshot.Snapshot{Version: 1, Policy: snapshot.PolicyEnv{
		NamedValues: map[string]string{"calls": "100", "period": "60", "env-name": "prod", "backend": "https://orders.internal", "secret-key": "s3cr3t-value"},
		Fragments:   map[string]string{"auth": `<fragment><set-header name="Authorization" exists-action="override"><value>Bearer {{secret-key}}</value></set-header></fragment>`},
		Global:      `<policies><inbound><set-header name="X-Gateway" exists-action="override"><value>gatehouse</value></set-header></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>`,
	}}
	for i := range n {
		a := snapshot.API{ID: fmt.Sprintf("api-%d", i), Path: fmt.Sprintf("api-%d", i), ServiceURL: "http://backend", Policy: apiPolicy}
		for j := range 5 {
			a.Operations = append(a.Operations, snapshot.Operation{ID: fmt.Sprintf("op-%d", j), Method: "GET", URLTemplate: fmt.Sprintf("/r%d", j),
				Policy: `<policies><inbound><base /><rewrite-uri template="/v2/r` + fmt.Sprint(j) + `" /></inbound></policies>`})
		}
		snap.APIs = append(snap.APIs, a)
	}
	return snap
}

// BenchmarkCompile compiles a configuration of 50 APIs (250 operations)
// whose policies use named values: what each management write and each
// gateway's reload does.
func BenchmarkCompile(b *testing.B) {
	snap := benchSnapshot(50)
	reg := builtin.NewRegistry()
	if _, r := Compile(snap, Options{Registry: reg}); len(r.Diagnostics) > 0 {
		b.Fatalf("the benchmark configuration does not compile: %v", strings.Join(func() []string {
			var s []string
			for _, d := range r.Diagnostics {
				s = append(s, d.String())
			}
			return s
		}(), "; "))
	}
	b.ReportAllocs()
	for b.Loop() {
		Compile(snap, Options{Registry: reg})
	}
}
