// Package limits keeps the counters behind rate limits and quotas
// (rate-limit, rate-limit-by-key, quota, quota-by-key). Policy elements
// compiled by package policy/builtin ask a Store for a decision per
// request; a Store keeps state that outlives configuration reloads, so it
// lives in builtin.Deps and is created by the gateway Server.
//
// Two Stores exist: Memory, exact for one node, and Redis, shared by every
// gateway node that uses the same Redis. Both count rate limits with a
// sliding-window log (a request counts for exactly one period after it
// was admitted, so a limit of N per period admits at most N in any window
// of that length) and quotas in fixed windows aligned to a first period
// start. Redis decides each request with one Lua script, atomically and in
// one round trip, and falls back to local counters while Redis is
// unreachable.
package limits
