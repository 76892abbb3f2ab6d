package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// Event sender tuning: how many messages wait before further ones are
// dropped, how long a message waits to be sent with others, the most
// bytes and messages in one batch, and how long a delivery may take.
const (
	eventQueue     = 8192
	eventFlush     = 200 * time.Millisecond
	eventMaxBytes  = 512 << 10
	eventMaxBatch  = 500
	eventSendLimit = 30 * time.Second
)

// queuedEvent is a log-to-eventhub message and when it was logged.
type queuedEvent struct {
	builtin.Event
	at time.Time
}

// eventLine is how stdout, file and http loggers receive a message.
type eventLine struct {
	Time         string `json:"time"`
	Logger       string `json:"loggerId"`
	PartitionID  string `json:"partitionId,omitempty"`
	PartitionKey string `json:"partitionKey,omitempty"`
	Message      string `json:"message"`
}

// eventSender delivers one logger's log-to-eventhub messages from its own
// goroutine: requests only queue a message, and a full queue drops it
// and counts it.
type eventSender struct {
	name    string // "log-to-eventhub:" and the logger id, the metrics' label
	key     string // what the sender was made from: a changed logger gets a new one
	queue   chan queuedEvent
	stop    chan struct{}
	done    chan struct{}
	deliver func(ctx context.Context, batch []queuedEvent) error
	closer  io.Closer // nil: nothing to close
	log     *slog.Logger
	dropped prometheus.Counter
	written prometheus.Counter
}

// put queues e, or drops it when the queue is full. It never blocks.
func (es *eventSender) put(e builtin.Event) {
	select {
	case es.queue <- queuedEvent{Event: e, at: time.Now()}:
	default:
		es.dropped.Inc()
	}
}

// run sends queued messages in batches until stop, then what is left.
func (es *eventSender) run() {
	defer close(es.done)
	var batch []queuedEvent
	size := 0
	timer := time.NewTimer(eventFlush)
	timer.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), eventSendLimit)
		err := es.deliver(ctx, batch)
		cancel()
		if err != nil {
			es.log.Error("log-to-eventhub messages not delivered", "logger", es.name, "messages", len(batch), "err", err)
			es.dropped.Add(float64(len(batch)))
		} else {
			es.written.Add(float64(len(batch)))
		}
		batch, size = batch[:0], 0
	}
	add := func(e queuedEvent) {
		if len(batch) == 0 {
			timer.Reset(eventFlush)
		}
		batch = append(batch, e)
		size += len(e.Message)
		if size >= eventMaxBytes || len(batch) >= eventMaxBatch {
			timer.Stop()
			flush()
		}
	}
	for {
		select {
		case e := <-es.queue:
			add(e)
		case <-timer.C:
			flush()
		case <-es.stop:
			for {
				select {
				case e := <-es.queue:
					add(e)
					continue
				default:
				}
				break
			}
			timer.Stop()
			flush()
			if es.closer != nil {
				if err := es.closer.Close(); err != nil {
					es.log.Error("close a log-to-eventhub file", "logger", es.name, "err", err)
				}
			}
			return
		}
	}
}

// loggerKey identifies what a sender of l does, secrets digested.
func loggerKey(id string, l snapshot.Logger) string {
	b, _ := json.Marshal(l)
	sum := sha256.Sum256(append([]byte(id+"\x00"), b...))
	return hex.EncodeToString(sum[:16])
}

// eventSender returns the running sender of logger id, starting it when
// it is new or its settings changed; requests over HTTP go through rt.
func (ss *sinks) eventSender(id string, l snapshot.Logger, rt http.RoundTripper) (*eventSender, error) {
	key := loggerKey(id, l)
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if es := ss.events[key]; es != nil {
		return es, nil
	}
	name := "log-to-eventhub:" + id
	es := &eventSender{name: name, key: key, queue: make(chan queuedEvent, eventQueue), stop: make(chan struct{}), done: make(chan struct{}),
		log: ss.log, dropped: ss.dropped.WithLabelValues(name), written: ss.written.WithLabelValues(name)}
	client := &http.Client{Transport: rt}
	switch l.Type {
	case model.LoggerStdout:
		es.deliver = writeEvents(id, ss.stdout)
	case model.LoggerFile:
		if msg := model.LoggerPathProblem(l.Path); msg != "" {
			return nil, fmt.Errorf("logger %s: path %q %s", id, l.Path, msg)
		}
		f, err := ss.open(l.Path)
		if err != nil {
			return nil, fmt.Errorf("logger %s: %w", id, err)
		}
		es.deliver, es.closer = writeEvents(id, f), f
	case model.LoggerHTTP:
		d, err := newHTTPDelivery(id, l, client)
		if err != nil {
			return nil, fmt.Errorf("logger %s: %w", id, err)
		}
		es.deliver = d
	case model.LoggerEventHub:
		h, err := newEventHub(l, client)
		if err != nil {
			return nil, fmt.Errorf("logger %s: %w", id, err)
		}
		es.deliver = h.send
	default:
		return nil, fmt.Errorf("logger %s: type %q is not one log-to-eventhub sends to", id, l.Type)
	}
	if ss.events == nil {
		ss.events = map[string]*eventSender{}
	}
	ss.events[key] = es
	go es.run()
	return es, nil
}

// retainEvents stops the senders not in keep, once their queued messages
// are delivered.
func (ss *sinks) retainEvents(keep map[*eventSender]bool) {
	ss.mu.Lock()
	var stopped []*eventSender
	for key, es := range ss.events {
		if !keep[es] {
			delete(ss.events, key)
			close(es.stop)
			stopped = append(stopped, es)
		}
	}
	ss.mu.Unlock()
	for _, es := range stopped {
		<-es.done
	}
}

// lines renders batch as eventLines.
func lines(id string, batch []queuedEvent) []eventLine {
	out := make([]eventLine, len(batch))
	for i, e := range batch {
		out[i] = eventLine{Time: e.at.UTC().Format(time.RFC3339Nano), Logger: id, PartitionID: e.PartitionID,
			PartitionKey: e.PartitionKey, Message: e.Message}
	}
	return out
}

// writeEvents delivers batches as JSON lines to w, one write a batch.
func writeEvents(id string, w io.Writer) func(context.Context, []queuedEvent) error {
	return func(_ context.Context, batch []queuedEvent) error {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		for _, l := range lines(id, batch) {
			if err := enc.Encode(l); err != nil {
				return err
			}
		}
		_, err := w.Write(buf.Bytes())
		return err
	}
}

// newHTTPDelivery posts batches to an http logger's URL as a JSON array
// of eventLines, with the logger's headers; any 2xx answer is success.
func newHTTPDelivery(id string, l snapshot.Logger, client *http.Client) (func(context.Context, []queuedEvent) error, error) {
	if _, err := http.NewRequest(http.MethodPost, l.URL, nil); err != nil || l.URL == "" {
		return nil, fmt.Errorf("url %q is not an absolute http or https URL", redactedURL(l.URL))
	}
	names := make([]string, 0, len(l.Headers))
	for k := range l.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	return func(ctx context.Context, batch []queuedEvent) error {
		body, err := json.Marshal(lines(id, batch))
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.URL, bytes.NewReader(body))
		if err != nil {
			return err
		}
		for _, k := range names {
			req.Header.Set(k, l.Headers[k])
		}
		req.Header.Set("Content-Type", "application/json")
		return postBatch(client, req)
	}, nil
}

// postBatch sends req and wants a 2xx answer.
func postBatch(client *http.Client, req *http.Request) error {
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("post to %s: %w", req.URL.Redacted(), err)
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("post to %s: %s %q", req.URL.Redacted(), res.Status, msg)
	}
	return nil
}

// compileEventLoggers starts the senders of the loggers that snap's
// policies name (every logger of snap when snap.Policy.Loggers is nil,
// not known), and stops those no longer named. A
// logger that cannot be set up is left out and reported; its messages
// are dropped and counted.
func (s *Server) compileEventLoggers(snap *snapshot.Snapshot) (map[string]*eventSender, []error) {
	var errs []error
	keep := map[*eventSender]bool{}
	out := map[string]*eventSender{}
	for id, l := range snap.Loggers {
		if _, named := snap.Policy.Loggers[id]; !named && snap.Policy.Loggers != nil {
			continue // diagnostics' only
		}
		es, err := s.sinks.eventSender(id, l, sideTransport{s})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		keep[es], out[id] = true, es
	}
	s.sinks.retainEvents(keep)
	return out, errs
}

// eventLog is the gateway's builtin.EventLog: it queues a message on
// the sender of its logger in the installed Runtime, without a lock.
type eventLog struct{ s *Server }

func (el eventLog) Log(e builtin.Event) {
	if rt := el.s.rt.Load(); rt != nil {
		if es := rt.events[e.Logger]; es != nil {
			es.put(e)
			return
		}
	}
	el.s.sinks.dropped.WithLabelValues("log-to-eventhub:" + e.Logger).Inc()
}
