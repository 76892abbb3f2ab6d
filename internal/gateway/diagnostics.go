package gateway

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// diagRule is one compiled diagnostic: which requests it records and
// where.
type diagRule struct {
	id       string
	sink     *sink
	percent  float64 // 0 to 100
	errors   bool    // alwaysLog allErrors
	clientIP bool
	// reqHeaders and respHeaders are the canonical names of the headers
	// the record holds.
	reqHeaders, respHeaders []string
}

// samples reports whether the rule records a request: always at 100,
// never at 0, else at random, without a lock (math/rand/v2's
// goroutine-local source).
func (d *diagRule) samples() bool {
	switch {
	case d.percent >= 100:
		return true
	case d.percent <= 0:
		return false
	}
	return rand.Float64()*100 < d.percent
}

// diagnostics are a Runtime's compiled diagnostics: the global rules,
// and each route's own where an API's diagnostics replace some of them.
type diagnostics struct {
	global []diagRule
	routes map[*apiRoute][]diagRule
}

// rulesFor returns the rules that cover a request to api (nil: it
// matched none).
func (d *diagnostics) rulesFor(api *apiRoute) []diagRule {
	if api != nil {
		if rules, ok := d.routes[api]; ok {
			return rules
		}
	}
	return d.global
}

// compileDiagnostics compiles snap's diagnostics for the routes of rt,
// starting the sinks of their loggers. A diagnostic whose logger cannot
// be written to is left out and reported. Nil: snap has none.
func (s *Server) compileDiagnostics(snap *snapshot.Snapshot, byID map[string]*apiRoute) (*diagnostics, []error) {
	if len(snap.Diagnostics) == 0 {
		s.sinks.retain(nil)
		return nil, nil
	}
	var errs []error
	keep := map[*sink]bool{}
	d := &diagnostics{routes: map[*apiRoute][]diagRule{}}
	byAPI := map[string][]diagRule{}
	for _, sd := range snap.Diagnostics {
		l, ok := snap.Loggers[sd.Logger]
		if !ok {
			errs = append(errs, fmt.Errorf("diagnostic %s: logger %s is not in the configuration", sd.ID, sd.Logger))
			continue
		}
		k, err := s.sinks.get(sd.Logger, l)
		if err != nil {
			errs = append(errs, fmt.Errorf("diagnostic %s: %w", sd.ID, err))
			continue
		}
		keep[k] = true
		rule := diagRule{id: sd.ID, sink: k, percent: sd.Percentage, errors: sd.AlwaysLogErrors, clientIP: sd.LogClientIP,
			reqHeaders: canonicalNames(sd.RequestHeaders), respHeaders: canonicalNames(sd.ResponseHeaders)}
		if sd.API == "" {
			d.global = append(d.global, rule)
		} else {
			byAPI[sd.API] = append(byAPI[sd.API], rule)
		}
	}
	for _, a := range byID {
		root, _, _ := model.SplitRevision(a.id)
		own := byAPI[strings.ToLower(root)]
		if len(own) == 0 {
			continue
		}
		rules := append([]diagRule(nil), own...)
		for _, g := range d.global {
			replaced := false
			for _, o := range own {
				replaced = replaced || o.id == g.id
			}
			if !replaced {
				rules = append(rules, g)
			}
		}
		d.routes[a] = rules
	}
	s.sinks.retain(keep)
	for _, err := range errs {
		s.log.Error("diagnostic not applied", "err", err)
	}
	return d, errs
}

// recordRequest writes the record of a served request to each rule
// that samples it (or, with alwaysLog allErrors, that it failed).
func (s *Server) recordRequest(rules []diagRule, r *http.Request, rec *recorder, api *apiRoute, op *operation, sub *subscriber) {
	failed := rec.status >= 400 || rec.failure != nil
	var out *requestRecord
	for i := range rules {
		d := &rules[i]
		if !d.samples() && !(d.errors && failed) {
			continue
		}
		if out == nil {
			out = s.newRecord(r, rec, api, op, sub)
		}
		out.Diagnostic = d.id
		out.ClientIP = ""
		if d.clientIP {
			out.ClientIP = s.clientAddress(r)
		}
		out.RequestHeaders = headersOf(r.Header, d.reqHeaders, keyHeaderOf(api))
		out.ResponseHeaders = headersOf(rec.Header(), d.respHeaders, "")
		d.sink.put(out)
	}
}

// newRecord returns the record of a served request.
func (s *Server) newRecord(r *http.Request, rec *recorder, api *apiRoute, op *operation, sub *subscriber) *requestRecord {
	out := &requestRecord{Time: rec.start.UTC().Format(time.RFC3339Nano), Gateway: s.deployment.GatewayID, Method: r.Method,
		Path: r.URL.Path, Status: rec.status, Bytes: rec.bytes, Duration: ms(time.Since(rec.start))}
	if api != nil {
		out.API = api.id
	}
	if op != nil {
		out.Operation = op.id
	}
	if sub != nil {
		out.Subscription = sub.id
		if sub.scope != nil {
			out.Product = sub.scope.ID
		}
	}
	if !rec.backendStart.IsZero() && !rec.backendDone.IsZero() {
		out.Backend = ms(rec.backendDone.Sub(rec.backendStart))
	}
	out.ErrorSource, out.ErrorReason, out.ErrorMessage = failureOf(rec, r, api, op, sub)
	if rec.span != nil && rec.span.SpanContext().IsValid() {
		out.TraceID = rec.span.SpanContext().TraceID().String()
	}
	return out
}

// canonicalNames returns names in canonical MIME form.
func canonicalNames(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = textproto.CanonicalMIMEHeaderKey(n)
	}
	return out
}

// keyHeaderOf returns the header that carries api's subscription key,
// which records never hold (APIM's default when no API matched).
func keyHeaderOf(api *apiRoute) string {
	if api != nil && api.keyHeader != "" {
		return api.keyHeader
	}
	return model.DefaultKeyHeader
}

// headersOf returns the values h has of names, joined by ", ", but never
// the header skip; nil when it has none of them.
func headersOf(h http.Header, names []string, skip string) map[string]string {
	var out map[string]string
	for _, n := range names {
		v, ok := h[n]
		if !ok || strings.EqualFold(n, skip) {
			continue
		}
		if out == nil {
			out = make(map[string]string, len(names))
		}
		out[n] = strings.Join(v, ", ")
	}
	return out
}
