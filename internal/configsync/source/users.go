package source

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// buildUsers returns the owners of subs, by lower-case id, with their
// groups: those they were added to and, as in APIM, the built-in
// developers group, which every user is in.
func buildUsers(ctx context.Context, r store.Reader, subs []snapshot.Subscription) (map[string]snapshot.User, error) {
	owners := map[string]bool{}
	for _, s := range subs {
		if s.Owner != "" {
			owners[strings.ToLower(s.Owner)] = true
		}
	}
	if len(owners) == 0 {
		return nil, nil
	}
	names := map[string]string{}
	groups, err := r.List(ctx, store.Query{Kind: model.KindGroup})
	if err != nil {
		return nil, fmt.Errorf("build snapshot: groups: %w", err)
	}
	for _, rec := range groups {
		var g model.Group
		if err := json.Unmarshal(rec.Props, &g); err != nil {
			return nil, fmt.Errorf("build snapshot: group %s: %w", rec.ID, err)
		}
		names[strings.ToLower(rec.ID)] = g.DisplayName
	}
	members := map[string][]string{} // lower-case user id → group ids
	links, err := r.List(ctx, store.Query{Kind: model.KindGroupUser})
	if err != nil {
		return nil, fmt.Errorf("build snapshot: group members: %w", err)
	}
	for _, l := range links {
		u := strings.ToLower(l.ID)
		if owners[u] {
			members[u] = append(members[u], l.Parent)
		}
	}
	users, err := r.List(ctx, store.Query{Kind: model.KindUser})
	if err != nil {
		return nil, fmt.Errorf("build snapshot: users: %w", err)
	}
	out := map[string]snapshot.User{}
	for _, rec := range users {
		id := strings.ToLower(rec.ID)
		if !owners[id] {
			continue
		}
		var u model.User
		if err := json.Unmarshal(rec.Props, &u); err != nil {
			return nil, fmt.Errorf("build snapshot: user %s: %w", rec.ID, err)
		}
		user := snapshot.User{ID: rec.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName}
		seen := map[string]bool{}
		for _, g := range append(members[id], "developers") {
			if k := strings.ToLower(g); !seen[k] {
				seen[k] = true
				user.Groups = append(user.Groups, snapshot.Group{ID: g, Name: names[k]})
			}
		}
		sort.Slice(user.Groups, func(i, j int) bool { return strings.ToLower(user.Groups[i].ID) < strings.ToLower(user.Groups[j].ID) })
		out[id] = user
	}
	return out, nil
}
