package apiops

import (
	"strings"
	"testing"
)

// TestReadSkipsWithReasons lists what the management plane has no place
// for, each file with the reason: workspaces.
func TestReadSkipsWithReasons(t *testing.T) {
	t.Parallel()
	dir := writeFolder(t, map[string]string{
		"workspaces/team/apis/a/apiInformation.json": `{"properties": {"displayName": "A", "path": "a"}}`,
		"apis/echo/apiInformation.json":              `{"properties": {"displayName": "Echo", "path": "echo"}}`,
	})
	cfg, err := Read(dir, ReadOptions{LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range cfg.Unsupported {
		got = append(got, u.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"workspaces/team/apis/a/apiInformation.json: workspace is not supported yet (Gatehouse has no workspaces",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("skipped lacks %q:\n%s", want, all)
		}
	}
}
