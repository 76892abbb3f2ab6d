package mgmt

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/model"
)

// revision is one revision of an API as APIM's ApiRevisionContract
// shows it.
type revision struct {
	APIID       string `json:"apiId"`
	APIRevision string `json:"apiRevision"`
	Description string `json:"description,omitempty"`
	PrivateURL  string `json:"privateUrl"`
	IsCurrent   bool   `json:"isCurrent"`
	IsOnline    bool   `json:"isOnline"`
}

// revisionList is the answer of GET /apis/{apiId}/revisions.
type revisionList struct {
	Value []revision `json:"value"`
	Count int        `json:"count"`
}

// isRevision reports whether id names a revision that is not its API's
// current one, which lists of APIs leave out.
func isRevision(id string) bool {
	_, _, ok := model.SplitRevision(id)
	return ok
}

// listRevisions answers GET /apis/{apiId}/revisions: every revision of
// the API, the current one included, by number.
func (s *Server) listRevisions(r *http.Request) (response, error) {
	_, id, err := apisType.ids(r)
	if err != nil {
		return response{}, err
	}
	out := revisionList{Value: []revision{}}
	err = s.control.View(r.Context(), principalOf(r), func(tx control.Reader) error {
		cur, err := apisType.get(r.Context(), tx, "", id)
		if err != nil {
			return err
		}
		recs, err := tx.List(r.Context(), control.Query{Kind: model.KindAPI})
		if err != nil {
			return err
		}
		for _, rec := range recs {
			root, _, _ := model.SplitRevision(rec.ID)
			if !strings.EqualFold(root, cur.ID) {
				continue
			}
			var a model.API
			if err := control.DecodeStored(rec, &a); err != nil {
				return err
			}
			rev := a.APIRevision
			if rev == "" {
				rev = "1"
			}
			current := a.IsCurrent != nil && *a.IsCurrent
			url := "/" + a.Path
			if !current {
				url += ";rev=" + rev
			}
			out.Value = append(out.Value, revision{APIID: "/apis/" + model.RevisionID(cur.ID, rev), APIRevision: rev,
				Description: a.APIRevisionDescription, PrivateURL: url, IsCurrent: current, IsOnline: true})
		}
		return nil
	})
	if err != nil {
		return response{}, err
	}
	sort.Slice(out.Value, func(i, j int) bool {
		a, _ := strconv.Atoi(out.Value[i].APIRevision)
		b, _ := strconv.Atoi(out.Value[j].APIRevision)
		return a < b
	})
	out.Count = len(out.Value)
	return response{status: http.StatusOK, body: out}, nil
}
