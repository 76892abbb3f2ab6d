package gateway

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// writeError writes an error of the gateway's own in its JSON shape
// {"statusCode": N, "message": "..."}.
func writeError(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(struct {
		StatusCode int    `json:"statusCode"`
		Message    string `json:"message"`
	}{status, msg})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// WriteError writes an error of the gateway's own, such as a listener's
// refusal of a request over its limits, in the gateway's JSON shape.
func WriteError(w http.ResponseWriter, status int, message string) {
	writeError(w, status, message)
}

// errorHandler answers every request with one error.
func errorHandler(status int, msg string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeError(w, status, msg) })
}
