package model

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxRevision is the highest revision number accepted.
const MaxRevision = 9999

// revisionMark separates an API id from a revision number: "echo;rev=2".
const revisionMark = ";rev="

// SplitRevision splits an API id of a revision, "echo;rev=2", into the
// API's id and the revision number. ok is false for an id without one.
func SplitRevision(id string) (api, rev string, ok bool) {
	api, rev, ok = strings.Cut(id, revisionMark)
	return api, rev, ok
}

// RevisionID returns the id of revision rev of API api: "echo;rev=2".
func RevisionID(api, rev string) string { return api + revisionMark + rev }

// ValidateAPIID reports whether id is a valid API id: a resource id (see
// ValidateID), optionally followed by ";rev=" and a revision number from
// 1 to MaxRevision, as APIM names an API's revisions.
func ValidateAPIID(id string) error {
	api, rev, ok := SplitRevision(id)
	if err := ValidateID(api); err != nil {
		return err
	}
	if ok && !validRevision(rev) {
		return fmt.Errorf("%q: the revision after ';rev=' must be a number from 1 to %d", id, MaxRevision)
	}
	return nil
}

// ParseAPIRef returns the API id of a reference to an API or one of its
// revisions: "echo", "echo;rev=2", "/apis/echo;rev=2" or a full APIM
// resource id ending so.
func ParseAPIRef(s string) (string, error) {
	id := s
	if i := strings.LastIndex(s, "/apis/"); i >= 0 {
		id = s[i+len("/apis/"):]
	} else if strings.Contains(s, "/") {
		return "", fmt.Errorf("%q does not name an API: want /apis/{apiId}, optionally with ;rev=n", s)
	}
	if err := ValidateAPIID(id); err != nil {
		return "", fmt.Errorf("the API id %v", err)
	}
	return id, nil
}

func validRevision(rev string) bool {
	n, err := strconv.Atoi(rev)
	return err == nil && n >= 1 && n <= MaxRevision && strconv.Itoa(n) == rev
}
