package gateway

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// versioning is an API's version and how its version set tells versions
// apart.
type versioning struct {
	scheme  string // model.VersioningSegment, Query or Header; "" without a version set
	name    string // the query parameter, or the canonical header name
	set     string // lower-case version set id
	version string // "" for the set's original version
	// revision is the revision's number, and current whether it is the
	// API's current revision (context.Api.Revision, IsCurrentRevision).
	revision string
	current  bool
	// path is the API's path suffix without its version segment or
	// revision (context.Api.Path).
	path string
}

// shared reports whether the API shares its route with the other
// versions of its set, which are then told apart per request.
func (v versioning) shared() bool {
	return v.scheme == model.VersioningQuery || v.scheme == model.VersioningHeader
}

// versioningOf returns how API a is versioned under sets.
func versioningOf(a *snapshot.API, sets map[string]snapshot.VersionSet) versioning {
	v := versioning{revision: a.Revision, current: !a.NotCurrent, path: strings.Trim(a.Path, "/")}
	if v.revision == "" {
		v.revision = "1"
	}
	set, ok := sets[a.VersionSet]
	if a.VersionSet == "" || !ok {
		return v
	}
	v.scheme, v.name, v.set, v.version = set.Scheme, set.Name, a.VersionSet, a.Version
	if v.scheme == model.VersioningHeader {
		v.name = http.CanonicalHeaderKey(v.name)
	}
	return v
}

// routeKey returns the key of API a's route: its path suffix without
// slashes, followed, under the Segment scheme, by its version segment
// ("orders/v2"), and for a revision that is not current by ";rev=n"
// ("orders/v2;rev=3"), as APIM appends it to the API's URL. Versions of
// a Query or Header set share their path.
func routeKey(a *snapshot.API, sets map[string]snapshot.VersionSet) string {
	key := strings.Trim(a.Path, "/")
	if set, ok := sets[a.VersionSet]; ok && a.VersionSet != "" && set.Scheme == model.VersioningSegment && a.Version != "" {
		key = strings.TrimPrefix(key+"/"+a.Version, "/")
	}
	if a.NotCurrent {
		key += ";rev=" + a.Revision
	}
	return key
}

// apiIndexes gives each API its position in the subscriber bitsets; the
// revisions of an API share the API's, so that its subscriptions and
// products reach them all.
type apiIndexes map[string]int

// of returns the index of the API whose revision id is.
func (x apiIndexes) of(id string) int {
	root, _, _ := model.SplitRevision(id)
	k := strings.ToLower(root)
	i, ok := x[k]
	if !ok {
		i = len(x)
		x[k] = i
	}
	return i
}

// versionPicker chooses among the versions of a Query or Header version
// set that share one route. It is immutable once its Runtime is built.
type versionPicker struct {
	versioning             // of the set (version unused)
	byVersion  []*apiRoute // the versions, in snapshot order
	original   *apiRoute   // the version answering requests that name none; nil when none
}

// pick returns the version r names, the original version when r names
// none (or r is nil), or nil when there is no such version. Versions
// are compared exactly first, then without regard to case. It does not
// allocate unless the query parameter is percent-encoded.
func (p *versionPicker) pick(r *http.Request) *apiRoute {
	if r == nil {
		return p.original
	}
	var v string
	var ok bool
	if p.scheme == model.VersioningHeader {
		if vals := r.Header[p.name]; len(vals) > 0 {
			v, ok = vals[0], true
		}
	} else if q := r.URL.RawQuery; q != "" && strings.Contains(q, p.name) {
		v, ok = queryValue(q, p.name)
	}
	if !ok || v == "" {
		return p.original
	}
	for _, a := range p.byVersion {
		if a.versioning.version == v {
			return a
		}
	}
	for _, a := range p.byVersion {
		if strings.EqualFold(a.versioning.version, v) {
			return a
		}
	}
	return nil
}

// clash returns why a cannot be placed in rt's routes, or nil.
func (rt *Runtime) clash(a *apiRoute) error {
	cur := rt.apis[a.path]
	if cur == nil {
		return nil
	}
	p := cur.picker
	if p == nil || !a.versioning.shared() || p.set != a.versioning.set {
		return fmt.Errorf("path %q is already used by API %s", a.path, routeOwner(cur))
	}
	if a.versioning.version == "" && p.original != nil {
		return fmt.Errorf("API %s is already the original version of version set %s", p.original.id, p.set)
	}
	for _, o := range p.byVersion {
		if strings.EqualFold(o.versioning.version, a.versioning.version) {
			return fmt.Errorf("API %s is already version %q of version set %s", o.id, o.versioning.version, p.set)
		}
	}
	return nil
}

// place adds a, which clash accepted, to rt's routes: under its key, or
// to the picker of its version set's shared route.
func (rt *Runtime) place(a *apiRoute) {
	if !a.versioning.shared() {
		rt.apis[a.path] = a
		return
	}
	cur := rt.apis[a.path]
	if cur == nil {
		set := a.versioning
		set.version = ""
		cur = &apiRoute{id: "", path: a.path, picker: &versionPicker{versioning: set}}
		rt.apis[a.path] = cur
	}
	if a.versioning.version == "" {
		cur.picker.original = a
		return
	}
	cur.picker.byVersion = append(cur.picker.byVersion, a)
}

// routeOwner names the API, or the version set, that a route stands for.
func routeOwner(a *apiRoute) string {
	if a.picker != nil {
		return "version set " + a.picker.set
	}
	return a.id
}
