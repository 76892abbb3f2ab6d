package mgmt

import (
	"net/http"
	"testing"
)

// TestTagsFollowRevisions releases another revision of an API: the API's
// tags stay (they are the API's), and each operation carries the tags it
// had in the revision that becomes current.
func TestTagsFollowRevisions(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/tags/public", `{"properties": {"displayName": "Public"}}`)
	a.must("PUT", "/tags/beta", `{"properties": {"displayName": "Beta"}}`)
	a.must("PUT", "/apis/orders", `{"properties": {"displayName": "Orders", "path": "orders"}}`)
	a.must("PUT", "/apis/orders/operations/list", `{"properties": {"method": "GET", "urlTemplate": "/"}}`)
	a.must("PUT", "/apis/orders/tags/public", "")
	a.must("PUT", "/apis/orders/operations/list/tags/public", "")
	// Revision 2 starts as a copy of revision 1, its operation's tags
	// included; revision 1's operation then takes another tag.
	a.must("PUT", "/apis/orders;rev=2", `{"properties": {"apiRevisionDescription": "Next"}}`)
	a.must("PUT", "/apis/orders/operations/list/tags/beta", "")
	a.must("PUT", "/apis/orders/releases/r2", `{"properties": {"apiId": "/apis/orders;rev=2"}}`)

	if r := a.do("GET", "/apis/orders/tags/public", ""); r.status != http.StatusOK {
		t.Errorf("the API's tag after the release: %d %s", r.status, r.raw)
	}
	if r := a.do("GET", "/apis/orders/operations/list/tags/public", ""); r.status != http.StatusOK {
		t.Errorf("the operation's tag copied into revision 2: %d %s", r.status, r.raw)
	}
	if r := a.do("GET", "/apis/orders/operations/list/tags/beta", ""); r.status != http.StatusNotFound {
		t.Errorf("revision 1's operation tag on the current revision 2: %d %s", r.status, r.raw)
	}
	// Releasing revision 1 again brings its operation's tags back.
	a.must("PUT", "/apis/orders/releases/r1", `{"properties": {"apiId": "/apis/orders;rev=1"}}`)
	if r := a.do("GET", "/apis/orders/operations/list/tags/beta", ""); r.status != http.StatusOK {
		t.Errorf("revision 1's operation tag after releasing it again: %d %s", r.status, r.raw)
	}
}
