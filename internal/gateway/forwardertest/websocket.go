package forwardertest

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// testWebSocketEcho makes a WebSocket handshake through the forwarder to a
// backend that echoes text frames, and exchanges two messages.
func testWebSocketEcho(t *testing.T, h *harness) {
	front := h.serve(func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") || !headerHasToken(r.Header, "Connection", "upgrade") {
			http.Error(w, "not an upgrade: Upgrade "+r.Header.Get("Upgrade")+", Connection "+r.Header.Get("Connection"), http.StatusBadRequest)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("backend hijack: %v", err)
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(patience))
		fmt.Fprintf(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
			acceptKey(r.Header.Get("Sec-WebSocket-Key")))
		brw.Flush()
		for {
			msg, err := readFrame(brw.Reader)
			if err != nil {
				return // the client closed the connection
			}
			if err := writeFrame(conn, msg, false); err != nil {
				return
			}
		}
	})
	u, err := url.Parse(front)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(patience))
	var nonce [16]byte
	rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	fmt.Fprintf(conn, "GET %s/chat HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
		u.EscapedPath(), u.Host, key)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Accept") != acceptKey(key) ||
		!strings.EqualFold(resp.Header.Get("Upgrade"), "websocket") {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		t.Fatalf("handshake answered %s, Upgrade %q, Sec-WebSocket-Accept %q (want %q): %s",
			resp.Status, resp.Header.Get("Upgrade"), resp.Header.Get("Sec-WebSocket-Accept"), acceptKey(key), body)
	}
	for _, msg := range []string{"hello", "a second message, a little longer than the first"} {
		if err := writeFrame(conn, []byte(msg), true); err != nil {
			t.Fatalf("send %q: %v", msg, err)
		}
		got, err := readFrame(br)
		if err != nil {
			t.Fatalf("echo of %q: %v", msg, err)
		}
		if string(got) != msg {
			t.Errorf("echo %q, want %q", got, msg)
		}
	}
}

// acceptKey is the Sec-WebSocket-Accept answer to key (RFC 6455, 4.2.2).
func acceptKey(key string) string {
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// writeFrame writes msg as one final text frame, masked as a client's
// frames must be when masked is set.
func writeFrame(w io.Writer, msg []byte, masked bool) error {
	if len(msg) > 125 {
		return errors.New("the suite sends short frames only")
	}
	frame := []byte{0x81, byte(len(msg))}
	payload := append([]byte(nil), msg...)
	if masked {
		var mask [4]byte
		rand.Read(mask[:])
		frame[1] |= 0x80
		frame = append(frame, mask[:]...)
		for i := range payload {
			payload[i] ^= mask[i%4]
		}
	}
	_, err := w.Write(append(frame, payload...))
	return err
}

// readFrame reads one short frame and returns its payload, unmasked.
func readFrame(r *bufio.Reader) ([]byte, error) {
	var head [2]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	if head[0] != 0x81 {
		return nil, fmt.Errorf("frame type %#x, want a final text frame", head[0])
	}
	n := int(head[1] & 0x7f)
	if n > 125 {
		return nil, errors.New("the suite reads short frames only")
	}
	var mask [4]byte
	masked := head[1]&0x80 != 0
	if masked {
		if _, err := io.ReadFull(r, mask[:]); err != nil {
			return nil, err
		}
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return nil, err
	}
	if masked {
		for i := range payload {
			payload[i] ^= mask[i%4]
		}
	}
	return payload, nil
}

// headerHasToken reports whether a comma-separated header lists token.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
