package mgmt

import (
	"encoding/json"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/store"
)

// decodeStored decodes a stored record's properties.
func decodeStored(rec *store.Record, v any) error {
	if err := json.Unmarshal(rec.Props, v); err != nil {
		return fmt.Errorf("decode stored %s %s: %w", rec.Kind, rec.ID, err)
	}
	return nil
}
