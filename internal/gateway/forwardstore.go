package gateway

import (
	"net/url"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// forwardStore holds objects that a request's forwards make, so that
// they come with the request's state (one allocation) instead of each
// allocating its own. Each is handed out once per request, to the first
// forward that asks: a retry's forward allocates its own, since the
// first one's may still be referenced (an earlier response kept in a
// variable, an outbound request http.Transport still writes).
type forwardStore struct {
	headerValues [16]string
	fwdValues    [4]string
	url          url.URL
	response     expr.Response
	body         expr.Body

	headerValuesTaken, fwdValuesTaken, urlTaken, responseTaken, bodyTaken bool
}

// takeHeaderValues returns the array for the values of the first
// outbound request's header fields, or nil once it was taken.
func (s *forwardStore) takeHeaderValues() []string {
	if s.headerValuesTaken {
		return nil
	}
	s.headerValuesTaken = true
	return s.headerValues[:]
}

// takeForwardingValues returns the array for the values of the first
// outbound request's X-Forwarded-* and User-Agent fields.
func (s *forwardStore) takeForwardingValues() *[4]string {
	if s.fwdValuesTaken {
		return new([4]string)
	}
	s.fwdValuesTaken = true
	return &s.fwdValues
}

// takeURL returns a zero URL for the first outbound request.
func (s *forwardStore) takeURL() *url.URL {
	if s.urlTaken {
		return new(url.URL)
	}
	s.urlTaken = true
	return &s.url
}

// takeResponse returns a zero Response for the first backend response.
func (s *forwardStore) takeResponse() *expr.Response {
	if s.responseTaken {
		return new(expr.Response)
	}
	s.responseTaken = true
	return &s.response
}

// takeBody returns a zero Body for the first backend response's body.
func (s *forwardStore) takeBody() *expr.Body {
	if s.bodyTaken {
		return new(expr.Body)
	}
	s.bodyTaken = true
	return &s.body
}
