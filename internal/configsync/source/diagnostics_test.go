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

func TestBuildCarriesDiagnosticsOfServedAPIsAndTheirLoggers(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	put := func(tx store.Tx, kind model.Kind, parent, id string, props any) {
		t.Helper()
		rec := &store.Record{Kind: kind, Parent: parent, ID: id}
		if props != nil {
			rec.Props, _ = json.Marshal(props)
		}
		if _, err := tx.Put(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	_, err := st.Update(ctx, func(tx store.Tx) error {
		put(tx, model.KindAPI, "", "a", &model.API{Path: "a", ServiceURL: "http://a"})
		put(tx, model.KindAPI, "", "b", &model.API{Path: "b", ServiceURL: "http://b"})
		put(tx, model.KindGatewayAPI, "edge", "b", nil)
		put(tx, model.KindLogger, "", "Requests", &model.Logger{LoggerType: "file", Credentials: map[string]string{"path": "r.jsonl"}})
		put(tx, model.KindLogger, "", "out", &model.Logger{LoggerType: "stdout"})
		put(tx, model.KindLogger, "", "unused", &model.Logger{LoggerType: "stdout"})
		put(tx, model.KindDiagnostic, "", "azuremonitor", &model.Diagnostic{LoggerID: "/loggers/requests", AlwaysLog: "allErrors",
			Sampling: &model.Sampling{SamplingType: "fixed", Percentage: 10}})
		put(tx, model.KindAPIDiagnostic, "a", "azuremonitor", &model.Diagnostic{LoggerID: "out", LogClientIP: true,
			Frontend: &model.PipelineDiagnosis{Request: &model.MessageDiagnosis{Headers: []string{"User-Agent"}}}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var managed, edge *snapshot.Snapshot
	err = st.View(ctx, func(r store.Reader) error {
		if managed, err = (&Builder{Policies: builtin.NewRegistry()}).Build(ctx, r, model.ManagedGatewayID); err != nil {
			return err
		}
		edge, err = (&Builder{Policies: builtin.NewRegistry()}).Build(ctx, r, "edge")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	global := snapshot.Diagnostic{ID: "azuremonitor", Logger: "requests", Percentage: 10, AlwaysLogErrors: true}
	want := []snapshot.Diagnostic{global, {ID: "azuremonitor", API: "a", Logger: "out", Percentage: 100, LogClientIP: true,
		RequestHeaders: []string{"User-Agent"}}}
	if !reflect.DeepEqual(managed.Diagnostics, want) {
		t.Errorf("managed diagnostics %+v, want %+v", managed.Diagnostics, want)
	}
	if !reflect.DeepEqual(managed.Loggers, map[string]snapshot.Logger{"requests": {Type: "file", Path: "r.jsonl"}, "out": {Type: "stdout"}}) {
		t.Errorf("managed loggers %+v, want requests and out only", managed.Loggers)
	}
	if !reflect.DeepEqual(edge.Diagnostics, []snapshot.Diagnostic{global}) || len(edge.Loggers) != 1 {
		t.Errorf("edge diagnostics %+v, loggers %+v; want the global one only (edge does not serve a)", edge.Diagnostics, edge.Loggers)
	}
	if managed.Schema != 1 {
		t.Errorf("schema %d: diagnostics need no newer gateway", managed.Schema)
	}
}
