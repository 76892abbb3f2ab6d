package builtin

import "github.com/gatehouse/gatehouse/internal/policy"

// unsupported lists APIM policy elements that Gatehouse knows but does
// not run, with what to do instead. A document using one is refused with
// that explanation rather than as an unknown element, so that a user
// moving from APIM learns what is missing and why.
var unsupported = map[string]string{
	"send-service-bus-message": "Gatehouse does not talk to Azure Service Bus; use send-one-way-request to an HTTP endpoint",
	"invoke-dapr-binding":      "Gatehouse has no Dapr integration",
	"publish-to-dapr":          "Gatehouse has no Dapr integration",
	"cross-domain":             "Flash and Silverlight cross-domain files are not served; use cors",
	"jsonp":                    "JSONP is not supported; use cors",
	"set-graphql-resolver":     "synthetic GraphQL APIs (resolvers) are not supported yet; GraphQL APIs are passed through to their backend",
	"http-data-source":         "synthetic GraphQL APIs (resolvers) are not supported yet; GraphQL APIs are passed through to their backend",
	"sql-data-source":          "synthetic GraphQL APIs (resolvers) are not supported yet; GraphQL APIs are passed through to their backend",
	"cosmosdb-data-source":     "synthetic GraphQL APIs (resolvers) are not supported yet; GraphQL APIs are passed through to their backend",
	"publish-event":            "GraphQL subscriptions are not supported yet",
	"validate-odata-request":   "OData request validation is not supported; use validate-parameters and validate-content",
}

// registerUnsupported adds the elements of unsupported to r: each one's
// compile function refuses it with its explanation.
func registerUnsupported(r *policy.Registry) {
	for name, why := range unsupported {
		r.Add(name, func(n *policy.Node, c *policy.Compiler) policy.Step {
			c.Errorf(n, "not supported yet: %s", why)
			return nil
		})
	}
}
