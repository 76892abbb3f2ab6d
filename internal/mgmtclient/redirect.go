package mgmtclient

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// maxRedirects is how many redirects a request follows, as net/http's
// default policy.
const maxRedirects = 10

// sameOrigin returns a redirect policy that follows a redirect only to the
// scheme, host and port of endpoint, then asks next (when not nil).
// net/http keeps the Authorization header on a redirect to the same host
// name on another port or scheme, or to a subdomain; the admin token must
// reach the management endpoint it was given for and nothing else, so
// any other redirect is an error.
func sameOrigin(endpoint *url.URL, next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	want := origin(endpoint)
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return errors.New("stopped after 10 redirects")
		}
		if got := origin(req.URL); got != want {
			return fmt.Errorf("the management plane redirected to %s; the token is sent only to %s", got, want)
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

// origin returns u's scheme, host and port, with the scheme's default
// port made explicit.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}
