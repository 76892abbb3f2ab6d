package compile_test

import (
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/corpus.golden")

// TestCorpus checks every policy document of the repository (XML files
// and the policy parts of scenario files) on its own, as `gatehouse
// policy check` does, and prints how many are accepted, refused and
// crashed. The refused ones, with their first error, are in
// testdata/corpus.golden: a document that starts being refused, or
// refused for another reason, fails the test (go test -run TestCorpus
// -update-corpus rewrites the file after a deliberate change).
func TestCorpus(t *testing.T) {
	docs := corpus(t, filepath.Join("..", ".."))
	checker := compile.NewChecker(compile.CheckOptions{Registry: builtin.NewRegistry(), AnyFragment: true,
		Env: policy.Env{NamedValues: map[string]string{}, Backends: map[string]string{}, Certificates: map[string]*policy.Certificate{},
			AnyNamedValue: true, AnyBackend: true, AnyCertificate: true, AnySchema: true}})
	var refused []string
	crashed := 0
	for _, name := range slices.Sorted(maps.Keys(docs)) {
		func() {
			defer func() {
				if r := recover(); r != nil {
					crashed++
					t.Errorf("%s: the check crashed: %v", name, r)
				}
			}()
			for _, f := range checker.Check(docs[name]) {
				if f.Severity == compile.SeverityError {
					refused = append(refused, fmt.Sprintf("%s: %d:%d: %s", name, f.Pos.Line, f.Pos.Col, f.Message))
					return
				}
			}
		}()
	}
	t.Logf("%d policy documents: %d accepted, %d refused, %d crashed", len(docs), len(docs)-len(refused)-crashed, len(refused), crashed)
	got := strings.Join(refused, "\n") + "\n"
	golden := filepath.Join("testdata", "corpus.golden")
	if *updateCorpus {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("the refused documents changed (go test -run TestCorpus -update-corpus after a deliberate change):\ngot:\n%s\nwant:\n%s", got, want)
	}
}

// corpus returns the policy documents under root by a name: the path of
// an XML file, or a scenario file's path and part.
func corpus(t *testing.T, root string) map[string]string {
	t.Helper()
	docs := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		switch {
		case strings.HasSuffix(p, ".xml"):
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if isPolicy(string(b)) {
				docs[rel] = string(b)
			}
		case strings.HasSuffix(p, ".txtar"):
			ar, err := txtar.ParseFile(p)
			if err != nil {
				return err
			}
			for _, f := range ar.Files {
				if strings.HasSuffix(f.Name, ".xml") && isPolicy(string(f.Data)) {
					docs[rel+"#"+f.Name] = string(f.Data)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) < 20 {
		t.Fatalf("found %d policy documents under %s", len(docs), root)
	}
	return docs
}

func isPolicy(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "<policies") || strings.HasPrefix(s, "<fragment")
}
