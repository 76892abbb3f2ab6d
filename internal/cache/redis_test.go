package cache

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestRedis(t *testing.T) {
	url := os.Getenv("GATEHOUSE_TEST_REDIS")
	if url == "" {
		msg := "set GATEHOUSE_TEST_REDIS=redis://127.0.0.1:6379/0 to run the Redis cache tests"
		if os.Getenv("GATEHOUSE_REQUIRE_SERVICES") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opts)
	defer client.Close()
	prefix := fmt.Sprintf("gh-cache-test-%d:", time.Now().UnixNano())
	a := NewRedis(client, nil, prefix, nil)
	b := NewRedis(client, nil, prefix, nil) // another gateway node
	a.Set("k", []byte("shared"), time.Minute)
	if v, stored, ok := b.Get("k"); !ok || string(v) != "shared" || time.Since(stored) > time.Minute {
		t.Fatalf("the other node read %q %v %v", v, stored, ok)
	}
	b.Delete("k")
	if _, _, ok := a.Get("k"); ok {
		t.Error("a deleted key was read")
	}
	a.Set("short", []byte("x"), time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	if _, _, ok := a.Get("short"); ok {
		t.Error("an expired key was read")
	}

	// An unreachable Redis: the fallback serves.
	down := NewRedis(redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1}), nil, prefix, nil)
	down.Set("k", []byte("local"), time.Minute)
	if v, _, ok := down.Get("k"); !ok || string(v) != "local" || !down.down.Load() {
		t.Errorf("fallback: %q %v, down %v", v, ok, down.down.Load())
	}
}
