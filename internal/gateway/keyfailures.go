package gateway

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse/gatehouse/internal/lockout"
)

// DefaultKeyFailureLimit is how many requests with an invalid
// subscription key one client address may make within a minute before
// further ones are answered 429 (Options.KeyFailureLimit).
const DefaultKeyFailureLimit = 50

// keyFailures slows down subscription-key guessing: requests with an
// invalid key are counted per client address, and past the limit within a
// minute are answered 429 rather than 401. Keys are checked first, so a
// valid key is always accepted, whoever else guesses from its address. It
// is safe for concurrent use.
type keyFailures struct {
	limiter      *lockout.Limiter // nil: no limit
	unauthorized atomic.Uint64    // answered 401
	throttled    atomic.Uint64    // answered 429
}

// newKeyFailures returns the key-failure throttle for limit, as
// Options.KeyFailureLimit describes it.
func newKeyFailures(limit int) *keyFailures {
	k := &keyFailures{}
	if limit == 0 {
		limit = DefaultKeyFailureLimit
	}
	if limit > 0 {
		k.limiter = lockout.New(lockout.Options{Failures: limit, Window: time.Minute})
	}
	return k
}

// refuseKey answers a request whose subscription key is not valid for its
// API: 401 as APIM words it, or 429 with Retry-After once the client's
// address (see clientAddress) has sent more than the limit of invalid
// keys within a minute.
func (s *Server) refuseKey(w http.ResponseWriter, r *http.Request) {
	k := s.keyFailures
	if k.limiter != nil {
		if retry, throttled := k.limiter.Fail(lockout.KeyFor(s.clientAddress(r), "")); throttled {
			k.throttled.Add(1)
			secs := strconv.Itoa(lockout.RetryAfter(retry))
			w.Header().Set("Retry-After", secs)
			writeError(w, http.StatusTooManyRequests, "Too many requests with an invalid subscription key. Try again in "+secs+" seconds.")
			return
		}
	}
	k.unauthorized.Add(1)
	writeError(w, http.StatusUnauthorized, msgInvalidKey)
}

// register adds the counter of invalid-key answers to reg. It is read
// when scraped; requests do no extra work for it.
func (k *keyFailures) register(reg prometheus.Registerer) error {
	for _, c := range []struct {
		answer string
		n      *atomic.Uint64
	}{{"401", &k.unauthorized}, {"429", &k.throttled}} {
		n := c.n
		err := reg.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "gatehouse_subscription_key_failures_total",
			Help:        "Requests refused for an invalid subscription key, by answer: 401, or 429 once their address sent too many.",
			ConstLabels: prometheus.Labels{"answer": c.answer},
		}, func() float64 { return float64(n.Load()) }))
		if err != nil {
			return err
		}
	}
	return nil
}
