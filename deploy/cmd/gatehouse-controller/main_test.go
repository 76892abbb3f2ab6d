package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	t.Setenv("GATEHOUSE_NAMESPACES", "shop,billing")
	t.Setenv("GATEHOUSE_TOKEN", "from-env")
	c, err := parseFlags([]string{"--endpoint", "http://plane:8090", "--resync", "30s"})
	if err != nil {
		t.Fatal(err)
	}
	if c.endpoint != "http://plane:8090" || c.namespaces != "shop,billing" || c.token != "from-env" ||
		c.resync != 30*time.Second || c.workers != 2 || c.cluster != "default" || c.metricsAddr != ":4290" || !c.ingresses {
		t.Errorf("parseFlags = %+v", c)
	}
	if c, _ := parseFlags([]string{"--token", "from-flag"}); c.token != "from-flag" {
		t.Errorf("--token %q, want the flag over the environment", c.token)
	}
	for _, args := range [][]string{{"--resync", "soon"}, {"--resync", "-1m"}, {"--workers", "0"}, {"--ingresses", "maybe"}, {"--nope"}} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
}

func TestLogLevel(t *testing.T) {
	if _, err := newLogger("loud"); err == nil || !strings.Contains(err.Error(), "--log-level") {
		t.Errorf("newLogger(loud): %v", err)
	}
}
