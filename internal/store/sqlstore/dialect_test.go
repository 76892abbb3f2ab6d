package sqlstore

import "testing"

func TestRebind(t *testing.T) {
	const q = `SELECT a FROM t WHERE b = ? AND c = ? ORDER BY a`
	if got := Question.rebind(q); got != q {
		t.Errorf("Question.rebind = %q, want it unchanged", got)
	}
	if got, want := Dollar.rebind(q), `SELECT a FROM t WHERE b = $1 AND c = $2 ORDER BY a`; got != want {
		t.Errorf("Dollar.rebind = %q, want %q", got, want)
	}
	if got := Dollar.rebind(""); got != "" {
		t.Errorf("Dollar.rebind(\"\") = %q", got)
	}
}
