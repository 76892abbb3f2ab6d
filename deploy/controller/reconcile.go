package controller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// maxDocumentBytes bounds an OpenAPI document fetched from a Service.
const maxDocumentBytes = 4 << 20

// wildcardOperation is the operation of an API without a document.
const wildcardOperation = "all"

// managedGateway is the embedded gateway, which serves every API without
// a link.
const managedGateway = "managed"

// A ConflictError says that a resource the controller would write exists
// and is not its own. Retrying does not help until someone changes the
// Service or removes the resource.
type ConflictError struct{ Resource, Reason string }

// Error names the resource and why it was left alone.
func (e *ConflictError) Error() string { return e.Resource + ": " + e.Reason }

// apiProps are the properties of an API that the controller sets.
type apiProps struct {
	DisplayName          string `json:"displayName"`
	Description          string `json:"description,omitempty"`
	Path                 string `json:"path"`
	ServiceURL           string `json:"serviceUrl,omitempty"`
	SubscriptionRequired *bool  `json:"subscriptionRequired,omitempty"`
	Format               string `json:"format,omitempty"`
	Value                string `json:"value,omitempty"`
}

// backendProps are the properties of a backend that the controller sets.
type backendProps struct {
	URL         string `json:"url"`
	Protocol    string `json:"protocol"`
	Description string `json:"description,omitempty"`
}

// reconciler makes the management plane match one Service at a time.
type reconciler struct {
	mgmt    *mgmtClient
	fetch   *http.Client // reads OpenAPI documents from Services
	cluster string
}

// apply makes the management plane hold what s asks for, and removes what
// this controller created for the same Service under other ids. It
// returns what it changed, for the Service's events.
func (r *reconciler) apply(ctx context.Context, s spec) ([]string, error) {
	mark := Mark(r.cluster, s.service)
	var doc []byte
	digest := ""
	if s.openAPI != "" {
		var err error
		if doc, err = r.document(ctx, s.openAPI); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(doc)
		digest = "sha256:" + hex.EncodeToString(sum[:16])
	}
	changes, err := r.removeOwned(ctx, s.service, s.apiID)
	if err != nil {
		return changes, err
	}
	var api apiProps
	apiExists, err := r.read(ctx, "/apis/"+s.apiID, &api)
	if err != nil {
		return changes, err
	}
	if apiExists && !owns(api.Description, r.cluster, s.service) {
		return changes, &ConflictError{"API " + s.apiID, "exists and was not created by gatehouse-controller for this Service; it is left alone"}
	}
	var be backendProps
	beExists, err := r.read(ctx, "/backends/"+s.apiID, &be)
	if err != nil {
		return changes, err
	}
	if beExists && !owns(be.Description, r.cluster, s.service) {
		return changes, &ConflictError{"backend " + s.apiID, "exists and was not created by gatehouse-controller for this Service; it is left alone"}
	}
	wantBE := backendProps{URL: s.serviceURL, Protocol: "http", Description: mark}
	if !beExists || be != wantBE {
		if err := r.mgmt.put(ctx, "/backends/"+s.apiID, wantBE); err != nil {
			return changes, fmt.Errorf("backend %s: %w", s.apiID, err)
		}
		changes = append(changes, "backend "+s.apiID+" → "+s.serviceURL)
	}
	desc := mark
	if digest != "" {
		desc += " openapi=" + digest
	}
	want := apiProps{DisplayName: s.displayName, Description: desc, Path: s.path, ServiceURL: s.serviceURL, SubscriptionRequired: &s.subscriptionRequired}
	if !apiExists || !sameAPI(api, want) {
		if doc != nil {
			want.Format, want.Value = documentFormat(doc), string(doc)
		}
		if err := r.mgmt.put(ctx, "/apis/"+s.apiID, want); err != nil {
			return changes, fmt.Errorf("API %s: %w", s.apiID, err)
		}
		what := "API " + s.apiID + " at /" + s.path
		if doc != nil {
			what += ", operations imported from " + s.openAPI
		}
		changes = append(changes, what)
	}
	if doc == nil {
		c, err := r.wildcard(ctx, s.apiID)
		if err != nil {
			return changes, err
		}
		changes = append(changes, c...)
	}
	c, err := r.links(ctx, s.apiID, s.gateways)
	return append(changes, c...), err
}

// sameAPI compares the properties the controller sets.
func sameAPI(have, want apiProps) bool {
	return have.DisplayName == want.DisplayName && have.Description == want.Description &&
		have.Path == want.Path && have.ServiceURL == want.ServiceURL &&
		(have.SubscriptionRequired == nil || *have.SubscriptionRequired) == *want.SubscriptionRequired
}

// documentFormat is the import format of doc: JSON or YAML.
func documentFormat(doc []byte) string {
	if t := strings.TrimSpace(string(doc)); strings.HasPrefix(t, "{") {
		return "openapi+json"
	}
	return "openapi"
}

// read reads a resource's properties; it reports false when there is none.
func (r *reconciler) read(ctx context.Context, path string, props any) (bool, error) {
	err := r.mgmt.get(ctx, path, props)
	if errors.Is(err, errNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", path, err)
	}
	return true, nil
}

// document fetches the OpenAPI document at u.
func (r *reconciler) document(ctx context.Context, u string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("OpenAPI document %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json, application/yaml;q=0.9, */*;q=0.5")
	resp, err := r.fetch.Do(req)
	if err != nil {
		return nil, fmt.Errorf("OpenAPI document: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("OpenAPI document %s: the Service answered %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentBytes+1))
	if err != nil {
		return nil, fmt.Errorf("OpenAPI document %s: %w", u, err)
	}
	if len(b) > maxDocumentBytes {
		return nil, fmt.Errorf("OpenAPI document %s: larger than %d bytes", u, maxDocumentBytes)
	}
	return b, nil
}

// wildcard makes the API's operations one operation for every method and
// path, deleting those an earlier import created.
func (r *reconciler) wildcard(ctx context.Context, apiID string) ([]string, error) {
	ops, err := r.mgmt.list(ctx, "/apis/"+apiID+"/operations")
	if err != nil {
		return nil, fmt.Errorf("list operations of %s: %w", apiID, err)
	}
	var changes []string
	found := false
	for _, op := range ops {
		if strings.EqualFold(op.Name, wildcardOperation) {
			found = true
			continue
		}
		if err := r.mgmt.remove(ctx, "/apis/"+apiID+"/operations/"+url.PathEscape(op.Name)); err != nil {
			return changes, fmt.Errorf("operation %s of %s: %w", op.Name, apiID, err)
		}
		changes = append(changes, "operation "+op.Name+" deleted")
	}
	if !found {
		props := map[string]string{"displayName": "All methods and paths", "method": "*", "urlTemplate": "/*"}
		if err := r.mgmt.put(ctx, "/apis/"+apiID+"/operations/"+wildcardOperation, props); err != nil {
			return changes, fmt.Errorf("operation %s of %s: %w", wildcardOperation, apiID, err)
		}
		changes = append(changes, "operation "+wildcardOperation+" (* /*)")
	}
	return changes, nil
}

// links makes the self-hosted gateways serving apiID exactly gateways.
func (r *reconciler) links(ctx context.Context, apiID string, gateways []string) ([]string, error) {
	all, err := r.mgmt.list(ctx, "/gateways")
	if err != nil {
		return nil, fmt.Errorf("list gateways: %w", err)
	}
	var changes []string
	known := map[string]bool{}
	for _, g := range all {
		if strings.EqualFold(g.Name, managedGateway) {
			continue
		}
		known[strings.ToLower(g.Name)] = true
		path := "/gateways/" + url.PathEscape(g.Name) + "/apis/" + apiID
		linked, err := r.read(ctx, path, nil)
		if err != nil {
			return changes, err
		}
		want := slices.ContainsFunc(gateways, func(w string) bool { return strings.EqualFold(w, g.Name) })
		switch {
		case want && !linked:
			if err := r.mgmt.do(ctx, http.MethodPut, path, map[string]any{}, nil); err != nil {
				return changes, fmt.Errorf("link gateway %s: %w", g.Name, err)
			}
			changes = append(changes, "gateway "+g.Name+" serves it")
		case !want && linked:
			if err := r.mgmt.remove(ctx, path); err != nil {
				return changes, fmt.Errorf("unlink gateway %s: %w", g.Name, err)
			}
			changes = append(changes, "gateway "+g.Name+" no longer serves it")
		}
	}
	for _, w := range gateways {
		if !known[strings.ToLower(w)] && !strings.EqualFold(w, managedGateway) {
			return changes, fmt.Errorf("%s: gateway %s does not exist", AnnotationGateways, w)
		}
	}
	return changes, nil
}

// removeOwned deletes the APIs and backends this controller created for
// service, except those with id keep ("" keeps none). Deleting an API
// deletes its operations and gateway links with it.
func (r *reconciler) removeOwned(ctx context.Context, service, keep string) ([]string, error) {
	var changes []string
	for _, coll := range []string{"apis", "backends"} {
		items, err := r.owned(ctx, coll)
		if err != nil {
			return changes, err
		}
		for _, it := range items {
			if it.service != service || strings.EqualFold(it.id, keep) {
				continue
			}
			if err := r.mgmt.remove(ctx, "/"+coll+"/"+url.PathEscape(it.id)); err != nil {
				return changes, fmt.Errorf("delete %s %s: %w", strings.TrimSuffix(coll, "s"), it.id, err)
			}
			changes = append(changes, strings.TrimSuffix(coll, "s")+" "+it.id+" deleted")
		}
	}
	return changes, nil
}

// An ownedItem is a resource that carries this cluster's mark.
type ownedItem struct{ id, service string }

// owned lists the resources of a collection ("apis", "backends") that
// carry this cluster's mark.
func (r *reconciler) owned(ctx context.Context, coll string) ([]ownedItem, error) {
	items, err := r.mgmt.list(ctx, "/"+coll)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", coll, err)
	}
	var out []ownedItem
	for _, it := range items {
		var p struct {
			Description string `json:"description"`
		}
		if err := json.Unmarshal(it.Properties, &p); err != nil {
			return nil, fmt.Errorf("list %s: %s: %w", coll, it.Name, err)
		}
		if o, ok := parseMark(p.Description); ok && o.cluster == r.cluster {
			out = append(out, ownedItem{id: it.Name, service: o.service})
		}
	}
	return out, nil
}
