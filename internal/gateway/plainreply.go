package gateway

import (
	"context"
	"io"
	"net/http"
	"net/textproto"
	"strings"
)

// writePlain writes res, the backend's response as the pipeline left it,
// to w as the relay's reply proxy would, when res is plain: not 101
// Switching Protocols, of a known length, with no trailers, not
// server-sent events, and not streamed (buffer-response="false"). It
// reports false, having written nothing, for any other response, which
// reply writes. For a plain response, ReverseProxy's response half
// comes down to what writePlain does: remove the hop-by-hop fields, copy
// the fields, write the status, copy the body through a pooled buffer
// without flushing, and abort the response when the copy fails; going
// through it would cost a copy of the request, a client trace and a
// header map per request.
func (fw *forwarding) writePlain(w http.ResponseWriter, res *http.Response) bool {
	if fw.relay.proxyOnly || fw.a.f.StreamResponse || res.StatusCode == http.StatusSwitchingProtocols || res.ContentLength < 0 ||
		len(res.Trailer) > 0 || containsFold(res.Header.Get("Content-Type"), "event-stream") {
		return false
	}
	fw.a.res = nil // closed here
	removeHopByHop(res.Header)
	copyFields(w.Header(), res.Header)
	w.WriteHeader(res.StatusCode)
	buf := fw.relay.buffers.Get()
	err := fw.copyBody(w, res.Body, buf)
	fw.relay.buffers.Put(buf)
	res.Body.Close()
	if err != nil && fw.in.Context().Value(http.ServerContextKey) != nil {
		// As ReverseProxy: a response that broke after its header was
		// written can only be aborted (golang.org/issue/23643).
		panic(http.ErrAbortHandler)
	}
	return true
}

// copyFields adds the fields of src to dst as ReverseProxy does (with
// Header.Add). A field dst does not have yet, under its canonical name,
// gets src's values themselves, capped so that an append copies them:
// nothing changes a response's fields once it is being written, so
// copying them would only allocate.
func copyFields(dst, src http.Header) {
	for k, vv := range src {
		if _, ok := dst[k]; !ok && len(vv) > 0 && http.CanonicalHeaderKey(k) == k {
			dst[k] = vv[:len(vv):len(vv)]
			continue
		}
		for _, v := range vv {
			dst.Add(k, v)
		}
	}
}

// copyBody copies src to dst through buf as ReverseProxy copies a
// response body: read errors other than the end and a cancellation are
// logged, and a short write is an error.
func (fw *forwarding) copyBody(dst io.Writer, src io.Reader, buf []byte) error {
	for {
		nr, rerr := src.Read(buf)
		if rerr != nil && rerr != io.EOF && rerr != context.Canceled {
			fw.relay.log.Warn("httputil: ReverseProxy read error during body copy", "err", rerr)
		}
		if nr > 0 {
			nw, werr := dst.Write(buf[:nr])
			if werr != nil {
				return werr
			}
			if nr != nw {
				return io.ErrShortWrite
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

// removeHopByHop removes from h the fields its Connection field names
// and the hop-by-hop fields, as ReverseProxy does with a response's.
func removeHopByHop(h http.Header) {
	for _, f := range h["Connection"] {
		for sf := range strings.SplitSeq(f, ",") {
			if sf = textproto.TrimString(sf); sf != "" {
				h.Del(sf)
			}
		}
	}
	for _, f := range hopHeaders {
		delete(h, f) // canonical already
	}
}

// containsFold reports whether s contains substr, ASCII letters compared
// without regard to case.
func containsFold(s, substr string) bool {
	for i := 0; i+len(substr) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(substr)], substr) {
			return true
		}
	}
	return false
}
