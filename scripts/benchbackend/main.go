// Command benchbackend is the upstream used by scripts/bench.sh: a minimal HTTP
// server that answers every request with 200 and the same small JSON body
// (about 100 bytes), so that a benchmark measures the proxy in front of it
// rather than the backend.
//
//	benchbackend -addr 127.0.0.1:9000
package main

import (
	"flag"
	"log"
	"net/http"
	"strconv"
)

var body = []byte(`{"status":"ok","service":"benchbackend","message":"hello from the benchmark backend","n":42}` + "\n")

func main() {
	addr := flag.String("addr", "127.0.0.1:9000", "listen address")
	flag.Parse()

	length := strconv.Itoa(len(body))
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{length}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
	log.Fatal(http.ListenAndServe(*addr, handler))
}
