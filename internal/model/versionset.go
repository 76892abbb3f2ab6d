package model

import (
	"fmt"
	"strings"
)

// KindAPIVersionSet holds API version sets: the versions of one API,
// which share its path and are told apart by a versioning scheme.
const KindAPIVersionSet Kind = "apiVersionSets"

// The versioning schemes of a version set, as APIM names them.
const (
	// VersioningSegment takes the version from the path segment after
	// the API's path: /{path}/{version}/...
	VersioningSegment = "Segment"
	// VersioningQuery takes it from the query parameter VersionQueryName.
	VersioningQuery = "Query"
	// VersioningHeader takes it from the header VersionHeaderName.
	VersioningHeader = "Header"
)

// APIVersionSet groups the versions of an API (APIM's
// ApiVersionSetContract): the APIs that name it in APIVersionSetID share
// one path, and the gateways pick one by the versioning scheme.
type APIVersionSet struct {
	// WorkspaceID names the workspace the resource belongs to (APIOps's
	// workspaces/<id>/ folder); "" at service level. It describes the
	// resource: the gateways do not read it.
	WorkspaceID       string `json:"workspaceId,omitempty"`
	DisplayName       string `json:"displayName"`
	Description       string `json:"description,omitempty"`
	VersioningScheme  string `json:"versioningScheme"`
	VersionQueryName  string `json:"versionQueryName,omitempty"`
	VersionHeaderName string `json:"versionHeaderName,omitempty"`
}

// APIVersionSetDetails is a version set as an API shows it (APIM's
// ApiVersionSetContractDetails): the set's id and settings, filled by
// the management plane from the set the API names.
type APIVersionSetDetails struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	Description       string `json:"description,omitempty"`
	VersioningScheme  string `json:"versioningScheme"`
	VersionQueryName  string `json:"versionQueryName,omitempty"`
	VersionHeaderName string `json:"versionHeaderName,omitempty"`
}

// Normalize trims the names.
func (v *APIVersionSet) Normalize() {
	v.VersionQueryName = strings.TrimSpace(v.VersionQueryName)
	v.VersionHeaderName = strings.TrimSpace(v.VersionHeaderName)
}

// Validate checks the version set as APIM does: a display name and a
// scheme are required, Query needs versionQueryName and Header needs
// versionHeaderName.
func (v *APIVersionSet) Validate() error {
	var fe fieldErrors
	validateWorkspaceID(&fe, v.WorkspaceID)
	if strings.TrimSpace(v.DisplayName) == "" {
		fe.add("displayName", "is required")
	}
	if len(v.DisplayName) > 100 {
		fe.add("displayName", "must be at most 100 characters")
	}
	switch v.VersioningScheme {
	case VersioningSegment:
	case VersioningQuery:
		if v.VersionQueryName == "" {
			fe.add("versionQueryName", "is required when versioningScheme is Query")
		}
	case VersioningHeader:
		if v.VersionHeaderName == "" {
			fe.add("versionHeaderName", "is required when versioningScheme is Header")
		}
	case "":
		fe.add("versioningScheme", "is required: Segment, Query or Header")
	default:
		fe.add("versioningScheme", "%q is not a versioning scheme: want Segment, Query or Header", v.VersioningScheme)
	}
	if v.VersionQueryName != "" && (len(v.VersionQueryName) > 100 || strings.ContainsAny(v.VersionQueryName, "&=#?% ") || hasControl(v.VersionQueryName)) {
		fe.add("versionQueryName", "%q is not a valid query parameter name (1 to 100 characters without '&', '=', '#', '?', '%%' or spaces)", v.VersionQueryName)
	}
	if v.VersionHeaderName != "" && (len(v.VersionHeaderName) > 100 || !validToken(v.VersionHeaderName)) {
		fe.add("versionHeaderName", "%q is not a valid header name (1 to 100 characters)", v.VersionHeaderName)
	}
	return fe.err()
}

// VersionName returns the name by which the scheme reads the version:
// the query parameter or header name; "" for Segment.
func (v *APIVersionSet) VersionName() string {
	switch v.VersioningScheme {
	case VersioningQuery:
		return v.VersionQueryName
	case VersioningHeader:
		return v.VersionHeaderName
	}
	return ""
}

// ParseVersionSetID returns the version set id of an API's
// apiVersionSetId: a plain id ("orders"), APIM's relative form
// ("/apiVersionSets/orders"), or a full resource id ending in it.
func ParseVersionSetID(s string) (string, error) {
	id := s
	if i := strings.LastIndex(s, "/apiVersionSets/"); i >= 0 {
		id = s[i+len("/apiVersionSets/"):]
	} else if strings.Contains(s, "/") {
		return "", fmt.Errorf("%q is not a version set id: want an id or /apiVersionSets/{id}", s)
	}
	if err := ValidateID(id); err != nil {
		return "", fmt.Errorf("the version set id %v", err)
	}
	return id, nil
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}
