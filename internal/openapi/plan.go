package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Action is what a plan does to one operation.
type Action string

// The actions of a Plan.
const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
	Keep   Action = "unchanged"
)

// Change is one operation's entry in a Plan.
type Change struct {
	Action      Action
	ID          string
	Method      string
	URLTemplate string
}

// String renders c as a diff line: "+ get-pets GET /pets".
func (c Change) String() string {
	sign := map[Action]string{Create: "+", Update: "~", Delete: "-", Keep: "="}[c.Action]
	return fmt.Sprintf("%s operation %s %s %s", sign, c.ID, c.Method, c.URLTemplate)
}

// Plan is how to turn an API's operations into a document's.
type Plan struct {
	// Changes lists every operation once, in the document's order with
	// deletions last.
	Changes []Change
	// Operations are the desired operations with their final ids: a kept
	// operation keeps its current id, so that what is attached to it (its
	// policy) stays.
	Operations []Operation
}

// Counts returns how many operations each action touches.
func (p Plan) Counts() map[Action]int {
	n := map[Action]int{}
	for _, c := range p.Changes {
		n[c.Action]++
	}
	return n
}

// Summary is a one-line account of p: "3 created, 1 updated, 0 deleted,
// 5 unchanged".
func (p Plan) Summary() string {
	n := p.Counts()
	return fmt.Sprintf("%d created, %d updated, %d deleted, %d unchanged", n[Create], n[Update], n[Delete], n[Keep])
}

// PlanOperations matches desired operations to current ones: first by
// method and URL template, then by id. Matched operations are updated
// when their properties differ (importedFrom counts only for operations
// an import wrote: one made by hand that the document describes as it is
// is kept), the others created; current operations left unmatched are
// deleted. Both inputs must be normalised.
func PlanOperations(current, desired []Operation) Plan {
	used := make([]bool, len(current))
	ids := map[string]bool{}
	final := make([]Operation, len(desired))
	match := make([]int, len(desired))
	for i, d := range desired {
		match[i] = -1
		for j, c := range current {
			if !used[j] && strings.EqualFold(c.Properties.Method, d.Properties.Method) &&
				strings.EqualFold(c.Properties.URLTemplate, d.Properties.URLTemplate) {
				match[i], used[j] = j, true
				ids[strings.ToLower(c.ID)] = true
				break
			}
		}
	}
	for i, d := range desired {
		if match[i] >= 0 {
			continue
		}
		for j, c := range current {
			if !used[j] && strings.EqualFold(c.ID, d.ID) && !ids[strings.ToLower(c.ID)] {
				match[i], used[j] = j, true
				ids[strings.ToLower(c.ID)] = true
				break
			}
		}
	}
	// Ids of current operations that will be deleted are free again only
	// after the deletion; keep them taken so the plan never reuses one.
	for j, c := range current {
		if !used[j] {
			ids[strings.ToLower(c.ID)] = true
		}
	}
	var p Plan
	for i, d := range desired {
		ch := Change{Method: d.Properties.Method, URLTemplate: d.Properties.URLTemplate}
		if j := match[i]; j >= 0 {
			d.ID = current[j].ID
			ch.Action = Keep
			cmp := d.Properties
			if current[j].Properties.ImportedFrom == "" {
				// An operation made by hand that the document describes as
				// it is stays as it is: an export of it imports back
				// without a change.
				cmp.ImportedFrom = ""
			}
			if !sameJSON(current[j].Properties, cmp) {
				ch.Action = Update
			}
		} else {
			d.ID = uniqueName(d.ID, ids)
			ch.Action = Create
		}
		ch.ID = d.ID
		final[i] = d
		p.Changes = append(p.Changes, ch)
	}
	for j, c := range current {
		if !used[j] {
			p.Changes = append(p.Changes, Change{Action: Delete, ID: c.ID, Method: c.Properties.Method, URLTemplate: c.Properties.URLTemplate})
		}
	}
	p.Operations = final
	return p
}

// sameJSON reports whether a and b encode to the same JSON.
func sameJSON(a, b any) bool {
	ab, err1 := json.Marshal(a)
	bb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ab, bb)
}
