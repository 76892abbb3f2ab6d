package control

import (
	"context"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// checkDiagnostic resolves the logger a diagnostic names.
func checkDiagnostic(ctx context.Context, tx store.Tx, _ *store.Record, props model.Properties, _ *store.Record, _ checkEnv) error {
	d := props.(*model.Diagnostic)
	id, err := model.ParseLoggerID(d.LoggerID)
	if err != nil {
		return Invalid("properties.loggerId", err.Error())
	}
	rec, err := Lookup(ctx, tx, model.KindLogger, "", id)
	if err != nil {
		return err
	}
	if rec == nil {
		return Invalid("properties.loggerId", "The logger '"+id+"' does not exist.")
	}
	var l model.Logger
	if err := DecodeStored(rec, &l); err != nil {
		return err
	}
	if l.LoggerType != model.LoggerStdout && l.LoggerType != model.LoggerFile {
		return Invalid("properties.loggerId", "The logger '"+id+"' is of type "+l.LoggerType+
			", which only log-to-eventhub sends to; diagnostics write request records to stdout and file loggers.")
	}
	return nil
}

// removeLogger refuses to delete a logger that a diagnostic writes to.
func removeLogger(ctx context.Context, tx store.Tx, rec *store.Record, _ RemoveOptions) error {
	for _, kind := range []model.Kind{model.KindDiagnostic, model.KindAPIDiagnostic} {
		diags, err := tx.List(ctx, store.Query{Kind: kind})
		if err != nil {
			return err
		}
		for _, other := range diags {
			var d model.Diagnostic
			if err := DecodeStored(other, &d); err != nil {
				return err
			}
			id, _ := model.ParseLoggerID(d.LoggerID)
			if !strings.EqualFold(id, rec.ID) {
				continue
			}
			where := "diagnostic '" + other.ID + "'"
			if other.Parent != "" {
				where += " of API '" + other.Parent + "'"
			}
			return Conflict("loggerId", "The logger '"+rec.ID+"' is used by "+where+"; delete the diagnostic or point it at another logger first.")
		}
	}
	return nil
}
