// Package archtest holds the architecture test: it fails when a package
// imports one that the data flow store → snapshot → gateway forbids, or
// when a package takes a junk-drawer name.
package archtest
