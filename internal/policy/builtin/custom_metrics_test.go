package builtin

import (
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

func TestMetricName(t *testing.T) {
	for in, want := range map[string]string{
		"API ID": "api_id", "Client IP": "client_ip", "Response bytes": "response_bytes", "tokens/s": "tokens_s",
		"9lives": "_9lives", "__x__": "x", "Ünïcode": "n_code", "---": "", "a  b": "a_b",
	} {
		if got := metricName(in); got != want {
			t.Errorf("metricName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMetricsBoundSeries: a metric keeps at most maxSeries series; the
// values of others are dropped and counted.
func TestMetricsBoundSeries(t *testing.T) {
	m := NewMetrics(3)
	f := newFamily("gatehouse_custom_x", "x", summaryKind, []string{"namespace", "user"})
	for i := range 10 {
		m.add(f, []string{"ns", "user" + strconv.Itoa(i%5)}, 1)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(m)
	got := gathered(t, reg)
	if n := strings.Count(got, "gatehouse_custom_x_count{"); n != 3 {
		t.Errorf("%d series, want 3:\n%s", n, got)
	}
	if !strings.Contains(got, "gatehouse_metric_series_dropped_total{metric=\"gatehouse_custom_x\"} 4\n") {
		t.Errorf("dropped values not counted:\n%s", got)
	}
}

// TestMetricsConcurrentAdds: adds from many goroutines are all counted,
// and one name with two sets of dimensions gathers.
func TestMetricsConcurrentAdds(t *testing.T) {
	m := NewMetrics(0)
	a := newFamily(totalTokensMetric, "t", counterKind, []string{"namespace", "api_id"})
	b := newFamily(totalTokensMetric, "t", counterKind, []string{"namespace", "team"})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				m.add(a, []string{"ns", "orders"}, 0.5)
				m.add(b, []string{"ns", "blue"}, 2)
			}
		}()
	}
	wg.Wait()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(m)
	got := gathered(t, reg)
	for _, want := range []string{`gatehouse_llm_tokens_total{api_id="orders",namespace="ns"} 4000`, `gatehouse_llm_tokens_total{namespace="ns",team="blue"} 16000`} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("gathered:\n%s\nwant %s", got, want)
		}
	}
}

func TestMetricsLongValuesAreCut(t *testing.T) {
	m := NewMetrics(0)
	f := newFamily("gatehouse_custom_y", "y", counterKind, []string{"namespace"})
	m.add(f, []string{strings.Repeat("é", 100)}, 1) // 200 bytes
	ch := make(chan prometheus.Metric, 1)
	m.Collect(ch)
	s := (<-ch).Desc().String()
	if !strings.Contains(s, "gatehouse_custom_y") {
		t.Fatalf("desc %s", s)
	}
	for _, se := range seriesOf(m) {
		if len(se.values[0]) > maxLabelValue || !strings.HasPrefix(se.values[0], "éé") {
			t.Errorf("value kept as %d bytes %q", len(se.values[0]), se.values[0])
		}
	}
}

func seriesOf(m *Metrics) []*series {
	var out []*series
	m.series.Range(func(_, v any) bool { out = append(out, v.(*series)); return true })
	return out
}

func TestEmitMetricCompileErrors(t *testing.T) {
	dim := `<dimension name="API ID" />`
	checkCompileErrors(t, []compileErrorCase{
		{"name required", inbound(`<emit-metric>` + dim + `</emit-metric>`), "attribute name is required"},
		{"bad value", inbound(`<emit-metric name="m" value="lots">` + dim + `</emit-metric>`), `value: "lots" is not a number`},
		{"dimension required", inbound(`<emit-metric name="m" />`), "at least one <dimension> is required"},
		{"value required for custom dimension", inbound(`<emit-metric name="m"><dimension name="Team" /></emit-metric>`), "attribute value is required, except for the default dimensions"},
		{"duplicate label", inbound(`<emit-metric name="m"><dimension name="API ID" /><dimension name="api-id" value="x" /></emit-metric>`), `"api-id": another dimension has this name (as the label api_id)`},
		{"reserved label", inbound(`<emit-metric name="m"><dimension name="Namespace" value="x" /></emit-metric>`), `"Namespace" is reserved`},
		{"dimension name not an expression", inbound(`<emit-metric name="m"><dimension name="@(&quot;a&quot;)" value="x" /></emit-metric>`), "an expression is not allowed here"},
		{"other children", inbound(`<emit-metric name="m">` + dim + `<value>1</value></emit-metric>`), "only <dimension> elements belong in <emit-metric>"},
		{"too many dimensions", inbound(`<emit-metric name="m">` + strings.Repeat("", 0) + manyDims(11) + `</emit-metric>`), "at most 10 dimensions are allowed, not 11"},
		{"token metric inbound only", `<policies><inbound /><outbound><llm-emit-token-metric>` + dim + `</llm-emit-token-metric></outbound></policies>`, "belongs in the inbound section"},
		{"token metric attributes", inbound(`<azure-openai-emit-token-metric name="x">` + dim + `</azure-openai-emit-token-metric>`), "unknown attribute"},
		{"token metric dimension required", inbound(`<llm-emit-token-metric namespace="n" />`), "at least one <dimension> is required"},
	})
}

func manyDims(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(`<dimension name="d` + strconv.Itoa(i) + `" value="x" />`)
	}
	return b.String()
}

// gathered returns reg's metrics in Prometheus's text format.
func gathered(t *testing.T, reg prometheus.Gatherer) string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var b strings.Builder
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// BenchmarkMetricsAdd adds to one of 10 existing series from every
// core at once: a lookup and an atomic add, no lock.
func BenchmarkMetricsAdd(b *testing.B) {
	m := NewMetrics(0)
	f := newFamily(totalTokensMetric, "t", counterKind, []string{"namespace", "api_id"})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			m.add(f, []string{"ns", "api" + strconv.Itoa(i%10)}, 1)
			i++
		}
	})
}
