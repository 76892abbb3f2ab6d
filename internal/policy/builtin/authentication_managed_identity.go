package builtin

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// ManagedIdentity gets the access tokens of authentication-managed-identity
// (package managedidentity implements it).
type ManagedIdentity interface {
	// Token returns an access token for resource, of the identity
	// clientID (empty: the default identity). It caches tokens, so that
	// calling it for every request is cheap, and is safe for concurrent
	// use. Its errors carry no secrets.
	Token(ctx context.Context, clientID, resource string) (string, error)
}

// errNoManagedIdentity is the failure of authentication-managed-identity on
// a gateway without an identity: the element compiles anyway, so that a
// policy imported from APIM can be stored.
var errNoManagedIdentity = errors.New("no managed identity is configured on this gateway: " +
	"set --identity-token-url (GATEHOUSE_IDENTITY_TOKEN_URL) or Azure Workload Identity's AZURE_TENANT_ID and AZURE_CLIENT_ID")

// authenticationManagedIdentity implements <authentication-managed-identity
// resource="..." client-id="..." output-token-variable-name="..."
// ignore-error="true|false"/>: it gets an access token for resource (an
// expression is allowed) of the gateway's identity, or of the
// user-assigned identity client-id, and sets it as "Authorization: Bearer
// <token>" on the request to the backend, or in the context variable
// output-token-variable-name. When no token is got, the element fails,
// unless ignore-error is true: then the request goes on without one.
type authenticationManagedIdentity struct {
	identity    ManagedIdentity // nil: none configured
	resource    policy.Value
	clientID    string
	output      string
	ignoreError bool
}

var _ policy.Step = (*authenticationManagedIdentity)(nil)

func compileAuthenticationManagedIdentity(id ManagedIdentity) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "resource", "client-id", "output-token-variable-name", "ignore-error")
		requireInbound(n, c)
		a := newAuthenticationManagedIdentity(n, c, id)
		a.output, _, _ = c.Literal(n, "output-token-variable-name", false)
		return a
	}
}

// newAuthenticationManagedIdentity compiles the attributes n shares with
// the element's form inside send-request: resource, client-id and
// ignore-error.
func newAuthenticationManagedIdentity(n *policy.Node, c *policy.Compiler, id ManagedIdentity) *authenticationManagedIdentity {
	a := &authenticationManagedIdentity{identity: id}
	a.resource, _ = c.Attr(n, "resource", true)
	a.clientID, _, _ = c.Literal(n, "client-id", false)
	a.ignoreError = compileBool(n, c, "ignore-error", false)
	return a
}

// authorize sets h's Authorization to the identity's bearer token for
// send-request; with ignore-error a failure leaves h alone.
func (a *authenticationManagedIdentity) authorize(c *policy.Context, h http.Header) error {
	resource, err := a.resource.String(c)
	if err != nil {
		return err
	}
	token, err := a.token(c, resource)
	switch {
	case err == nil:
		h.Set("Authorization", "Bearer "+token)
	case !a.ignoreError:
		return fmt.Errorf("authentication-managed-identity: %w", err)
	}
	return nil
}

func (a *authenticationManagedIdentity) Do(c *policy.Context) error {
	resource, err := a.resource.String(c)
	if err != nil {
		return err
	}
	token, err := a.token(c, resource)
	if err != nil {
		if !a.ignoreError {
			return err
		}
		if c.Trace != nil {
			c.Trace("authentication-managed-identity", "no token, going on (ignore-error): "+err.Error())
		}
		return nil
	}
	if a.output != "" {
		c.SetVariable(a.output, token)
		return nil
	}
	c.Request.Headers.Set("Authorization", "Bearer "+token)
	return nil
}

func (a *authenticationManagedIdentity) token(c *policy.Context, resource string) (string, error) {
	if a.identity == nil {
		return "", errNoManagedIdentity
	}
	ctx := c.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	token, err := a.identity.Token(ctx, a.clientID, resource)
	if err != nil {
		return "", fmt.Errorf("get token: %w", err)
	}
	return token, nil
}
