package h1

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// errHeaderTooLarge is why a response whose head exceeds
// Options.MaxHeaderBytes is refused.
var errHeaderTooLarge = errors.New("backend response headers too large")

// head is a parsed response head: the status and the header fields.
type head struct {
	major, minor int
	status       int
	header       http.Header
}

// readHead reads a response's status line and header fields from br
// into buf (reused, returned) and parses them into h, whose header map
// is cleared first. The field names and values are substrings of one
// string holding the whole head, and the values share one backing
// array.
func readHead(br *bufio.Reader, buf []byte, limit int, h *head) ([]byte, error) {
	buf, err := readHeadBytes(br, buf[:0], limit)
	if err != nil {
		return buf, err
	}
	return buf, parseHead(string(buf), h)
}

// readHeadBytes appends the bytes of one response head, up to and
// including its blank line, to buf.
func readHeadBytes(br *bufio.Reader, buf []byte, limit int) ([]byte, error) {
	lineStart := 0
	for {
		frag, err := br.ReadSlice('\n')
		if len(buf)+len(frag) > limit {
			return buf, fmt.Errorf("%w (more than %d bytes)", errHeaderTooLarge, limit)
		}
		buf = append(buf, frag...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && len(buf) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return buf, err
		}
		line := buf[lineStart:]
		if lineStart > 0 && (len(line) == 1 || (len(line) == 2 && line[0] == '\r')) {
			return buf, nil
		}
		lineStart = len(buf)
	}
}

// parseHead parses s, a response head ending in a blank line, into h.
func parseHead(s string, h *head) error {
	line, rest, _ := strings.Cut(s, "\n")
	line = strings.TrimSuffix(line, "\r")
	proto, status, ok := strings.Cut(line, " ")
	if !ok {
		return fmt.Errorf("malformed HTTP response %q", line)
	}
	code, _, _ := strings.Cut(strings.TrimLeft(status, " "), " ")
	if len(code) != 3 {
		return fmt.Errorf("malformed HTTP status code %q", code)
	}
	n, err := strconv.Atoi(code)
	if err != nil || n < 100 {
		return fmt.Errorf("malformed HTTP status code %q", code)
	}
	major, minor, ok := http.ParseHTTPVersion(proto)
	if !ok {
		return fmt.Errorf("malformed HTTP version %q", proto)
	}
	h.major, h.minor, h.status = major, minor, n
	if h.header == nil {
		h.header = make(http.Header, 8)
	} else {
		clear(h.header)
	}
	if parseFields(rest, h.header) {
		return nil
	}
	// Anything unusual (folded lines, odd bytes, a line without a colon)
	// is read by textproto, which is what http.Transport would answer.
	clear(h.header)
	m, err := textproto.NewReader(bufio.NewReader(strings.NewReader(rest))).ReadMIMEHeader()
	if err != nil {
		return fmt.Errorf("malformed response header: %w", err)
	}
	for k, v := range m {
		h.header[k] = v
	}
	return nil
}

// parseFields parses the header fields in s into hdr; false: s holds
// something it leaves to textproto.
func parseFields(s string, hdr http.Header) bool {
	vals := make([]string, strings.Count(s, "\n"))
	i := 0
	for s != "" {
		var line string
		line, s, _ = strings.Cut(s, "\n")
		line = strings.TrimSuffix(line, "\r")
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
		v = trim(v, " \t")
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

// framing is how a response's body is delimited.
type framing struct {
	length  int64 // -1: chunked or until close
	chunked bool
	close   bool // the connection ends after this response
	// trailer holds the trailer names the response announced
	// (canonical, nil values); nil: none.
	trailer http.Header
}

// frame works out the framing of the response with head h to a request
// with method, as http.Transport does (RFC 9112 6.3), and removes from
// h's header what the Transport's response does not carry
// (Transfer-Encoding, Trailer, a Content-Length beside chunked coding).
func frame(h *head, method string) (framing, error) {
	hdr := h.header
	f := framing{length: -1, close: shouldClose(h, hdr)}
	if te, ok := hdr["Transfer-Encoding"]; ok {
		delete(hdr, "Transfer-Encoding")
		if h.major > 1 || (h.major == 1 && h.minor >= 1) {
			if len(te) != 1 || !strings.EqualFold(te[0], "chunked") {
				return f, fmt.Errorf("unsupported transfer encoding %q", te)
			}
			f.chunked = true
		}
	}
	cls := hdr["Content-Length"]
	if len(cls) > 1 {
		first := strings.TrimSpace(cls[0])
		for _, v := range cls[1:] {
			if strings.TrimSpace(v) != first {
				return f, fmt.Errorf("multiple Content-Length headers %q", cls)
			}
		}
		hdr["Content-Length"] = cls[:1:1]
		cls = hdr["Content-Length"]
	}
	if tr, ok := hdr["Trailer"]; ok && f.chunked {
		delete(hdr, "Trailer")
		t, err := announcedTrailer(tr)
		if err != nil {
			return f, err
		}
		f.trailer = t
	}
	if method == http.MethodHead || h.status/100 == 1 || h.status == http.StatusNoContent || h.status == http.StatusNotModified {
		f.length, f.chunked = 0, false
		return f, nil
	}
	if f.chunked {
		delete(hdr, "Content-Length")
		return f, nil
	}
	if len(cls) == 1 {
		if cl := strings.TrimSpace(cls[0]); cl != "" {
			n, err := strconv.ParseUint(cl, 10, 63)
			if err != nil {
				return f, fmt.Errorf("bad Content-Length %q", cl)
			}
			f.length = int64(n)
			return f, nil
		}
	}
	delete(hdr, "Content-Length")
	f.close = true // the body ends when the connection does
	return f, nil
}

// announcedTrailer returns the names a Trailer field lists.
func announcedTrailer(vs []string) (http.Header, error) {
	t := http.Header{}
	for _, v := range vs {
		for k := range strings.SplitSeq(v, ",") {
			if k = strings.TrimSpace(k); k == "" {
				continue
			}
			k = http.CanonicalHeaderKey(k)
			switch k {
			case "Transfer-Encoding", "Trailer", "Content-Length":
				return nil, fmt.Errorf("bad trailer key %q", k)
			}
			t[k] = nil
		}
	}
	return t, nil
}

// shouldClose reports whether the connection ends after the response:
// HTTP/1.0 without keep-alive, or Connection: close.
func shouldClose(h *head, hdr http.Header) bool {
	if h.major < 1 {
		return true
	}
	c := hdr["Connection"]
	hasClose := httpguts.HeaderValuesContainsToken(c, "close")
	if h.major == 1 && h.minor == 0 {
		return hasClose || !httpguts.HeaderValuesContainsToken(c, "keep-alive")
	}
	return hasClose
}

// removeHopByHop removes from hdr the hop-by-hop fields and those its
// Connection field names, as httputil.ReverseProxy does.
func removeHopByHop(hdr http.Header) {
	for _, f := range hdr["Connection"] {
		for sf := range strings.SplitSeq(f, ",") {
			if sf = textproto.TrimString(sf); sf != "" {
				hdr.Del(sf)
			}
		}
	}
	for _, k := range hopHeaders {
		delete(hdr, k)
	}
}

var hopHeaders = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade"}
