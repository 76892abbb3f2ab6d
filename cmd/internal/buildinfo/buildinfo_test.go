package buildinfo

import (
	"runtime"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	s := String("gatehouse", "v1.2.3", "")
	if !strings.HasPrefix(s, "gatehouse v1.2.3 (commit ") || !strings.HasSuffix(s, runtime.Version()+")") {
		t.Errorf("String = %q", s)
	}
	if s := String("gatehouse", "v1", "0123456789abcdef"); s != "gatehouse v1 (commit 0123456789ab, "+runtime.Version()+")" {
		t.Errorf("with a commit: %q", s)
	}
}
