package endpoint

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/configsync"
	"github.com/gatehouse/gatehouse/internal/model"
)

// nodeRegistry remembers the last heartbeat of every gateway node. It is
// safe for concurrent use.
type nodeRegistry struct {
	interval time.Duration // expected time between heartbeats
	mu       sync.Mutex
	nodes    map[string]map[string]model.GatewayNode // gateway (lower case) → node id → node
}

// forgetAfter is how many heartbeat intervals a silent node stays listed.
const forgetAfter = 360

func (nr *nodeRegistry) record(gateway string, hb configsync.Heartbeat, now time.Time) {
	nr.mu.Lock()
	defer nr.mu.Unlock()
	g := strings.ToLower(gateway)
	if nr.nodes[g] == nil {
		nr.nodes[g] = map[string]model.GatewayNode{}
	}
	if hb.Leaving {
		delete(nr.nodes[g], hb.NodeID)
		return
	}
	n := model.GatewayNode{NodeID: hb.NodeID, Hostname: hb.Hostname, Version: hb.Version, ConfigVersion: hb.ConfigVersion,
		Rejected: hb.Rejected, Circuits: hb.Circuits}
	if n.Rejected == nil {
		n.Rejected = []model.ConfigDiagnostic{}
	}
	n.LastHeartbeat = now.UTC()
	nr.nodes[g][hb.NodeID] = n
}

// status lists the nodes of gateway: "connected" when heard from within
// three intervals, "disconnected" after that. Only connected nodes count.
func (nr *nodeRegistry) status(gateway string, now time.Time) model.GatewayStatus {
	nr.mu.Lock()
	defer nr.mu.Unlock()
	st := model.GatewayStatus{Nodes: []model.GatewayNode{}}
	nodes := nr.nodes[strings.ToLower(gateway)]
	for id, n := range nodes {
		silent := now.Sub(n.LastHeartbeat)
		switch {
		case silent > forgetAfter*nr.interval:
			delete(nodes, id)
			continue
		case silent > 3*nr.interval:
			n.State = "disconnected"
		default:
			n.State = "connected"
			st.NodeCount++
		}
		st.Nodes = append(st.Nodes, n)
	}
	sort.Slice(st.Nodes, func(i, j int) bool { return st.Nodes[i].NodeID < st.Nodes[j].NodeID })
	return st
}
