// Package mgmtclient is a small typed client of Gatehouse's management API
// (the APIM-shaped REST API under /mgmt). The CLI verbs that talk to a
// management plane (import, export, apply) use it; it sits outside the
// server's data flow and imports nothing of Gatehouse's.
package mgmtclient
