package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/mgmtclient"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/openapi"
)

// remoteFlags are the flags of verbs that talk to a management plane.
type remoteFlags struct {
	Endpoint string
	Token    string
}

func (rf *remoteFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&rf.Endpoint, "endpoint", "http://localhost:8090", "management plane URL")
	cmd.Flags().StringVar(&rf.Token, "token", "", "management API bearer token")
}

func (rf *remoteFlags) client() (*mgmtclient.Client, error) {
	return mgmtclient.New(mgmtclient.Options{Endpoint: rf.Endpoint, Token: rf.Token})
}

// maxDocumentBytes bounds an OpenAPI document read from a file or URL.
const maxDocumentBytes = 16 << 20

// readDocument reads a file, or fetches an http(s) URL, and returns its
// bytes and the URL (empty for a file).
func readDocument(ctx context.Context, src string) ([]byte, string, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		b, err := os.ReadFile(src)
		if err != nil {
			return nil, "", fmt.Errorf("read document: %w", err)
		}
		return b, "", nil
	}
	if _, err := url.Parse(src); err != nil {
		return nil, "", fmt.Errorf("document URL: %w", err)
	}
	b, err := fetchURL(ctx, src)
	if err != nil {
		return nil, "", fmt.Errorf("fetch document: %w", err)
	}
	return b, src, nil
}

// fetchURL reads an http(s) URL within 30 seconds and maxDocumentBytes.
func fetchURL(ctx context.Context, src string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", src, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxDocumentBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", src, maxDocumentBytes)
	}
	return b, nil
}

// refFetcher returns the ImportOptions.FetchRef that follows $refs to
// URLs when allow is set (--allow-remote-refs), and nil (refused) when not.
func refFetcher(ctx context.Context, allow bool) func(*url.URL) ([]byte, error) {
	if !allow {
		return nil
	}
	return func(u *url.URL) ([]byte, error) { return fetchURL(ctx, u.String()) }
}

// apiOperations returns an API's properties and operations from the
// management plane; api is nil when the API does not exist.
func apiOperations(ctx context.Context, c *mgmtclient.Client, id string) (map[string]any, []openapi.Operation, error) {
	res, err := c.Get(ctx, "/apis/"+url.PathEscape(id))
	if mgmtclient.IsNotFound(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var props map[string]any
	if err := json.Unmarshal(res.Properties, &props); err != nil {
		return nil, nil, fmt.Errorf("api %s: %w", id, err)
	}
	list, err := c.List(ctx, "/apis/"+url.PathEscape(id)+"/operations")
	if err != nil {
		return nil, nil, err
	}
	ops := make([]openapi.Operation, len(list))
	for i, r := range list {
		ops[i].ID = r.Name
		if err := json.Unmarshal(r.Properties, &ops[i].Properties); err != nil {
			return nil, nil, fmt.Errorf("operation %s: %w", r.Name, err)
		}
	}
	return props, ops, nil
}

// decodeAPI turns generic API properties into a normalised model.API.
func decodeAPI(props map[string]any) (model.API, error) {
	var a model.API
	b, err := json.Marshal(props)
	if err == nil {
		err = json.Unmarshal(b, &a)
	}
	a.Normalize()
	return a, err
}
