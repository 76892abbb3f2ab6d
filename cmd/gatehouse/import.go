package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/cli"
	"github.com/gatehouse/gatehouse/internal/openapi"
)

// importConfig is the configuration of `gatehouse import openapi`.
type importConfig struct {
	remote      remoteFlags
	APIID       string
	Path        string
	PathSet     bool // --path was given (an empty path is valid)
	ServiceURL  string
	DisplayName string
	DryRun      bool
	// AllowRemoteRefs lets the document's $refs name http(s) URLs.
	AllowRemoteRefs bool
	// read parses the document: readOpenAPI or readWADL.
	read func(ctx context.Context, src string, data []byte, base string) (*importedDefinition, error)
}

// importedDefinition is what runImport needs of a parsed document.
type importedDefinition struct {
	operations []openapi.Operation
	serviceURL string
	warnings   []string
	format     string // the management API's properties.format
	document   []byte // the text the management plane imports
}

func newImportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import API definitions into a management plane",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newImportOpenAPICommand(), newImportWADLCommand())
	return cmd
}

func newImportOpenAPICommand() *cobra.Command {
	cfg := importConfig{}
	cmd := &cobra.Command{
		Use:   "openapi FILE|URL",
		Short: "Create or update an API from a Swagger 2.0 or OpenAPI 3.0/3.1 document",
		Long: "import openapi reads a Swagger 2.0 or OpenAPI 3.0/3.1 document (JSON or YAML, from a\n" +
			"file or an http(s) URL) and makes the API --api-id match it: one operation per path and\n" +
			"method. Re-importing adds new operations, updates changed ones and deletes those the\n" +
			"document no longer has; operations that stay keep their ids. It prints what it\n" +
			"creates (+), updates (~) and deletes (-). An invalid document changes nothing.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.PathSet = cmd.Flags().Changed("path")
			cfg.read = cfg.readOpenAPI
			return runImport(cmd, cfg, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.APIID, "api-id", "", "id of the API to create or update (required)")
	f.StringVar(&cfg.Path, "path", "", "the API's URL suffix on the gateway (required for a new API)")
	f.StringVar(&cfg.ServiceURL, "service-url", "", "backend URL; default: the document's first server (host and basePath in 2.0)")
	f.StringVar(&cfg.DisplayName, "display-name", "", "display name; default: the document's title")
	f.BoolVar(&cfg.DryRun, "dry-run", false, "print what would change and change nothing")
	f.BoolVar(&cfg.AllowRemoteRefs, "allow-remote-refs", false, "follow $refs to http(s) URLs (off: only the document and files in its folder)")
	cfg.remote.add(cmd)
	cmd.MarkFlagRequired("api-id")
	cli.BindEnv(cmd)
	return cmd
}

func runImport(cmd *cobra.Command, cfg importConfig, src string) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	data, base, err := readDocument(ctx, src)
	if err != nil {
		return err
	}
	def, err := cfg.read(ctx, src, data, base)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	c, err := cfg.remote.client()
	if err != nil {
		return err
	}
	props, current, err := apiOperations(ctx, c, cfg.APIID)
	if err != nil {
		return err
	}
	if props == nil {
		if !cfg.PathSet {
			return errors.New("API " + cfg.APIID + " does not exist yet: give its --path")
		}
		props = map[string]any{}
		fmt.Fprintf(out, "+ api %s\n", cfg.APIID)
	} else {
		fmt.Fprintf(out, "~ api %s\n", cfg.APIID)
	}
	// The document decides the title, description and service URL unless
	// flags do; other settings of an existing API stay.
	delete(props, "displayName")
	delete(props, "description")
	props["serviceUrl"] = firstNonEmpty(cfg.ServiceURL, def.serviceURL)
	if props["serviceUrl"] == "" {
		delete(props, "serviceUrl")
	}
	if cfg.DisplayName != "" {
		props["displayName"] = cfg.DisplayName
	}
	if cfg.PathSet {
		props["path"] = cfg.Path
	}
	plan := openapi.PlanOperations(current, def.operations)
	for _, ch := range plan.Changes {
		if ch.Action != openapi.Keep {
			fmt.Fprintln(out, ch)
		}
	}
	for _, w := range def.warnings {
		fmt.Fprintln(out, "! warning:", w)
	}
	if cfg.DryRun {
		fmt.Fprintf(out, "dry run: would apply %s; nothing changed\n", plan.Summary())
		return nil
	}
	props["format"], props["value"] = def.format, string(def.document)
	if _, err := c.Put(ctx, "/apis/"+url.PathEscape(cfg.APIID), props); err != nil {
		return err
	}
	fmt.Fprintf(out, "imported %s into API %s: %s\n", src, cfg.APIID, plan.Summary())
	return nil
}

// readOpenAPI reads an OpenAPI document for runImport.
func (cfg importConfig) readOpenAPI(ctx context.Context, src string, data []byte, base string) (*importedDefinition, error) {
	opts := openapi.ImportOptions{BaseURL: base, FetchRef: refFetcher(ctx, cfg.AllowRemoteRefs)}
	if base == "" {
		// An os.Root: neither "../" nor a symbolic link leads out of the
		// document's folder.
		root, err := os.OpenRoot(filepath.Dir(src))
		if err != nil {
			return nil, err
		}
		defer root.Close()
		opts.Files = root.FS()
	}
	def, err := openapi.Import(data, opts)
	if err != nil {
		return nil, err
	}
	if def.Document != nil {
		data = def.Document // the management plane cannot read the files the $refs name
	}
	out := &importedDefinition{operations: def.Operations, serviceURL: def.API.ServiceURL, warnings: append(def.Lenient, def.Warnings...),
		format: "openapi", document: data}
	if json := bytes.TrimSpace(data); len(json) > 0 && json[0] == '{' {
		out.format = "openapi+json"
	}
	return out, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
