package source

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// TestBuildCarriesTheLoggersPoliciesName: the loggers log-to-eventhub
// names reach the snapshot, their named values resolved; others do not.
func TestBuildCarriesTheLoggersPoliciesName(t *testing.T) {
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
	_, err := st.Update(ctx, func(tx store.Tx) error {
		put(tx, model.KindAPI, "", "a", &model.API{Path: "a", ServiceURL: "http://a"})
		put(tx, model.KindPolicy, "apis/a", model.PolicyID, &model.Policy{
			Value: `<policies><inbound><log-to-eventhub logger-id="Hub">x</log-to-eventhub></inbound></policies>`})
		put(tx, model.KindNamedValue, "", "hub-cs", &model.NamedValue{DisplayName: "hub-cs", Value: "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=s;SharedAccessKey=k"})
		put(tx, model.KindLogger, "", "hub", &model.Logger{LoggerType: "azureEventHub", Credentials: map[string]string{"connectionString": "{{hub-cs}}", "name": "orders"}})
		put(tx, model.KindLogger, "", "other", &model.Logger{LoggerType: "http", Credentials: map[string]string{"url": "http://c"}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var s *snapshot.Snapshot
	err = st.View(ctx, func(r store.Reader) error {
		s, err = (&Builder{Policies: builtin.NewRegistry()}).Build(ctx, r, model.ManagedGatewayID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]snapshot.Logger{"hub": {Type: "azureEventHub", EventHub: "orders",
		ConnectionString: "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=s;SharedAccessKey=k"}}
	if !reflect.DeepEqual(s.Loggers, want) || !reflect.DeepEqual(s.Policy.Loggers, map[string]string{"hub": "azureEventHub"}) {
		t.Errorf("loggers %+v, policy loggers %+v; want hub only", s.Loggers, s.Policy.Loggers)
	}
}
