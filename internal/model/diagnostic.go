package model

import (
	"encoding/json"
	"fmt"
)

// Diagnostic settings' values, as APIM names them.
const (
	// SamplingFixed samples a fixed percentage of requests.
	SamplingFixed = "fixed"
	// AlwaysLogAllErrors logs every failed request, sampled or not.
	AlwaysLogAllErrors = "allErrors"
	// VerbosityInformation is the one verbosity the gateways honour.
	VerbosityInformation = "information"
)

// Diagnostic writes a record of each sampled request to a logger
// (APIM's DiagnosticContract). A global diagnostic covers every API; an
// API's diagnostic of the same id replaces it for that API.
type Diagnostic struct {
	// LoggerID names the logger: its id or "/loggers/{id}".
	LoggerID    string             `json:"loggerId"`
	AlwaysLog   string             `json:"alwaysLog,omitempty"`
	Sampling    *Sampling          `json:"sampling,omitempty"`
	LogClientIP bool               `json:"logClientIp,omitempty"`
	Verbosity   string             `json:"verbosity,omitempty"`
	Frontend    *PipelineDiagnosis `json:"frontend,omitempty"`
	Backend     *PipelineDiagnosis `json:"backend,omitempty"`
	// HTTPCorrelationProtocol, OperationNameFormat and Metrics are
	// APIM's Application Insights settings; only their neutral values
	// are accepted.
	HTTPCorrelationProtocol string `json:"httpCorrelationProtocol,omitempty"`
	OperationNameFormat     string `json:"operationNameFormat,omitempty"`
	Metrics                 bool   `json:"metrics,omitempty"`
}

// Sampling says which requests a diagnostic records.
type Sampling struct {
	SamplingType string  `json:"samplingType"`
	Percentage   float64 `json:"percentage"`
}

// PipelineDiagnosis is APIM's PipelineDiagnosticSettings: what of the
// request and response messages a record holds.
type PipelineDiagnosis struct {
	Request  *MessageDiagnosis `json:"request,omitempty"`
	Response *MessageDiagnosis `json:"response,omitempty"`
}

// MaxDiagnosticHeaders is how many headers a diagnostic may record of
// one message.
const MaxDiagnosticHeaders = 20

// MessageDiagnosis is APIM's HttpMessageDiagnostic. Records hold the
// named headers of the client's request and of the response to it
// (frontend); backend headers, bodies and masking are not supported yet.
type MessageDiagnosis struct {
	Headers     []string                   `json:"headers,omitempty"`
	Body        *BodyDiagnosis             `json:"body,omitempty"`
	DataMasking map[string]json.RawMessage `json:"dataMasking,omitempty"`
}

// BodyDiagnosis is how many body bytes a record holds.
type BodyDiagnosis struct {
	Bytes int `json:"bytes"`
}

// Normalize fills the defaults: every request sampled (fixed 100), as
// APIM, and information verbosity.
func (d *Diagnostic) Normalize() {
	if d.Sampling == nil {
		d.Sampling = &Sampling{SamplingType: SamplingFixed, Percentage: 100}
	}
	if d.Sampling.SamplingType == "" {
		d.Sampling.SamplingType = SamplingFixed
	}
	if d.Verbosity == "" {
		d.Verbosity = VerbosityInformation
	}
}

// Validate checks the settings on their own; that the logger exists is
// the management plane's check.
func (d *Diagnostic) Validate() error {
	var fe fieldErrors
	if d.LoggerID == "" {
		fe.add("loggerId", "is required: a logger's id or /loggers/{id}")
	} else if _, err := ParseLoggerID(d.LoggerID); err != nil {
		fe.add("loggerId", "%v", err)
	}
	if d.AlwaysLog != "" && d.AlwaysLog != AlwaysLogAllErrors {
		fe.add("alwaysLog", "%q is not a choice: want allErrors or nothing", d.AlwaysLog)
	}
	if s := d.Sampling; s != nil {
		if s.SamplingType != SamplingFixed {
			fe.add("sampling.samplingType", "%q is not a sampling type: want fixed", s.SamplingType)
		}
		if s.Percentage < 0 || s.Percentage > 100 {
			fe.add("sampling.percentage", "%v is out of range: want 0 to 100", s.Percentage)
		}
	}
	switch d.Verbosity {
	case VerbosityInformation:
	case "verbose", "error":
		fe.unsupported("verbosity", "records carry no trace entries yet; use information")
	default:
		fe.add("verbosity", "%q is not a verbosity: want information", d.Verbosity)
	}
	if d.HTTPCorrelationProtocol != "" && d.HTTPCorrelationProtocol != "None" {
		fe.unsupported("httpCorrelationProtocol", "it is an Application Insights setting; use None or leave it out")
	}
	if d.OperationNameFormat != "" && d.OperationNameFormat != "Name" {
		fe.unsupported("operationNameFormat", "records name operations by id; use Name or leave it out")
	}
	if d.Metrics {
		fe.unsupported("metrics", "it is an Application Insights setting; the gateway's Prometheus metrics are always on")
	}
	for _, side := range []struct {
		name string
		p    *PipelineDiagnosis
	}{{"frontend", d.Frontend}, {"backend", d.Backend}} {
		if side.p == nil {
			continue
		}
		for _, m := range []struct {
			name string
			m    *MessageDiagnosis
		}{{"request", side.p.Request}, {"response", side.p.Response}} {
			if m.m == nil {
				continue
			}
			at := side.name + "." + m.name
			switch {
			case len(m.m.Headers) > 0 && side.name == "backend":
				fe.unsupported(at+".headers", "records hold the frontend's headers only; leave the list empty")
			case len(m.m.Headers) > MaxDiagnosticHeaders:
				fe.add(at+".headers", "names %d headers; at most %d are allowed", len(m.m.Headers), MaxDiagnosticHeaders)
			}
			for _, h := range m.m.Headers {
				if !validToken(h) || len(h) > 100 {
					fe.add(at+".headers", "%q is not a header name", h)
					break
				}
			}
			if m.m.Body != nil && m.m.Body.Bytes != 0 {
				fe.unsupported(at+".body.bytes", "records hold no bodies yet; use 0")
			}
			if len(m.m.DataMasking) > 0 {
				fe.unsupported(at+".dataMasking", "records hold no headers, query strings or bodies to mask")
			}
		}
	}
	return fe.err()
}

// ParseLoggerID returns the logger id of a diagnostic's loggerId: a
// plain id ("requests"), "/loggers/requests", or a full resource id
// ending in it.
func ParseLoggerID(s string) (string, error) {
	id := RefID("loggers", s)
	if err := ValidateID(id); err != nil {
		return "", fmt.Errorf("the logger id %v: want an id or /loggers/{id}", err)
	}
	return id, nil
}
