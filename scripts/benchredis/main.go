// Command benchredis is scripts/bench.sh's Redis helper: it checks that the
// Redis the gateway's rate-limit row uses is reachable, and afterwards
// deletes the benchmark's keys.
//
//	benchredis -url redis://127.0.0.1:6379/0 ping           # prints the server's pid (0: unknown) and version
//	benchredis -url redis://127.0.0.1:6379/0 clean PATTERN  # deletes keys matching PATTERN, prints how many
//
// Only redis:// and rediss:// URLs (one server) are supported. It exits 1
// with the reason on stderr when Redis cannot be used.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

func main() {
	url := flag.String("url", "redis://127.0.0.1:6379/0", "Redis URL (redis:// or rediss://)")
	timeout := flag.Duration("timeout", 2*time.Second, "timeout of each step")
	flag.Parse()

	if err := run(*url, *timeout, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "benchredis:", err)
		os.Exit(1)
	}
}

// quiet discards go-redis's own log lines (dial retries), so that a failure
// is one line on stderr.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func run(url string, timeout time.Duration, args []string) error {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = timeout, timeout, timeout
	opts.MaxRetries = -1
	opts.DialerRetries = 1 // fail fast; the error is reported once, below
	redis.SetLogger(quiet{})
	c := redis.NewClient(opts)
	defer c.Close()
	ctx := context.Background()

	switch {
	case len(args) == 1 && args[0] == "ping":
		if err := c.Ping(ctx).Err(); err != nil {
			return fmt.Errorf("PING %s: %w", opts.Addr, err)
		}
		pid, version := "0", "unknown"
		if info, err := c.Info(ctx, "server").Result(); err == nil {
			sc := bufio.NewScanner(strings.NewReader(info))
			for sc.Scan() {
				k, v, _ := strings.Cut(strings.TrimSpace(sc.Text()), ":")
				switch k {
				case "process_id":
					pid = v
				case "redis_version":
					version = v
				}
			}
		}
		fmt.Println(pid, version)
		return nil
	case len(args) == 2 && args[0] == "clean":
		if args[1] == "" || args[1] == "*" {
			return fmt.Errorf("clean: refusing pattern %q", args[1])
		}
		n := 0
		iter := c.Scan(ctx, 0, args[1], 1000).Iterator()
		for iter.Next(ctx) {
			if err := c.Del(ctx, iter.Val()).Err(); err != nil {
				return fmt.Errorf("DEL %s: %w", iter.Val(), err)
			}
			n++
		}
		if err := iter.Err(); err != nil {
			return fmt.Errorf("SCAN %s: %w", args[1], err)
		}
		fmt.Println(n)
		return nil
	}
	return fmt.Errorf("usage: benchredis [-url URL] ping | clean PATTERN")
}
