// Package redistest gives tests a Redis: the shared one named by
// GATEHOUSE_TEST_REDIS, or a private redis-server they can stop and
// restart (to test outages). Only tests import it.
package redistest
