// Package gatewaykey mints and verifies the tokens a self-hosted gateway
// presents to the configuration endpoint, in APIM's format:
//
//	GatewayKey <gatewayId>&<expiry yyyyMMddHHmm>&<base64 HMAC-SHA512 signature>
//
// Each gateway has two signing keys (primary and secondary), so one can be
// regenerated while tokens signed with the other keep working. The
// management API mints tokens; the configuration endpoint verifies them.
package gatewaykey
