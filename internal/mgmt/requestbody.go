package mgmt

import (
	"errors"
	"io"
	"net/http"
	"os"
)

// clientBody is a request body whose read errors are the client's: a
// body over the limit, one that stalled past the listener's deadline,
// a client that went away, or malformed chunked encoding.
type clientBody struct{ io.ReadCloser }

func (b *clientBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = &bodyError{err}
	}
	return n, err
}

// bodyError is an error reading the request body.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "read the request body: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

// bodyAPIError is the answer to a request whose body could not be read.
func bodyAPIError(e *bodyError) *apiError {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(e, &mbe):
		return errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request body is larger than the limit.")
	case errors.Is(e, os.ErrDeadlineExceeded):
		return errorf(http.StatusRequestTimeout, "RequestTimeout", "The request body did not arrive in time.")
	}
	return errorf(http.StatusBadRequest, "InvalidRequestBody", "The request body could not be read: "+e.err.Error()+".")
}
