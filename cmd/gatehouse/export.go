package main

import (
	"fmt"
	"net"
	"net/url"
	"os"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/apiops"
	"github.com/gatehouse/gatehouse/internal/cli"
	"github.com/gatehouse/gatehouse/internal/openapi"
)

// exportOpenAPIConfig is the configuration of `gatehouse export openapi`.
type exportOpenAPIConfig struct {
	remote     remoteFlags
	APIID      string
	GatewayURL string
	Format     string
	Output     string
}

// exportConfig is the configuration of `gatehouse export --dir`.
type exportConfig struct {
	remote         remoteFlags
	Dir            string
	IncludeSecrets bool
}

func newExportCommand() *cobra.Command {
	cfg := exportConfig{}
	cmd := &cobra.Command{
		Use:   "export --dir DIR",
		Short: "Write a management plane's configuration as an APIOps folder",
		Long: "export --dir writes the whole configuration (APIs with their OpenAPI specification,\n" +
			"products with their APIs and groups, groups, named values, certificates, backends,\n" +
			"gateways with their APIs, certificate authorities and federated credentials, the\n" +
			"policy.xml of every scope that has a policy, policy fragments, API releases,\n" +
			"subscriptions without their keys) in APIOps's\n" +
			"extracted-artifact layout, for `gatehouse apply` on any instance. Unless\n" +
			"--include-secrets, secret named values and client certificates carry no value: a\n" +
			"placeholder names the environment variable apply reads it from.\n" +
			"Users are not configuration and are not exported.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cfg.remote.client()
			if err != nil {
				return err
			}
			conf, err := apiops.Fetch(cmd.Context(), c)
			if err != nil {
				return err
			}
			if err := apiops.Write(cfg.Dir, conf, apiops.WriteOptions{IncludeSecrets: cfg.IncludeSecrets}); err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "exported %d APIs, %d products, %d named values, %d certificates, %d backends, %d policies, %d policy fragments, %d tags to %s\n",
				len(conf.APIs), len(conf.Products), len(conf.NamedValues), len(conf.Certificates), len(conf.Backends), len(conf.Policies), len(conf.Fragments),
				len(conf.Tags), cfg.Dir)
			return err
		},
	}
	cmd.Flags().StringVar(&cfg.Dir, "dir", "", "the folder to write: new or empty (required)")
	cmd.Flags().BoolVar(&cfg.IncludeSecrets, "include-secrets", false, "write the values of secret named values and the private keys of client certificates (keep the folder out of version control)")
	cfg.remote.add(cmd)
	cmd.MarkFlagRequired("dir")
	cli.BindEnv(cmd)
	cmd.AddCommand(newExportOpenAPICommand())
	return cmd
}

func newExportOpenAPICommand() *cobra.Command {
	cfg := exportOpenAPIConfig{}
	cmd := &cobra.Command{
		Use:   "openapi",
		Short: "Write an OpenAPI document of an API as the gateway serves it",
		Long: "export openapi writes an OpenAPI document of --api-id: the gateway URL and the API's\n" +
			"path as server, the subscription key (header and query) as security schemes, and the\n" +
			"operations with their parameters, bodies, responses and schemas. It has the version\n" +
			"(OpenAPI 3.0.x or 3.1.x, Swagger 2.0 where 2.0 can say everything) and, unless --format\n" +
			"says, the format of the document the API was imported from; OpenAPI 3.1 JSON if none.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExportOpenAPI(cmd, cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.APIID, "api-id", "", "id of the API to export (required)")
	f.StringVar(&cfg.GatewayURL, "gateway-url", "", "the gateway's public URL; default: the endpoint's host on port 8080")
	f.StringVar(&cfg.Format, "format", "", "json or yaml; default: the format the API was imported in (json if none)")
	f.StringVarP(&cfg.Output, "output", "o", "", "file to write; default: standard output")
	cfg.remote.add(cmd)
	cmd.MarkFlagRequired("api-id")
	cli.BindEnv(cmd)
	return cmd
}

func runExportOpenAPI(cmd *cobra.Command, cfg exportOpenAPIConfig) error {
	ctx := cmd.Context()
	if cfg.Format != "" && cfg.Format != "json" && cfg.Format != "yaml" {
		return fmt.Errorf("--format %q: want json or yaml", cfg.Format)
	}
	c, err := cfg.remote.client()
	if err != nil {
		return err
	}
	props, ops, err := apiOperations(ctx, c, cfg.APIID)
	if err != nil {
		return err
	}
	if props == nil {
		return fmt.Errorf("API %s does not exist", cfg.APIID)
	}
	api, err := decodeAPI(props)
	if err != nil {
		return fmt.Errorf("api %s: %w", cfg.APIID, err)
	}
	gw := cfg.GatewayURL
	if gw == "" {
		gw = defaultGatewayURL(cfg.remote.Endpoint)
	}
	doc, err := openapi.Export(api, ops, openapi.ExportOptions{GatewayURL: gw})
	if err != nil {
		return err
	}
	src := openapi.SourceOf(ops)
	if cfg.Format != "" {
		src.YAML = cfg.Format == "yaml"
	}
	if doc, err = src.Encode(doc); err != nil {
		return err
	}
	if cfg.Output == "" {
		_, err = cmd.OutOrStdout().Write(doc)
		return err
	}
	return os.WriteFile(cfg.Output, doc, 0o644)
}

// defaultGatewayURL guesses the gateway's URL from the management
// endpoint: the same host on the default gateway port.
func defaultGatewayURL(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return "http://localhost:8080"
	}
	return u.Scheme + "://" + net.JoinHostPort(u.Hostname(), "8080")
}
