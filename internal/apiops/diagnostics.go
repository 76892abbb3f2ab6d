package apiops

import (
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

// Loggers and diagnostics, as the APIOps extractor writes them:
// loggers/<name>/loggerInformation.json,
// diagnostics/<name>/diagnosticInformation.json and
// apis/<api>/diagnostics/<name>/diagnosticInformation.json. A logger of a
// type the gateways cannot write to (APIM's applicationInsights,
// azureMonitor, or an event hub signing in with a managed identity) is
// listed as skipped, and so is every
// diagnostic that names it.

// logger reads one logger folder.
func (r *reader) logger(rel, dirName string) {
	file := path.Join(rel, "loggerInformation.json")
	name, props, ok := r.info(model.KindLogger, file, dirName)
	if !ok {
		return
	}
	var l model.Logger
	if json.Unmarshal(props, &l) == nil {
		if why := loggerSkipped(&l); why != "" {
			r.skip("logger of type "+l.LoggerType, file, why)
			r.skippedLoggers = append(r.skippedLoggers, name)
			r.skipOthers(rel, "loggerInformation.json")
			return
		}
		if l.LoggerType == model.LoggerHTTP || l.LoggerType == model.LoggerEventHub {
			r.messageLoggers = append(r.messageLoggers, name)
		}
	}
	c, err := canonical(model.KindLogger, props)
	if err != nil {
		r.fail(file, "%v", err)
		return
	}
	r.cfg.Loggers = append(r.cfg.Loggers, Resource{Name: name, Properties: c, File: file})
	r.skipOthers(rel, "loggerInformation.json")
}

// diagnostic returns a reader of one diagnostic folder, added to into.
func (r *reader) diagnostic(kind model.Kind, into *[]Resource) func(rel, dirName string) {
	return func(rel, dirName string) {
		file := path.Join(rel, "diagnosticInformation.json")
		name, props, ok := r.info(kind, file, dirName)
		if !ok {
			return
		}
		var ref struct {
			LoggerID string `json:"loggerId"`
		}
		if json.Unmarshal(props, &ref) == nil {
			if l, err := model.ParseLoggerID(ref.LoggerID); err == nil && containsFold(r.skippedLoggers, l) {
				r.skip("diagnostic", file, "it writes to logger "+l+", which is skipped")
				r.skipOthers(rel, "diagnosticInformation.json")
				return
			} else if err == nil && containsFold(r.messageLoggers, l) {
				r.skip("diagnostic", file, "it writes to logger "+l+", which takes log-to-eventhub's messages; request records go to stdout and file loggers only")
				r.skipOthers(rel, "diagnosticInformation.json")
				return
			}
		}
		c, err := canonicalDiagnostic(kind, props)
		if err != nil {
			r.fail(file, "%v", err)
			return
		}
		*into = append(*into, Resource{Name: name, Properties: c, File: file})
		r.skipOthers(rel, "diagnosticInformation.json")
	}
}

// loggerSkipped says why apply skips the logger l, or "": APIM's
// Application Insights and Azure Monitor loggers, and an event hub
// logger that signs in with a managed identity rather than a connection
// string, are not written to by the gateways.
func loggerSkipped(l *model.Logger) string {
	switch l.LoggerType {
	case model.LoggerStdout, model.LoggerFile, model.LoggerHTTP, "":
		return ""
	case model.LoggerEventHub:
		if l.Credentials["connectionString"] == "" {
			return "the gateways send to event hubs with a connection string only, not with a managed identity"
		}
		return ""
	}
	return "the gateways write records to stdout and file loggers and send log-to-eventhub messages to http and azureEventHub loggers only"
}

// apiDiagnostics reads the diagnostics folder of the API folder rel. The
// diagnostics of a revision are its API's: a revision folder's are listed
// as skipped.
func (r *reader) apiDiagnostics(rel, name string) {
	dir := path.Join(rel, "diagnostics")
	if st, err := os.Stat(filepath.Join(r.dir, dir)); err != nil || !st.IsDir() {
		return
	}
	if _, _, ok := model.SplitRevision(name); ok {
		r.skipTree("diagnostic of an API revision", dir)
		return
	}
	var diags []Resource
	r.each(dir, r.diagnostic(model.KindAPIDiagnostic, &diags))
	sortResources(diags)
	if r.cfg.APIDiagnostics == nil {
		r.cfg.APIDiagnostics = map[string][]Resource{}
	}
	r.cfg.APIDiagnostics[name] = diags
}

// loggersFirst returns entries with the loggers folder first: the
// diagnostics that name a skipped logger are skipped as they are read.
func loggersFirst(entries []os.DirEntry) []os.DirEntry {
	out := make([]os.DirEntry, 0, len(entries))
	for _, e := range entries {
		if e.Name() == "loggers" {
			out = append(out, e)
		}
	}
	for _, e := range entries {
		if e.Name() != "loggers" {
			out = append(out, e)
		}
	}
	return out
}

// canonicalDiagnostic is canonical, with the logger named as
// "/loggers/{id}" whichever form the folder or plane used.
func canonicalDiagnostic(kind model.Kind, props []byte) (json.RawMessage, error) {
	var d model.Diagnostic
	if err := model.DecodeStrict(props, "properties", &d); err != nil {
		return nil, err
	}
	if id, err := model.ParseLoggerID(d.LoggerID); err == nil {
		d.LoggerID = "/loggers/" + id
	}
	b, err := json.Marshal(&d)
	if err != nil {
		return nil, err
	}
	return canonical(kind, b)
}

// diagnosticLogger returns the id of the logger d writes to.
func diagnosticLogger(d Resource) string {
	var diag model.Diagnostic
	if json.Unmarshal(d.Properties, &diag) != nil {
		return ""
	}
	id, _ := model.ParseLoggerID(diag.LoggerID)
	return id
}

// fetchDiagnostics reads a management plane's loggers, global
// diagnostics and the diagnostics of its APIs (not their revisions,
// which share them).
func fetchDiagnostics(ctx context.Context, c *mgmtclient.Client, cfg *Config) error {
	var err error
	if cfg.Loggers, err = fetchKind(ctx, c, "/loggers", model.KindLogger); err != nil {
		return err
	}
	if cfg.Diagnostics, err = fetchDiagnosticList(ctx, c, "/diagnostics", model.KindDiagnostic); err != nil {
		return err
	}
	for _, a := range cfg.APIs {
		if _, _, ok := model.SplitRevision(a.Name); ok {
			continue
		}
		ds, err := fetchDiagnosticList(ctx, c, "/apis/"+url.PathEscape(a.Name)+"/diagnostics", model.KindAPIDiagnostic)
		if err != nil {
			return err
		}
		if len(ds) > 0 {
			if cfg.APIDiagnostics == nil {
				cfg.APIDiagnostics = map[string][]Resource{}
			}
			cfg.APIDiagnostics[a.Name] = ds
		}
	}
	return nil
}

func fetchDiagnosticList(ctx context.Context, c *mgmtclient.Client, path string, kind model.Kind) ([]Resource, error) {
	list, err := fetchKind(ctx, c, path, kind)
	if err != nil {
		return nil, err
	}
	for i := range list {
		var d model.Diagnostic
		if err := json.Unmarshal(list[i].Properties, &d); err != nil {
			return nil, fmt.Errorf("diagnostic %s: %w", list[i].Name, err)
		}
		if id, err := model.ParseLoggerID(d.LoggerID); err == nil {
			d.LoggerID = "/loggers/" + id
		}
		if list[i].Properties, err = json.Marshal(&d); err != nil {
			return nil, fmt.Errorf("diagnostic %s: %w", list[i].Name, err)
		}
	}
	return list, nil
}

// writeDiagnostics writes the loggers and diagnostics of cfg.
func (w *writer) writeDiagnostics(cfg *Config) {
	for _, l := range cfg.Loggers {
		w.info(filepath.Join("loggers", l.Name, "loggerInformation.json"), l.Properties)
	}
	for _, d := range cfg.Diagnostics {
		w.info(filepath.Join("diagnostics", d.Name, "diagnosticInformation.json"), d.Properties)
	}
	for _, api := range sortedAPIKeys(cfg.APIDiagnostics) {
		for _, d := range cfg.APIDiagnostics[api] {
			w.info(filepath.Join("apis", api, "diagnostics", d.Name, "diagnosticInformation.json"), d.Properties)
		}
	}
}

func sortedAPIKeys(m map[string][]Resource) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return keys
}

// planLoggers adds the writes of the loggers and global diagnostics.
func (p *Plan) planLoggers(desired, current *Config) {
	p.upsert("/loggers/", desired.Loggers, current.Loggers)
	p.upsert("/diagnostics/", desired.Diagnostics, current.Diagnostics)
}

// planAPIDiagnostics adds the writes of the APIs' diagnostics, once the
// APIs exist.
func (p *Plan) planAPIDiagnostics(desired, current *Config) {
	for _, api := range sortedAPIKeys(desired.APIDiagnostics) {
		p.upsert("/apis/"+api+"/diagnostics/", desired.APIDiagnostics[api], apiDiagnosticsOf(current, api))
	}
}

// pruneDiagnostics adds the deletions of the diagnostics the folder
// lacks (those of APIs the folder has; a deleted API takes its own), then
// of the loggers.
func (p *Plan) pruneDiagnostics(desired, current *Config) {
	del := func(prefix string, des, cur []Resource) {
		for _, c := range cur {
			if _, ok := find(des, c.Name); !ok {
				p.Steps = append(p.Steps, Step{Action: Delete, Path: prefix + c.Name})
			}
		}
	}
	for _, api := range sortedAPIKeys(current.APIDiagnostics) {
		if findAPI(desired.APIs, api) != nil {
			del("/apis/"+api+"/diagnostics/", apiDiagnosticsOf(desired, api), current.APIDiagnostics[api])
		}
	}
	del("/diagnostics/", desired.Diagnostics, current.Diagnostics)
	del("/loggers/", desired.Loggers, current.Loggers)
}

// apiDiagnosticsOf returns the diagnostics cfg gives api (any case).
func apiDiagnosticsOf(cfg *Config, api string) []Resource {
	for k, ds := range cfg.APIDiagnostics {
		if strings.EqualFold(k, api) {
			return ds
		}
	}
	return nil
}

// checkDiagnosticLoggers fails for each diagnostic naming a logger that
// will not exist after the apply.
func checkDiagnosticLoggers(desired, current *Config, exists func(des, cur []string, name string) bool) []string {
	loggers, curLoggers := names(desired.Loggers), names(current.Loggers)
	var problems []string
	check := func(ds []Resource) {
		for _, d := range ds {
			if l := diagnosticLogger(d); !exists(loggers, curLoggers, l) {
				problems = append(problems, fmt.Sprintf("%s: logger %s is neither in the folder nor (kept) on the management plane", d.File, l))
			}
		}
	}
	check(desired.Diagnostics)
	for _, api := range sortedAPIKeys(desired.APIDiagnostics) {
		check(desired.APIDiagnostics[api])
	}
	return problems
}
