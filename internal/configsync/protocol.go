package configsync

import (
	"strconv"

	"github.com/gatehouse/gatehouse/internal/model"
)

// ServeMux patterns of the configuration endpoint.
const (
	SnapshotPattern  = "/configuration/gateways/{gatewayId}/snapshot"
	HeartbeatPattern = "/configuration/gateways/{gatewayId}/heartbeat"
)

// SnapshotURL returns the snapshot URL of gateway on endpoint, asking for
// a version newer than after.
func SnapshotURL(endpoint, gateway string, after int64) string {
	return endpoint + "/configuration/gateways/" + gateway + "/snapshot?after=" + strconv.FormatInt(after, 10)
}

// HeartbeatURL returns the heartbeat URL of gateway on endpoint.
func HeartbeatURL(endpoint, gateway string) string {
	return endpoint + "/configuration/gateways/" + gateway + "/heartbeat"
}

// Heartbeat is what a gateway node reports about itself.
type Heartbeat struct {
	NodeID        string `json:"nodeId"`
	Hostname      string `json:"hostname"`
	Version       string `json:"version"`
	ConfigVersion int64  `json:"configVersion"`
	// Leaving is set by a node that shuts down; it is removed at once.
	Leaving bool `json:"leaving,omitempty"`
	// Rejected lists the configuration problems of the installed
	// configuration (see model.GatewayNode).
	Rejected []model.ConfigDiagnostic `json:"rejected,omitempty"`
	// Circuits are the states of the node's backend circuit breakers.
	Circuits []model.BackendCircuit `json:"circuits,omitempty"`
}
