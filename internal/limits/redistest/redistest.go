package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// URL returns GATEHOUSE_TEST_REDIS. When it is unset the test is skipped,
// or fails when GATEHOUSE_REQUIRE_SERVICES=1.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("GATEHOUSE_TEST_REDIS")
	if u == "" {
		if os.Getenv("GATEHOUSE_REQUIRE_SERVICES") == "1" {
			t.Fatal("GATEHOUSE_TEST_REDIS is unset and GATEHOUSE_REQUIRE_SERVICES=1")
		}
		t.Skip("set GATEHOUSE_TEST_REDIS (e.g. redis://127.0.0.1:6379/0) to test against Redis")
	}
	return u
}

// Prefix returns a key prefix unique to this test and deletes every key
// under it when the test ends.
func Prefix(t testing.TB, url string) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	prefix := "gatehouse-test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() { Delete(url, prefix+"*") })
	return prefix
}

// Token returns a random string for a test to put in its keys.
func Token() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Delete deletes the keys matching pattern and returns how many there were.
func Delete(url, pattern string) int {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return 0
	}
	c := redis.NewClient(opts)
	defer c.Close()
	ctx := context.Background()
	n := 0
	iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
	for iter.Next(ctx) {
		c.Del(ctx, iter.Val())
		n++
	}
	return n
}

// Count returns how many keys match pattern.
func Count(url, pattern string) int {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return 0
	}
	c := redis.NewClient(opts)
	defer c.Close()
	keys, _ := c.Keys(context.Background(), pattern).Result()
	return len(keys)
}

// Server is a redis-server process owned by one test.
type Server struct {
	t    testing.TB
	port int
	cmd  *exec.Cmd
}

// Start runs redis-server on a free port, without persistence, and stops
// it when the test ends. The test is skipped when redis-server is not
// installed (or fails under GATEHOUSE_REQUIRE_SERVICES=1).
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("GATEHOUSE_REQUIRE_SERVICES") == "1" {
			t.Fatal("redis-server is not installed and GATEHOUSE_REQUIRE_SERVICES=1")
		}
		t.Skip("redis-server is not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, port: l.Addr().(*net.TCPAddr).Port}
	l.Close()
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// URL is the server's redis:// URL.
func (s *Server) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", s.port) }

// Stop ends the server; it does nothing when it is stopped.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

// Pause stops the server's process (SIGSTOP) without ending it: it keeps
// its data and its connections, and answers nothing until Resume.
func (s *Server) Pause(t testing.TB) {
	t.Helper()
	if s.cmd == nil {
		t.Fatal("pause: the server is not running")
	}
	if err := s.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatalf("pause redis-server: %v", err)
	}
	t.Cleanup(func() { s.cmd.Process.Signal(syscall.SIGCONT) })
}

// Resume continues a paused server (SIGCONT).
func (s *Server) Resume(t testing.TB) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatalf("resume redis-server: %v", err)
	}
}

// Restart starts the server (again) on its port and waits until it answers.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.cmd = exec.Command("redis-server", "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no")
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start redis-server: %v", err)
	}
	opts, _ := redis.ParseURL(s.URL())
	c := redis.NewClient(opts)
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			s.t.Fatal("redis-server did not answer within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
