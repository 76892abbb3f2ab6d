package h1

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/http/httputil"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/net/http/httpguts"
)

// EligibleOutbound reports whether RoundTrip can send out: plain http, no
// protocol upgrade, no Expect, no trailers, a body of known length up to
// MaxBody, and not CONNECT. Other requests belong to http.Transport.
func EligibleOutbound(out *http.Request) bool {
	if out.URL == nil || out.URL.Scheme != "http" || out.Method == http.MethodConnect || out.Close || len(out.Trailer) > 0 ||
		len(out.TransferEncoding) > 0 {
		return false
	}
	if n := outgoingLength(out); n < 0 || n > MaxBody {
		return false
	}
	h := out.Header
	if _, ok := h["Expect"]; ok {
		return false
	}
	if _, ok := h["Upgrade"]; ok {
		return false
	}
	return !httpguts.HeaderValuesContainsToken(h["Connection"], "Upgrade")
}

// outgoingLength is the length of out's body as http.Transport sends it:
// 0 without one, -1 when unknown.
func outgoingLength(out *http.Request) int64 {
	if out.Body == nil || out.Body == http.NoBody {
		return 0
	}
	if out.ContentLength != 0 {
		return out.ContentLength
	}
	return -1
}

// RoundTrip sends out, a request EligibleOutbound accepts, on one of p's
// connections, as http.Transport would, on the caller's goroutine. 1xx
// responses go to the Got1xxResponse of the httptrace.ClientTrace of
// out's context, else of the one under ClientTraceKey. The response's
// Body reads from the connection: reading it to its end puts the
// connection back (and fills the response's Trailer), closing it before
// closes the connection. The end of out's context closes the connection
// until then.
func (p *Pool) RoundTrip(out *http.Request) (*http.Response, error) {
	req := &Request{Method: out.Method, Header: out.Header, out: out}
	if n := outgoingLength(out); n > 0 {
		req.Body, req.ContentLength = out.Body, n
	}
	ctx := out.Context()
	inf := traceInformer{clientTrace(ctx)}
	for attempt := 0; ; attempt++ {
		var c *conn
		if attempt == 0 {
			c = p.get()
		}
		if c != nil && !req.replayable() && !c.alive() {
			c.nc.Close()
			c = nil
		}
		if c == nil {
			var err error
			if c, err = p.dial(ctx); err != nil {
				return nil, err
			}
		}
		stop := arm(ctx, nil, c)
		h := head{header: make(http.Header, 8)} // the caller keeps it: not the connection's
		werr, retry, err := p.start(c, req, &h, inf)
		if err != nil {
			p.finish(c, stop, false)
			if retry && attempt == 0 {
				continue
			}
			return nil, err
		}
		f, err := frame(&h, out.Method)
		if err != nil {
			p.finish(c, stop, false)
			return nil, err
		}
		return p.response(c, stop, out, &h, &f, werr == nil), nil
	}
}

// ClientTraceKey is the context key of an *httptrace.ClientTrace that
// RoundTrip hands 1xx responses to when the request's context carries
// none of httptrace's (httptrace.WithClientTrace): a context type of the
// caller's own can answer for it, sparing a context value per request.
type ClientTraceKey struct{}

// clientTrace returns the ClientTrace of ctx: httptrace's, else the one
// under ClientTraceKey; nil: none.
func clientTrace(ctx context.Context) *httptrace.ClientTrace {
	if t := httptrace.ContextClientTrace(ctx); t != nil {
		return t
	}
	t, _ := ctx.Value(ClientTraceKey{}).(*httptrace.ClientTrace)
	return t
}

// traceInformer hands 1xx responses to a ClientTrace.
type traceInformer struct{ t *httptrace.ClientTrace }

func (i traceInformer) inform(h *head) error {
	if i.t == nil || i.t.Got1xxResponse == nil {
		return nil
	}
	return i.t.Got1xxResponse(h.status, textproto.MIMEHeader(h.header))
}

// response makes the http.Response of head h with framing f, its body
// read from c.
func (p *Pool) response(c *conn, stop func() bool, out *http.Request, h *head, f *framing, reusable bool) *http.Response {
	rb := new(responseBody) // the response and its body, in one allocation
	res := &rb.res
	*res = http.Response{StatusCode: h.status, Status: statusLine(h.status), Proto: protoName(h.major, h.minor), ProtoMajor: h.major,
		ProtoMinor: h.minor, Header: h.header, ContentLength: f.length, Request: out, Close: f.close}
	if out.Method == http.MethodHead {
		res.ContentLength = -1
		if cl := h.header["Content-Length"]; len(cl) > 0 {
			if n, err := strconv.ParseInt(strings.TrimSpace(cl[0]), 10, 64); err == nil && n >= 0 {
				res.ContentLength = n
			}
		}
	}
	if f.trailer != nil {
		res.Trailer = f.trailer
	}
	b := &rb.body
	b.p, b.c, b.stop, b.res, b.keep = p, c, stop, res, reusable && !f.close
	switch {
	case f.chunked:
		b.r, b.chunked = httputil.NewChunkedReader(c.br), true
	case f.length >= 0:
		c.lr = lengthReader{br: c.br, n: f.length}
		b.r = &c.lr
	default:
		b.r = c.br
	}
	if f.length == 0 && !f.chunked {
		b.done(nil) // nothing to read: the connection goes back at once
		res.Body = http.NoBody
		return res
	}
	res.Body = b
	return res
}

// protoName returns the Proto of a response of HTTP version major.minor,
// as http.Transport sets it; the common versions are constants.
func protoName(major, minor int) string {
	switch {
	case major == 1 && minor == 1:
		return "HTTP/1.1"
	case major == 1 && minor == 0:
		return "HTTP/1.0"
	}
	return fmt.Sprintf("HTTP/%d.%d", major, minor)
}

// statusLines holds the Status of every status code from 100 to 599
// ("200 OK"; "299 " for a code without a reason phrase), made once.
var statusLines = func() (lines [500]string) {
	for i := range lines {
		code := 100 + i
		lines[i] = strconv.Itoa(code) + " " + http.StatusText(code)
	}
	return lines
}()

// statusLine returns the Status of a response with code, as
// http.Transport sets it: the code, a space and its reason phrase.
func statusLine(code int) string {
	if code >= 100 && code < 100+len(statusLines) {
		return statusLines[code-100]
	}
	return strconv.Itoa(code) + " " + http.StatusText(code)
}

// responseBody is a response and the body read from its connection,
// which live as long as each other.
type responseBody struct {
	res  http.Response
	body body
}

// body is a response body read from its connection, which it gives
// back at the end. Safe for one reader and a concurrent Close.
type body struct {
	p       *Pool
	c       *conn
	stop    func() bool
	res     *http.Response
	r       io.Reader
	chunked bool
	keep    bool

	mu     sync.Mutex
	err    error // set once the body ended
	closed bool
}

func (b *body) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.r.Read(p)
	if err == io.EOF {
		if b.chunked {
			if err = b.trailer(); err == nil {
				err = io.EOF
			}
		}
	}
	if err != nil {
		b.done(err)
	}
	return n, err
}

// trailer reads the trailer section into the response's Trailer.
func (b *body) trailer() error {
	received, err := readTrailer(b.c.br)
	if err != nil {
		return err
	}
	if len(received) > 0 {
		if b.res.Trailer == nil {
			b.res.Trailer = http.Header{}
		}
		for k, v := range received {
			b.res.Trailer[k] = v
		}
	}
	return nil
}

// done ends the body with err (io.EOF: read to its end) and gives the
// connection back.
func (b *body) done(err error) {
	if err == nil {
		err = io.EOF
	}
	b.err = err
	b.p.finish(b.c, b.stop, b.keep && err == io.EOF && b.c.br.Buffered() == 0)
}

// Close ends the body; before its end, the connection is closed.
func (b *body) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == nil {
		b.keep = false
		b.done(errBodyClosed)
	}
	return nil
}

var errBodyClosed = fmt.Errorf("h1: read on closed response body")

// writeOutHead writes out's request line and header fields to bw as
// http.Transport does: Host, the first User-Agent unless it is empty,
// every other field of out.Header but those it frames itself, and the
// body's length (n).
func writeOutHead(bw *bufio.Writer, out *http.Request, n int64) {
	bw.WriteString(out.Method)
	bw.WriteByte(' ')
	writeRequestURI(bw, out.URL)
	bw.WriteString(" HTTP/1.1\r\nHost: ")
	host := out.Host
	if host == "" {
		host = out.URL.Host
	}
	bw.WriteString(host)
	bw.WriteString("\r\n")
	h := out.Header
	ua := "Go-http-client/1.1" // the Transport's default
	if v, ok := h["User-Agent"]; ok {
		ua = ""
		if len(v) > 0 {
			ua = v[0]
		}
	}
	if ua != "" {
		writeField(bw, "User-Agent", ua)
	}
	for k, vs := range h {
		switch k {
		case "Host", "User-Agent", "Content-Length", "Transfer-Encoding", "Trailer":
			continue
		}
		for _, v := range vs {
			writeField(bw, k, v)
		}
	}
	writeLength(bw, out.Method, n)
	bw.WriteString("\r\n")
}

// writeRequestURI writes what u.RequestURI returns to bw, without making
// the string.
func writeRequestURI(bw *bufio.Writer, u *url.URL) {
	if u.Opaque == "" {
		path := u.EscapedPath()
		if path == "" {
			path = "/"
		}
		bw.WriteString(path)
	} else {
		if strings.HasPrefix(u.Opaque, "//") {
			bw.WriteString(u.Scheme)
			bw.WriteByte(':')
		}
		bw.WriteString(u.Opaque)
	}
	if u.ForceQuery || u.RawQuery != "" {
		bw.WriteByte('?')
		bw.WriteString(u.RawQuery)
	}
}
