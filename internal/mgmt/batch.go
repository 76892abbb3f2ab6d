package mgmt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/model"
)

// batchPath is the route of a batch of management requests.
const batchPath = "/mgmt/batch"

// MaxBatchRequests is the most requests one batch holds.
const MaxBatchRequests = 10000

// DefaultMaxBatchBytes is the default bound of a batch's body: room for
// an APIOps folder with several large API specifications.
const DefaultMaxBatchBytes = 64 << 20

// batchRequest is the body of POST /mgmt/batch: the requests to make, in
// order, in one transaction. Its shape follows Microsoft Graph's JSON
// batching.
type batchRequest struct {
	Requests []json.RawMessage `json:"requests"`
}

// subRequest is one request of a batch.
type subRequest struct {
	// ID names the request in the answer; default: its index.
	ID     string `json:"id,omitempty"`
	Method string `json:"method"`
	// URL is the request's path and query, with or without the "/mgmt"
	// prefix: "/apis/echo" or "/mgmt/apis/echo?import=true".
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	// Body is the request body: JSON, or a JSON string that is sent as
	// it is when Headers gives a Content-Type other than JSON (a raw XML
	// policy).
	Body json.RawMessage `json:"body,omitempty"`
}

// subResponse is the answer to one request of a batch.
type subResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// batchMethods are the methods a batch's requests may use.
var batchMethods = map[string]bool{http.MethodGet: true, http.MethodPut: true, http.MethodPatch: true, http.MethodDelete: true, http.MethodPost: true}

// batch serves POST /mgmt/batch: every request runs, in order, inside one
// transaction of the control layer, which compiles the result once. Either
// every request succeeds and the whole batch is stored (200 with each
// answer), or nothing is: the answer then lists every request that
// failed, and a request whose failure was not the client's (a 5xx) stops
// the batch there. With ?dryRun=true the batch is checked and rolled back.
func (s *Server) batch(r *http.Request) (response, error) {
	dryRun, err := boolQuery(r, "dryRun")
	if err != nil {
		return response{}, err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return response{}, err
	}
	reqs, err := decodeBatch(body)
	if err != nil {
		return response{}, err
	}
	var answers []subResponse
	var failed []int
	err = s.control.Batch(r.Context(), principalOf(r), control.BatchOptions{DryRun: dryRun}, func(ctx context.Context) error {
		for i, sub := range reqs {
			a := s.serveSub(ctx, r, sub)
			answers = append(answers, a)
			if a.Status < 400 {
				continue
			}
			failed = append(failed, i)
			if a.Status >= 500 {
				break
			}
		}
		if len(failed) > 0 {
			return errBatchFailed
		}
		return nil
	})
	switch {
	case errors.Is(err, errBatchFailed):
		return response{}, batchFailure(reqs, answers, failed)
	case err != nil:
		return response{}, err
	}
	return response{status: http.StatusOK, body: map[string]any{"dryRun": dryRun, "responses": answers}}, nil
}

// batchStatuses are the statuses a failed batch answers with when its
// failed requests share one; others give 400.
var batchStatuses = map[int]bool{http.StatusBadRequest: true, http.StatusForbidden: true, http.StatusNotFound: true,
	http.StatusConflict: true, http.StatusPreconditionFailed: true, http.StatusRequestEntityTooLarge: true}

// errBatchFailed rolls back a batch one of whose requests failed.
var errBatchFailed = errors.New("a request of the batch failed")

// decodeBatch reads a batch's body and refuses a batch that cannot run:
// too many or no requests, duplicate ids, methods and URLs outside the
// management API.
func decodeBatch(body []byte) ([]subRequest, error) {
	var req batchRequest
	if err := model.DecodeStrict(body, "", &req); err != nil {
		return nil, err
	}
	if len(req.Requests) == 0 {
		return nil, invalid("requests", "A batch needs at least one request.")
	}
	if len(req.Requests) > MaxBatchRequests {
		return nil, invalid("requests", fmt.Sprintf("A batch holds at most %d requests; this one has %d.", MaxBatchRequests, len(req.Requests)))
	}
	reqs := make([]subRequest, len(req.Requests))
	ids := map[string]bool{}
	for i, raw := range req.Requests {
		sub := &reqs[i]
		at := fmt.Sprintf("requests[%d]", i)
		if err := model.DecodeStrict(raw, at, sub); err != nil {
			return nil, err
		}
		if sub.ID == "" {
			sub.ID = strconv.Itoa(i)
		}
		if ids[sub.ID] {
			return nil, invalid(at+".id", fmt.Sprintf("The id '%s' is used by two requests.", sub.ID))
		}
		ids[sub.ID] = true
		if !batchMethods[sub.Method] {
			return nil, invalid(at+".method", fmt.Sprintf("'%s' is not a method a batch may use (GET, PUT, PATCH, DELETE, POST).", sub.Method))
		}
		u, err := url.Parse(sub.URL)
		if err != nil || !strings.HasPrefix(u.Path, "/") || u.Host != "" || u.Scheme != "" {
			return nil, invalid(at+".url", fmt.Sprintf("'%s' is not a management API path such as /apis/echo.", sub.URL))
		}
		if !strings.HasPrefix(u.Path, "/mgmt/") {
			sub.URL = "/mgmt" + sub.URL
		}
		if p := strings.TrimSuffix(strings.SplitN(sub.URL, "?", 2)[0], "/"); p == batchPath {
			return nil, invalid(at+".url", "A batch cannot hold a batch.")
		}
	}
	return reqs, nil
}

// serveSub makes one request of a batch through the management API's own
// routes, with the caller's credentials, and records its answer.
func (s *Server) serveSub(ctx context.Context, outer *http.Request, sub subRequest) subResponse {
	body := []byte(sub.Body)
	var text string
	if ct := headerValue(sub.Headers, "Content-Type"); ct != "" && !strings.Contains(ct, "json") && json.Unmarshal(sub.Body, &text) == nil {
		body = []byte(text)
	}
	r, err := http.NewRequestWithContext(ctx, sub.Method, sub.URL, bytes.NewReader(body))
	if err != nil {
		return subResponse{ID: sub.ID, Status: http.StatusBadRequest}
	}
	r.RemoteAddr = outer.RemoteAddr
	r.Header.Set("Authorization", outer.Header.Get("Authorization"))
	if len(body) > 0 {
		r.Header.Set("Content-Type", "application/json")
	}
	for k, v := range sub.Headers {
		if !strings.EqualFold(k, "Authorization") {
			r.Header.Set(k, v)
		}
	}
	rec := &recorder{header: http.Header{}}
	s.ServeHTTP(rec, r)
	out := subResponse{ID: sub.ID, Status: rec.status}
	if out.Status == 0 {
		out.Status = http.StatusOK
	}
	for _, h := range []string{"ETag", "Location"} {
		if v := rec.header.Get(h); v != "" {
			if out.Headers == nil {
				out.Headers = map[string]string{}
			}
			out.Headers[h] = v
		}
	}
	if b := bytes.TrimSpace(rec.body.Bytes()); len(b) > 0 && json.Valid(b) {
		out.Body = b
	}
	return out
}

// batchFailure is the answer to a batch that failed: the contract's error
// shape, one detail per failed request's problem (targets prefixed with
// the request's place in the batch), and the answers of the requests that
// ran.
func batchFailure(reqs []subRequest, answers []subResponse, failed []int) *apiError {
	status := answers[failed[0]].Status
	out := &apiError{code: "BatchFailed",
		message: fmt.Sprintf("%d of %d requests failed; nothing was changed.", len(failed), len(reqs))}
	for _, i := range failed {
		a := answers[i]
		if a.Status != status {
			status = http.StatusBadRequest
		}
		at := fmt.Sprintf("requests[%d]", i)
		var e struct {
			Error struct {
				Code    string        `json:"code"`
				Message string        `json:"message"`
				Details []errorDetail `json:"details"`
			} `json:"error"`
		}
		_ = json.Unmarshal(a.Body, &e)
		prefix := reqs[i].Method + " " + strings.TrimPrefix(reqs[i].URL, "/mgmt") + ": "
		if len(e.Error.Details) == 0 {
			out.details = append(out.details, errorDetail{Code: e.Error.Code, Target: at, Message: prefix + e.Error.Message})
		}
		for _, d := range e.Error.Details {
			target := at
			if d.Target != "" {
				target += "." + d.Target
			}
			out.details = append(out.details, errorDetail{Code: d.Code, Target: target, Message: prefix + d.Message})
		}
	}
	if !batchStatuses[status] && status < 500 {
		status = http.StatusBadRequest
	}
	out.status = status
	out.answers = answers
	return out
}

// boolQuery reads a true/false query parameter; absent is false. Any
// other value is refused, so that a misspelt dryRun never applies a
// change.
func boolQuery(r *http.Request, name string) (bool, error) {
	switch v := r.URL.Query().Get(name); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, invalid(name, fmt.Sprintf("'%s' must be true or false, not '%s'.", name, v))
	}
}

// headerValue returns the value of the header name in h, case-insensitively.
func headerValue(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// recorder is the http.ResponseWriter a batch's request writes to.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}
