// Package certtest makes certificate authorities, server and client
// certificates and PKCS#12 (PFX) files for tests, with crypto/x509 and
// the PKCS#12 encoder, on the fly: no certificate files are checked in.
// It is imported by tests only.
package certtest
