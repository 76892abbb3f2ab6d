package builtin

import (
	"math"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultMaxSeries bounds the series of one metric name that Metrics
// keeps when NewMetrics is given 0.
const DefaultMaxSeries = 1000

// maxLabelValue bounds a dimension's value, in bytes; longer values are
// cut.
const maxLabelValue = 128

// Metrics keeps the custom metrics of emit-metric and the token metrics
// of llm-emit-token-metric and azure-openai-emit-token-metric, and
// exposes them to Prometheus (it is a prometheus.Collector; the gateway
// registers it on its registry). It must outlive configuration reloads.
//
// Label cardinality is bounded: each metric name keeps at most
// maxSeries series (distinct sets of dimension values); values for a
// further series are dropped and counted in
// gatehouse_metric_series_dropped_total{metric}. Adding to an existing
// series takes no lock. Metrics is safe for concurrent use; its zero
// value is not usable: use NewMetrics.
type Metrics struct {
	maxSeries int
	series    sync.Map // series key → *series
	mu        sync.Mutex
	perName   map[string]int            // series per metric name; guarded by mu
	dropped   map[string]*atomic.Uint64 // per metric name; guarded by mu
}

var _ prometheus.Collector = (*Metrics)(nil)

// NewMetrics returns an empty Metrics keeping at most maxSeries series
// per metric name (0: DefaultMaxSeries).
func NewMetrics(maxSeries int) *Metrics {
	if maxSeries <= 0 {
		maxSeries = DefaultMaxSeries
	}
	return &Metrics{maxSeries: maxSeries, perName: map[string]int{}, dropped: map[string]*atomic.Uint64{}}
}

// metricKind says how a series is exposed.
type metricKind int

const (
	counterKind metricKind = iota // a counter: the sum of what was added
	summaryKind                   // a summary without quantiles: sum and count
)

// family is a metric name with its help, kind and label names, compiled
// once per element.
type family struct {
	name   string
	help   string
	kind   metricKind
	labels []string
	key    string // the name and label names: what a series key starts with
}

func newFamily(name, help string, kind metricKind, labels []string) *family {
	return &family{name: name, help: help, kind: kind, labels: labels, key: name + "\xfe" + strings.Join(labels, "\xfe") + "\xff"}
}

// series is one set of label values of a family.
type series struct {
	desc   *prometheus.Desc
	kind   metricKind
	values []string
	sum    atomic.Uint64 // float64 bits
	count  atomic.Uint64
}

// add adds v to f's series with label values vals (as many as
// f.labels), creating the series unless f has maxSeries already.
func (m *Metrics) add(f *family, vals []string, v float64) {
	for i, s := range vals {
		if len(s) > maxLabelValue {
			vals[i] = strings.ToValidUTF8(s[:maxLabelValue], "")
		}
	}
	key := f.key + strings.Join(vals, "\xff")
	s, ok := m.series.Load(key)
	if !ok {
		if s, ok = m.create(f, key, vals); !ok {
			return
		}
	}
	se := s.(*series)
	for {
		old := se.sum.Load()
		if se.sum.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			break
		}
	}
	se.count.Add(1)
}

// create makes the series key of f, unless f has maxSeries already.
func (m *Metrics) create(f *family, key string, vals []string) (any, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.series.Load(key); ok {
		return s, true
	}
	if m.perName[f.name] >= m.maxSeries {
		d := m.dropped[f.name]
		if d == nil {
			d = &atomic.Uint64{}
			m.dropped[f.name] = d
		}
		d.Add(1)
		return nil, false
	}
	m.perName[f.name]++
	s := &series{desc: prometheus.NewDesc(f.name, f.help, f.labels, nil), kind: f.kind, values: append([]string(nil), vals...)}
	m.series.Store(key, s)
	return s, true
}

var droppedDesc = prometheus.NewDesc("gatehouse_metric_series_dropped_total",
	"Values of emit-metric and llm-emit-token-metric dropped because their metric already had the most series a metric may have.", []string{"metric"}, nil)

// Describe implements prometheus.Collector. Metrics is an unchecked
// collector: its metrics appear as policies emit them.
func (m *Metrics) Describe(chan<- *prometheus.Desc) {}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.series.Range(func(_, v any) bool {
		s := v.(*series)
		sum := math.Float64frombits(s.sum.Load())
		if s.kind == summaryKind {
			ch <- prometheus.MustNewConstSummary(s.desc, s.count.Load(), sum, nil, s.values...)
		} else {
			ch <- prometheus.MustNewConstMetric(s.desc, prometheus.CounterValue, sum, s.values...)
		}
		return true
	})
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, d := range m.dropped {
		ch <- prometheus.MustNewConstMetric(droppedDesc, prometheus.CounterValue, float64(d.Load()), name)
	}
}

// metricName makes s a valid Prometheus metric or label name: characters
// other than ASCII letters, digits and '_' become '_', runs of '_'
// shrink to one, and the result is lower-case and does not start with a
// digit.
func metricName(s string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')
		if !ok || r == '_' {
			if !under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = true
			continue
		}
		if b.Len() == 0 && r >= '0' && r <= '9' {
			b.WriteByte('_')
		}
		b.WriteRune(r)
		under = false
	}
	return strings.TrimSuffix(b.String(), "_")
}
