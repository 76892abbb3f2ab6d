package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// Sink tuning: how many records wait for the writer before further ones
// are dropped, how long a record waits to be written with others, and
// how many bytes make a batch be written at once.
const (
	sinkQueue    = 8192
	sinkFlush    = 200 * time.Millisecond
	sinkMaxBatch = 256 << 10
)

// requestRecord is what a diagnostic writes of one request, as one JSON
// line. It never holds the subscription key, the query string, headers
// or bodies.
type requestRecord struct {
	Time         string  `json:"time"` // when the request arrived, RFC 3339 in UTC
	Diagnostic   string  `json:"diagnostic"`
	Gateway      string  `json:"gateway,omitempty"`
	Method       string  `json:"method"`
	Path         string  `json:"path"`
	API          string  `json:"apiId,omitempty"`
	Operation    string  `json:"operationId,omitempty"`
	Product      string  `json:"productId,omitempty"`
	Subscription string  `json:"subscriptionId,omitempty"`
	Status       int     `json:"responseCode"`
	Bytes        int64   `json:"responseSize"`
	Duration     float64 `json:"totalTimeMs"`
	Backend      float64 `json:"backendTimeMs,omitempty"`
	ClientIP     string  `json:"clientIp,omitempty"`
	// RequestHeaders and ResponseHeaders hold the headers the diagnostic
	// names that the message had, their values joined by ", ".
	RequestHeaders  map[string]string `json:"frontendRequestHeaders,omitempty"`
	ResponseHeaders map[string]string `json:"frontendResponseHeaders,omitempty"`
	ErrorSource     string            `json:"errorSource,omitempty"`
	ErrorReason     string            `json:"errorReason,omitempty"`
	ErrorMessage    string            `json:"errorMessage,omitempty"`
	TraceID         string            `json:"traceId,omitempty"`
}

// sink writes the records of the loggers that share one destination, in
// batches, from its own goroutine: requests only queue a record, and a
// full queue drops it and counts it.
type sink struct {
	name    string // "stdout" or "file:" and the path, the metrics' label
	queue   chan requestRecord
	stop    chan struct{}
	done    chan struct{}
	w       io.Writer
	closer  io.Closer // nil for stdout
	log     *slog.Logger
	dropped prometheus.Counter
	written prometheus.Counter
}

// put queues rec for writing, or drops it when the queue is full. It
// never blocks.
func (k *sink) put(rec *requestRecord) {
	select {
	case k.queue <- *rec:
	default:
		k.dropped.Inc()
	}
}

// run writes queued records until stop, then what is left, and closes
// the destination.
func (k *sink) run() {
	defer close(k.done)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	n := 0
	timer := time.NewTimer(sinkFlush)
	timer.Stop()
	flush := func() {
		if buf.Len() == 0 {
			return
		}
		if _, err := k.w.Write(buf.Bytes()); err != nil {
			k.log.Error("request records not written", "sink", k.name, "records", n, "err", err)
			k.dropped.Add(float64(n))
		} else {
			k.written.Add(float64(n))
		}
		buf.Reset()
		n = 0
	}
	add := func(rec *requestRecord) {
		if buf.Len() == 0 {
			timer.Reset(sinkFlush)
		}
		if err := enc.Encode(rec); err != nil {
			k.dropped.Inc()
			return
		}
		n++
		if buf.Len() >= sinkMaxBatch {
			timer.Stop()
			flush()
		}
	}
	for {
		select {
		case rec := <-k.queue:
			add(&rec)
		case <-timer.C:
			flush()
		case <-k.stop:
		drain:
			for {
				select {
				case rec := <-k.queue:
					add(&rec)
				default:
					break drain
				}
			}
			timer.Stop()
			flush()
			if k.closer != nil {
				if err := k.closer.Close(); err != nil {
					k.log.Error("close a request record file", "sink", k.name, "err", err)
				}
			}
			return
		}
	}
}

// sinks holds the gateway's sinks across configurations, by
// destination: a file stays open while loggers write to it.
type sinks struct {
	mu      sync.Mutex
	byName  map[string]*sink
	dir     string    // the logger directory; "": file loggers cannot write
	stdout  io.Writer // the stdout loggers' destination
	log     *slog.Logger
	dropped *prometheus.CounterVec
	written *prometheus.CounterVec
	events  map[string]*eventSender // log-to-eventhub's, by loggerKey; see eventlog.go
}

func newSinks(dir string, stdout io.Writer, log *slog.Logger) *sinks {
	if stdout == nil {
		stdout = os.Stdout
	}
	return &sinks{byName: map[string]*sink{}, dir: dir, stdout: stdout, log: log,
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_request_records_dropped_total",
			Help: "Request records of diagnostics, and log-to-eventhub messages (sink log-to-eventhub:LOGGER), dropped because the logger's queue was full or its destination failed, by destination.",
		}, []string{"sink"}),
		written: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_request_records_written_total",
			Help: "Request records of diagnostics, and log-to-eventhub messages (sink log-to-eventhub:LOGGER), written to loggers, by destination.",
		}, []string{"sink"}),
	}
}

// get returns the running sink of logger l, starting it when it is new.
func (ss *sinks) get(id string, l snapshot.Logger) (*sink, error) {
	var name string
	switch l.Type {
	case model.LoggerStdout:
		name = "stdout"
	case model.LoggerFile:
		if msg := model.LoggerPathProblem(l.Path); msg != "" {
			return nil, fmt.Errorf("logger %s: path %q %s", id, l.Path, msg)
		}
		name = "file:" + l.Path
	default:
		return nil, fmt.Errorf("logger %s: type %q is not one this gateway writes to", id, l.Type)
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if k := ss.byName[name]; k != nil {
		return k, nil
	}
	k := &sink{name: name, queue: make(chan requestRecord, sinkQueue), stop: make(chan struct{}), done: make(chan struct{}),
		w: ss.stdout, log: ss.log, dropped: ss.dropped.WithLabelValues(name), written: ss.written.WithLabelValues(name)}
	if l.Type == model.LoggerFile {
		f, err := ss.open(l.Path)
		if err != nil {
			return nil, fmt.Errorf("logger %s: %w", id, err)
		}
		k.w, k.closer = f, f
	}
	ss.byName[name] = k
	go k.run()
	return k, nil
}

// open opens p under the logger directory for appending, creating it
// and its directories; a symbolic link cannot lead out of the directory.
func (ss *sinks) open(p string) (*os.File, error) {
	if ss.dir == "" {
		return nil, errors.New("file loggers need the gateway's logger directory (--logger-dir, GATEHOUSE_LOGGER_DIR)")
	}
	if err := os.MkdirAll(ss.dir, 0o750); err != nil {
		return nil, fmt.Errorf("create the logger directory: %w", err)
	}
	root, err := os.OpenRoot(ss.dir)
	if err != nil {
		return nil, fmt.Errorf("open the logger directory: %w", err)
	}
	defer root.Close()
	if d := path.Dir(p); d != "." {
		if err := root.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("create the directory of %s: %w", p, err)
		}
	}
	f, err := root.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, err)
	}
	return f, nil
}

// retain stops the sinks not in keep, once their queued records are
// written.
func (ss *sinks) retain(keep map[*sink]bool) {
	ss.mu.Lock()
	var stopped []*sink
	for name, k := range ss.byName {
		if !keep[k] {
			delete(ss.byName, name)
			close(k.stop)
			stopped = append(stopped, k)
		}
	}
	ss.mu.Unlock()
	for _, k := range stopped {
		<-k.done
	}
}
