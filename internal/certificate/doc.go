// Package certificate decodes the certificate material that the
// management API accepts (PKCS#12 (PFX) files, DER certificates, PEM text)
// into chains and keys, computes APIM's thumbprints, and re-encodes the
// material as PEM, the form kept sealed in the store and carried in
// snapshots to the gateways that present or trust the certificates. It
// performs no I/O.
package certificate
