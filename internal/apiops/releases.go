package apiops

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/mgmtclient"
	"github.com/gatehouse/gatehouse/internal/model"
)

// releaseFile is the information file of a release folder.
const releaseFile = "apiReleaseInformation.json"

// releases reads apis/<api>/releases/<id>/apiReleaseInformation.json:
// {"properties": {"apiId": ".../apis/<api>;rev=<n>", "notes": ...}}. An
// apiId without a revision names the folder's current revision cur. No
// releases folder gives nil (not described).
func (r *reader) releases(rel, api, cur string) []Resource {
	dir := path.Join(rel, "releases")
	if st, err := os.Stat(filepath.Join(r.dir, dir)); err != nil || !st.IsDir() {
		return nil
	}
	out := []Resource{}
	r.each(dir, func(relDir, dirName string) {
		file := path.Join(relDir, releaseFile)
		name, props, ok := r.info(model.KindAPIRelease, file, dirName)
		if !ok {
			return
		}
		var rl model.APIRelease
		if err := model.DecodeStrict(props, "properties", &rl); err != nil {
			r.fail(file, "%v", err)
			return
		}
		if err := rl.Validate(); err != nil {
			r.fail(file, "%v", err)
			return
		}
		ref, _ := model.ParseAPIRef(rl.APIID)
		root, rev, isRev := model.SplitRevision(ref)
		if !strings.EqualFold(root, api) {
			r.fail(file, "properties.apiId: %s is not a revision of API %s", rl.APIID, api)
			return
		}
		if !isRev {
			rev = cur
		}
		rl.APIID = "/apis/" + model.RevisionID(api, rev)
		rl.CreatedDateTime, rl.UpdatedDateTime = nil, nil
		b, err := json.Marshal(&rl)
		if err != nil {
			r.fail(file, "%v", err)
			return
		}
		out = append(out, Resource{Name: name, Properties: b, File: file})
		r.skipOthers(relDir, releaseFile)
	})
	sortResources(out)
	return out
}

// fetchReleases reads the releases of the API name.
func fetchReleases(ctx context.Context, c *mgmtclient.Client, name string) ([]Resource, error) {
	rs, err := fetchKind(ctx, c, "/apis/"+url.PathEscape(name)+"/releases", model.KindAPIRelease)
	if err != nil {
		return nil, fmt.Errorf("releases of API %s: %w", name, err)
	}
	return rs, nil
}

// releaseRevision returns the revision number a release's properties name.
func releaseRevision(props json.RawMessage) string {
	var rl model.APIRelease
	if json.Unmarshal(props, &rl) != nil {
		return ""
	}
	ref, _ := model.ParseAPIRef(rl.APIID)
	_, rev, _ := model.SplitRevision(ref)
	return rev
}

// releasePlan holds the release writes of a plan.
type releasePlan struct {
	// before are written before the APIs: the releases of APIs the
	// management plane has (and the revision a release needs that the
	// plane lacks); after, after the APIs: those of new APIs.
	before, after []Step
	// current is the management plane's configuration as it is once the
	// releases before the APIs made their revisions current.
	current *Config
}

// planReleases plans the folder's new and changed releases. Creating a
// release makes its revision current, so an API's new releases are
// written in an order that ends on the folder's current revision: those
// of other revisions first, the one of the current revision last. A
// folder with a new release of another revision and none of its current
// revision is refused: it would make that other revision current.
func planReleases(desired, current *Config) (*releasePlan, error) {
	rp := &releasePlan{current: current}
	var problems []string
	sim := *current
	sim.APIs = slices.Clone(current.APIs)
	for _, d := range desired.APIs {
		if d.Releases == nil {
			continue
		}
		want := cmp.Or(d.Revision, "1")
		c := findAPI(current.APIs, d.Name)
		var curReleases []Resource
		if c != nil {
			curReleases = c.Releases
		}
		var others, last, updates []Step
		for _, r := range d.Releases {
			old, ok := find(curReleases, r.Name)
			path := "/apis/" + d.Name + "/releases/" + r.Name
			switch {
			case ok && string(old.Properties) != string(r.Properties):
				updates = append(updates, Step{Action: Update, Path: path, body: r.Properties, File: r.File,
					Details: changedFields(old.Properties, r.Properties)})
			case ok:
			case releaseRevision(r.Properties) == want:
				last = append(last, Step{Action: Create, Path: path, body: r.Properties, File: r.File,
					Details: []string{"makes revision " + want + " current"}})
			default:
				others = append(others, Step{Action: Create, Path: path, body: r.Properties, File: r.File})
			}
		}
		if len(others) > 0 && len(last) == 0 {
			problems = append(problems, fmt.Sprintf("%s: a new release makes revision %s current, but the folder's current revision is %s; "+
				"add a release of revision %s", others[0].File, releaseRevision(others[0].body.(json.RawMessage)), want, want))
			continue
		}
		steps := append(append(others, last...), updates...)
		if c == nil {
			rp.after = append(rp.after, steps...)
			continue
		}
		if have := cmp.Or(c.Revision, "1"); len(last) > 0 && have != want {
			rev := findAPI(current.APIs, model.RevisionID(c.Name, want))
			if rev == nil {
				// The revision to release: the folder's current one.
				created := d
				created.Name, created.Revision, created.Releases = model.RevisionID(c.Name, want), "", nil
				sub := &Plan{}
				if err := sub.api(created, nil); err != nil {
					return nil, err
				}
				rp.before = append(rp.before, sub.Steps...)
				rev = &created
			}
			swapCurrent(&sim, c, rev, have, want)
		}
		rp.before = append(rp.before, steps...)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("the folder cannot be applied:\n  %s", strings.Join(problems, "\n  "))
	}
	rp.current = &sim
	return rp, nil
}

// swapCurrent changes sim as releasing revision want (rev) of the API c,
// whose current revision is have, changes the management plane: the
// API's content becomes rev's, and the old content becomes revision have.
func swapCurrent(sim *Config, c, rev *API, have, want string) {
	oldRevName := model.RevisionID(c.Name, have)
	newCur := *rev
	newCur.Name, newCur.File, newCur.Revision, newCur.Tags, newCur.Releases = c.Name, "", want, c.Tags, c.Releases
	oldCur := *c
	oldCur.Name, oldCur.Revision, oldCur.Tags, oldCur.Releases = oldRevName, "", nil, nil
	var out []API
	for _, a := range sim.APIs {
		switch {
		case strings.EqualFold(a.Name, c.Name):
			out = append(out, newCur, oldCur)
		case strings.EqualFold(a.Name, rev.Name):
		default:
			out = append(out, a)
		}
	}
	sim.APIs = out
}

// pruneReleases adds the deletions of the releases that an API folder
// with a releases folder lacks, of the APIs that stay.
func (p *Plan) pruneReleases(desired, current *Config) {
	for _, d := range desired.APIs {
		c := findAPI(current.APIs, d.Name)
		if d.Releases == nil || c == nil {
			continue
		}
		for _, r := range c.Releases {
			if _, ok := find(d.Releases, r.Name); !ok {
				p.Steps = append(p.Steps, Step{Action: Delete, Path: "/apis/" + c.Name + "/releases/" + r.Name})
			}
		}
	}
}

// writeReleases writes apis/<api>/releases/<id>/apiReleaseInformation.json.
func (w *writer) writeReleases(a API) {
	for _, r := range a.Releases {
		w.info(filepath.Join("apis", a.Name, "releases", r.Name, releaseFile), r.Properties)
	}
}
