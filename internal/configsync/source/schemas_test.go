package source

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// TestBuildCarriesUsedSchemasAndOperationContracts checks that a gateway
// gets the global schemas its policies name (validate-content's
// schema-id), and no others, and each operation's request and responses
// for the validation policies.
func TestBuildCarriesUsedSchemasAndOperationContracts(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	put := func(tx store.Tx, kind model.Kind, parent, id string, props any) {
		t.Helper()
		rec := &store.Record{Kind: kind, Parent: parent, ID: id}
		rec.Props, _ = json.Marshal(props)
		if _, err := tx.Put(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	schema := json.RawMessage(`{"type":"object"}`)
	_, err := st.Update(ctx, func(tx store.Tx) error {
		put(tx, model.KindAPI, "", "a", &model.API{Path: "a", ServiceURL: "http://a"})
		put(tx, model.KindOperation, "a", "create", &model.Operation{Method: "POST", URLTemplate: "/{id}",
			TemplateParameters: []model.TemplateParameter{{Name: "id", Type: "integer", Required: true}},
			Request: &model.Request{Headers: []model.TemplateParameter{{Name: "X-Tenant"}},
				Representations: []model.Representation{{ContentType: "application/json", Schema: schema}}},
			Responses: []model.Response{{StatusCode: 201}}})
		put(tx, model.KindSchema, "", "Used", &model.Schema{SchemaType: "json", Document: schema})
		put(tx, model.KindSchema, "", "unused", &model.Schema{SchemaType: "json", Document: schema})
		put(tx, model.KindPolicy, "apis/a", model.PolicyID, &model.Policy{Value: `<policies><inbound><validate-content unspecified-content-type-action="prevent" ` +
			`max-size="10" size-exceeded-action="prevent"><content validate-as="json" action="prevent" schema-id="used" /></validate-content></inbound></policies>`})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var snap *snapshot.Snapshot
	err = st.View(ctx, func(r store.Reader) error {
		snap, err = (&Builder{Policies: builtin.NewRegistry()}).Build(ctx, r, model.ManagedGatewayID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(snap.Policy.Schemas); len(got) != 1 || got[0] != "used" || snap.Policy.Schemas["used"].Type != "json" {
		t.Errorf("schemas = %v", snap.Policy.Schemas)
	}
	op := snap.APIs[0].Operations[0]
	if op.Request == nil || len(op.Request.Representations) != 1 || string(op.Request.Representations[0].Schema) != string(schema) ||
		op.Request.Headers[0].Name != "X-Tenant" || op.TemplateParameters[0].Type != "integer" || op.Responses[0].StatusCode != 201 {
		t.Errorf("operation = %+v", op)
	}
}
