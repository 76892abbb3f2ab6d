// Package policy reads APIM policy documents and compiles them into
// pipelines. The data flow is: policy XML (stored per scope) → Document
// (Parse, tolerant of expression syntax the way APIM is) → effective
// Document of an operation (Merge, with <base/> and fragments) → Pipeline
// (Registry.Compile: every element a small Step, every expression compiled
// once with package expr). Problems are Diagnostics with the line and
// column of the element or attribute, found when a policy is saved, never
// at request time.
package policy
