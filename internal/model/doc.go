// Package model holds Gatehouse's resource types (APIs, operations, products,
// subscriptions, users, groups, named values, backends, gateways), their
// defaults and validation, and resource ids. It performs no I/O and imports
// nothing else of Gatehouse: everything upstream of the store speaks in these
// types, and the management API decodes requests into them.
package model
