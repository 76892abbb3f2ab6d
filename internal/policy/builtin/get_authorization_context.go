package builtin

import (
	"context"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr/dotnet"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// Authorizations gives get-authorization-context the tokens of the
// credential manager's connections. Authorization returns an
// *AuthorizationError when the connection does not exist, is not
// connected, or its token cannot be had. Implementations are safe for
// concurrent use and take no lock once a token is cached.
type Authorizations interface {
	Authorization(ctx context.Context, provider, authorization string) (*Authorization, error)
}

// Authorization is the object get-authorization-context puts in its
// context variable: the .NET library's, which expressions read.
type Authorization = dotnet.Authorization

// NewAuthorization returns the Authorization of accessToken and the
// members of its token response; see dotnet.NewAuthorization.
func NewAuthorization(accessToken string, response map[string]any) *Authorization {
	return dotnet.NewAuthorization(accessToken, response)
}

// AuthorizationError is why a connection gives no token: Reason is
// context.LastError.Reason, Message its Message.
type AuthorizationError struct {
	Reason, Message string
}

func (e *AuthorizationError) Error() string { return e.Message }

// getAuthorizationContext implements <get-authorization-context
// provider-id="..." authorization-id="..." context-variable-name="..."
// identity-type="managed" ignore-error="false"/>: it sets the context
// variable to the connection's Authorization (AccessToken and Claims),
// for a policy expression to send to the backend. provider-id,
// authorization-id, context-variable-name and ignore-error may be
// expressions, as APIM's reference allows. APIM's ignore-error: "true:
// The context variable is assigned a value of null. false: Return 500"
// (with context.LastError for on-error). Only identity-type="managed"
// (the default) is supported: the gateway's own right to its
// connections; "jwt" is refused when the policy is saved.
type getAuthorizationContext struct {
	provider, authorization, variable policy.Value
	ignoreError                       policy.Value
	authz                             Authorizations
}

var _ policy.Step = (*getAuthorizationContext)(nil)

func compileGetAuthorizationContext(authz Authorizations) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "provider-id", "authorization-id", "context-variable-name", "identity-type", "identity", "ignore-error")
		g := &getAuthorizationContext{authz: authz}
		var ok1, ok2, ok3 bool
		g.provider, ok1 = c.Attr(n, "provider-id", true)
		g.authorization, ok2 = c.Attr(n, "authorization-id", true)
		g.variable, ok3 = c.Attr(n, "context-variable-name", true)
		if it, a, ok := c.Literal(n, "identity-type", false); ok && !strings.EqualFold(strings.TrimSpace(it), "managed") {
			c.AttrErrorf(n, a, "%q is not supported yet: only managed, the gateway's own access to its connections", it)
		}
		g.ignoreError, _ = c.Attr(n, "ignore-error", false)
		if lit, ok := g.ignoreError.Literal(); ok && g.ignoreError.IsSet() && lit != "true" && lit != "false" {
			a, _ := n.Attr("ignore-error")
			c.AttrErrorf(n, a, "%q: want true or false", lit)
		}
		if !ok1 || !ok2 || !ok3 {
			return nil
		}
		c.Refer(n, n.Pos, "authorizationProviders", policy.AnyBackendID)
		return g
	}
}

func (g *getAuthorizationContext) Do(c *policy.Context) error {
	name, err := g.variable.String(c)
	if err != nil {
		return err
	}
	provider, err := g.provider.String(c)
	if err != nil {
		return err
	}
	authorization, err := g.authorization.String(c)
	if err != nil {
		return err
	}
	ignore := false
	if g.ignoreError.IsSet() {
		if ignore, err = g.ignoreError.Bool(c); err != nil {
			return err
		}
	}
	var auth *Authorization
	if g.authz == nil {
		err = &AuthorizationError{Reason: "AuthorizationNotFound", Message: "there is no credential manager here"}
	} else {
		ctx := c.Ctx
		if ctx == nil {
			ctx = context.Background()
		}
		auth, err = g.authz.Authorization(ctx, strings.TrimSpace(provider), strings.TrimSpace(authorization))
	}
	if err != nil {
		if ignore {
			c.SetVariable(name, nil)
			return nil
		}
		reason := ""
		if ae, ok := err.(*AuthorizationError); ok {
			reason = ae.Reason
		}
		return &policy.StepError{Source: "get-authorization-context", Reason: reason, Err: err}
	}
	c.SetVariable(name, auth)
	return nil
}
