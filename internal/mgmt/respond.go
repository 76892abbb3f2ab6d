package mgmt

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/model"
)

// response is what a handler returns; one adapter writes it.
type response struct {
	status int
	body   any    // marshalled as JSON; nil: no body
	etag   string // ETag header when non-empty
}

// apiFunc is a management API handler.
type apiFunc func(r *http.Request) (response, error)

// apiError is an error with its HTTP status and APIM error code.
type apiError struct {
	status  int
	code    string
	message string
	details []errorDetail
	// answers are a failed batch's answers, written beside the error.
	answers []subResponse
}

type errorDetail struct {
	Code    string `json:"code"`
	Target  string `json:"target,omitempty"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return e.message }

func errorf(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

func notFound(what string) *apiError {
	return errorf(http.StatusNotFound, "ResourceNotFound", what+" was not found.")
}

func conflict(target, message string) *apiError {
	return &apiError{status: http.StatusConflict, code: "Conflict", message: message,
		details: []errorDetail{{Code: "Conflict", Target: target, Message: message}}}
}

func invalid(target, message string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "ValidationError", message: "One or more fields contain incorrect values.",
		details: []errorDetail{{Code: "ValidationError", Target: target, Message: message}}}
}

// asAPIError maps any error to the one the client sees. Only this function
// decides HTTP statuses for errors from other packages.
func asAPIError(err error) *apiError {
	var ae *apiError
	var ve *model.ValidationError
	var mbe *http.MaxBytesError
	var re *control.RefusedError
	var ce *control.Error
	var pe *control.PolicyError
	var be *bodyError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &ce):
		return fromControl(ce)
	case errors.As(err, &pe):
		out := &apiError{status: http.StatusBadRequest, code: "ValidationError", message: pe.Error()}
		for _, d := range pe.Diagnostics {
			out.details = append(out.details, errorDetail{Code: "ValidationError", Target: "properties.value", Message: d.Error()})
		}
		return out
	case errors.As(err, &re):
		out := &apiError{status: http.StatusConflict, code: "Conflict", message: re.Error()}
		for _, d := range re.Dependents {
			out.details = append(out.details, errorDetail{Code: "Conflict", Target: d.Resource, Message: d.String()})
		}
		return out
	case errors.As(err, &ve):
		out := &apiError{status: http.StatusBadRequest, code: "ValidationError",
			message: "One or more fields contain incorrect values."}
		for _, f := range ve.Fields {
			out.details = append(out.details, errorDetail{Code: "ValidationError", Target: f.Target, Message: f.Message})
		}
		return out
	case errors.As(err, &be):
		return bodyAPIError(be)
	case errors.As(err, &mbe):
		return errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request body is larger than the limit.")
	case errors.Is(err, control.ErrFull):
		return errorf(http.StatusInsufficientStorage, "InsufficientStorage",
			"The store has no room left on its disk: the change was not made. Free space and try again.")
	case errors.Is(err, control.ErrNotFound):
		return notFound("The resource")
	}
	return nil
}

// fromControl maps a refusal of the control layer to its answer.
func fromControl(ce *control.Error) *apiError {
	switch ce.Code {
	case control.CodeInvalid:
		return invalid(ce.Target, ce.Message)
	case control.CodeConflict:
		return conflict(ce.Target, ce.Message)
	case control.CodeNotFound:
		return errorf(http.StatusNotFound, string(ce.Code), ce.Message)
	case control.CodePreconditionFailed:
		return errorf(http.StatusPreconditionFailed, string(ce.Code), ce.Message)
	case control.CodeForbidden:
		return errorf(http.StatusForbidden, string(ce.Code), ce.Message)
	}
	return errorf(http.StatusBadRequest, string(ce.Code), ce.Message)
}

func (s *Server) adapt(f apiFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		resp, err := f(r)
		if err != nil {
			ae := asAPIError(err)
			if ae == nil {
				s.log.Error("management request failed", "method", r.Method, "path", r.URL.Path, "err", err)
				ae = errorf(http.StatusInternalServerError, "InternalError", "An internal error occurred; the server log has the details.")
			}
			if ae.status == http.StatusInsufficientStorage {
				s.log.Error("management write refused: the store's disk is full", "method", r.Method, "path", r.URL.Path, "err", err)
			}
			body := map[string]any{"error": map[string]any{
				"code": ae.code, "message": ae.message, "details": nonNil(ae.details)}}
			if ae.answers != nil {
				body["responses"] = ae.answers
			}
			writeJSON(w, ae.status, body)
			return
		}
		if resp.etag != "" {
			w.Header().Set("ETag", resp.etag)
		}
		if resp.body == nil {
			w.WriteHeader(resp.status)
			return
		}
		writeJSON(w, resp.status, resp.body)
	}
}

// errorCodes are the codes of WriteError's answers.
var errorCodes = map[int]string{
	http.StatusBadRequest:                  "ValidationError",
	http.StatusRequestTimeout:              "RequestTimeout",
	http.StatusRequestEntityTooLarge:       "RequestEntityTooLarge",
	http.StatusRequestURITooLong:           "RequestUriTooLong",
	http.StatusRequestHeaderFieldsTooLarge: "RequestHeaderFieldsTooLarge",
}

// WriteError writes an error in the management API's shape, such as the
// management listener's refusal of a request over its limits.
func WriteError(w http.ResponseWriter, status int, message string) {
	code, ok := errorCodes[status]
	if !ok {
		code = strings.ReplaceAll(http.StatusText(status), " ", "")
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": message, "details": []errorDetail{}}})
}

func nonNil(d []errorDetail) []errorDetail {
	if d == nil {
		return []errorDetail{}
	}
	return d
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // policy documents and messages hold < and >
	enc.SetIndent("", "  ")
	err := enc.Encode(v)
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if err != nil {
		slog.Error("encode response", "err", err)
		http.Error(w, `{"error":{"code":"InternalError","message":"response encoding failed"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
