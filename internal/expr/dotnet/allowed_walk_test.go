package dotnet

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// allowedEntry is one type of testdata/allowed-types.txt with its members.
type allowedEntry struct {
	typ     string
	members []string
}

// readAllowedTypes reads testdata/allowed-types.txt.
func readAllowedTypes(t *testing.T) []allowedEntry {
	t.Helper()
	f, err := os.Open("testdata/allowed-types.txt")
	if err != nil {
		t.Fatalf("open allowed types: %v", err)
	}
	defer f.Close()
	var out []allowedEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		typ, rest, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("allowed types: line %q has no \": \"", line)
		}
		e := allowedEntry{typ: typ}
		for _, m := range strings.Split(rest, ",") {
			e.members = append(e.members, strings.TrimSpace(m))
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read allowed types: %v", err)
	}
	return out
}

// probeResult is what compiling a probe of a member showed.
type probeResult int

const (
	probeOther       probeResult = iota // a diagnostic that names neither the type nor the member
	probeRefused                        // a diagnostic naming the type or the member
	probeImplemented                    // the member resolved
)

// shortName is a type name without its namespace and type arguments.
func shortName(typ string) string {
	base, _, _ := strings.Cut(typ, "<")
	if i := strings.LastIndex(base, "."); i >= 0 {
		base = base[i+1:]
	}
	return base
}

// classify compiles src and says whether it shows the member implemented,
// refused by name, or neither; a panic is reported as an error.
func classify(src, typ, member string) (res probeResult, msg string) {
	defer func() {
		if r := recover(); r != nil {
			res, msg = probeOther, fmt.Sprintf("panic: %v", r)
		}
	}()
	_, err := expr.Compile(src, expr.Inline, testLib)
	if err == nil {
		return probeImplemented, ""
	}
	msg = err.Error()
	for _, shape := range []string{"is a method; call it with ()", " takes ", "needs a type argument", "is a property, not a method", "cannot convert", "is not generic"} {
		if strings.Contains(msg, shape) {
			return probeImplemented, msg
		}
	}
	if strings.Contains(msg, "not supported") && (strings.Contains(msg, member) || strings.Contains(msg, shortName(typ))) {
		return probeRefused, msg
	}
	return probeOther, msg
}

// probes are the expressions that use member of typ: the constructor for
// "new", the indexer for "Item", else a static access and an access on a value cast to typ.
func probes(typ, member string) []string {
	switch member {
	case "new":
		return []string{"new " + typ + "()"}
	case "Item":
		return []string{"((" + typ + `)context.Variables["obj"])[0]`}
	}
	return []string{
		typ + "." + member,
		shortName(typ) + "." + member,
		"((" + typ + `)context.Variables["obj"]).` + member,
	}
}

// minImplemented is how many allowed members the walk found implemented
// when the documentation was last updated; fewer is a regression.
const minImplemented = 686

// TestAllowedTypesWalk walks the types and members APIM allows in policy
// expressions: each is implemented (an expression using it compiles) or
// refused with a diagnostic naming it, never a generic failure or a crash.
func TestAllowedTypesWalk(t *testing.T) {
	implemented, refused := 0, 0
	var refusedList []string
	for _, e := range readAllowedTypes(t) {
		for _, m := range e.members {
			best, msgs := probeOther, []string{}
			for _, src := range probes(e.typ, m) {
				res, msg := classify(src, e.typ, m)
				msgs = append(msgs, src+" => "+msg)
				if res > best {
					best = res
				}
				if best == probeImplemented {
					break
				}
			}
			switch best {
			case probeImplemented:
				implemented++
			case probeRefused:
				refused++
				refusedList = append(refusedList, shortName(e.typ)+"."+m)
			default:
				t.Errorf("%s.%s: no diagnostic names it:\n  %s", e.typ, m, strings.Join(msgs, "\n  "))
			}
		}
	}
	t.Logf("allowed .NET members: %d implemented, %d refused by name", implemented, refused)
	t.Logf("refused: %s", strings.Join(refusedList, " "))
	if implemented < minImplemented {
		t.Errorf("%d allowed members implemented, fewer than the %d documented", implemented, minImplemented)
	}
}
