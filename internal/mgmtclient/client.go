package mgmtclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxResponseBytes bounds a response body.
const maxResponseBytes = 64 << 20

// Client calls one management plane. It is safe for concurrent use.
type Client struct {
	base  string // ".../mgmt"
	token string
	hc    *http.Client
}

// Options configures a Client.
type Options struct {
	// Endpoint is the management plane's URL ("http://localhost:8090");
	// a trailing "/mgmt" is accepted. Required.
	Endpoint string
	// Token is the bearer token. Required.
	Token string
	// HTTPClient sends the requests. Nil: a client with a 60s timeout.
	// The Client uses a copy whose redirect policy follows a redirect only
	// to Endpoint's scheme, host and port (and then applies HTTPClient's
	// own CheckRedirect), so the token never goes anywhere else.
	HTTPClient *http.Client
}

// New returns a Client, or an error when the endpoint or token is missing
// or malformed.
func New(opts Options) (*Client, error) {
	if opts.Endpoint == "" {
		return nil, errors.New("no management endpoint: give --endpoint or GATEHOUSE_ENDPOINT")
	}
	if opts.Token == "" {
		return nil, errors.New("no token: give --token or GATEHOUSE_TOKEN")
	}
	u, err := url.Parse(opts.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("endpoint %q: want an http or https URL", opts.Endpoint)
	}
	base := strings.TrimSuffix(strings.TrimRight(opts.Endpoint, "/"), "/mgmt") + "/mgmt"
	hc := &http.Client{Timeout: 60 * time.Second}
	if opts.HTTPClient != nil {
		copied := *opts.HTTPClient
		hc = &copied
	}
	hc.CheckRedirect = sameOrigin(u, hc.CheckRedirect)
	return &Client{base: base, token: opts.Token, hc: hc}, nil
}

// Resource is a resource as the management API returns it.
type Resource struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Properties json.RawMessage `json:"properties"`
}

// Error is an error answer of the management API.
type Error struct {
	Method, Path string
	Status       int
	Code         string
	Message      string
	Details      []Detail
}

// Detail is one entry of an error's details.
type Detail struct {
	Code    string `json:"code"`
	Target  string `json:"target"`
	Message string `json:"message"`
}

// Error renders the request, the status, the message and each detail.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s: %s", e.Method, e.Path, e.Status, e.Code, e.Message)
	for _, d := range e.Details {
		fmt.Fprintf(&b, "\n  %s: %s", d.Target, d.Message)
	}
	return b.String()
}

// IsNotFound reports whether err is a 404 answer.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// Get returns the resource at path ("/apis/echo").
func (c *Client) Get(ctx context.Context, path string) (*Resource, error) {
	var r Resource
	if err := c.do(ctx, http.MethodGet, c.base+path, nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// GetJSON decodes the answer of GET path into out, for answers that are
// not one resource (GET /apis/echo/revisions).
func (c *Client) GetJSON(ctx context.Context, path string, out any) error {
	return c.do(ctx, http.MethodGet, c.base+path, nil, out)
}

// List returns every resource of the collection at path ("/apis"),
// following nextLink.
func (c *Client) List(ctx context.Context, path string) ([]Resource, error) {
	var all []Resource
	next := c.base + path
	for next != "" {
		var page struct {
			Value    []Resource `json:"value"`
			NextLink string     `json:"nextLink"`
		}
		if err := c.do(ctx, http.MethodGet, next, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Value...)
		next = page.NextLink
		if next != "" && !strings.HasPrefix(next, c.base) {
			// The server builds nextLink from the Host it was called
			// with; keep talking to the endpoint we were given.
			u, err := url.Parse(next)
			if err != nil {
				return nil, fmt.Errorf("list %s: nextLink %q: %w", path, next, err)
			}
			next = c.base + strings.TrimPrefix(u.Path, "/mgmt") + "?" + u.RawQuery
		}
	}
	return all, nil
}

// Put creates or replaces the resource at path with props as its
// properties; nil props sends no body (a link).
func (c *Client) Put(ctx context.Context, path string, props any) (*Resource, error) {
	var body any
	if props != nil {
		body = map[string]any{"properties": props}
	}
	var r Resource
	if err := c.do(ctx, http.MethodPut, c.base+path, body, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Delete deletes the resource at path; a missing one is no error. Query
// parameters may be part of path.
func (c *Client) Delete(ctx context.Context, path string) error {
	return c.do(ctx, http.MethodDelete, c.base+path, nil, nil)
}

// Post sends body to the action at path and decodes the answer into out
// (when not nil).
func (c *Client) Post(ctx context.Context, path string, body, out any) error {
	return c.do(ctx, http.MethodPost, c.base+path, body, out)
}

func (c *Client) do(ctx context.Context, method, u string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, u, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, u, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, u, err)
	}
	path := strings.TrimPrefix(u, strings.TrimSuffix(c.base, "/mgmt"))
	if resp.StatusCode/100 != 2 {
		e := &Error{Method: method, Path: path, Status: resp.StatusCode}
		var env struct {
			Error struct {
				Code    string   `json:"code"`
				Message string   `json:"message"`
				Details []Detail `json:"details"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &env) == nil && env.Error.Code != "" {
			e.Code, e.Message, e.Details = env.Error.Code, env.Error.Message, env.Error.Details
		} else {
			e.Code, e.Message = http.StatusText(resp.StatusCode), strings.TrimSpace(string(data))
		}
		return e
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}
