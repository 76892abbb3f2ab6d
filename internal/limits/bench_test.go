package limits

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/limits/redistest"
)

// benchTake measures one decision on a counter that admits everything,
// spread over 1000 keys.
func benchTake(b *testing.B, s Store) {
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			c := []Counter{{Key: "k" + strconv.Itoa(i%1000), Limit: 1 << 40, Period: time.Second, N: 1}}
			if _, err := s.Take(context.Background(), "bench", c); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkMemoryTake(b *testing.B) { benchTake(b, NewMemory(nil)) }

func BenchmarkRedisTake(b *testing.B) {
	url := redistest.URL(b)
	r, err := NewRedis(RedisOptions{URL: url, Prefix: redistest.Prefix(b, url)})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	benchTake(b, r)
}
