package h1server

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"
)

// bufferBeforeChunkingSize is how much of a response body is held before
// the header is written: a handler that ends before writing more gets a
// Content-Length instead of chunked coding, as with net/http.
const bufferBeforeChunkingSize = 2048

// field is one header field of the response header being written.
type field struct {
	key  string
	vals []string
	skip bool
}

// response is the http.ResponseWriter of one request. Its behaviour is
// net/http's response's (see the package documentation).
type response struct {
	c             *conn
	req           *http.Request
	body          *body // nil: the request has none
	handler       http.Header
	w             *bufio.Writer // the body buffer, over cw
	cw            chunkWriter
	status        int
	wroteHeader   bool // the status is decided
	sentHeader    bool // the header is written to the connection
	handlerDone   bool
	chunking      bool
	fullDuplex    bool
	wantsClose    bool
	closeAfter    bool
	contentLength int64 // -1: not declared
	written       int64
	trailers      []string
}

// Header implements http.ResponseWriter.
func (w *response) Header() http.Header { return w.handler }

// AfterClientGone arranges for f to run once the client has gone away,
// when ctx is the request's own context: what context.AfterFunc(ctx, f)
// does there (the context ends when the client goes away or the handler
// returns), without its allocations. f runs on the goroutine that
// notices, or at once on the caller's when the client is gone already,
// so it must not block. stop reports whether it kept f from running.
// ok is false, and nothing is arranged, for any other
// context (one derived from the request's may end earlier) or once the
// handler has returned. Forwarders find it by unwrapping the
// ResponseWriter. It arms one function at a time: ok is false while
// another is armed (context.AfterFunc serves the others).
func (w *response) AfterClientGone(ctx context.Context, f func()) (stop func() bool, ok bool) {
	if w.handlerDone || ctx != w.req.Context() {
		return nil, false
	}
	return w.c.afterGone(f)
}

// WriteHeader implements http.ResponseWriter.
func (w *response) WriteHeader(code int) {
	if w.c.hijacked {
		w.c.srv.logf("http: response.WriteHeader on hijacked connection")
		return
	}
	if w.wroteHeader {
		w.c.srv.logf("http: superfluous response.WriteHeader call")
		return
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		bw := w.c.bw
		writeStatusLine(bw, code)
		w.handler.WriteSubset(bw, excludedHeadersNoBody)
		bw.WriteString("\r\n")
		bw.Flush()
		return
	}
	w.wroteHeader = true
	w.status = code
	// The header sent is the one of now: later changes are trailers or
	// ignored.
	// The values are copied: a handler that changes one in place later
	// does not change the header sent, as with net/http's clone.
	w.c.fields, w.c.vals = w.c.fields[:0], w.c.vals[:0]
	for k, v := range w.handler {
		i := len(w.c.vals)
		w.c.vals = append(w.c.vals, v...)
		w.c.fields = append(w.c.fields, field{key: k, vals: w.c.vals[i:len(w.c.vals):len(w.c.vals)]})
	}
	if cl := w.get("Content-Length"); cl != "" {
		v, err := strconv.ParseInt(cl, 10, 64)
		if err == nil && v >= 0 {
			w.contentLength = v
		} else {
			w.c.srv.logf("http: invalid Content-Length of %q", cl)
			w.handler.Del("Content-Length")
		}
	}
}

// Write implements http.ResponseWriter.
func (w *response) Write(p []byte) (int, error) {
	if err := w.beforeWrite(len(p)); err != nil || len(p) == 0 {
		return 0, err
	}
	return w.w.Write(p)
}

// WriteString implements io.StringWriter.
func (w *response) WriteString(s string) (int, error) {
	if err := w.beforeWrite(len(s)); err != nil || len(s) == 0 {
		return 0, err
	}
	return w.w.WriteString(s)
}

func (w *response) beforeWrite(n int) error {
	if w.c.hijacked {
		return http.ErrHijacked
	}
	if w.handlerDone {
		return http.ErrHandlerTimeout
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if n == 0 {
		return nil
	}
	if !bodyAllowedForStatus(w.status) {
		return http.ErrBodyNotAllowed
	}
	w.written += int64(n)
	if w.contentLength != -1 && w.written > w.contentLength {
		return http.ErrContentLength
	}
	return nil
}

// Flush implements http.Flusher.
func (w *response) Flush() { w.FlushError() }

// FlushError flushes the response to the client (http.ResponseController).
func (w *response) FlushError() error {
	if w.handlerDone || w.c.hijacked {
		return http.ErrHandlerTimeout
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	err := w.w.Flush()
	if !w.sentHeader {
		w.sendHeader(nil)
	}
	if e := w.c.bw.Flush(); err == nil {
		err = e
	}
	return err
}

// SetReadDeadline sets the connection's read deadline
// (http.ResponseController). The next request has its own, as with
// net/http.
func (w *response) SetReadDeadline(t time.Time) error {
	w.c.lastDeadline = time.Time{}
	w.c.hasDeadline.Store(true)
	return w.c.rwc.SetReadDeadline(t)
}

// SetWriteDeadline sets the connection's write deadline
// (http.ResponseController). It is cleared when the request ends, as
// net/http does.
func (w *response) SetWriteDeadline(t time.Time) error {
	w.c.hasWriteDeadline = true
	return w.c.rwc.SetWriteDeadline(t)
}

// EnableFullDuplex lets the handler read the request body while it
// writes the response (http.ResponseController).
func (w *response) EnableFullDuplex() error {
	w.fullDuplex = true
	return nil
}

// Hijack implements http.Hijacker.
func (w *response) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.handlerDone {
		return nil, nil, http.ErrHandlerTimeout
	}
	// As net/http: the header is sent if it was written, but what the
	// body buffer holds is dropped.
	if w.wroteHeader && !w.sentHeader {
		w.sendHeader(nil)
	}
	return w.c.hijack()
}

// finish ends the response after its handler returned.
func (w *response) finish() {
	w.handlerDone = true
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	w.w.Flush()
	if !w.sentHeader {
		w.sendHeader(nil)
	}
	bw := w.c.bw
	if w.chunking {
		bw.WriteString("0\r\n")
		if t := w.finalTrailers(); t != nil {
			t.Write(bw)
		}
		bw.WriteString("\r\n")
	}
	bw.Flush()
	// The response is out: from here the connection counts as idle for
	// Shutdown, as soon as its client may see the response end.
	w.c.state.CompareAndSwap(stateActive, stateIdle)
	if w.body != nil {
		w.body.Close()
		w.body.mu.Lock()
		if w.body.earlyClose {
			w.c.linger = true // as net/http, whether the connection was to close anyway or not
		}
		w.body.mu.Unlock()
	}
}

// reusable reports whether the connection can serve another request.
func (w *response) reusable() bool {
	if w.closeAfter || w.c.writer.err != nil {
		return false
	}
	if w.req.Method != http.MethodHead && w.contentLength != -1 && bodyAllowedForStatus(w.status) && w.contentLength != w.written {
		return false // did not write what it declared: the stream is out of step
	}
	if w.body != nil {
		w.body.mu.Lock()
		defer w.body.mu.Unlock()
		return w.body.err == nil && w.body.remaining == 0 && !w.body.earlyClose
	}
	return true
}

// finalTrailers returns the trailers to send after a chunked body.
func (w *response) finalTrailers() http.Header {
	var t http.Header
	for k, vv := range w.handler {
		if kk, found := strings.CutPrefix(k, http.TrailerPrefix); found {
			if t == nil {
				t = make(http.Header)
			}
			t[kk] = vv
		}
	}
	for _, k := range w.trailers {
		if t == nil {
			t = make(http.Header)
		}
		for _, v := range w.handler[k] {
			t.Add(k, v)
		}
	}
	return t
}

func (w *response) declareTrailer(k string) {
	k = http.CanonicalHeaderKey(k)
	if !httpguts.ValidTrailerHeader(k) {
		return
	}
	w.trailers = append(w.trailers, k)
}

// get returns the first value of the header being written for key.
func (w *response) get(key string) string {
	if i := w.find(key); i >= 0 && len(w.c.fields[i].vals) > 0 {
		return w.c.fields[i].vals[0]
	}
	return ""
}

// has reports whether the header being written has key, even empty.
func (w *response) has(key string) bool { return w.find(key) >= 0 }

func (w *response) find(key string) int {
	for i := range w.c.fields {
		if f := &w.c.fields[i]; f.key == key && !f.skip {
			return i
		}
	}
	return -1
}

// del leaves key out of the header being written.
func (w *response) del(key string) {
	if i := w.find(key); i >= 0 {
		w.c.fields[i].skip = true
	}
}

// sendHeader writes the response's status line and header to the
// connection, deciding its framing as net/http does; p is the start of
// the body (sniffed for a Content-Type, and all of it when the handler
// is done).
func (w *response) sendHeader(p []byte) {
	w.sentHeader = true
	keepAlives := !w.c.srv.inShutdown.Load()
	isHEAD := w.req.Method == http.MethodHead
	x := &w.c.extra
	*x = extraHeader{}

	trailers := false
	for i := range w.c.fields {
		if strings.HasPrefix(w.c.fields[i].key, http.TrailerPrefix) {
			w.c.fields[i].skip = true
			trailers = true
		}
	}
	if i := w.find("Trailer"); i >= 0 {
		for _, v := range w.c.fields[i].vals {
			trailers = true
			foreachHeaderElement(v, w.declareTrailer)
		}
	}
	te := w.get("Transfer-Encoding")
	hasTE := te != ""
	if w.handlerDone && !trailers && !hasTE && bodyAllowedForStatus(w.status) && !w.has("Content-Length") && (!isHEAD || len(p) > 0) {
		w.contentLength = int64(len(p))
		x.contentLength = strconv.AppendInt(w.c.clenBuf[:0], int64(len(p)), 10)
	}
	hasCL := w.contentLength != -1
	if w.wantsClose || w.get("Connection") == "close" || !keepAlives {
		w.closeAfter = true
	}
	if w.req.ContentLength != 0 && !w.closeAfter && !w.fullDuplex && w.body != nil {
		switch keep, tooBig := w.body.beforeResponse(); {
		case tooBig:
			w.closeAfter = true
			w.c.linger = true
			w.del("Connection")
			x.connection = "close"
		case !keep:
			w.closeAfter = true
		}
	}
	code := w.status
	if bodyAllowedForStatus(code) {
		if w.get("Content-Encoding") == "" && !w.has("Content-Type") && !hasTE && len(p) > 0 {
			x.contentType = http.DetectContentType(p)
		}
	} else {
		if code == http.StatusNotModified {
			w.del("Content-Type")
		}
		w.del("Content-Length")
		w.del("Transfer-Encoding")
	}
	if !w.has("Date") {
		x.date = w.c.srv.dateNow()
	}
	if hasCL && hasTE && te != "identity" {
		w.c.srv.logf("http: WriteHeader called with both Transfer-Encoding of %q and a Content-Length of %d", te, w.contentLength)
		w.del("Content-Length")
		hasCL = false
	}
	switch {
	case isHEAD || !bodyAllowedForStatus(code) || code == http.StatusNoContent:
		w.del("Transfer-Encoding")
	case hasCL:
		w.del("Transfer-Encoding")
	case hasTE && te == "identity":
		w.chunking = false
		w.closeAfter = true
		w.del("Transfer-Encoding")
	default:
		w.chunking = true
		x.transferEncoding = "chunked"
		if hasTE && te == "chunked" {
			w.del("Transfer-Encoding")
		}
	}
	if w.chunking {
		w.del("Content-Length")
	}
	if w.closeAfter && x.connection == "" && (!keepAlives || !hasToken(w.get("Connection"), "close")) && !w.isProtocolSwitch() {
		w.del("Connection")
		x.connection = "close"
	}

	bw := w.c.bw
	writeStatusLine(bw, code)
	w.writeFields(bw)
	x.write(bw)
	bw.WriteString("\r\n")
}

func (w *response) isProtocolSwitch() bool {
	if w.status != http.StatusSwitchingProtocols {
		return false
	}
	i := w.find("Connection")
	return w.get("Upgrade") != "" && i >= 0 && httpguts.HeaderValuesContainsToken(w.c.fields[i].vals, "Upgrade")
}

var headerNewlineToSpace = strings.NewReplacer("\n", " ", "\r", " ")

// writeFields writes the header fields in key order, formatted as
// http.Header.Write does.
func (w *response) writeFields(bw *bufio.Writer) {
	fs := w.c.fields
	slices.SortFunc(fs, func(a, b field) int { return strings.Compare(a.key, b.key) })
	for _, f := range fs {
		if f.skip || !httpguts.ValidHeaderFieldName(f.key) {
			continue
		}
		for _, v := range f.vals {
			v = headerNewlineToSpace.Replace(v)
			v = textproto.TrimString(v)
			bw.WriteString(f.key)
			bw.WriteString(": ")
			bw.WriteString(v)
			bw.WriteString("\r\n")
		}
	}
}

// dateValue is a Date header value and the second it names.
type dateValue struct {
	unix int64
	text []byte
}

// dateNow returns the Date header value for now, formatted once a
// second.
func (s *Server) dateNow() []byte {
	now := time.Now()
	if d := s.date.Load(); d != nil && d.unix == now.Unix() {
		return d.text
	}
	d := &dateValue{unix: now.Unix(), text: now.UTC().AppendFormat(nil, http.TimeFormat)}
	s.date.Store(d)
	return d.text
}

// extraHeader holds the fields the server adds, written after the
// handler's as net/http writes them.
type extraHeader struct {
	contentType      string
	connection       string
	transferEncoding string
	date             []byte
	contentLength    []byte
}

func (h *extraHeader) write(bw *bufio.Writer) {
	if h.date != nil {
		bw.WriteString("Date: ")
		bw.Write(h.date)
		bw.WriteString("\r\n")
	}
	if h.contentLength != nil {
		bw.WriteString("Content-Length: ")
		bw.Write(h.contentLength)
		bw.WriteString("\r\n")
	}
	for i, v := range [...]string{h.contentType, h.connection, h.transferEncoding} {
		if v != "" {
			bw.WriteString([...]string{"Content-Type: ", "Connection: ", "Transfer-Encoding: "}[i])
			bw.WriteString(v)
			bw.WriteString("\r\n")
		}
	}
}

// chunkWriter writes a response's body to the connection, sending the
// header first and using chunked coding when the header says so.
type chunkWriter struct{ r *response }

// Write implements io.Writer.
func (cw *chunkWriter) Write(p []byte) (int, error) {
	w := cw.r
	if !w.sentHeader {
		w.sendHeader(p)
	}
	if w.req.Method == http.MethodHead {
		return len(p), nil
	}
	bw := w.c.bw
	if w.chunking {
		var buf [16]byte
		bw.Write(strconv.AppendInt(buf[:0], int64(len(p)), 16))
		bw.WriteString("\r\n")
	}
	n, err := bw.Write(p)
	if w.chunking && err == nil {
		_, err = bw.WriteString("\r\n")
	}
	if err != nil {
		w.c.rwc.Close()
	}
	return n, err
}

var excludedHeadersNoBody = map[string]bool{"Content-Length": true, "Transfer-Encoding": true}

// statusLines holds the status line of every code with a status text.
var statusLines = func() map[int]string {
	m := map[int]string{}
	for code := 100; code <= 999; code++ {
		if text := http.StatusText(code); text != "" {
			m[code] = "HTTP/1.1 " + strconv.Itoa(code) + " " + text + "\r\n"
		}
	}
	return m
}()

func writeStatusLine(bw *bufio.Writer, code int) {
	if line, ok := statusLines[code]; ok {
		bw.WriteString(line)
		return
	}
	fmt.Fprintf(bw, "HTTP/1.1 %03d status code %d\r\n", code, code)
}

func bodyAllowedForStatus(status int) bool {
	switch {
	case status >= 100 && status <= 199, status == http.StatusNoContent, status == http.StatusNotModified:
		return false
	}
	return true
}

func foreachHeaderElement(v string, fn func(string)) {
	v = textproto.TrimString(v)
	if v == "" {
		return
	}
	if !strings.Contains(v, ",") {
		fn(v)
		return
	}
	for f := range strings.SplitSeq(v, ",") {
		if f = textproto.TrimString(f); f != "" {
			fn(f)
		}
	}
}

// hasToken reports whether token appears in v as a comma- or
// space-separated element, ignoring ASCII case (net/http's hasToken).
func hasToken(v, token string) bool {
	if len(token) > len(v) || token == "" {
		return false
	}
	if v == token {
		return true
	}
	for sp := 0; sp <= len(v)-len(token); sp++ {
		if b := v[sp]; b != token[0] && b|0x20 != token[0] {
			continue
		}
		if sp > 0 && !isTokenBoundary(v[sp-1]) {
			continue
		}
		if end := sp + len(token); end != len(v) && !isTokenBoundary(v[end]) {
			continue
		}
		if strings.EqualFold(v[sp:sp+len(token)], token) {
			return true
		}
	}
	return false
}

func isTokenBoundary(b byte) bool { return b == ' ' || b == ',' || b == '\t' }
