package source

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// TestBuildCarriesVersionSetsAndRevisionsOfServedAPIs: a self-hosted
// gateway's snapshot holds the revisions and version sets of the APIs
// assigned to it, and nothing of the others; its products reach the
// revisions of their APIs.
func TestBuildCarriesVersionSetsAndRevisionsOfServedAPIs(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	_, err := st.Update(ctx, func(tx store.Tx) error {
		put := func(kind model.Kind, parent, id string, props any) {
			rec := &store.Record{Kind: kind, Parent: parent, ID: id}
			if props != nil {
				rec.Props, _ = json.Marshal(props)
			}
			if _, err := tx.Put(ctx, rec); err != nil {
				t.Fatal(err)
			}
		}
		put(model.KindAPIVersionSet, "", "vs", &model.APIVersionSet{DisplayName: "VS", VersioningScheme: "Header", VersionHeaderName: "Api-Version"})
		put(model.KindAPIVersionSet, "", "other", &model.APIVersionSet{DisplayName: "O", VersioningScheme: "Segment"})
		put(model.KindAPI, "", "a", &model.API{APIRevision: "1", Path: "a", ServiceURL: "http://a", APIVersion: "v1", APIVersionSetID: "/apiVersionSets/vs"})
		put(model.KindAPI, "", "a;rev=2", &model.API{APIRevision: "2", Path: "a", ServiceURL: "http://a2", APIVersion: "v1", APIVersionSetID: "/apiVersionSets/vs"})
		put(model.KindAPI, "", "b", &model.API{Path: "b", ServiceURL: "http://b", APIVersion: "v1", APIVersionSetID: "/apiVersionSets/other"})
		put(model.KindAPI, "", "b;rev=2", &model.API{Path: "b", ServiceURL: "http://b2"})
		put(model.KindProduct, "", "p", &model.Product{DisplayName: "P", State: "published"})
		put(model.KindProductAPI, "p", "a", nil)
		put(model.KindProductAPI, "p", "b", nil)
		put(model.KindGatewayAPI, "edge", "a", nil)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var edge *snapshot.Snapshot
	err = st.View(ctx, func(r store.Reader) error {
		edge, err = (&Builder{Policies: builtin.NewRegistry()}).Build(ctx, r, "edge")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range edge.APIs {
		ids = append(ids, fmt.Sprintf("%s@%s/%s/%s/%v", a.ID, a.VersionSet, a.Version, a.Revision, a.NotCurrent))
	}
	if want := []string{"a@vs/v1/1/false", "a;rev=2@vs/v1/2/true"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("edge APIs = %v, want %v", ids, want)
	}
	if edge.Schema != 2 {
		t.Errorf("a snapshot with version sets and revisions has schema %d, want 2", edge.Schema)
	}
	if want := map[string]snapshot.VersionSet{"vs": {Scheme: "Header", Name: "Api-Version"}}; !reflect.DeepEqual(edge.VersionSets, want) {
		t.Errorf("edge version sets = %v, want %v", edge.VersionSets, want)
	}
	if len(edge.Products) != 1 || !reflect.DeepEqual(edge.Products[0].APIs, []string{"a", "a;rev=2"}) {
		t.Errorf("edge products = %+v, want p with a and its revision", edge.Products)
	}
}
