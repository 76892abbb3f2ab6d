package h1

import (
	"bufio"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestReadHead: response heads parse as http.ReadResponse parses them,
// on the fast path and on textproto's for the unusual ones.
func TestReadHead(t *testing.T) {
	tests := []struct {
		name    string
		head    string
		status  int
		header  http.Header
		wantErr bool
	}{
		{name: "plain", head: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n",
			status: 200, header: http.Header{"Content-Type": {"text/plain"}, "Content-Length": {"2"}}},
		{name: "bare LF, no reason", head: "HTTP/1.1 204\nX-A: 1\n\n", status: 204, header: http.Header{"X-A": {"1"}}},
		{name: "repeated and non-canonical names", head: "HTTP/1.1 200 OK\r\nset-cookie: a=1\r\nSet-Cookie: b=2\r\nx-b:  spaced \t\r\n\r\n",
			status: 200, header: http.Header{"Set-Cookie": {"a=1", "b=2"}, "X-B": {"spaced"}}},
		{name: "folded line", head: "HTTP/1.1 200 OK\r\nX-Long: one\r\n two\r\n\r\n", status: 200, header: http.Header{"X-Long": {"one two"}}},
		{name: "empty value", head: "HTTP/1.1 200 OK\r\nX-Empty:\r\n\r\n", status: 200, header: http.Header{"X-Empty": {""}}},
		{name: "no colon", head: "HTTP/1.1 200 OK\r\nbroken\r\n\r\n", wantErr: true},
		{name: "space before colon, kept as net/http keeps it", head: "HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n", status: 200,
			header: http.Header{"X-A ": {"1"}}},
		{name: "bad status", head: "HTTP/1.1 20 OK\r\n\r\n", wantErr: true},
		{name: "bad version", head: "HTTX/1.1 200 OK\r\n\r\n", wantErr: true},
		{name: "no status", head: "HTTP/1.1\r\n\r\n", wantErr: true},
		{name: "cut short", head: "HTTP/1.1 200 OK\r\nX-A: 1\r\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h head
			_, err := readHead(bufio.NewReader(strings.NewReader(tt.head)), nil, 1<<20, &h)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if h.status != tt.status || !reflect.DeepEqual(h.header, tt.header) {
				t.Errorf("got %d %v, want %d %v", h.status, h.header, tt.status, tt.header)
			}
		})
	}
}

// TestReadHeadLimit: a head longer than the limit is refused, however
// its bytes are split into lines.
func TestReadHeadLimit(t *testing.T) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nX-Huge: " + strings.Repeat("a", 10000) + "\r\n\r\n",
		"HTTP/1.1 200 OK\r\n" + strings.Repeat("X-A: 1\r\n", 2000) + "\r\n",
	} {
		var h head
		if _, err := readHead(bufio.NewReader(strings.NewReader(s)), nil, 4096, &h); err == nil {
			t.Errorf("a head of %d bytes passed a limit of 4096", len(s))
		}
		if _, err := readHead(bufio.NewReader(strings.NewReader(s)), nil, len(s), &h); err != nil {
			t.Errorf("a head of %d bytes failed a limit of its size: %v", len(s), err)
		}
	}
}

// TestFrame: the body framing of a response, as http.Transport works it
// out.
func TestFrame(t *testing.T) {
	tests := []struct {
		name    string
		head    string
		method  string
		want    framing
		wantErr bool
	}{
		{name: "length", head: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", want: framing{length: 5}},
		{name: "chunked wins over length", head: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
			want: framing{length: -1, chunked: true}},
		{name: "until close", head: "HTTP/1.1 200 OK\r\n\r\n", want: framing{length: -1, close: true}},
		{name: "HTTP/1.0 without keep-alive", head: "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", want: framing{length: 1, close: true}},
		{name: "HTTP/1.0 keep-alive", head: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n", want: framing{length: 1}},
		{name: "connection close", head: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n", want: framing{length: 1, close: true}},
		{name: "HEAD", head: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", method: "HEAD", want: framing{}},
		{name: "304", head: "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", want: framing{}},
		{name: "same length twice", head: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", want: framing{length: 5}},
		{name: "two lengths", head: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", wantErr: true},
		{name: "bad length", head: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", wantErr: true},
		{name: "gzip coding", head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", wantErr: true},
		{name: "trailer announced", head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-sum, X-Other\r\n\r\n",
			want: framing{length: -1, chunked: true, trailer: http.Header{"X-Sum": nil, "X-Other": nil}}},
		{name: "bad trailer", head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Content-Length\r\n\r\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h head
			if _, err := readHead(bufio.NewReader(strings.NewReader(tt.head)), nil, 1<<20, &h); err != nil {
				t.Fatal(err)
			}
			method := tt.method
			if method == "" {
				method = "GET"
			}
			f, err := frame(&h, method)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			if err == nil && !reflect.DeepEqual(f, tt.want) {
				t.Errorf("framing %+v, want %+v", f, tt.want)
			}
		})
	}
}

// FuzzReadHead: reading a response head never panics, and whenever both
// it and http.ReadResponse accept one, they agree on the status and the
// fields.
func FuzzReadHead(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
		"HTTP/1.0 204\nx-a: 1\nX-A: 2\n\n",
		"HTTP/1.1 200 OK\r\nX-Long: one\r\n two\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n",
		"HTTP/1.1 200 OK\r\nbroken\r\n\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var h head
		_, err := readHead(bufio.NewReader(strings.NewReader(s)), nil, 1<<16, &h)
		if err != nil {
			return
		}
		if h.status < 100 || h.status > 999 {
			t.Fatalf("status %d accepted", h.status)
		}
		resp, rerr := http.ReadResponse(bufio.NewReader(strings.NewReader(s)), nil)
		if rerr != nil {
			return
		}
		if resp.StatusCode != h.status {
			t.Fatalf("status %d, http.ReadResponse %d", h.status, resp.StatusCode)
		}
		if _, ferr := frame(&h, "GET"); ferr != nil {
			return
		}
		delete(resp.Header, "Content-Length")
		delete(h.header, "Content-Length")
		if len(resp.Header) != len(h.header) {
			t.Fatalf("fields %q, http.ReadResponse %q", h.header, resp.Header)
		}
		for k, v := range resp.Header {
			if !reflect.DeepEqual(h.header[k], v) {
				t.Fatalf("field %s: %q, http.ReadResponse %q", k, h.header[k], v)
			}
		}
	})
}
