package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/cli"
	"github.com/gatehouse/gatehouse/internal/wadl"
)

func newImportWADLCommand() *cobra.Command {
	cfg := importConfig{}
	cmd := &cobra.Command{
		Use:   "wadl FILE|URL",
		Short: "Create or update an http API from a WADL document",
		Long: "import wadl reads a WADL document (from a file or an http(s) URL) and makes the http API\n" +
			"--api-id match it, as APIM imports the wadl-xml format: one operation per method of\n" +
			"every resource, named by the method's id or by its method and path. Re-importing adds,\n" +
			"updates and deletes operations as import openapi does; the management plane keeps the\n" +
			"document, and export writes it back as specification.wadl. An invalid document\n" +
			"changes nothing.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.PathSet = cmd.Flags().Changed("path")
			cfg.read = readWADL
			return runImport(cmd, cfg, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.APIID, "api-id", "", "id of the API to create or update (required)")
	f.StringVar(&cfg.Path, "path", "", "the API's URL suffix on the gateway (required for a new API)")
	f.StringVar(&cfg.ServiceURL, "service-url", "", "backend URL; default: the document's resources base")
	f.StringVar(&cfg.DisplayName, "display-name", "", "display name; default: the document's title")
	f.BoolVar(&cfg.DryRun, "dry-run", false, "print what would change and change nothing")
	cfg.remote.add(cmd)
	cmd.MarkFlagRequired("api-id")
	cli.BindEnv(cmd)
	return cmd
}

// readWADL reads a WADL document for runImport.
func readWADL(_ context.Context, _ string, data []byte, _ string) (*importedDefinition, error) {
	api, err := wadl.Import(data)
	if err != nil {
		return nil, err
	}
	return &importedDefinition{operations: api.Operations, serviceURL: api.ServiceURL, format: "wadl-xml", document: data}, nil
}
