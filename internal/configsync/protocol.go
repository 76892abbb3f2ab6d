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

// DeltaContentType is the media type of a snapshot delta
// (snapshot.Delta). A gateway that holds the snapshot of version after
// asks for one with DeltaURL; the endpoint answers with a delta from
// that version when it still holds it and the delta is smaller, and
// with the full snapshot (application/json) otherwise. A gateway that
// does not ask always gets full snapshots.
const DeltaContentType = "application/vnd.gatehouse.snapshot-delta+json"

// DeltaHeader names the version a delta applies to, on a response whose
// Content-Type is DeltaContentType.
const DeltaHeader = "X-Gatehouse-Delta-Base"

// DeltaURL is SnapshotURL for a gateway that holds the snapshot of
// version after and takes a delta from it.
func DeltaURL(endpoint, gateway string, after int64) string {
	return SnapshotURL(endpoint, gateway, after) + "&delta=1"
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
