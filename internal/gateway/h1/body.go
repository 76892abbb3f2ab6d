package h1

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/http/httputil"
	"net/textproto"
	"strconv"
	"strings"
)

// relay writes the final response with head h and framing f to w, as
// httputil.ReverseProxy does: the end-to-end fields, the announced
// trailer names, the status, the body (flushed write by write for
// text/event-stream and bodies of unknown length), then the trailers.
// An error means the client's response is broken: the caller aborts it.
// direct: h's fields were read into w's header, and are not copied.
func (p *Pool) relay(c *conn, w http.ResponseWriter, method string, h *head, f *framing, direct bool) error {
	hdr := h.header
	removeHopByHop(hdr)
	flush := flushes(hdr, f, method)
	dst := w.Header()
	if !direct {
		for k, vv := range hdr {
			if prev, ok := dst[k]; ok {
				dst[k] = append(prev, vv...)
			} else {
				dst[k] = vv // the values are this response's own
			}
		}
	}
	if len(f.trailer) > 0 {
		keys := make([]string, 0, len(f.trailer))
		for k := range f.trailer {
			keys = append(keys, k)
		}
		dst.Add("Trailer", strings.Join(keys, ", "))
	}
	w.WriteHeader(h.status)
	var rc *http.ResponseController
	if flush {
		rc = http.NewResponseController(w)
		rc.Flush() // the header goes out before any body, as ReverseProxy's first timer flush
	}
	var body io.Reader
	switch {
	case f.chunked:
		body = httputil.NewChunkedReader(c.br)
	case f.length >= 0:
		c.lr = lengthReader{br: c.br, n: f.length}
		body = &c.lr
	default:
		body = c.br // until the backend closes the connection
	}
	if err := p.copyBody(w, body, rc); err != nil {
		return err
	}
	if !f.chunked {
		return nil
	}
	received, err := readTrailer(c.br)
	if err != nil {
		return err
	}
	relayTrailer(w, f.trailer, received)
	return nil
}

// flushes reports whether the body is flushed write by write: a
// text/event-stream, or a body whose length http.Transport would not
// know (ReverseProxy's flushInterval).
func flushes(hdr http.Header, f *framing, method string) bool {
	if ct := hdr["Content-Type"]; len(ct) > 0 && len(ct[0]) >= len("text/event-stream") &&
		strings.EqualFold(ct[0][:len("text/event-stream")], "text/event-stream") {
		if base, _, _ := mime.ParseMediaType(ct[0]); base == "text/event-stream" {
			return true
		}
	}
	if method == http.MethodHead {
		cl := hdr["Content-Length"]
		if len(cl) == 0 {
			return true
		}
		_, err := strconv.ParseUint(strings.TrimSpace(cl[0]), 10, 63)
		return err != nil
	}
	return f.chunked || f.length < 0
}

// copyBody copies body to w, flushing after each write when rc is set.
func (p *Pool) copyBody(w http.ResponseWriter, body io.Reader, rc *http.ResponseController) error {
	buf := p.buffer()
	defer p.release(buf)
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return err
			}
			if rc != nil {
				rc.Flush()
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

// lengthReader reads the n bytes of a body with a Content-Length; the
// connection ending before is io.ErrUnexpectedEOF.
type lengthReader struct {
	br *bufio.Reader
	n  int64
}

func (r *lengthReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	n, err := r.br.Read(p)
	r.n -= int64(n)
	if err == io.EOF && r.n > 0 {
		err = io.ErrUnexpectedEOF
	}
	if err == nil && r.n == 0 {
		err = io.EOF
	}
	return n, err
}

// readTrailer reads the trailer section after a chunked body's last
// chunk, as net/http's body does; nil: none.
func readTrailer(br *bufio.Reader) (http.Header, error) {
	buf, err := br.Peek(2)
	if bytes.Equal(buf, []byte("\r\n")) {
		br.Discard(2)
		return nil, nil
	}
	if len(buf) < 2 {
		return nil, io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, err
	}
	m, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil {
		return nil, err
	}
	return http.Header(m), nil
}

// relayTrailer sets the trailers on w after the body as ReverseProxy
// does: the announced ones as they are when the backend sent no other,
// else every one under http.TrailerPrefix.
func relayTrailer(w http.ResponseWriter, announced, received http.Header) {
	all := announced
	if len(received) > 0 {
		all = make(http.Header, len(announced)+len(received))
		for k, v := range announced {
			all[k] = v
		}
		for k, v := range received {
			all[k] = v
		}
	}
	if len(all) == 0 {
		return
	}
	// A trailer forces chunking: net/http must not compute a length for
	// a short body and add a Content-Length.
	http.NewResponseController(w).Flush()
	dst := w.Header()
	if len(all) == len(announced) {
		for k, vv := range all {
			for _, v := range vv {
				dst.Add(k, v)
			}
		}
		return
	}
	for k, vv := range all {
		for _, v := range vv {
			dst.Add(http.TrailerPrefix+k, v)
		}
	}
}
