package policy

import "testing"

// TestNewValues: NewValues lends slices of the length asked, each its
// own (an append to one does not write into the next), from the
// Context's array while it has room and from new arrays after.
func TestNewValues(t *testing.T) {
	var c Context
	var got [][]string
	for _, n := range []int{1, 0, 3, 4, 2, 1} {
		v := c.NewValues(n)
		if v == nil || len(v) != n || cap(v) != n {
			t.Fatalf("NewValues(%d): len %d cap %d, nil %v", n, len(v), cap(v), v == nil)
		}
		for i := range v {
			if v[i] != "" {
				t.Fatalf("NewValues(%d) is not empty: %q", n, v)
			}
			v[i] = "x"
		}
		got = append(got, v)
	}
	if c.usedValues != len(c.spareValues) {
		t.Errorf("%d of the array lent, want all %d", c.usedValues, len(c.spareValues))
	}
	_ = append(got[2], "appended")
	if got[3][0] != "x" {
		t.Errorf("an append to one slice wrote into the next: %q", got[3])
	}
	if &got[4][0] == &c.spareValues[0] || &got[4][0] == &c.spareValues[len(c.spareValues)-1] {
		t.Error("a slice past the array's room shares it")
	}
}
