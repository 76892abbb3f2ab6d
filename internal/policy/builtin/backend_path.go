package builtin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gatehouse/gatehouse/internal/urlpath"
)

// Errors of checkBasePath: errBasePath wraps each, errDotSegments is a
// path with "." or ".." segments.
var (
	errBasePath    = errors.New("base URL")
	errDotSegments = errors.New("the path has dot segments ('.' or '..', also written %2e)")
)

// msgBadBackendPath is what a client is told when a policy-built backend
// URL is refused.
const msgBadBackendPath = "The request path is not valid."

// cleanRewrittenPath resolves the dot segments of a path built by
// rewrite-uri, as the gateway does for request paths (package urlpath):
// the result may not climb above the root, which is the service URL's base
// path, and may not hold a backslash or control character.
func cleanRewrittenPath(p string) (string, error) {
	return urlpath.CleanDecoded(p)
}

// checkBasePath refuses a base URL for set-backend-service whose path has
// dot segments, an encoded slash or backslash, a backslash or a control
// character. Dot segments are refused rather than resolved: a base URL
// built from request data ("http://backend/tenants/" + a header) could
// otherwise leave the part its author meant as the base.
func checkBasePath(u *url.URL) error {
	p := u.EscapedPath()
	clean, err := urlpath.Clean(p)
	if err == nil && clean != p {
		err = errDotSegments
	}
	if err != nil {
		return fmt.Errorf("%w %q: %w", errBasePath, u.Redacted(), err)
	}
	return nil
}

// refuseBackendPath is the run-time refusal of a backend URL that a policy
// built from request data: 400 to the client (APIM's JSON error shape),
// and context.LastError.Reason InvalidPath for on-error.
func refuseBackendPath(err error) error {
	return refuse(http.StatusBadRequest, "InvalidPath", err.Error(), msgBadBackendPath, nil)
}
