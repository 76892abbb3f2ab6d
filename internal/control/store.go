package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// DecodeStored decodes a stored record's properties.
func DecodeStored(rec *store.Record, v any) error {
	if err := json.Unmarshal(rec.Props, v); err != nil {
		return fmt.Errorf("decode stored %s %s: %w", rec.Kind, rec.ID, err)
	}
	return nil
}

// Lookup returns one record, or nil when it does not exist.
func Lookup(ctx context.Context, r store.Reader, kind model.Kind, parent, id string) (*store.Record, error) {
	rec, err := r.Get(ctx, kind, parent, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return rec, err
}

// deleteAll deletes every record matching q.
func deleteAll(ctx context.Context, tx store.Tx, q store.Query) error {
	recs, err := tx.List(ctx, q)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if _, err := tx.Delete(ctx, rec.Kind, rec.Parent, rec.ID); err != nil {
			return fmt.Errorf("delete %s %s: %w", rec.Kind, rec.ID, err)
		}
	}
	return nil
}

// Exists reports whether a resource exists.
func Exists(ctx context.Context, r store.Reader, kind model.Kind, parent, id string) (bool, error) {
	rec, err := Lookup(ctx, r, kind, parent, id)
	return rec != nil, err
}
