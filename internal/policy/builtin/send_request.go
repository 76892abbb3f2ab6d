package builtin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// maxSendResponse bounds the body of a send-request response.
const maxSendResponse = 16 << 20

// sendRequest implements <send-request mode="new|copy"
// response-variable-name="..." timeout="seconds" ignore-error="bool">
// with <set-url>, <set-method>, <set-header>, <set-body>,
// <authentication-certificate> and <authentication-managed-identity>
// children: it sends a request and keeps the response (an IResponse) in
// a variable.
// <send-one-way-request> is the same without waiting for the answer's use.
type sendRequest struct {
	client      *http.Client
	copyRequest bool
	mode        policy.Value // set: mode is an expression, evaluated per request
	variable    policy.Value
	timeout     seconds
	ignoreError bool
	url         policy.Value
	method      policy.Value
	headers     []sendHeader
	body        policy.Value
	identity    *authenticationManagedIdentity // nil: no token
	cert        *authenticationCertificate     // nil: no client certificate
}

type sendHeader struct {
	name   string
	action existsAction
	values []policy.Value
}

var _ policy.Step = (*sendRequest)(nil)

func compileSendRequest(client *http.Client, id ManagedIdentity) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "mode", "response-variable-name", "timeout", "ignore-error")
		s := &sendRequest{client: client}
		// APIM's reference allows policy expressions in mode and
		// response-variable-name ("Policy expressions are allowed"), not
		// in ignore-error.
		if v, ok := c.Attr(n, "mode", false); ok {
			if mode, isLit := v.Literal(); !isLit {
				s.mode = v
			} else if copyMode, err := parseMode(mode); err != nil {
				a, _ := n.Attr("mode")
				c.AttrErrorf(n, a, "%v", err)
			} else {
				s.copyRequest = copyMode
			}
		}
		s.variable, _ = c.Attr(n, "response-variable-name", n.Name == "send-request")
		// APIM's reference: timeout, "The timeout interval in seconds
		// before the call to the URL fails. Policy expressions are
		// allowed.", default 60, with no bound documented (240 s is
		// forward-request's, not send-request's).
		s.timeout = compileSeconds(n, c, "timeout", false, 0, 60*time.Second)
		if v, a, ok := c.Literal(n, "ignore-error", false); ok {
			if v != "true" && v != "false" {
				c.AttrErrorf(n, a, "%q: want true or false", v)
			}
			s.ignoreError = v == "true"
		}
		hasURL := false
		for _, ch := range n.Children {
			switch ch.Name {
			case "set-url":
				s.url, hasURL = c.Text(ch), true
			case "set-method":
				s.method = c.Text(ch)
			case "set-header":
				c.Only(ch, "name", "exists-action")
				name, _, _ := c.Literal(ch, "name", true)
				act := compileExistsAction(ch, c)
				s.headers = append(s.headers, sendHeader{name: http.CanonicalHeaderKey(name), action: act, values: compileValues(ch, c, act)})
			case "set-body":
				s.body = c.Text(ch)
			case "authentication-managed-identity":
				c.Only(ch, "resource", "client-id", "ignore-error")
				s.identity = newAuthenticationManagedIdentity(ch, c, id)
			case "authentication-certificate":
				s.cert = newAuthenticationCertificate(ch, c)
			case "proxy":
				c.Errorf(ch, "is not supported inside <%s> yet", n.Name)
			default:
				c.Errorf(ch, "only <set-url>, <set-method>, <set-header>, <set-body>, <authentication-certificate> and <authentication-managed-identity> belong in <%s>", n.Name)
			}
		}
		if !hasURL && !s.copyRequest && !s.mode.IsSet() {
			c.Errorf(n, "a <set-url> is required in mode new")
		}
		return s
	}
}

// parseMode reports whether mode is copy (rather than new).
func parseMode(mode string) (bool, error) {
	switch strings.TrimSpace(mode) {
	case "new":
		return false, nil
	case "copy":
		return true, nil
	}
	return false, fmt.Errorf("%q: want new or copy", mode)
}

func (s *sendRequest) Do(c *policy.Context) error {
	variable, err := s.variable.String(c)
	if err != nil {
		return err
	}
	copyRequest := s.copyRequest
	if s.mode.IsSet() {
		mode, err := s.mode.String(c)
		if err != nil {
			return err
		}
		if copyRequest, err = parseMode(mode); err != nil {
			return fmt.Errorf("mode: %w", err)
		}
	}
	req, err := s.build(c, copyRequest)
	if err == nil {
		var resp *expr.Response
		resp, err = s.send(c, req)
		if err == nil {
			if variable != "" {
				c.SetVariable(variable, resp)
			}
			return nil
		}
	}
	if s.ignoreError {
		if variable != "" {
			c.SetVariable(variable, nil)
		}
		return nil
	}
	return &policy.StepError{Source: "send-request", Reason: "SendRequestFailed", Err: err}
}

func (s *sendRequest) build(c *policy.Context, copyRequest bool) (*http.Request, error) {
	method, target, header := http.MethodGet, "", http.Header{}
	var body []byte
	if copyRequest {
		method, header = c.Request.Method, c.Request.Headers.Clone()
		u := url.URL{Scheme: c.Backend.Scheme, Host: c.Backend.Host, Path: strings.TrimSuffix(c.Backend.Path, "/") + c.Path, RawQuery: c.Request.URL.QueryValues().Encode()}
		target = u.String()
		if c.Request.Body != nil {
			b, err := c.Request.Body.Bytes()
			if err != nil {
				return nil, err
			}
			body = b
		}
	}
	var err error
	if s.url.IsSet() {
		if target, err = s.url.String(c); err != nil {
			return nil, err
		}
	}
	if s.method.IsSet() {
		if method, err = s.method.String(c); err != nil {
			return nil, err
		}
		method = strings.ToUpper(strings.TrimSpace(method))
	}
	for _, h := range s.headers {
		if err := applyValues(c, header, h.name, h.action, h.values); err != nil {
			return nil, err
		}
	}
	if s.identity != nil {
		if err := s.identity.authorize(c, header); err != nil {
			return nil, err
		}
	}
	if s.body.IsSet() {
		v, err := s.body.Any(c)
		if err != nil {
			return nil, err
		}
		if b, ok := v.([]byte); ok {
			body = b
		} else {
			body = []byte(expr.ToString(v))
		}
	}
	u, err := url.Parse(strings.TrimSpace(target))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http or https URL", target)
	}
	req, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = header
	req.Header.Del("Content-Length")
	return req, nil
}

func (s *sendRequest) send(c *policy.Context, req *http.Request) (*expr.Response, error) {
	parent := c.Ctx
	if parent == nil {
		parent = context.Background()
	}
	if s.cert != nil {
		cert, err := s.cert.certificate(c)
		if err != nil {
			return nil, fmt.Errorf("authentication-certificate: %w", err)
		}
		parent = policy.WithClientCertificate(parent, cert)
	}
	timeout, err := s.timeout.get(c)
	if err != nil {
		return nil, fmt.Errorf("timeout: %w", err)
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	resp, err := s.client.Do(req.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Redacted(), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxSendResponse))
	if err != nil {
		return nil, fmt.Errorf("read the response of %s: %w", req.URL.Redacted(), err)
	}
	return &expr.Response{StatusCode: resp.StatusCode, StatusReason: http.StatusText(resp.StatusCode), Headers: resp.Header, Body: expr.BodyOf(data)}, nil
}
