package mgmt

import (
	"net/http"
	"net/url"
	"strconv"
)

// Paging limits.
const (
	defaultTop = 100
	maxTop     = 1000
)

type paging struct {
	top, skip int
	filter    filter
}

// parsePaging reads $top, $skip and $filter.
func parsePaging(r *http.Request) (paging, error) {
	q := r.URL.Query()
	p := paging{top: defaultTop}
	for _, f := range []struct {
		name string
		dst  *int
		max  int
	}{{"$top", &p.top, maxTop}, {"$skip", &p.skip, 1 << 30}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > f.max {
			return p, invalid(f.name, f.name+" must be an integer from 0 to "+strconv.Itoa(f.max)+".")
		}
		*f.dst = n
	}
	if v := q.Get("$filter"); v != "" {
		f, err := parseFilter(v)
		if err != nil {
			return p, invalid("$filter", "$filter "+err.Error()+".")
		}
		p.filter = f
	}
	return p, nil
}

// list is a page of a collection.
type list struct {
	Value    []resource `json:"value"`
	Count    int        `json:"count"`
	NextLink string     `json:"nextLink,omitempty"`
}

// apply filters items and cuts out the requested page.
func (p paging) apply(r *http.Request, items []resource) list {
	matched := items[:0:0]
	for _, it := range items {
		if p.filter.match(it) {
			matched = append(matched, it)
		}
	}
	out := list{Count: len(matched), Value: []resource{}}
	if p.skip < len(matched) {
		end := min(p.skip+p.top, len(matched))
		out.Value = matched[p.skip:end]
		if end < len(matched) && p.top > 0 {
			out.NextLink = nextLink(r, end, p.top)
		}
	}
	return out
}

// cut presents items, the page the store already cut at p.skip from a
// collection of total items.
func (p paging) cut(r *http.Request, items []resource, total int) list {
	out := list{Count: total, Value: []resource{}}
	if p.top == 0 {
		return out
	}
	out.Value = items
	if end := p.skip + len(items); end < total {
		out.NextLink = nextLink(r, end, p.top)
	}
	return out
}

func nextLink(r *http.Request, skip, top int) string {
	q := r.URL.Query()
	q.Set("$skip", strconv.Itoa(skip))
	q.Set("$top", strconv.Itoa(top))
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}
