package builtin

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/cache"
	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// cachedResponse is a response as the cache keeps it.
type cachedResponse struct {
	Status  int         `json:"status"`
	Reason  string      `json:"reason"`
	Headers http.Header `json:"headers"`
	Body    []byte      `json:"body"`
	Expires time.Time   `json:"expires"`
}

// cacheLookup implements <cache-lookup vary-by-developer="bool"
// vary-by-developer-groups="bool" allow-private-response-caching="bool"
// caching-type="internal|external|prefer-external"
// downstream-caching-type="none|private|public" must-revalidate="bool">
// with <vary-by-header> and <vary-by-query-parameter> children: a GET
// whose response is cached is answered from the cache (with Age). The
// key varies by developer (the subscription's owner) and by the owner's
// groups when asked to;
// otherwise its conditional and cache-control headers are removed, so the
// backend sends a complete response, and cache-store in outbound keeps
// it. With downstream caching, responses get Cache-Control: private or
// public, must-revalidate unless it is false, and max-age (what is left
// of the cache duration).
type cacheLookup struct {
	cache          cache.Store
	downstream     string // Cache-Control directives; "": none
	byDeveloper    bool
	byGroups       bool
	allowPrivate   bool
	headers        []string
	queryParams    []string
	allQueryParams bool
}

var _ policy.Step = (*cacheLookup)(nil)

func compileCacheLookup(cs caches) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "vary-by-developer", "vary-by-developer-groups", "downstream-caching-type", "must-revalidate", "caching-type", "allow-private-response-caching")
		if c.Section() != policy.Inbound {
			c.Errorf(n, "belongs in inbound")
		}
		l := &cacheLookup{cache: cs.compile(n, c), allQueryParams: true}
		for _, required := range []string{"vary-by-developer", "vary-by-developer-groups"} {
			if _, ok := n.Attr(required); !ok {
				c.Errorf(n, "attribute %s is required", required)
			}
		}
		l.byDeveloper = compileBool(n, c, "vary-by-developer", false)
		l.byGroups = compileBool(n, c, "vary-by-developer-groups", false)
		l.allowPrivate = compileBool(n, c, "allow-private-response-caching", false)
		revalidate := compileBool(n, c, "must-revalidate", true)
		if s, a, ok := c.Literal(n, "downstream-caching-type", false); ok {
			switch s {
			case "none":
			case "private", "public":
				l.downstream = s
				if revalidate {
					l.downstream += ", must-revalidate"
				}
			default:
				c.AttrErrorf(n, a, "%q: want none, private or public", s)
			}
		}
		for _, ch := range n.Children {
			names := strings.Split(ch.Text, ";")
			switch ch.Name {
			case "vary-by-header":
				for _, h := range names {
					if h = strings.TrimSpace(h); h != "" {
						l.headers = append(l.headers, http.CanonicalHeaderKey(h))
					}
				}
			case "vary-by-query-parameter":
				l.allQueryParams = false
				for _, q := range names {
					if q = strings.TrimSpace(q); q != "" {
						l.queryParams = append(l.queryParams, q)
					}
				}
			default:
				c.Errorf(ch, "only <vary-by-header> and <vary-by-query-parameter> belong in <cache-lookup>")
			}
		}
		return l
	}
}

// key returns the cache key of the request, or "" when it is not cached.
func (l *cacheLookup) key(c *policy.Context) string {
	if c.Request.Method != http.MethodGet || (!l.allowPrivate && c.Request.Headers.Get("Authorization") != "") {
		return ""
	}
	var b strings.Builder
	b.WriteString("response\x00")
	if c.API != nil {
		b.WriteString(c.API.ID)
	}
	b.WriteByte(0)
	if c.Operation != nil {
		b.WriteString(c.Operation.ID)
	}
	b.WriteByte(0)
	b.WriteString(c.Request.URL.Path)
	q := url.Values{}
	for k, v := range c.Request.URL.QueryValues() {
		if l.allQueryParams || contains(l.queryParams, k) {
			q[k] = v
		}
	}
	b.WriteString("?" + q.Encode())
	for _, h := range l.headers {
		b.WriteString("\x00" + h + ":" + strings.Join(c.Request.Headers.Values(h), ","))
	}
	if l.byDeveloper {
		b.WriteString("\x00dev:" + developer(c))
	}
	if l.byGroups {
		b.WriteString("\x00groups:")
		if c.User != nil {
			for _, g := range c.User.Groups { // sorted in the snapshot
				b.WriteString(strings.ToLower(g.ID) + ",")
			}
		} else if c.Subscription != nil {
			b.WriteString("sub:" + c.Subscription.ID) // no owner: the subscription alone
		}
	}
	return b.String()
}

// developer identifies the caller for vary-by-developer: the
// subscription's owner, else the subscription ("" for anonymous calls).
func developer(c *policy.Context) string {
	switch {
	case c.User != nil:
		return "user:" + strings.ToLower(c.User.ID)
	case c.Subscription != nil:
		return "sub:" + c.Subscription.ID
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// revalidationHeaders are removed from a request cache-lookup missed,
// so the backend answers with a complete response to keep.
var revalidationHeaders = []string{"If-None-Match", "If-Modified-Since", "Cache-Control", "Pragma"}

func (l *cacheLookup) Do(c *policy.Context) error {
	key := l.key(c)
	if key == "" {
		return nil
	}
	raw, stored, ok := l.cache.Get(key)
	var cr cachedResponse
	if !ok || json.Unmarshal(raw, &cr) != nil {
		c.CacheMiss = &policy.CacheMiss{Key: key, Store: l.cache, Downstream: l.downstream}
		for _, h := range revalidationHeaders {
			c.Request.Headers.Del(h)
		}
		return nil
	}
	h := cr.Headers.Clone()
	if h == nil {
		h = http.Header{}
	}
	now := time.Now()
	h.Set("Age", strconv.Itoa(int(now.Sub(stored).Seconds())))
	if l.downstream != "" {
		setMaxAge(h, l.downstream, cr.Expires.Sub(now))
	}
	c.Response = &expr.Response{StatusCode: cr.Status, StatusReason: cr.Reason, Headers: h, Body: expr.BodyOf(cr.Body)}
	c.End()
	return nil
}

// setMaxAge sets Cache-Control to directives with max-age left (whole
// seconds, not below 0).
func setMaxAge(h http.Header, directives string, left time.Duration) {
	h.Set("Cache-Control", directives+", max-age="+strconv.Itoa(max(int(left/time.Second), 0)))
}

// cacheStore implements <cache-store duration="seconds"
// cache-response="expression">: the response to a request cache-lookup
// missed is kept for duration, in the cache cache-lookup chose (by
// default only 200 responses; never one marked Cache-Control: no-store).
type cacheStore struct {
	duration seconds
	when     policy.Value
}

var _ policy.Step = (*cacheStore)(nil)

func compileCacheStore(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "duration", "cache-response")
	if c.Section() != policy.Outbound {
		c.Errorf(n, "belongs in outbound")
	}
	// APIM's reference: duration, "Time-to-live of the cached entries,
	// specified in seconds. Policy expressions are allowed." No bounds are
	// documented: 0 keeps nothing.
	s := &cacheStore{duration: compileSeconds(n, c, "duration", true, 0, 0)}
	s.when, _ = c.Condition(n, "cache-response", false)
	return s
}

func (s *cacheStore) Do(c *policy.Context) error {
	miss := c.CacheMiss
	if miss == nil || c.Response == nil || strings.Contains(strings.ToLower(c.Response.Headers.Get("Cache-Control")), "no-store") {
		return nil
	}
	keep := c.Response.StatusCode == http.StatusOK
	if s.when.IsSet() {
		var err error
		if keep, err = s.when.Bool(c); err != nil {
			return err
		}
	}
	if !keep {
		return nil
	}
	ttl, err := s.duration.get(c)
	if err != nil || ttl <= 0 {
		return err
	}
	var body []byte
	if c.Response.Body != nil {
		var err error
		if body, err = c.Response.Body.Bytes(); err != nil {
			return err
		}
	}
	h := c.Response.Headers.Clone()
	for _, name := range []string{"Set-Cookie", "Content-Length", "Transfer-Encoding", "Connection"} {
		h.Del(name)
	}
	raw, err := json.Marshal(cachedResponse{Status: c.Response.StatusCode, Reason: c.Response.StatusReason, Headers: h, Body: body, Expires: time.Now().Add(ttl)})
	if err != nil {
		return err
	}
	miss.Store.Set(miss.Key, raw, ttl)
	if miss.Downstream != "" {
		if c.Response.Headers == nil {
			c.Response.Headers = http.Header{}
		}
		setMaxAge(c.Response.Headers, miss.Downstream, ttl)
	}
	return nil
}
