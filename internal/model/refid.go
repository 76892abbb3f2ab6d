package model

import "strings"

// RefID returns the plain id of a reference to a resource of collection
// (such as "backends", "certificates", "products", "loggers" or
// "apiVersionSets") in any of the forms APIM accepts: the plain id
// ("orders"), the relative resource id ("/backends/orders") or the full
// Azure resource id ("/subscriptions/.../service/{name}/backends/orders").
// Collection names are matched without regard to case, as APIM does. A
// reference of another collection, or with more segments, is returned
// unchanged, for validation to refuse as an id.
func RefID(collection, ref string) string {
	s := strings.TrimSpace(ref)
	if !strings.HasPrefix(s, "/") {
		return ref
	}
	if strings.HasPrefix(strings.ToLower(s), "/subscriptions/") {
		if i := strings.Index(strings.ToLower(s), "/service/"); i >= 0 {
			rest := s[i+len("/service/"):]
			j := strings.IndexByte(rest, '/')
			if j < 0 {
				return ref
			}
			s = rest[j:]
		}
	}
	parts := strings.Split(strings.TrimPrefix(s, "/"), "/")
	if len(parts) == 2 && strings.EqualFold(parts[0], collection) && parts[1] != "" {
		return parts[1]
	}
	return ref
}
