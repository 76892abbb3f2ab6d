package snapshot

// User is the owner of a subscription as policies see it
// (context.User), and what cache-lookup's vary-by-developer and
// vary-by-developer-groups vary by.
type User struct {
	ID        string  `json:"id"`
	Email     string  `json:"email,omitempty"`
	FirstName string  `json:"firstName,omitempty"`
	LastName  string  `json:"lastName,omitempty"`
	Groups    []Group `json:"groups,omitempty"` // sorted by id
}

// Group is one of a user's groups.
type Group struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}
