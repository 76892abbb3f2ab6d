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

// readLoggers reads every logger, by lower-case id, and sets
// s.Policy.Loggers to their types, for log-to-eventhub's logger-id.
func readLoggers(ctx context.Context, r store.Reader, s *snapshot.Snapshot) (map[string]*model.Logger, error) {
	recs, err := r.List(ctx, store.Query{Kind: model.KindLogger})
	if err != nil {
		return nil, fmt.Errorf("build snapshot: loggers: %w", err)
	}
	all := make(map[string]*model.Logger, len(recs))
	s.Policy.Loggers = make(map[string]string, len(recs))
	for _, rec := range recs {
		var l model.Logger
		if err := json.Unmarshal(rec.Props, &l); err != nil {
			return nil, fmt.Errorf("build snapshot: logger %s: %w", rec.ID, err)
		}
		id := strings.ToLower(rec.ID)
		all[id] = &l
		s.Policy.Loggers[id] = l.LoggerType
	}
	return all, nil
}

// addPolicyLoggers adds to s.Loggers the loggers that policies name
// (log-to-eventhub), their named values resolved, and leaves only those
// in s.Policy.Loggers.
func addPolicyLoggers(s *snapshot.Snapshot, all map[string]*model.Logger, used map[string]bool) {
	ids := make([]string, 0, len(used))
	for id := range used {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		l := all[id]
		if l == nil {
			continue
		}
		if s.Loggers == nil {
			s.Loggers = map[string]snapshot.Logger{}
		}
		s.Loggers[id] = gatewayLogger(l, s.Policy.NamedValues)
	}
	for id := range s.Policy.Loggers {
		if !used[id] {
			delete(s.Policy.Loggers, id)
		}
	}
}

// gatewayLogger converts a logger, resolving named values in its
// credentials.
func gatewayLogger(l *model.Logger, nv map[string]string) snapshot.Logger {
	out := snapshot.Logger{Type: l.LoggerType}
	c := l.Credentials
	switch l.LoggerType {
	case model.LoggerFile:
		out.Path = c["path"]
	case model.LoggerHTTP:
		out.URL = model.ExpandNamedValues(c["url"], nv)
		for k, v := range c {
			if name, ok := strings.CutPrefix(k, model.LoggerHeaderPrefix); ok {
				if out.Headers == nil {
					out.Headers = map[string]string{}
				}
				out.Headers[name] = model.ExpandNamedValues(v, nv)
			}
		}
	case model.LoggerEventHub:
		out.ConnectionString = model.ExpandNamedValues(c["connectionString"], nv)
		out.EventHub = model.ExpandNamedValues(c["name"], nv)
	}
	return out
}
