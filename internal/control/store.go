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

// The store's types as the control layer hands them to adapters: a View
// or Update callback reads and writes through them, so adapters import
// control and never the store.
type (
	// Store is a transactional configuration store.
	Store = store.Store
	// Reader is a consistent read-only view.
	Reader = store.Reader
	// Tx is a write transaction.
	Tx = store.Tx
	// Record is one stored resource.
	Record = store.Record
	// Query selects records of one kind.
	Query = store.Query
)

// ErrNotFound is wrapped by a Get of a record that does not exist.
var ErrNotFound = store.ErrNotFound

// ErrFull is wrapped by a write refused because the store's disk is full.
var ErrFull = store.ErrFull

// Bootstrap creates the built-in resources (the managed gateway and the
// administrators, developers and guests groups) when they are missing. It
// changes nothing, and bumps no version, when they exist.
func Bootstrap(ctx context.Context, st store.Store) error {
	_, err := st.Update(ctx, func(tx store.Tx) error {
		ensure := func(kind model.Kind, id string, props any) error {
			ok, err := Exists(ctx, tx, kind, "", id)
			if err != nil || ok {
				return err
			}
			b, err := json.Marshal(props)
			if err != nil {
				return err
			}
			_, err = tx.Put(ctx, &store.Record{Kind: kind, ID: id, Props: b})
			return err
		}
		for _, g := range model.BuiltinGroups {
			err := ensure(model.KindGroup, g.ID, &model.Group{DisplayName: g.DisplayName, Description: g.Description, BuiltIn: true, Type: "system"})
			if err != nil {
				return err
			}
		}
		return ensure(model.KindGateway, model.ManagedGatewayID, &model.Gateway{Description: "The gateway embedded in gatehouse serve."})
	})
	return err
}
