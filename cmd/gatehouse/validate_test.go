package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestValidateContentAgainstImportedOpenAPI imports an OpenAPI document,
// puts validate-content and validate-status-code in the API's policy and
// sends real requests through the embedded gateway: a body that breaks
// the imported schema is refused with 400 and APIM's message, a valid one
// reaches the backend, whose undocumented 200 is replaced by 502.
func TestValidateContentAgainstImportedOpenAPI(t *testing.T) {
	backend := newBackend(t)
	in := startServe(t, t.TempDir(), "")
	imp := append([]string{"import", "openapi", "--api-id", "pets"}, in.remote()...)
	mustCLI(t, append(imp, "testdata/openapi/petstore-v3.0.yaml", "--path", "petstore", "--service-url", backend.URL+"/v1")...)
	in.must("PUT", "/subscriptions/pets-sub", `{"properties":{"displayName":"Pets","scope":"/apis/pets","primaryKey":"pets-key-0001"}}`)
	mustPolicy(t, in, "/apis/pets", `<policies><inbound><base />
  <validate-content unspecified-content-type-action="prevent" max-size="1024" size-exceeded-action="prevent">
    <content type="application/json" validate-as="json" action="prevent" />
  </validate-content>
</inbound><backend><base /></backend><outbound><base />
  <validate-status-code unspecified-status-code-action="prevent" />
</outbound></policies>`)

	post := func(body string) reply {
		req, err := http.NewRequest(http.MethodPost, in.gatewayURL("/petstore/pets"), strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return send(t, req, "Content-Type: application/json", "Ocp-Apim-Subscription-Key: pets-key-0001")
	}
	var r reply
	eventually(t, 5*time.Second, "the policy to apply", func() bool {
		r = post(`{"id": 1}`)
		return r.status == http.StatusBadRequest
	})
	if msg := r.json(t)["message"]; msg != "Body of the request does not conform to the definition Pet, which is associated with the content type application/json. missing property 'name' Line: 1, Position: 1" {
		t.Errorf("refusal %q", msg)
	}
	r = post(`{"id": 1, "name": "Rex"}`)
	if r.status != http.StatusBadGateway || r.json(t)["message"] != "The request could not be processed due to an internal error. Contact the API owner." {
		t.Errorf("a valid body, answered 200 where the API documents 201: %d %s", r.status, r.body)
	}
}
