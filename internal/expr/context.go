package expr

import (
	"bytes"
	"crypto/x509"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Context is the `context` object of policy expressions: what a request
// looks like to a policy. The gateway fills one per request; policy
// elements read and change it; expressions read it (and call the few
// methods that change state, such as Variables or Body.As). A Context is
// used by one request at a time and is not safe for concurrent use.
type Context struct {
	Request   *Request
	Response  *Response // the backend's (or a policy's) response; nil before there is one
	Variables map[string]any

	Subscription *Subscription // nil when the request carried no key
	User         *User         // nil when the subscription has no owner
	Product      *Product      // nil unless the subscription's scope is a product
	API          *API
	Operation    *Operation
	Deployment   *Deployment

	RequestID string    // a GUID, as context.RequestId
	Timestamp time.Time // when the gateway received the request
	LastError *LastError

	// Trace receives context.Trace(message) and <trace> output; nil: drop.
	Trace func(source, message string)
	// Now is the clock; nil: time.Now. context.Elapsed is Now() - Timestamp.
	Now func() time.Time
}

// Request is context.Request.
type Request struct {
	Method      string
	URL         *URL // as it will be forwarded; policies may change it
	OriginalURL *URL // as the client sent it
	Headers     http.Header
	IPAddress   string
	Body        *Body
	// MatchedParameters are the URL template parameters of the
	// operation. Parameters given with SetParameters are worked out
	// when first read: code reading them calls Parameters.
	MatchedParameters map[string]string
	params            lazyParameters
	// Certificate is the client certificate the caller presented over
	// TLS (context.Request.Certificate, an X509Certificate2); nil: none.
	Certificate *x509.Certificate
}

// ParameterSource works out the URL template parameters of a path:
// nil when the path does not match.
type ParameterSource interface {
	Params(path string) map[string]string
}

// lazyParameters are a Request's MatchedParameters while they are not
// worked out yet.
type lazyParameters struct {
	src  ParameterSource // nil: none pending
	path string
}

// SetParameters makes r's MatchedParameters src.Params(path), called
// when Parameters first needs them.
func (r *Request) SetParameters(src ParameterSource, path string) {
	r.MatchedParameters = nil
	r.params = lazyParameters{src: src, path: path}
}

// Parameters returns r's MatchedParameters, working out those that
// SetParameters gave first if they were not yet.
func (r *Request) Parameters() map[string]string {
	if p := r.params; p.src != nil {
		r.MatchedParameters, r.params = p.src.Params(p.path), lazyParameters{}
	}
	return r.MatchedParameters
}

// Response is context.Response.
type Response struct {
	StatusCode   int
	StatusReason string
	Headers      http.Header
	Body         *Body
}

// URL is context.Request.Url (IUrl): Scheme, Host, Port, Path, Query and
// QueryString. Path starts with '/'.
type URL struct {
	Scheme string
	Host   string
	Port   int
	Path   string
	// Query is the query's parameters. A query given with SetRawQuery is
	// parsed only when first read: code that reads or changes the query
	// of a URL it did not make calls QueryValues and SetQuery.
	Query url.Values
	lazy  lazyQuery
}

// lazyQuery is a URL's query while it is not parsed yet.
type lazyQuery struct {
	pending bool
	raw     string // the query, as url.ParseQuery reads it
	omits   bool   // the parameter omit is left out
	omit    string
	invalid bool // raw did not parse without an error
}

// SetRawQuery makes u's Query the parameters of raw, as url.ParseQuery
// returns them (an empty, non-nil map for ""). raw is parsed when
// QueryValues or QueryValid first needs it.
func (u *URL) SetRawQuery(raw string) {
	u.Query = nil
	u.lazy = lazyQuery{pending: true, raw: raw}
}

// SetRawQueryWithout is SetRawQuery less the parameter omit.
func (u *URL) SetRawQueryWithout(raw, omit string) {
	u.Query = nil
	u.lazy = lazyQuery{pending: true, raw: raw, omits: true, omit: omit}
}

// QueryValues returns u's Query, parsing the query SetRawQuery gave
// first if it was not yet.
func (u *URL) QueryValues() url.Values {
	if u.lazy.pending {
		q, err := url.ParseQuery(u.lazy.raw)
		if u.lazy.omits {
			q.Del(u.lazy.omit)
		}
		u.Query = q
		u.lazy.pending, u.lazy.invalid = false, err != nil
	}
	return u.Query
}

// SetQuery replaces u's Query with q.
func (u *URL) SetQuery(q url.Values) {
	u.Query, u.lazy = q, lazyQuery{}
}

// QueryValid reports whether the query SetRawQuery gave parsed without
// an error (parsing it if it was not yet); true for a URL whose Query
// was set otherwise.
func (u *URL) QueryValid() bool {
	u.QueryValues()
	return !u.lazy.invalid
}

// QueryPendingWithout reports whether u's Query is still the query that
// SetRawQueryWithout(raw, omit) gave, not parsed yet: no one read or
// changed it since.
func (u *URL) QueryPendingWithout(raw, omit string) bool {
	return u.lazy.pending && u.lazy.omits && u.lazy.raw == raw && u.lazy.omit == omit
}

// Subscription is context.Subscription.
type Subscription struct {
	ID           string
	Name         string
	Key          string // the key the request presented
	PrimaryKey   string
	SecondaryKey string
	CreatedDate  time.Time
	StartDate    *time.Time
	EndDate      *time.Time
}

// User is context.User.
type User struct {
	ID               string
	Email            string
	FirstName        string
	LastName         string
	Note             string
	RegistrationDate time.Time
	Groups           []Group
}

// Group is one of context.User.Groups.
type Group struct {
	ID   string
	Name string
}

// Product is context.Product.
type Product struct {
	ID                   string
	Name                 string
	State                string
	SubscriptionRequired bool
	ApprovalRequired     bool
	Groups               []Group
}

// API is context.Api.
type API struct {
	ID                            string
	Name                          string
	Path                          string
	Version                       string
	Protocols                     []string
	ServiceURL                    *URL
	SubscriptionKeyParameterNames struct{ Header, Query string }
	Revision                      string // context.Api.Revision, e.g. "1"
	IsCurrentRevision             bool   // context.Api.IsCurrentRevision
}

// Operation is context.Operation.
type Operation struct {
	ID          string
	Name        string
	Method      string
	URLTemplate string
}

// Deployment is context.Deployment.
type Deployment struct {
	GatewayID   string
	Region      string
	ServiceName string
	ServiceID   string
	Gateway     *DeploymentGateway
}

// DeploymentGateway is context.Deployment.Gateway: the gateway and the
// node that serves the request.
type DeploymentGateway struct {
	ID         string
	InstanceID string
	IsManaged  bool
}

// LastError is context.LastError, filled when a section fails and
// on-error runs.
type LastError struct {
	Source   string // the policy element, e.g. "validate-jwt" or "forward-request"
	Reason   string
	Message  string
	Scope    string
	Section  string
	Path     string
	PolicyID string
}

// Body is a message body that is read at most once from its stream and
// then kept, so that policies can read it more than once (as
// Body.As<T>(preserveContent: true) does). Like the Context, it is used
// by one request at a time.
type Body struct {
	load   func() ([]byte, error) // nil once loaded
	data   []byte
	err    error
	loaded bool
	// src is NewStreamBody's stream, read whole by readAll; head is what
	// Prefix has read of it so far, and srcEnd says that was all of it.
	src     io.Reader
	readAll func(io.Reader) ([]byte, error) // nil once loaded
	head    []byte
	srcEnd  bool
}

// NewBody returns a Body whose content load reads on first use. load may
// be nil for an empty body.
func NewBody(load func() ([]byte, error)) *Body { return &Body{load: load} }

// NewStreamBody returns a Body whose content is read from src on first
// use by readAll, which sets the limits of reading it whole. Prefix reads
// only the start of it.
func NewStreamBody(src io.Reader, readAll func(io.Reader) ([]byte, error)) *Body {
	b := new(Body)
	b.InitStream(src, readAll)
	return b
}

// InitStream makes b what NewStreamBody(src, readAll) returns, for a Body
// kept inside a larger per-request structure rather than on its own.
func (b *Body) InitStream(src io.Reader, readAll func(io.Reader) ([]byte, error)) {
	*b = Body{src: src, readAll: readAll}
}

// Prefix returns the start of the content, n bytes at most, reading no
// more than n bytes of a stream body; whole reports that it is all the
// content. A body not made by NewStreamBody is read whole.
func (b *Body) Prefix(n int) (data []byte, whole bool, err error) {
	if b.loaded || b.src == nil {
		data, err := b.Bytes()
		if len(data) > n {
			return data[:n], false, err
		}
		return data, true, err
	}
	for len(b.head) < n && !b.srcEnd {
		if cap(b.head) < n {
			grown := make([]byte, len(b.head), min(n, max(512, 2*cap(b.head))))
			copy(grown, b.head)
			b.head = grown
		}
		m, rerr := b.src.Read(b.head[len(b.head):cap(b.head)])
		b.head = b.head[:len(b.head)+m]
		if rerr == io.EOF {
			b.srcEnd = true
		} else if rerr != nil {
			return b.head, false, rerr
		}
	}
	if b.srcEnd {
		b.Set(b.head)
		return b.data, true, nil
	}
	return b.head[:min(n, len(b.head))], false, nil
}

// Started reports whether Prefix has read part of a stream body that is
// not loaded yet: the stream alone no longer holds the whole content, so
// whoever sends the body must send Bytes.
func (b *Body) Started() bool { return !b.loaded && len(b.head) > 0 }

// BodyOf returns a Body holding data.
func BodyOf(data []byte) *Body { return &Body{data: data, loaded: true} }

// Bytes returns the content, reading it on first use.
func (b *Body) Bytes() ([]byte, error) {
	if !b.loaded {
		b.loaded = true
		switch {
		case b.load != nil:
			b.data, b.err = b.load()
		case b.readAll != nil && len(b.head) == 0:
			b.data, b.err = b.readAll(b.src)
		case b.readAll != nil:
			b.data, b.err = b.readAll(io.MultiReader(bytes.NewReader(b.head), b.src))
		}
		b.load, b.readAll = nil, nil
	}
	return b.data, b.err
}

// Set replaces the content.
func (b *Body) Set(data []byte) {
	b.data, b.err, b.load, b.readAll, b.loaded = data, nil, nil, nil, true
}

// Loaded reports whether the content has been read from its stream or
// set, so the gateway knows to forward the kept copy instead of the stream.
func (b *Body) Loaded() bool { return b.loaded }
