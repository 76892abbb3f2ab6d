// Command testservices finds the services the test suite can use at their
// default local addresses and reports, at the end of a run, the ones its
// tests had to skip. `make test` runs it around `go test`:
//
//	testservices env     prints export lines for unset GATEHOUSE_TEST_*
//	                     variables whose service answers at its default address
//	testservices report  prints one line per service whose tests were skipped
package main

import (
	"fmt"
	"net"
	"os"
	"time"
)

// service is one the tests can use, with where it usually is.
type service struct {
	name, env, addr, url string
}

var services = []service{
	{"PostgreSQL", "GATEHOUSE_TEST_POSTGRES", "127.0.0.1:5432", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"},
	{"Redis", "GATEHOUSE_TEST_REDIS", "127.0.0.1:6379", "redis://127.0.0.1:6379/0"},
}

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "env" && os.Args[1] != "report") {
		fmt.Fprintln(os.Stderr, "usage: testservices env|report")
		os.Exit(2)
	}
	for _, s := range services {
		set := os.Getenv(s.env) != ""
		switch os.Args[1] {
		case "env":
			if !set && answers(s.addr) {
				fmt.Printf("export %s=%q\n", s.env, s.url)
			}
		case "report":
			if !set {
				fmt.Printf("NOTE: %s was not found at %s and %s is not set: its tests were SKIPPED.\n", s.name, s.addr, s.env)
			}
		}
	}
}

// answers reports whether something listens at addr.
func answers(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
