package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/openapi"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Limits of the -link import formats.
const (
	linkTimeout  = 10 * time.Second
	linkMaxBytes = 4 << 20
)

// importDefinition runs a PUT's import (properties.format and value) inside
// the API's write transaction: it fills the API's title, description and
// service URL from the document where the request left them out, and makes
// the API's operations those of the document. Operations that stay keep
// their ids (and so what is attached to them). An invalid document fails
// the whole write. Format and Value are cleared: they are write-only.
func importDefinition(ctx context.Context, tx store.Tx, rec *store.Record, a *model.API, env checkEnv) error {
	data, base := []byte(a.Value), ""
	if model.IsLinkFormat(a.Format) {
		// The check hook runs inside the transaction, so the fetch is
		// bounded tightly; the CLI reads links itself and sends the text.
		var err error
		if data, err = fetchDocument(ctx, a.Value); err != nil {
			return Invalid("properties.value", err.Error())
		}
		base = a.Value
	}
	desired, err := readDefinition(data, base, a)
	if err != nil {
		return Invalid("properties.value", err.Error())
	}
	a.Format, a.Value = "", ""
	if err := a.Validate(); err != nil {
		return err
	}
	current, err := storedOperations(ctx, tx, rec.ID)
	if err != nil {
		return err
	}
	plan := openapi.PlanOperations(current, desired)
	for _, c := range plan.Changes {
		if c.Action == openapi.Delete {
			if _, err := tx.Delete(ctx, model.KindOperation, rec.ID, c.ID); err != nil {
				return fmt.Errorf("delete operation %s: %w", c.ID, err)
			}
			if err := deletePoliciesUnder(ctx, tx, PolicyParent(model.KindOperation, rec.ID, c.ID)); err != nil {
				return err
			}
		}
	}
	for i, op := range plan.Operations {
		if plan.Changes[i].Action == openapi.Keep {
			continue
		}
		if err := putImportedOperation(ctx, tx, rec.ID, op, a.Type == model.TypeSOAP, env); err != nil {
			return err
		}
	}
	return nil
}

// putImportedOperation checks and writes one operation of an import;
// soap tells whether the API is a SOAP API.
func putImportedOperation(ctx context.Context, tx store.Tx, apiID string, op openapi.Operation, soap bool, env checkEnv) error {
	orec := &store.Record{Kind: model.KindOperation, Parent: apiID, ID: op.ID}
	props := op.Properties
	if err := checkOperationOf(ctx, tx, orec, &props, soap); err != nil {
		msg := err.Error()
		var ce *Error
		if errors.As(err, &ce) {
			msg = ce.Message
		}
		return Invalid("properties.value", fmt.Sprintf("operation %s (%s %s): %s", op.ID, props.Method, props.URLTemplate, msg))
	}
	b, err := json.Marshal(&props)
	if err != nil {
		return err
	}
	var ve *model.ValidationError
	if err := env.limits(model.KindOperation, b); errors.As(err, &ve) {
		f := ve.Fields[0]
		return Invalid("properties.value", fmt.Sprintf("operation %s (%s %s): %s %s", op.ID, props.Method, props.URLTemplate, f.Target, f.Message))
	} else if err != nil {
		return err
	}
	orec.Props = b
	_, err = tx.Put(ctx, orec)
	return err
}

// storedOperations returns the API's operations.
func storedOperations(ctx context.Context, r store.Reader, apiID string) ([]openapi.Operation, error) {
	recs, err := r.List(ctx, store.Query{Kind: model.KindOperation, Parent: apiID})
	if err != nil {
		return nil, err
	}
	out := make([]openapi.Operation, len(recs))
	for i, rec := range recs {
		out[i].ID = rec.ID
		if err := DecodeStored(rec, &out[i].Properties); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fetchDocument reads a definition from url within linkTimeout and
// linkMaxBytes.
func fetchDocument(ctx context.Context, url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, linkTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	req.Header.Set("Accept", "application/json, application/yaml;q=0.9, */*;q=0.5")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: the server answered %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, linkMaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	if len(b) > linkMaxBytes {
		return nil, fmt.Errorf("fetch %s: the document is larger than %d bytes", url, linkMaxBytes)
	}
	return b, nil
}
