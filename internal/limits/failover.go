package limits

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// maxCarried bounds how many counters a Redis store remembers for an
// outage; past it, counters not yet remembered start from zero locally.
const maxCarried = 100_000

// carried is what a node knows of one counter, so that an outage neither
// forgets what Redis counted nor what the node counted meanwhile.
type carried struct {
	group  string
	c      Counter // N is not used
	window int64   // fixed windows: the window used belongs to
	used   int64   // units counted, as Redis last reported them
	at     time.Time
	seeded bool  // the local counter starts from used since the outage began
	local  int64 // units admitted locally since then
}

// failover carries counts across a Redis outage. While Redis answers it
// remembers each counter's count; when Redis becomes unreachable each
// local counter starts from that count instead of from zero; when Redis
// answers again the units admitted locally are added to Redis (and Redis
// is raised to at least what the node believes, in case it restarted
// empty). So a limit is passed by at most what the other nodes admitted
// from their own last known counts during the outage, and by nothing on a
// single node. Safe for concurrent use.
type failover struct {
	mu sync.Mutex
	m  map[string]*carried
}

func carriedKey(group string, c Counter) string { return group + "\x00" + c.Key }

// observe remembers the counts Redis reported for cs.
func (f *failover) observe(group string, cs []Counter, ds []Decision, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]*carried{}
	}
	for i, c := range cs {
		k := carriedKey(group, c)
		e := f.m[k]
		if e == nil {
			if len(f.m) >= maxCarried {
				continue
			}
			e = &carried{group: group}
			f.m[k] = e
		}
		e.c, e.used, e.at = c, c.Limit-ds[i].Remaining, now
		if c.Fixed {
			e.window, _ = windowOf(c, now)
		}
	}
}

// seed starts the local counters of cs from the counts Redis last
// reported, once per outage.
func (f *failover) seed(local *Memory, group string, cs []Counter, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range cs {
		e := f.m[carriedKey(group, c)]
		if e == nil || e.seeded {
			continue
		}
		e.seeded = true
		local.seed(group, c, e.window, e.used, e.at, now)
	}
}

// admitted counts units the local store admitted during an outage.
func (f *failover) admitted(group string, cs []Counter, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]*carried{}
	}
	for _, c := range cs {
		if c.N <= 0 {
			continue
		}
		k := carriedKey(group, c)
		e := f.m[k]
		if e == nil {
			if len(f.m) >= maxCarried {
				continue
			}
			e = &carried{group: group, c: c, at: now, seeded: true}
			if c.Fixed {
				e.window, _ = windowOf(c, now)
			}
			f.m[k] = e
		}
		e.local += c.N
	}
}

// touched returns, by group, copies of the counters touched during the
// outage.
func (f *failover) touched() map[string][]carried {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]carried{}
	for _, e := range f.m {
		if e.seeded {
			out[e.group] = append(out[e.group], *e)
		}
	}
	return out
}

// carriedOver forgets that the counters in es were touched during the
// outage, less the units admitted locally since they were copied.
func (f *failover) carriedOver(es []carried) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range es {
		if e := f.m[carriedKey(c.group, c.c)]; e != nil {
			e.local -= c.local
			e.seeded = e.local > 0
		}
	}
}

// seed sets the local counter of c to used units, counted at at (sliding
// windows) or in window (fixed windows); a count already out of its
// window is not carried.
func (m *Memory) seed(group string, c Counter, window, used int64, at, now time.Time) {
	sh := m.shard(group)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	k := counterKey{group, c.Key}
	if c.Fixed {
		idx, end := windowOf(c, now)
		if idx != window || used <= 0 {
			return
		}
		sh.counters[k] = &counter{window: idx, count: used, expires: end}
		return
	}
	if used <= 0 || !at.After(now.Add(-c.Period)) {
		return
	}
	st := &counter{times: make([]int64, used), expires: at.Add(c.Period)}
	for i := range st.times {
		st.times[i] = at.UnixNano()
	}
	sh.counters[k] = st
}

// resync adds what this node admitted during the outage to Redis,
// raising each counter to at least what the node believes it holds (the
// count Redis last reported plus the local admissions, when still in its
// window). One round trip per group; an error means Redis is still away,
// and what was not carried over is tried again at the next probe.
func (r *Redis) resync(ctx context.Context, now time.Time) error {
	for group, es := range r.failover.touched() {
		keys, args, base := r.scriptCall(group, len(es), now)
		for _, e := range es {
			k := base + e.c.Key
			period := e.c.Period.Milliseconds()
			fixed, belief := "0", e.local
			if e.at.After(now.Add(-e.c.Period)) {
				belief += e.used
			}
			if e.c.Fixed {
				idx, end := windowOf(e.c, now)
				if idx != e.window {
					continue // a new window: nothing to carry
				}
				k += ":" + strconv.FormatInt(idx, 10)
				period, fixed, belief = max(end.Sub(now).Milliseconds(), 1), "1", e.used+e.local
			}
			keys = append(keys, k, k+":seq")
			args = append(args, fixed, max(period, 1), e.local, belief)
		}
		if len(keys) > 0 {
			rctx, cancel := context.WithTimeout(ctx, r.timeout)
			err := resyncScript.Run(rctx, r.client, keys, args...).Err()
			cancel()
			if err != nil {
				return err
			}
		}
		r.failover.carriedOver(es)
	}
	return nil
}

// resyncScript raises counters after an outage. For counter i, KEYS as in
// takeScript; ARGV[1] the time in milliseconds (0: the server's clock),
// then per counter: fixed (0 or 1), period or milliseconds until the
// fixed window ends, units admitted locally, and the count the node
// believes. Each counter becomes max(its count + local units, belief).
var resyncScript = redis.NewScript(`
if redis.replicate_commands then pcall(redis.replicate_commands) end
local now = tonumber(ARGV[1])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
for i = 1, #KEYS / 2 do
  local key, seq = KEYS[2 * i - 1], KEYS[2 * i]
  local a = 2 + (i - 1) * 4
  local fixed, period, localUnits, belief = ARGV[a] ~= '0', tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local count
  if fixed then
    count = tonumber(redis.call('GET', key) or '0')
  else
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
    count = redis.call('ZCARD', key)
  end
  local add = math.max(count + localUnits, belief) - count
  if add > 0 then
    if fixed then
      redis.call('INCRBY', key, add)
      redis.call('PEXPIRE', key, period + 1000)
    else
      local last = redis.call('INCRBY', seq, add)
      for u = last - add + 1, last do
        redis.call('ZADD', key, now, u)
      end
      redis.call('PEXPIRE', key, period)
      redis.call('PEXPIRE', seq, period)
    end
  end
end
return 0
`)
