package snapshot

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
)

// Delta is what changed in a gateway's snapshot from version Base to
// Version: a gateway holding the snapshot of version Base applies it
// (Apply) to get the snapshot of Version exactly as the full one would
// have decoded. APIs, products and subscriptions change entry by entry,
// by id; the maps (users, named values, fragments, backends,
// certificates) key by key; every other part is sent whole when it
// changed.
type Delta struct {
	Schema       int    `json:"schema"`
	Base         int64  `json:"base"`
	Version      int64  `json:"version"`
	Gateway      string `json:"gateway"`
	RoutesDigest string `json:"routesDigest,omitempty"`

	APIs          *ListDelta[API]          `json:"apis,omitempty"`
	Products      *ListDelta[Product]      `json:"products,omitempty"`
	Subscriptions *ListDelta[Subscription] `json:"subscriptions,omitempty"`
	Users         *MapDelta[User]          `json:"users,omitempty"`
	NamedValues   *MapDelta[string]        `json:"namedValues,omitempty"`
	Fragments     *MapDelta[string]        `json:"fragments,omitempty"`
	Backends      *MapDelta[Backend]       `json:"backends,omitempty"`
	Certificates  *MapDelta[Certificate]   `json:"certificates,omitempty"`
	// Replaced names the other parts that changed ("policy.global",
	// "policy.backends", "policy.schemas", "policy.secrets",
	// "certificateAuthorities", "versionSets", "loggers",
	// "diagnostics"), whose new values Parts holds.
	Replaced []string  `json:"replaced,omitempty"`
	Parts    *Snapshot `json:"parts,omitempty"`
}

// ListDelta is what changed in a list of entries with ids. Whole, when
// set, replaces the list by All (its order changed otherwise than by
// insertions and removals); else the entries whose id Remove names are
// removed, then each of Put replaces the entry of the same id, or is
// inserted at its index At in the new list (Put is ordered by At).
type ListDelta[T any] struct {
	Whole  bool        `json:"whole,omitempty"`
	All    []T         `json:"all"`
	Remove []string    `json:"remove,omitempty"`
	Put    []Placed[T] `json:"put,omitempty"`
}

// Placed is an entry and its index in the new list.
type Placed[T any] struct {
	At    int `json:"at"`
	Entry T   `json:"entry"`
}

// MapDelta is what changed in a map: keys set to new values and keys
// removed.
type MapDelta[K any] struct {
	Set    map[string]K `json:"set,omitempty"`
	Remove []string     `json:"remove,omitempty"`
}

// Diff returns the Delta from old to next, two snapshots of one gateway
// as built (neither is modified, and the Delta may share their entries).
func Diff(old, next *Snapshot) (*Delta, error) {
	d := &Delta{Schema: next.Schema, Base: old.Version, Version: next.Version, Gateway: next.Gateway, RoutesDigest: next.RoutesDigest}
	d.APIs = diffList(old.APIs, next.APIs, func(a *API) string { return a.ID })
	d.Products = diffList(old.Products, next.Products, func(p *Product) string { return p.ID })
	d.Subscriptions = diffList(old.Subscriptions, next.Subscriptions, func(s *Subscription) string { return s.ID })
	d.Users = diffMap(old.Users, next.Users)
	d.NamedValues = diffMap(old.Policy.NamedValues, next.Policy.NamedValues)
	d.Fragments = diffMap(old.Policy.Fragments, next.Policy.Fragments)
	d.Backends = diffMap(old.Backends, next.Backends)
	d.Certificates = diffMap(old.Certificates, next.Certificates)
	parts := &Snapshot{}
	for _, p := range wholeParts {
		a, b := p.get(old), p.get(next)
		ja, err := json.Marshal(a)
		if err != nil {
			return nil, fmt.Errorf("diff %s: %w", p.name, err)
		}
		jb, err := json.Marshal(b)
		if err != nil {
			return nil, fmt.Errorf("diff %s: %w", p.name, err)
		}
		if string(ja) != string(jb) {
			d.Replaced = append(d.Replaced, p.name)
			p.set(parts, b)
		}
	}
	if len(d.Replaced) > 0 {
		d.Parts = parts
	}
	return d, nil
}

// Apply returns the snapshot that d makes of base, which must be the
// snapshot of version d.Base. Neither base nor d is modified; the result
// shares what did not change with base.
func Apply(base *Snapshot, d *Delta) (*Snapshot, error) {
	if base.Version != d.Base {
		return nil, fmt.Errorf("apply delta: it is from version %d, not %d", d.Base, base.Version)
	}
	next := *base
	next.Schema, next.Version, next.Gateway, next.RoutesDigest = d.Schema, d.Version, d.Gateway, d.RoutesDigest
	var err error
	if next.APIs, err = applyList(base.APIs, d.APIs, func(a *API) string { return a.ID }); err != nil {
		return nil, fmt.Errorf("apply delta: apis: %w", err)
	}
	if next.Products, err = applyList(base.Products, d.Products, func(p *Product) string { return p.ID }); err != nil {
		return nil, fmt.Errorf("apply delta: products: %w", err)
	}
	if next.Subscriptions, err = applyList(base.Subscriptions, d.Subscriptions, func(s *Subscription) string { return s.ID }); err != nil {
		return nil, fmt.Errorf("apply delta: subscriptions: %w", err)
	}
	next.Users = applyMap(base.Users, d.Users)
	next.Policy.NamedValues = applyMap(base.Policy.NamedValues, d.NamedValues)
	next.Policy.Fragments = applyMap(base.Policy.Fragments, d.Fragments)
	next.Backends = applyMap(base.Backends, d.Backends)
	next.Certificates = applyMap(base.Certificates, d.Certificates)
	for _, name := range d.Replaced {
		p := partNamed(name)
		if p == nil || d.Parts == nil {
			return nil, fmt.Errorf("apply delta: unknown part %q", name)
		}
		p.set(&next, p.get(d.Parts))
	}
	return &next, nil
}

// part is a part of a snapshot that a Delta sends whole.
type part struct {
	name string
	get  func(s *Snapshot) any
	set  func(s *Snapshot, v any)
}

// wholeParts are the parts a Delta sends whole, in the order of Replaced.
var wholeParts = []part{
	{"policy.global", func(s *Snapshot) any { return s.Policy.Global }, func(s *Snapshot, v any) { s.Policy.Global = v.(string) }},
	{"policy.backends", func(s *Snapshot) any { return s.Policy.Backends }, func(s *Snapshot, v any) { s.Policy.Backends = v.(map[string]string) }},
	{"policy.schemas", func(s *Snapshot) any { return s.Policy.Schemas }, func(s *Snapshot, v any) { s.Policy.Schemas = v.(map[string]Schema) }},
	{"policy.secrets", func(s *Snapshot) any { return s.Policy.Secrets }, func(s *Snapshot, v any) { s.Policy.Secrets = v.([]string) }},
	{"certificateAuthorities", func(s *Snapshot) any { return s.CertificateAuthorities },
		func(s *Snapshot, v any) { s.CertificateAuthorities = v.([]CertificateAuthority) }},
	{"versionSets", func(s *Snapshot) any { return s.VersionSets }, func(s *Snapshot, v any) { s.VersionSets = v.(map[string]VersionSet) }},
	{"loggers", func(s *Snapshot) any { return s.Loggers }, func(s *Snapshot, v any) { s.Loggers = v.(map[string]Logger) }},
	{"diagnostics", func(s *Snapshot) any { return s.Diagnostics }, func(s *Snapshot, v any) { s.Diagnostics = v.([]Diagnostic) }},
}

func partNamed(name string) *part {
	for i := range wholeParts {
		if wholeParts[i].name == name {
			return &wholeParts[i]
		}
	}
	return nil
}

// diffList returns what changed from old to next; nil when nothing did.
func diffList[T any](old, next []T, id func(*T) string) *ListDelta[T] {
	if (old == nil) != (next == nil) {
		return &ListDelta[T]{Whole: true, All: next}
	}
	inNext := make(map[string]int, len(next))
	for i := range next {
		inNext[id(&next[i])] = i
	}
	inOld := make(map[string]int, len(old))
	d := &ListDelta[T]{}
	var kept []string // the ids of old still in next, in old's order
	for i := range old {
		k := id(&old[i])
		inOld[k] = i
		j, ok := inNext[k]
		if !ok {
			d.Remove = append(d.Remove, k)
			continue
		}
		kept = append(kept, k)
		if !reflect.DeepEqual(old[i], next[j]) {
			d.Put = append(d.Put, Placed[T]{At: j, Entry: next[j]})
		}
	}
	n := 0
	for i := range next {
		k := id(&next[i])
		if _, ok := inOld[k]; !ok {
			d.Put = append(d.Put, Placed[T]{At: i, Entry: next[i]})
			continue
		}
		if n >= len(kept) || kept[n] != k {
			return &ListDelta[T]{Whole: true, All: next} // reordered
		}
		n++
	}
	if len(d.Remove) == 0 && len(d.Put) == 0 && len(inNext) == len(next) {
		return nil
	}
	if len(inNext) != len(next) || len(inOld) != len(old) {
		return &ListDelta[T]{Whole: true, All: next} // duplicate ids
	}
	sortPlaced(d.Put)
	return d
}

func sortPlaced[T any](ps []Placed[T]) {
	for i := 1; i < len(ps); i++ { // mostly sorted already: replacements, then insertions
		for j := i; j > 0 && ps[j].At < ps[j-1].At; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

var errDelta = errors.New("the delta does not fit the snapshot")

// applyList returns base changed by d (base itself when d is nil).
func applyList[T any](base []T, d *ListDelta[T], id func(*T) string) ([]T, error) {
	if d == nil {
		return base, nil
	}
	if d.Whole {
		return d.All, nil
	}
	removed := make(map[string]bool, len(d.Remove))
	for _, k := range d.Remove {
		removed[k] = true
	}
	rest := make([]T, 0, len(base))
	at := make(map[string]int, len(base))
	for i := range base {
		k := id(&base[i])
		if removed[k] {
			continue
		}
		at[k] = len(rest)
		rest = append(rest, base[i])
	}
	var inserts []Placed[T]
	last := -1
	for _, p := range d.Put {
		if p.At <= last {
			return nil, fmt.Errorf("entries out of order: %w", errDelta)
		}
		last = p.At
		if i, ok := at[id(&p.Entry)]; ok {
			rest[i] = p.Entry
			continue
		}
		inserts = append(inserts, p)
	}
	out := make([]T, 0, len(rest)+len(inserts))
	r := 0
	for _, p := range inserts {
		if p.At < len(out) || p.At > len(out)+len(rest)-r {
			return nil, fmt.Errorf("entry %s at %d: %w", id(&p.Entry), p.At, errDelta)
		}
		n := p.At - len(out)
		out = append(out, rest[r:r+n]...)
		r += n
		out = append(out, p.Entry)
	}
	return append(out, rest[r:]...), nil
}

// diffMap returns what changed from old to next; nil when nothing did.
func diffMap[K any](old, next map[string]K) *MapDelta[K] {
	d := &MapDelta[K]{}
	for k, v := range next {
		if ov, ok := old[k]; !ok || !reflect.DeepEqual(ov, v) {
			if d.Set == nil {
				d.Set = map[string]K{}
			}
			d.Set[k] = v
		}
	}
	for k := range old {
		if _, ok := next[k]; !ok {
			d.Remove = append(d.Remove, k)
		}
	}
	if d.Set == nil && d.Remove == nil {
		return nil
	}
	return d
}

// applyMap returns base changed by d (base itself when d is nil); an
// empty result is nil, as an omitted map decodes.
func applyMap[K any](base map[string]K, d *MapDelta[K]) map[string]K {
	if d == nil {
		return base
	}
	out := maps.Clone(base)
	if out == nil {
		out = map[string]K{}
	}
	for _, k := range d.Remove {
		delete(out, k)
	}
	maps.Copy(out, d.Set)
	if len(out) == 0 {
		return nil
	}
	return out
}
