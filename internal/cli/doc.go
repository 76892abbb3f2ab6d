// Package cli holds what Gatehouse's commands share: the GATEHOUSE_*
// environment twins of flags, the logger, and HTTP listeners with limits
// and graceful shutdown. It sits at the composition root, beside cmd/.
package cli
