package image

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDockerfiles checks that each image's Dockerfile, for those who
// build with a container engine, describes the image Index builds: same
// binary path and package, entrypoint, arguments, user, working
// directory, environment, ports and files.
func TestDockerfiles(t *testing.T) {
	files := map[string]string{"gatehouse-gateway": "../Dockerfile.gateway", "gatehouse": "../Dockerfile.gatehouse",
		"gatehouse-controller": "../Dockerfile.controller"}
	for _, spec := range Specs {
		t.Run(spec.Name, func(t *testing.T) {
			src, err := os.ReadFile(files[spec.Name])
			if err != nil {
				t.Fatal(err)
			}
			text := strings.ReplaceAll(string(src), "\\\n", " ")
			instr := map[string][]string{}
			for _, line := range strings.Split(text, "\n") {
				if f := strings.Fields(line); len(f) > 1 && !strings.HasPrefix(f[0], "#") {
					instr[f[0]] = append(instr[f[0]], strings.Join(f[1:], " "))
				}
			}
			last := func(k string) string {
				if v := instr[k]; len(v) > 0 {
					return v[len(v)-1]
				}
				return ""
			}
			var entry, cmd []string
			if err := json.Unmarshal([]byte(last("ENTRYPOINT")), &entry); err != nil || !slices.Equal(entry, spec.Entrypoint()) {
				t.Errorf("ENTRYPOINT %s, want %q", last("ENTRYPOINT"), spec.Entrypoint())
			}
			if c := last("CMD"); c != "" {
				if err := json.Unmarshal([]byte(c), &cmd); err != nil {
					t.Errorf("CMD %s: %v", c, err)
				}
			}
			if !slices.Equal(cmd, spec.Cmd) {
				t.Errorf("CMD %q, want %q", cmd, spec.Cmd)
			}
			checks := map[string]string{"USER": User, "WORKDIR": homeDir, "ENV": "PATH=" + binDir + " SSL_CERT_FILE=" + caCertPath}
			for k, want := range checks {
				if got := last(k); got != want {
					t.Errorf("%s %q, want %q", k, got, want)
				}
			}
			var ports []string
			for _, p := range strings.Fields(last("EXPOSE")) {
				ports = append(ports, p+"/tcp")
			}
			if !slices.Equal(ports, spec.Ports) {
				t.Errorf("EXPOSE %v, want %v", ports, spec.Ports)
			}
			for _, want := range []string{
				"-o /out" + filepath.Join(binDir, spec.Name) + " " + spec.Package,
				"CGO_ENABLED=0", "-tags timetzdata", "/etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/",
				"deploy/image/rootfs/etc/passwd deploy/image/rootfs/etc/group /out/etc/", "chmod 1777 /out/tmp",
				"--chown=65532:65532 --chmod=700 /home-nonroot " + homeDir,
			} {
				if !strings.Contains(text, want) {
					t.Errorf("%s does not have %q", files[spec.Name], want)
				}
			}
			if !strings.Contains(last("FROM"), "scratch") {
				t.Errorf("the image is built FROM %s, want scratch", last("FROM"))
			}
		})
	}
}
