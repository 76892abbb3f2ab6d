package builtin

import (
	"net/http"
	"time"

	"github.com/osteele/liquid"

	"github.com/gatehouse/gatehouse/internal/cache"
	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/expr/dotnet"
	"github.com/gatehouse/gatehouse/internal/limits"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// Deps are the long-lived things some elements need.
type Deps struct {
	// HTTPClient sends send-request's requests. Nil: a client with the
	// standard transport; each request has its own timeout.
	HTTPClient *http.Client
	// Limits keeps the counters of rate-limit, rate-limit-by-key, quota and
	// quota-by-key; it must outlive configuration reloads. Nil: a new
	// in-memory store (one node), which needs no closing.
	Limits limits.Store
	// Concurrency counts limit-concurrency's requests; it must outlive
	// configuration reloads. Nil: a new one.
	Concurrency *Concurrency
	// Cache is the internal cache (caching-type="internal"): the node's
	// own, for cache-lookup's responses and the *-value policies' values;
	// it must outlive configuration reloads. Nil: a new 64 MiB in-memory
	// cache.
	Cache cache.Store
	// ExternalCache is the cache shared by gateway nodes (Redis), which
	// caching-type "external" and "prefer-external" (the default) select.
	// Nil: none; those use Cache.
	ExternalCache cache.Store
	// ManagedIdentity gets authentication-managed-identity's tokens. Nil:
	// none is configured; the element compiles but fails at run time.
	ManagedIdentity ManagedIdentity
	// Metrics keeps the metrics of emit-metric and the llm-emit-token-metric
	// elements; it must outlive configuration reloads and is what the
	// gateway exposes to Prometheus. Nil: a new one that nothing exposes.
	Metrics *Metrics
	// SemanticCache keeps llm-semantic-cache-store's responses; it must
	// outlive configuration reloads. Nil: a new one of
	// DefaultSemanticEntries entries.
	SemanticCache *SemanticCache
	// EntraAuthority is the Microsoft Entra ID authority whose OpenID
	// Connect discovery validate-azure-ad-token uses
	// ({EntraAuthority}/{tenant}/v2.0). Empty: DefaultEntraAuthority.
	EntraAuthority string
	// EventLog takes log-to-eventhub's messages; the gateway delivers
	// them to its loggers. Nil: the element compiles and its messages are
	// dropped.
	EventLog EventLog
	// Authorizations gives get-authorization-context its tokens. Nil:
	// the element compiles and fails (or, with ignore-error, sets null).
	Authorizations Authorizations
	// Expressions is the library that policy expressions compile against.
	// Nil: a new dotnet.NewLibrary().
	Expressions *expr.Library
}

// Register adds every built-in policy element to r, and gives its
// expressions the .NET library.
func Register(r *policy.Registry, d Deps) {
	if d.Expressions == nil {
		d.Expressions = dotnet.NewLibrary()
	}
	dotnet.AddAuthorization(d.Expressions)
	r.SetExpressions(d.Expressions)
	if d.HTTPClient == nil {
		d.HTTPClient = &http.Client{Timeout: 5 * time.Minute}
	}
	if d.Limits == nil {
		d.Limits = limits.NewMemory(nil)
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics(0)
	}
	if d.SemanticCache == nil {
		d.SemanticCache = NewSemanticCache(0, nil)
	}
	if d.Concurrency == nil {
		d.Concurrency = &Concurrency{}
	}
	if d.Cache == nil {
		d.Cache = cache.NewMemory(0, nil)
	}
	r.Add("set-header", compileSetHeader)
	r.Add("set-query-parameter", compileSetQueryParameter)
	r.Add("rewrite-uri", compileRewriteURI)
	r.Add("set-backend-service", compileSetBackendService)
	r.Add("set-method", compileSetMethod)
	r.Add("set-status", compileSetStatus)
	r.Add("set-variable", compileSetVariable)
	r.Add("set-body", compileSetBody(liquid.NewEngine()))
	r.Add("choose", compileChoose)
	r.Add("return-response", compileReturnResponse)
	r.Add("mock-response", compileMockResponse)
	r.Add("trace", compileTrace)
	r.Add("forward-request", compileForwardRequest)
	r.Add("proxy", compileProxy)
	r.Add("log-to-eventhub", compileLogToEventHub(d.EventLog))
	r.Add("get-authorization-context", compileGetAuthorizationContext(d.Authorizations))
	r.Add("find-and-replace", compileFindAndReplace)
	r.Add("json-to-xml", compileJSONToXML)
	r.Add("xml-to-json", compileXMLToJSON)
	r.Add("xsl-transform", compileXSLTransform)
	r.Add("validate-graphql-request", compileValidateGraphQLRequest)
	r.Add("redirect-content-urls", compileRedirectContentURLs)
	r.Add("retry", compileRetry)
	r.Add("wait", compileWait)
	r.Add("send-request", compileSendRequest(d.HTTPClient, d.ManagedIdentity))
	r.Add("send-one-way-request", compileSendRequest(d.HTTPClient, d.ManagedIdentity))
	r.Add("rate-limit", compileRateLimit(d.Limits))
	r.Add("rate-limit-by-key", compileRateLimitByKey(d.Limits))
	r.Add("quota", compileQuota(d.Limits))
	r.Add("quota-by-key", compileQuotaByKey(d.Limits))
	r.Add("limit-concurrency", compileLimitConcurrency(d.Concurrency))
	r.Add("llm-token-limit", compileTokenLimit(d.Limits))
	r.Add("azure-openai-token-limit", compileTokenLimit(d.Limits))
	r.Add("llm-emit-token-metric", compileEmitTokenMetric(d.Metrics))
	r.Add("azure-openai-emit-token-metric", compileEmitTokenMetric(d.Metrics))
	r.Add("emit-metric", compileEmitMetric(d.Metrics))
	for _, prefix := range []string{"llm-", "azure-openai-"} {
		r.Add(prefix+"semantic-cache-lookup", compileSemanticLookup(d.SemanticCache, d.HTTPClient, d.ManagedIdentity))
		r.Add(prefix+"semantic-cache-store", compileSemanticStore(d.SemanticCache))
	}
	r.Add("llm-content-safety", compileContentSafety(d.HTTPClient, d.ManagedIdentity))
	r.Add("authentication-basic", compileAuthenticationBasic)
	r.Add("authentication-certificate", compileAuthenticationCertificate)
	r.Add("validate-client-certificate", compileValidateClientCertificate)
	cs := caches{internal: d.Cache, external: d.ExternalCache}
	r.Add("cache-lookup", compileCacheLookup(cs))
	r.Add("cache-store", compileCacheStore)
	r.Add("cache-lookup-value", compileCacheLookupValue(cs))
	r.Add("cache-store-value", compileCacheStoreValue(cs))
	r.Add("cache-remove-value", compileCacheRemoveValue(cs))
	r.Add("authentication-managed-identity", compileAuthenticationManagedIdentity(d.ManagedIdentity))
	registerAccess(r, d)
	registerValidation(r)
	registerUnsupported(r)
}

// NewRegistry returns a Registry with every built-in element and
// default Deps.
func NewRegistry() *policy.Registry {
	r := policy.NewRegistry()
	Register(r, Deps{})
	return r
}
