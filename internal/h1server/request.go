package h1server

import (
	"bytes"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"

	"github.com/gatehouse/gatehouse/internal/urlpath"
)

// head is a parsed request head of the common shape.
type head struct {
	method, target string
	url            *url.URL
	header         http.Header
	host           string
	contentLength  int64
	close          bool // Connection: close
}

// headLength returns the length of the request head at the start of
// buf, up to and including its blank line; 0 when buf does not hold a
// whole head; -1 when the head uses bare LF line ends, which are left
// to net/http.
func headLength(buf []byte) int {
	crlf := bytes.Index(buf, []byte("\r\n\r\n"))
	lf := bytes.Index(buf, []byte("\n\n"))
	switch {
	case lf >= 0 && (crlf < 0 || lf < crlf):
		return -1
	case crlf >= 0:
		return crlf + 4
	}
	return 0
}

// parseHead parses s, a request head ending in CRLF CRLF, into h. It
// returns false when the request is not of the common shape (see the
// package documentation): net/http serves it then.
func parseHead(s string, h *head) bool {
	line, rest, _ := strings.Cut(s, "\r\n")
	method, rest1, ok1 := strings.Cut(line, " ")
	target, proto, ok2 := strings.Cut(rest1, " ")
	if !ok1 || !ok2 || proto != "HTTP/1.1" || method == "" || method == "CONNECT" || method == "PRI" ||
		!httpguts.ValidHeaderFieldName(method) || target == "" || target[0] != '/' {
		return false
	}
	u, ok := plainRequestURI(target)
	if !ok {
		var err error
		if u, err = url.ParseRequestURI(target); err != nil {
			return false
		}
	}
	hdr := make(http.Header, strings.Count(rest, "\r\n"))
	if !parseFields(rest, hdr) {
		return false
	}
	hosts := hdr["Host"]
	if len(hosts) != 1 || !httpguts.ValidHostHeader(hosts[0]) {
		return false
	}
	for _, k := range [...]string{"Transfer-Encoding", "Expect", "Upgrade", "Http2-Settings"} {
		if _, ok := hdr[k]; ok {
			return false
		}
	}
	h.contentLength = 0
	if cl, ok := hdr["Content-Length"]; ok {
		if len(cl) != 1 {
			return false
		}
		n, ok := parseContentLength(cl[0])
		if !ok {
			return false
		}
		h.contentLength = n
	}
	delete(hdr, "Host")
	// As net/http: HTTP/1.0's Pragma: no-cache means Cache-Control: no-cache.
	if p, ok := hdr["Pragma"]; ok && len(p) > 0 && p[0] == "no-cache" {
		if _, ok := hdr["Cache-Control"]; !ok {
			hdr["Cache-Control"] = []string{"no-cache"}
		}
	}
	h.method, h.target, h.url, h.header, h.host = method, target, u, hdr, hosts[0]
	h.close = httpguts.HeaderValuesContainsToken(hdr["Connection"], "close")
	return true
}

// parseFields parses the header fields in s (each ending in CRLF, then
// the blank line) into hdr; false: s holds something net/http decides
// on (folded lines, odd bytes, a line without a colon). The values
// are substrings of s and share one backing array.
func parseFields(s string, hdr http.Header) bool {
	vals := make([]string, strings.Count(s, "\r\n"))
	i := 0
	for s != "" {
		var line string
		line, s, _ = strings.Cut(s, "\r\n")
		if line == "" {
			return s == ""
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || k == "" || !httpguts.ValidHeaderFieldName(k) || !httpguts.ValidHeaderFieldValue(v) {
			return false
		}
		if !isCanonical(k) {
			k = textproto.CanonicalMIMEHeaderKey(k)
		}
		v = trimOWS(v)
		if prev, ok := hdr[k]; ok {
			hdr[k] = append(prev, v)
			continue
		}
		vals[i] = v
		hdr[k] = vals[i : i+1 : i+1]
		i++
	}
	return false
}

// parseContentLength parses a Content-Length value: decimal digits
// only, as net/http accepts them.
func parseContentLength(v string) (int64, bool) {
	if v == "" || len(v) > 18 {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

// isCanonical reports whether k is already in canonical MIME form.
func isCanonical(k string) bool {
	upper := true
	for i := 0; i < len(k); i++ {
		c := k[i]
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			return false
		}
		upper = c == '-'
	}
	return true
}

// trimOWS returns v without the spaces and tabs around it (a field
// value's optional white space): strings.Trim without building its set
// per call.
func trimOWS(v string) string {
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}

// plainRequestURI returns the URL url.ParseRequestURI makes of target,
// an origin-form request target, when its path needs no unescaping
// (urlpath.Plain) and its query has no control character: the common
// case, without the parser's work. ok is false otherwise.
func plainRequestURI(target string) (u *url.URL, ok bool) {
	path, query, hasQuery := strings.Cut(target, "?")
	if !urlpath.Plain(path) {
		return nil, false
	}
	for i := 0; i < len(query); i++ {
		if c := query[i]; c < 0x20 || c == 0x7f {
			return nil, false
		}
	}
	return &url.URL{Path: path, RawQuery: query, ForceQuery: hasQuery && query == ""}, true
}
