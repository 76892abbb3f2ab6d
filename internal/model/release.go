package model

import "time"

// KindAPIRelease holds the releases of an API: the parent is the API,
// and each release made one of its revisions current.
const KindAPIRelease Kind = "apiReleases"

// APIRelease is APIM's ApiReleaseContract: creating one makes the
// revision APIID names its API's current revision.
type APIRelease struct {
	// APIID names the revision: "/apis/echo;rev=2" (a plain "echo;rev=2"
	// or a full APIM resource id is accepted). Stored as "/apis/{id}".
	APIID string `json:"apiId"`
	Notes string `json:"notes,omitempty"`
	// CreatedDateTime and UpdatedDateTime are set by the management
	// plane.
	CreatedDateTime *time.Time `json:"createdDateTime,omitempty"`
	UpdatedDateTime *time.Time `json:"updatedDateTime,omitempty"`
}

// Normalize does nothing: a release has no defaults.
func (r *APIRelease) Normalize() {}

// Validate checks that APIID names an API or a revision.
func (r *APIRelease) Validate() error {
	var fe fieldErrors
	if r.APIID == "" {
		fe.add("apiId", "is required: the revision to make current, as /apis/{apiId};rev={n}")
	} else if _, err := ParseAPIRef(r.APIID); err != nil {
		fe.add("apiId", "%v", err)
	}
	return fe.err()
}
