package source

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// buildDiagnostics fills s.Diagnostics with the global diagnostics and
// those of the APIs s serves, and s.Loggers with the loggers they name.
func buildDiagnostics(ctx context.Context, r store.Reader, s *snapshot.Snapshot) error {
	served := map[string]bool{}
	for i := range s.APIs {
		root, _, _ := model.SplitRevision(s.APIs[i].ID)
		served[strings.ToLower(root)] = true
	}
	var diags []snapshot.Diagnostic
	for _, kind := range []model.Kind{model.KindDiagnostic, model.KindAPIDiagnostic} {
		recs, err := r.List(ctx, store.Query{Kind: kind})
		if err != nil {
			return fmt.Errorf("build snapshot: diagnostics: %w", err)
		}
		for _, rec := range recs {
			api := strings.ToLower(rec.Parent)
			if kind == model.KindAPIDiagnostic && !served[api] {
				continue
			}
			var d model.Diagnostic
			if err := json.Unmarshal(rec.Props, &d); err != nil {
				return fmt.Errorf("build snapshot: diagnostic %s: %w", rec.ID, err)
			}
			d.Normalize()
			logger, err := model.ParseLoggerID(d.LoggerID)
			if err != nil {
				return fmt.Errorf("build snapshot: diagnostic %s: %w", rec.ID, err)
			}
			sd := snapshot.Diagnostic{ID: strings.ToLower(rec.ID), API: api, Logger: strings.ToLower(logger),
				Percentage: d.Sampling.Percentage, AlwaysLogErrors: d.AlwaysLog == model.AlwaysLogAllErrors, LogClientIP: d.LogClientIP}
			if f := d.Frontend; f != nil {
				if f.Request != nil {
					sd.RequestHeaders = f.Request.Headers
				}
				if f.Response != nil {
					sd.ResponseHeaders = f.Response.Headers
				}
			}
			diags = append(diags, sd)
		}
	}
	if len(diags) == 0 {
		return nil
	}
	sort.Slice(diags, func(i, j int) bool {
		if diags[i].API != diags[j].API {
			return diags[i].API < diags[j].API
		}
		return diags[i].ID < diags[j].ID
	})
	loggers := map[string]snapshot.Logger{}
	for _, d := range diags {
		if _, ok := loggers[d.Logger]; ok {
			continue
		}
		rec, err := r.Get(ctx, model.KindLogger, "", d.Logger)
		if err != nil {
			return fmt.Errorf("build snapshot: logger %s: %w", d.Logger, err)
		}
		var l model.Logger
		if err := json.Unmarshal(rec.Props, &l); err != nil {
			return fmt.Errorf("build snapshot: logger %s: %w", rec.ID, err)
		}
		loggers[d.Logger] = snapshot.Logger{Type: l.LoggerType, Path: l.Credentials["path"]}
	}
	s.Diagnostics, s.Loggers = diags, loggers
	return nil
}
