package snapshot

import (
	"encoding/json"
	"reflect"
	"testing"
)

func FuzzDecodeSnapshot(f *testing.F) {
	f.Add([]byte(`{"version":1,"apis":[{"id":"a","path":"a","operations":[{"id":"o","method":"GET","urlTemplate":"/"}]}],"subscriptions":[{"id":"s","keys":["` +
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" + `"]}]}`))
	f.Add([]byte(`{"subscriptions":[{"keys":["zz"]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Snapshot
		if err := json.Unmarshal(data, &s); err != nil {
			return
		}
		out, err := json.Marshal(&s)
		if err != nil {
			t.Fatalf("a decoded snapshot does not encode: %v", err)
		}
		var again Snapshot
		if err := json.Unmarshal(out, &again); err != nil || !reflect.DeepEqual(s, again) {
			t.Fatalf("snapshot round trip differs: %v", err)
		}
	})
}

func TestSchemaOfNamesWhatOlderGatewaysCannotIgnore(t *testing.T) {
	tests := []struct {
		name string
		snap Snapshot
		want int
	}{
		{"plain", Snapshot{APIs: []API{{ID: "a"}}, Backends: map[string]Backend{"b": {}}}, 1},
		{"version set", Snapshot{VersionSets: map[string]VersionSet{"v": {}}}, 2},
		{"revision", Snapshot{APIs: []API{{ID: "a;rev=2", NotCurrent: true}}}, 2},
		{"pool", Snapshot{Backends: map[string]Backend{"p": {Pool: []PoolMember{{ID: "b"}}}}}, 2},
		{"circuit breaker", Snapshot{Backends: map[string]Backend{"b": {CircuitBreaker: &CircuitBreaker{}}}}, 2},
	}
	for _, tt := range tests {
		if got := SchemaOf(&tt.snap); got != tt.want {
			t.Errorf("%s: schema %d, want %d", tt.name, got, tt.want)
		}
	}
}
