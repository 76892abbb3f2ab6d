package h1server

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http/httpguts"
)

// headSeeds are typical and tricky request heads (and a body or a next
// request after some).
var headSeeds = []string{
	"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
	"GET /a/b?c=d&e=%20f HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: t\r\nAccept: */*\r\n\r\n",
	"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
	"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Close\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nPragma: no-cache\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nPragma: no-cache\r\nCache-Control: max-age=0\r\n\r\n",
	"GET / HTTP/1.1\r\nhost: x\r\nx-a: 1\r\nX-A:  2 \r\nx_b: 3\r\nACCEPT-encoding: gzip\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nX-Empty:\r\nX-Tab:\tv\t\r\nX-Obs: caf\xc3\xa9\xff\r\n\r\n",
	"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET //a/../b;c?d#e HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /a?b=%E2%82%AC&&c HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
	"GET http://a/b HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET * HTTP/1.1\r\nHost: x\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
	"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n",
	"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
	"GET / HTTP/1.0\r\n\r\n",
	"GET / HTTP/1.2\r\nHost: x\r\n\r\n",
	"GET / http/1.1\r\nHost: x\r\n\r\n",
	"GET  / HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET / HTTP/1.1 \r\nHost: x\r\n\r\n",
	"G\x00T / HTTP/1.1\r\nHost: x\r\n\r\n",
	"get / HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /\xff HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET / HTTP/1.1\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
	"GET / HTTP/1.1\r\nHost:\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na",
	"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 007\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1 \r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nHTTP2-Settings: AAAA\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nX-Fold: a\r\n b\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\n X-Lead: a\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nX-Sp : a\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\n: a\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nX-Cr: a\rb\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nX-Nul: a\x00b\r\n\r\n",
	"GET / HTTP/1.1\nHost: x\n\n",
	"GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\n\n",
	"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: y\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nX-\xc3\xa9: 1\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nX!#$%&'*+-.^_`|~: 1\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + strings.Repeat("v", 5000) + "\r\n\r\n",
	"M-SEARCH * HTTP/1.1\r\nHost: x\r\n\r\n",
	"X.Y~ /q HTTP/1.1\r\nHost: x\r\n\r\n",
}

// FuzzParseHead checks the request head parser against net/http's: it
// never panics, and a head it accepts is one http.ReadRequest (with the
// checks net/http's server adds) accepts the same way, ending at the
// same byte.
func FuzzParseHead(f *testing.F) {
	for _, s := range headSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n := headLength(data)
		switch {
		case n < 0:
			if !bytes.Contains(data, []byte("\n\n")) {
				t.Fatalf("headLength = -1 without a bare LF blank line")
			}
			return
		case n == 0:
			if bytes.Contains(data, []byte("\r\n\r\n")) {
				t.Fatalf("headLength = 0 with a whole head")
			}
			return
		case !bytes.HasSuffix(data[:n], []byte("\r\n\r\n")) || bytes.Contains(data[:n], []byte("\n\n")):
			t.Fatalf("headLength = %d: %q is not a CRLF head", n, data[:n])
		}
		var h head
		if !parseHead(string(data[:n]), &h) {
			return // net/http decides
		}
		br := bufio.NewReaderSize(bytes.NewReader(data), len(data)+16)
		req, err := http.ReadRequest(br)
		if err != nil {
			t.Fatalf("parseHead accepted %q; http.ReadRequest: %v", data[:n], err)
		}
		// What net/http's server checks after reading the request, on
		// the header with its Host fields (which ReadRequest removes).
		tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(data[:n])))
		tp.ReadLine()
		full, err := tp.ReadMIMEHeader()
		if err != nil {
			t.Fatalf("%q: ReadMIMEHeader: %v", data[:n], err)
		}
		hosts, ok := full["Host"]
		if !ok || len(hosts) != 1 || !httpguts.ValidHostHeader(hosts[0]) {
			t.Fatalf("parseHead accepted %q; net/http's server refuses its Host %q", data[:n], hosts)
		}
		for k, vv := range full {
			if !httpguts.ValidHeaderFieldName(k) {
				t.Fatalf("parseHead accepted %q; net/http's server refuses field name %q", data[:n], k)
			}
			for _, v := range vv {
				if !httpguts.ValidHeaderFieldValue(v) {
					t.Fatalf("parseHead accepted %q; net/http's server refuses value %q", data[:n], v)
				}
			}
		}
		if req.ProtoMajor != 1 || req.ProtoMinor != 1 || req.Proto != "HTTP/1.1" {
			t.Fatalf("parseHead accepted %q; net/http reads protocol %q", data[:n], req.Proto)
		}
		if h.method != req.Method || h.target != req.RequestURI || h.host != req.Host {
			t.Fatalf("%q: parseHead method %q target %q host %q; net/http %q %q %q",
				data[:n], h.method, h.target, h.host, req.Method, req.RequestURI, req.Host)
		}
		if !reflect.DeepEqual(*h.url, *req.URL) {
			t.Fatalf("%q: parseHead URL %#v; net/http %#v", data[:n], *h.url, *req.URL)
		}
		if !reflect.DeepEqual(h.header, req.Header) {
			t.Fatalf("%q: parseHead header %q; net/http %q", data[:n], h.header, req.Header)
		}
		if h.contentLength != req.ContentLength || h.close != req.Close || req.TransferEncoding != nil {
			t.Fatalf("%q: parseHead length %d close %v; net/http %d %v %q",
				data[:n], h.contentLength, h.close, req.ContentLength, req.Close, req.TransferEncoding)
		}
		// net/http's head ends where headLength says: what is left is
		// the body and what follows it.
		rest, _ := io.ReadAll(br)
		if !bytes.Equal(rest, data[n:]) {
			t.Fatalf("%q: net/http left %q after the head, headLength %q", data, rest, data[n:])
		}
	})
}

// halfClosedExchange writes raw to a new connection to addr, closes its
// writing side and returns what comes back until the server closes the
// connection (or 5 s pass: "timeout" is then appended).
func halfClosedExchange(t *testing.T, addr string, raw []byte) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		c.Write(raw) // a server that closes early ends this with an error
		c.(*net.TCPConn).CloseWrite()
	}()
	b, err := io.ReadAll(c)
	<-wrote
	got := dateField.ReplaceAllString(string(b), "Date: <date>\r")
	if endOf(err) == "timeout" {
		got += "<timeout>"
	}
	return got
}

// FuzzExchange sends the same bytes, then the end of the client's
// writing, to a net/http Server and to a Server serving one of the
// handler behaviours of TestDifferential, and requires the same bytes
// back and the same requests seen by the handler.
func FuzzExchange(f *testing.F) {
	var pairs []*serverPair
	var handlers []string
	for _, hc := range diffHandlers {
		if _, ok := knownDifferences[hc.name]; ok {
			continue
		}
		pairs = append(pairs, startPair(f, hc.h, 2*time.Second, 30*time.Second))
		handlers = append(handlers, hc.name)
	}
	for i, rc := range diffRequests {
		if len(rc.raw) > 64<<10 {
			continue
		}
		f.Add(uint8(i*7), []byte(rc.raw))
		f.Add(uint8(i*13+1), []byte(rc.raw))
	}
	// Bodies cut short by the client's end of writing, for the handlers
	// that read, close or ignore them.
	for i, name := range handlers {
		switch name {
		case "read all", "read part", "read none", "close body unread", "write before reading", "read all, then read and close", "panic":
			f.Add(uint8(i), []byte("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n0123456789"))
			f.Add(uint8(i), []byte("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n"))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, raw []byte) {
		p := pairs[int(which)%len(pairs)]
		p.stdRec.take()
		p.h1Rec.take()
		std := halfClosedExchange(t, p.std, raw)
		stdSeen := p.stdRec.take()
		h1 := halfClosedExchange(t, p.h1, raw)
		h1Seen := p.h1Rec.take()
		if std != h1 {
			t.Errorf("handler %q, request %q:\nnet/http: %q\nh1server: %q", handlers[int(which)%len(pairs)], raw, clip(std), clip(h1))
		}
		if !slices.Equal(stdSeen, h1Seen) {
			t.Errorf("handler %q, request %q: the handler saw\nnet/http:\n%s\nh1server:\n%s", handlers[int(which)%len(pairs)], raw,
				strings.Join(stdSeen, "\n--\n"), strings.Join(h1Seen, "\n--\n"))
		}
	})
}

// FuzzPlainRequestURI: whenever plainRequestURI takes a target, its URL
// is the one url.ParseRequestURI makes of it.
func FuzzPlainRequestURI(f *testing.F) {
	for _, s := range []string{"/", "/a/b?x=1", "/a?", "/a??b", "/a;b=c/d:e@f?q=%zz", "/a#b", "/a%20b", "/a b", "//host/x", "/a?x=\x01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		if target == "" || target[0] != '/' {
			return
		}
		got, ok := plainRequestURI(target)
		if !ok {
			return
		}
		want, err := url.ParseRequestURI(target)
		if err != nil {
			t.Fatalf("plainRequestURI took %q, which url.ParseRequestURI refuses: %v", target, err)
		}
		if *got != *want {
			t.Fatalf("plainRequestURI(%q) = %#v, url.ParseRequestURI makes %#v", target, *got, *want)
		}
	})
}
