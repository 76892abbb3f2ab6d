package graphql

import (
	"errors"
	"testing"
)

func TestImport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, schema string
		wantErr      bool
	}{
		{name: "schema", schema: "type Query { a: Int }"},
		{name: "empty", schema: "", wantErr: true},
		{name: "blank", schema: " \n\t", wantErr: true},
		{name: "not UTF-8", schema: "type Query { a: \xff }", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ops, err := Import([]byte(tt.schema))
			if tt.wantErr {
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("Import = %v, %v; want ErrInvalid", ops, err)
				}
				return
			}
			if err != nil || len(ops) != 2 || ops[0].ID != "graphql" || ops[0].Properties.Method != "POST" || ops[1].Properties.Method != "GET" {
				t.Errorf("Import = %+v, %v; want graphql POST and graphql-get GET", ops, err)
			}
		})
	}
}
