// Package image builds Gatehouse's container images without a container
// engine. Each image is a static Go binary of the main module on an empty
// base that holds only CA certificates, a non-root user (65532) and a few
// directories: no shell, no package manager. The images of every platform
// are gathered in one OCI image index, which WriteLayout writes as an OCI
// image-layout tarball and which a registry can receive as it is.
//
// deploy/Dockerfile.gateway and deploy/Dockerfile.gatehouse produce the
// same file system with a container engine, from the files in rootfs/.
package image
