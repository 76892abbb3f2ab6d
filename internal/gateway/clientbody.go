package gateway

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// clientBody is a request body as the gateway reads it, to forward it or
// for policies. It keeps the first error reading it, which is the
// client's doing: the body broke a listener limit (size, read deadline),
// the client went away, or the body is malformed (bad chunked encoding).
// A forward that fails because of it is the client's failure, not the
// backend's. A Transport reads it from its own goroutine, hence the
// mutex.
type clientBody struct {
	io.ReadCloser
	mu  sync.Mutex
	err error
}

// wrapBody makes r's body a clientBody and returns it, unless r has no
// body.
func wrapBody(r *http.Request) *clientBody {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	b := &clientBody{ReadCloser: r.Body}
	r.Body = b
	return b
}

func (b *clientBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		b.mu.Lock()
		if b.err == nil {
			b.err = err
		}
		b.mu.Unlock()
	}
	return n, err
}

// bodyFailure returns why reading the body of the request that w
// answers failed, or nil. (ReverseProxy hands its ErrorHandler the
// outbound request, whose body it wrapped; w is the Server's recorder.)
func bodyFailure(w http.ResponseWriter) error {
	rec, ok := w.(*recorder)
	if !ok || rec.body == nil {
		return nil
	}
	b := rec.body
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// clientError is a request that failed by the client's doing: the status
// that answers it, APIM's reason (context.LastError.Reason), a message
// for the client, and the cause, which the client does not see.
type clientError struct {
	status  int
	reason  string
	message string
	err     error
}

func (e *clientError) Error() string { return e.message }
func (e *clientError) Unwrap() error { return e.err }

// gone reports whether the client closed the connection: nobody reads
// the answer.
func (e *clientError) gone() bool { return e.status == statusClientClosed }

// statusClientClosed is nginx's "client closed request", logged for a
// client that went away; nobody reads it.
const statusClientClosed = 499

// classifyBodyError describes err, an error reading a request body.
func classifyBodyError(err error) *clientError {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return &clientError{http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("The request body is larger than %d bytes.", mbe.Limit), err}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &clientError{http.StatusRequestTimeout, "ClientConnectionFailure", "The request body did not arrive in time.", err}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return &clientError{statusClientClosed, "ClientConnectionFailure", "The client closed the connection.", err}
	}
	return &clientError{http.StatusBadRequest, "InvalidRequestBody", "The request body is malformed.", err}
}

// writeClientError answers a request that failed by the client's doing,
// closing the connection whose body is left unread, and logs it as the
// client's failure.
func (s *Server) writeClientError(w http.ResponseWriter, r *http.Request, ce *clientError) {
	if ce.gone() {
		s.log.Debug("client went away", "path", r.URL.Path, "err", ce.err)
		w.WriteHeader(ce.status)
		return
	}
	s.log.Info("request failed by the client", "path", r.URL.Path, "status", ce.status, "reason", ce.reason, "err", ce.err)
	w.Header().Set("Connection", "close")
	writeError(w, ce.status, ce.message)
}

// requestFailure is a step error for a forward that failed because the
// client's body could not be read: context.LastError.Source is "request".
func requestFailure(ce *clientError) error {
	return &policy.StepError{Source: "request", Section: policy.Backend, Reason: ce.reason, Err: ce}
}
