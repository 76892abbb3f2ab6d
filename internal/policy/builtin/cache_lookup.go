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
}

// cacheLookup implements <cache-lookup vary-by-developer="bool"
// vary-by-developer-groups="bool" allow-private-response-caching="bool">
// with <vary-by-header> and <vary-by-query-parameter> children: a GET
// whose response is cached is answered from the cache (with Age);
// otherwise cache-store in outbound keeps the response.
type cacheLookup struct {
	cache          cache.Store
	byDeveloper    bool
	byGroups       bool
	allowPrivate   bool
	headers        []string
	queryParams    []string
	allQueryParams bool
}

var _ policy.Step = (*cacheLookup)(nil)

func compileCacheLookup(store cache.Store) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "vary-by-developer", "vary-by-developer-groups", "downstream-caching-type", "must-revalidate", "caching-type", "allow-private-response-caching")
		if c.Section() != policy.Inbound {
			c.Errorf(n, "belongs in inbound")
		}
		l := &cacheLookup{cache: store, allQueryParams: true}
		for _, required := range []string{"vary-by-developer", "vary-by-developer-groups"} {
			if _, ok := n.Attr(required); !ok {
				c.Errorf(n, "attribute %s is required", required)
			}
		}
		l.byDeveloper = compileBool(n, c, "vary-by-developer", false)
		l.byGroups = compileBool(n, c, "vary-by-developer-groups", false)
		l.allowPrivate = compileBool(n, c, "allow-private-response-caching", false)
		compileBool(n, c, "must-revalidate", true)
		if s, a, ok := c.Literal(n, "downstream-caching-type", false); ok && s != "none" && s != "private" && s != "public" {
			c.AttrErrorf(n, a, "%q: want none, private or public", s)
		}
		if s, a, ok := c.Literal(n, "caching-type", false); ok && s != "internal" && s != "external" && s != "prefer-external" {
			c.AttrErrorf(n, a, "%q: want internal, external or prefer-external", s)
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
	for k, v := range c.Request.URL.Query {
		if l.allQueryParams || contains(l.queryParams, k) {
			q[k] = v
		}
	}
	b.WriteString("?" + q.Encode())
	for _, h := range l.headers {
		b.WriteString("\x00" + h + ":" + strings.Join(c.Request.Headers.Values(h), ","))
	}
	if (l.byDeveloper || l.byGroups) && c.Subscription != nil {
		b.WriteString("\x00sub:" + c.Subscription.ID)
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (l *cacheLookup) Do(c *policy.Context) error {
	key := l.key(c)
	if key == "" {
		return nil
	}
	raw, stored, ok := l.cache.Get(key)
	var cr cachedResponse
	if !ok || json.Unmarshal(raw, &cr) != nil {
		c.CacheKey = key
		return nil
	}
	h := cr.Headers.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Age", strconv.Itoa(int(time.Since(stored).Seconds())))
	c.Response = &expr.Response{StatusCode: cr.Status, StatusReason: cr.Reason, Headers: h, Body: expr.BodyOf(cr.Body)}
	c.End()
	return nil
}

// cacheStore implements <cache-store duration="seconds"
// cache-response="expression">: the response to a request cache-lookup
// missed is kept for duration (by default only 200 responses).
type cacheStore struct {
	cache    cache.Store
	duration time.Duration
	when     policy.Value
}

var _ policy.Step = (*cacheStore)(nil)

func compileCacheStore(store cache.Store) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "duration", "cache-response")
		if c.Section() != policy.Outbound {
			c.Errorf(n, "belongs in outbound")
		}
		s := &cacheStore{cache: store}
		if v, a, ok := c.Literal(n, "duration", true); ok {
			secs, err := strconv.Atoi(v)
			if err != nil || secs < 1 {
				c.AttrErrorf(n, a, "%q: want whole seconds, at least 1", v)
			}
			s.duration = time.Duration(secs) * time.Second
		}
		s.when, _ = c.Attr(n, "cache-response", false)
		return s
	}
}

func (s *cacheStore) Do(c *policy.Context) error {
	if c.CacheKey == "" || c.Response == nil {
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
	raw, err := json.Marshal(cachedResponse{Status: c.Response.StatusCode, Reason: c.Response.StatusReason, Headers: h, Body: body})
	if err != nil {
		return err
	}
	s.cache.Set(c.CacheKey, raw, s.duration)
	return nil
}
