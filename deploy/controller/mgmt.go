package controller

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

// maxResponseBytes bounds a management API response.
const maxResponseBytes = 16 << 20

// errNotFound is a 404 from the management API.
var errNotFound = errors.New("not found")

// An APIError is an answer of the management API other than 2xx.
type APIError struct {
	Method, Path string
	Status       int
	Code         string // the error's code, such as "ValidationError"
	Message      string
}

// Error says which call failed, with the status and the API's message.
func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, msg)
}

// Unwrap makes a 404 match errNotFound.
func (e *APIError) Unwrap() error {
	if e.Status == http.StatusNotFound {
		return errNotFound
	}
	return nil
}

// resource is a management API resource in APIM's shape.
type resource struct {
	Name       string          `json:"name"`
	Properties json.RawMessage `json:"properties"`
}

// mgmtClient calls one management plane. It is safe for concurrent use.
type mgmtClient struct {
	base    string // ".../mgmt"
	token   string
	hc      *http.Client
	metrics *metrics
}

func newMgmtClient(endpoint, token string, hc *http.Client, m *metrics) (*mgmtClient, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("endpoint %q: want an http or https URL", endpoint)
	}
	if token == "" {
		return nil, errors.New("no token for the management API")
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	// The token goes to the endpoint only: redirects are not followed.
	copied := *hc
	copied.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	base := strings.TrimSuffix(strings.TrimRight(endpoint, "/"), "/mgmt") + "/mgmt"
	return &mgmtClient{base: base, token: token, hc: &copied, metrics: m}, nil
}

// do sends one request; a non-nil out receives the decoded JSON answer.
func (c *mgmtClient) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.metrics.mgmtRequest(method, "error")
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	c.metrics.mgmtRequest(method, fmt.Sprint(resp.StatusCode))
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		e := &APIError{Method: method, Path: path, Status: resp.StatusCode}
		var shape struct {
			Error struct{ Code, Message string }
		}
		if json.Unmarshal(data, &shape) == nil {
			e.Code, e.Message = shape.Error.Code, shape.Error.Message
		}
		return e
	}
	if out != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}

// get reads one resource; a missing one is errNotFound.
func (c *mgmtClient) get(ctx context.Context, path string, props any) error {
	var r resource
	if err := c.do(ctx, http.MethodGet, path, nil, &r); err != nil {
		return err
	}
	if props == nil {
		return nil
	}
	if err := json.Unmarshal(r.Properties, props); err != nil {
		return fmt.Errorf("decode %s: %w", path, err)
	}
	return nil
}

// put creates or replaces the resource at path with props.
func (c *mgmtClient) put(ctx context.Context, path string, props any) error {
	return c.do(ctx, http.MethodPut, path, map[string]any{"properties": props}, nil)
}

// remove deletes the resource at path; an absent one is not an error.
func (c *mgmtClient) remove(ctx context.Context, path string) error {
	err := c.do(ctx, http.MethodDelete, path, nil, nil)
	if errors.Is(err, errNotFound) {
		return nil
	}
	return err
}

// list returns every resource of a collection, following nextLink.
func (c *mgmtClient) list(ctx context.Context, path string) ([]resource, error) {
	var all []resource
	next := path
	for next != "" {
		var page struct {
			Value    []resource `json:"value"`
			NextLink string     `json:"nextLink"`
		}
		if err := c.do(ctx, http.MethodGet, next, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Value...)
		next = ""
		if page.NextLink != "" {
			u, err := url.Parse(page.NextLink)
			if err != nil {
				return nil, fmt.Errorf("list %s: nextLink %q: %w", path, page.NextLink, err)
			}
			next = strings.TrimPrefix(u.Path, "/mgmt")
			if u.RawQuery != "" {
				next += "?" + u.RawQuery
			}
		}
	}
	return all, nil
}
