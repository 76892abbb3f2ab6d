package builtin

import (
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/internal/policy"
)

func TestCheckHeader(t *testing.T) {
	const values = `<check-header name="X-Tenant" failed-check-httpcode="403" failed-check-error-message="bad tenant" ignore-case="%s"><value>Contoso</value><value>Fabrikam</value></check-header>`
	tests := []struct {
		name, elem string
		header     []string // X-Tenant values; nil: absent
		wantCode   int      // 0: passes
		wantMsg    string
	}{
		{name: "present", elem: `<check-header name="X-Tenant" failed-check-httpcode="401" failed-check-error-message="no tenant" />`, header: []string{"x"}},
		{name: "missing", elem: `<check-header name="x-tenant" failed-check-httpcode="401" failed-check-error-message="no tenant" />`, wantCode: 401, wantMsg: "no tenant"},
		{name: "value matches", elem: fmt.Sprintf(values, "false"), header: []string{"Fabrikam"}},
		{name: "value differs", elem: fmt.Sprintf(values, "false"), header: []string{"Other"}, wantCode: 403, wantMsg: "bad tenant"},
		{name: "case differs", elem: fmt.Sprintf(values, "false"), header: []string{"contoso"}, wantCode: 403, wantMsg: "bad tenant"},
		{name: "ignore case", elem: fmt.Sprintf(values, "true"), header: []string{"CONTOSO"}},
		{name: "one of several", elem: fmt.Sprintf(values, "false"), header: []string{"x", "Contoso"}},
		{name: "missing with values", elem: fmt.Sprintf(values, "true"), wantCode: 403, wantMsg: "bad tenant"},
		{name: "message expression", elem: `<check-header name="X-Tenant" failed-check-httpcode="400" failed-check-error-message="@("missing " + "X-Tenant")" />`, wantCode: 400, wantMsg: "missing X-Tenant"},
		{name: "named value", elem: `<check-header name="X-Env" failed-check-httpcode="400" failed-check-error-message="m"><value>{{env}}</value></check-header>`, wantCode: 400, wantMsg: "m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := mustCompile(t, nil, inbound(tt.elem+`<set-header name="X-After"><value>1</value></set-header>`))
			c := runInbound(t, p, func(c *policy.Context) {
				if tt.header != nil {
					c.Request.Headers["X-Tenant"] = tt.header
				}
			})
			if tt.wantCode == 0 {
				if c.Ended() || c.Request.Headers.Get("X-After") != "1" {
					t.Errorf("the request was refused: %+v", c.Response)
				}
				return
			}
			refusedWith(t, c, tt.wantCode, tt.wantMsg)
			if c.Request.Headers.Get("X-After") != "" {
				t.Error("elements after the refusal ran")
			}
		})
	}
}

func TestCheckHeaderCompileErrors(t *testing.T) {
	// inbound() puts the element at line 1, column 20.
	checkCompileErrors(t, []compileErrorCase{
		{"no name", inbound(`<check-header failed-check-httpcode="401" failed-check-error-message="m" />`), "1:20: <check-header>: attribute name is required"},
		{"no code", inbound(`<check-header name="a" failed-check-error-message="m" />`), "1:20: <check-header>: attribute failed-check-httpcode is required"},
		{"bad code", inbound(`<check-header name="a" failed-check-httpcode="abc" failed-check-error-message="m" />`), `1:66: <check-header> failed-check-httpcode: "abc" is not an HTTP status code`},
		{"bad ignore-case", inbound(`<check-header name="a" failed-check-httpcode="401" failed-check-error-message="m" ignore-case="yes" />`), `<check-header> ignore-case: "yes": want true or false`},
		{"unknown attribute", inbound(`<check-header name="a" failed-check-httpcode="401" failed-check-error-message="m" colour="red" />`), "<check-header> colour: unknown attribute"},
		{"bad child", inbound(`<check-header name="a" failed-check-httpcode="401" failed-check-error-message="m"><nope /></check-header>`), "1:102: <nope>: only <value> elements belong in <check-header>"},
		{"outbound", `<policies><outbound><check-header name="a" failed-check-httpcode="401" failed-check-error-message="m" /></outbound></policies>`, "1:21: <check-header>: belongs in the inbound section"},
		{"expression value", inbound(`<check-header name="a" failed-check-httpcode="401" failed-check-error-message="m"><value>@("x")</value></check-header>`), "<value>: an expression is not allowed here"},
	})
}
