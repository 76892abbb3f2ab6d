package builtin

import (
	"encoding/base64"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// authenticationBasic implements <authentication-basic username="..."
// password="..."/>: the request goes to the backend with HTTP Basic
// credentials (usually {{named values}}), replacing any Authorization
// header the client sent.
type authenticationBasic struct {
	username, password policy.Value
}

var _ policy.Step = (*authenticationBasic)(nil)

func compileAuthenticationBasic(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "username", "password")
	if s := c.Section(); s != policy.Inbound && s != policy.Backend {
		c.Errorf(n, "belongs in inbound or backend")
	}
	u, _ := c.Attr(n, "username", true)
	p, _ := c.Attr(n, "password", true)
	return &authenticationBasic{username: u, password: p}
}

func (a *authenticationBasic) Do(c *policy.Context) error {
	u, err := a.username.String(c)
	if err != nil {
		return err
	}
	p, err := a.password.String(c)
	if err != nil {
		return err
	}
	c.Request.Headers.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u+":"+p)))
	return nil
}
