package controller

import (
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/client-go/util/workqueue"
)

// metrics are the controller's Prometheus metrics.
type metrics struct {
	reconciles *prometheus.CounterVec   // by result
	duration   prometheus.Histogram     // one reconcile
	requests   *prometheus.CounterVec   // management API calls by method and code
	managed    prometheus.Gauge         // Services published at the last pass
	queue      *prometheus.GaugeVec     // work queue depth
	queueAdds  *prometheus.CounterVec   // work queue adds
	retries    *prometheus.CounterVec   // work queue retries
	latency    *prometheus.HistogramVec // time in queue
	work       *prometheus.HistogramVec // time being processed
	unfinished *prometheus.GaugeVec
	longest    *prometheus.GaugeVec
}

// newMetrics registers the controller's metrics with reg (nil: a private
// registry, as in tests).
func newMetrics(reg prometheus.Registerer) *metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	ns := "gatehouse_controller"
	m := &metrics{
		reconciles: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "reconciles_total",
			Help: "Reconciles of a Service by result: synced (something written), unchanged, deleted, conflict, invalid, error."}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Name: "reconcile_duration_seconds",
			Help: "Time to reconcile one Service.", Buckets: prometheus.DefBuckets}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "management_requests_total",
			Help: "Calls to the management API by method and status code (\"error\" when no answer came)."}, []string{"method", "code"}),
		managed: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "services",
			Help: "Annotated Services seen in the watched namespaces."}),
		queue: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "workqueue_depth",
			Help: "Keys waiting in the work queue."}, []string{"name"}),
		queueAdds: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "workqueue_adds_total",
			Help: "Keys added to the work queue."}, []string{"name"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "workqueue_retries_total",
			Help: "Keys put back in the work queue after a failure."}, []string{"name"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "workqueue_queue_duration_seconds",
			Help: "Time a key waits in the work queue.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}, []string{"name"}),
		work: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "workqueue_work_duration_seconds",
			Help: "Time spent on a key.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}, []string{"name"}),
		unfinished: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "workqueue_unfinished_work_seconds",
			Help: "Seconds of work in progress not yet observed by work_duration."}, []string{"name"}),
		longest: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "workqueue_longest_running_processor_seconds",
			Help: "Seconds the longest running worker has been at its key."}, []string{"name"}),
	}
	reg.MustRegister(m.reconciles, m.duration, m.requests, m.managed, m.queue, m.queueAdds, m.retries, m.latency, m.work, m.unfinished, m.longest)
	return m
}

func (m *metrics) mgmtRequest(method, code string) {
	if m != nil {
		m.requests.WithLabelValues(method, code).Inc()
	}
}

// The workqueue.MetricsProvider methods: the queue's metrics, labelled with
// its name.

// NewDepthMetric returns the metric of the work queue's depth.
func (m *metrics) NewDepthMetric(name string) workqueue.GaugeMetric {
	return m.queue.WithLabelValues(name)
}

// NewAddsMetric returns the metric of the work queue's adds.
func (m *metrics) NewAddsMetric(name string) workqueue.CounterMetric {
	return m.queueAdds.WithLabelValues(name)
}

// NewLatencyMetric returns the metric of the time keys wait in the work queue.
func (m *metrics) NewLatencyMetric(name string) workqueue.HistogramMetric {
	return m.latency.WithLabelValues(name)
}

// NewWorkDurationMetric returns the metric of the time spent on a key.
func (m *metrics) NewWorkDurationMetric(name string) workqueue.HistogramMetric {
	return m.work.WithLabelValues(name)
}

// NewUnfinishedWorkSecondsMetric returns the metric of the work in progress.
func (m *metrics) NewUnfinishedWorkSecondsMetric(name string) workqueue.SettableGaugeMetric {
	return m.unfinished.WithLabelValues(name)
}

// NewLongestRunningProcessorSecondsMetric returns the metric of the longest running worker.
func (m *metrics) NewLongestRunningProcessorSecondsMetric(name string) workqueue.SettableGaugeMetric {
	return m.longest.WithLabelValues(name)
}

// NewRetriesMetric returns the metric of the work queue's retries.
func (m *metrics) NewRetriesMetric(name string) workqueue.CounterMetric {
	return m.retries.WithLabelValues(name)
}

var _ workqueue.MetricsProvider = (*metrics)(nil)
