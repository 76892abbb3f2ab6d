package h1

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// MaxBody is the largest request body (by Content-Length) that Eligible
// accepts. The request is written whole before the response is read,
// on one goroutine: a body that fits the sockets' buffers cannot leave
// both sides waiting for each other when the backend answers before
// reading it. Larger and streamed bodies go to ReverseProxy, whose
// Transport reads and writes at once.
const MaxBody = 64 << 10

// Eligible reports whether Forward can send r: no protocol upgrade, no
// Expect, no request trailers, a body of known length up to MaxBody, and
// not CONNECT. Other requests belong to httputil.ReverseProxy.
func Eligible(r *http.Request) bool {
	if r.ContentLength < 0 || r.ContentLength > MaxBody || len(r.Trailer) > 0 || r.Method == http.MethodConnect {
		return false
	}
	h := r.Header
	if _, ok := h["Expect"]; ok {
		return false
	}
	if c, ok := h["Connection"]; ok && httpguts.HeaderValuesContainsToken(c, "Upgrade") {
		return false
	}
	return true
}

// Request is the request Forward sends: the client's, with the target,
// Host and forwarding fields the gateway chose. Its strings are written
// as they are: Path and Query must be escaped already.
type Request struct {
	Method string
	// PathPrefix and Path are written one after the other as the
	// request target's path; Query, when not empty or when ForceQuery is
	// set, follows a "?".
	PathPrefix, Path string
	Query            string
	ForceQuery       bool
	// Host is the Host field's value.
	Host string
	// Header is the client's header, sent except for the hop-by-hop
	// fields and those its Connection field names, Host, Content-Length,
	// Forwarded and X-Forwarded-*, and Omit. Only its first User-Agent
	// value is sent, and none when that is empty (as http.Transport).
	// It is only read.
	Header http.Header
	// Omit is one more field not to send (canonical name); "": none.
	Omit string
	// Forwarded is what the X-Forwarded-* fields say.
	Forwarded Forwarded
	// Body is read for ContentLength bytes; nil or ContentLength 0: no
	// body.
	Body          io.Reader
	ContentLength int64

	// out, when set, is an outbound request written as it is (RoundTrip)
	// instead of from the fields above; Method, Body and ContentLength
	// are still read.
	out *http.Request
}

// Forwarded is what a forward adds in X-Forwarded-For, -Host and -Proto,
// as httputil.ProxyRequest.SetXForwarded sets them.
type Forwarded struct {
	// For are the X-Forwarded-For values the client sent; Client is
	// appended to them. Client "": no X-Forwarded-For is sent.
	For    []string
	Client string
	Host   string // X-Forwarded-Host
	Proto  string // X-Forwarded-Proto
}

// replayable reports whether req may be sent again after a reused
// connection failed: no body, and a method that is idempotent or a
// request that carries an idempotency key (http.Request's rule).
func (req *Request) replayable() bool {
	if req.Body != nil && req.ContentLength != 0 {
		return false
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	_, a := req.Header["Idempotency-Key"]
	_, b := req.Header["X-Idempotency-Key"]
	return a || b
}

// skipped are the fields of the client's header never written as they
// are: hop-by-hop fields (RFC 9110 7.6.1 and older ones, as
// httputil.ReverseProxy removes them), those written separately, and
// the forwarding fields ReverseProxy's Rewrite starts without.
var skipped = map[string]bool{
	"Connection": true, "Proxy-Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true,
	"Proxy-Authorization": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
	"Host": true, "User-Agent": true, "Content-Length": true,
	"Forwarded": true, "X-Forwarded-For": true, "X-Forwarded-Host": true, "X-Forwarded-Proto": true,
}

// writeHead writes req's request line and header fields to bw.
func writeHead(bw *bufio.Writer, req *Request) {
	bw.WriteString(req.Method)
	bw.WriteByte(' ')
	bw.WriteString(req.PathPrefix)
	bw.WriteString(req.Path)
	if req.Query != "" || req.ForceQuery {
		bw.WriteByte('?')
		bw.WriteString(req.Query)
	}
	bw.WriteString(" HTTP/1.1\r\nHost: ")
	bw.WriteString(req.Host)
	bw.WriteString("\r\n")
	h := req.Header
	var named []string // the fields Connection names
	if c, ok := h["Connection"]; ok {
		named = connectionTokens(c)
	}
	if ua := h["User-Agent"]; len(ua) > 0 && ua[0] != "" && !isNamed(named, "User-Agent") {
		writeField(bw, "User-Agent", ua[0])
	}
	for k, vs := range h {
		if skipped[k] || k == req.Omit || (named != nil && isNamed(named, k)) {
			continue
		}
		for _, v := range vs {
			writeField(bw, k, v)
		}
	}
	f := &req.Forwarded
	if f.Client != "" {
		bw.WriteString("X-Forwarded-For: ")
		for _, v := range f.For {
			bw.WriteString(sanitize(v))
			bw.WriteString(", ")
		}
		bw.WriteString(f.Client)
		bw.WriteString("\r\n")
	}
	writeField(bw, "X-Forwarded-Host", f.Host)
	writeField(bw, "X-Forwarded-Proto", f.Proto)
	if httpguts.HeaderValuesContainsToken(h["Te"], "trailers") {
		bw.WriteString("Te: trailers\r\n")
	}
	writeLength(bw, req.Method, req.bodyLength())
	bw.WriteString("\r\n")
}

// writeLength writes the Content-Length field of a request with method
// and a body of n bytes, by http.Transport's rule: a length for a body,
// and 0 for a request without one unless it is a GET or HEAD.
func writeLength(bw *bufio.Writer, method string, n int64) {
	if n > 0 || (method != http.MethodGet && method != http.MethodHead) {
		var buf [20]byte
		bw.WriteString("Content-Length: ")
		bw.Write(strconv.AppendInt(buf[:0], n, 10))
		bw.WriteString("\r\n")
	}
}

// bodyLength returns the length of the body sent.
func (req *Request) bodyLength() int64 {
	if req.Body == nil {
		return 0
	}
	return req.ContentLength
}

// writeField writes one header field as http.Header.Write does: the
// value's line breaks become spaces and surrounding white space goes.
func writeField(bw *bufio.Writer, k, v string) {
	bw.WriteString(k)
	bw.WriteString(": ")
	bw.WriteString(sanitize(v))
	bw.WriteString("\r\n")
}

// sanitize returns v as http.Header.Write writes it: line breaks made
// spaces, and without surrounding white space.
func sanitize(v string) string {
	if strings.IndexByte(v, '\r') >= 0 || strings.IndexByte(v, '\n') >= 0 {
		v = lineBreaks.Replace(v)
	}
	return trim(v, " \t\r\n")
}

// lineBreaks makes the line breaks of a field value spaces.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ")

// trim returns v without the leading and trailing bytes in set (a few
// ASCII characters): strings.Trim without building its set per call.
func trim(v, set string) string {
	for len(v) > 0 && strings.IndexByte(set, v[0]) >= 0 {
		v = v[1:]
	}
	for len(v) > 0 && strings.IndexByte(set, v[len(v)-1]) >= 0 {
		v = v[:len(v)-1]
	}
	return v
}

// connectionTokens returns the canonical names that the Connection
// values c list.
func connectionTokens(c []string) []string {
	var out []string
	for _, v := range c {
		for t := range strings.SplitSeq(v, ",") {
			if t = trim(t, " \t"); t != "" {
				out = append(out, http.CanonicalHeaderKey(t))
			}
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

func isNamed(named []string, k string) bool {
	for _, n := range named {
		if n == k {
			return true
		}
	}
	return false
}
