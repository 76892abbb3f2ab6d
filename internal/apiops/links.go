package apiops

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// linkKind is a kind of link between resources as the APIOps tools write
// it: one folder per linked resource holding an information file.
type linkKind struct {
	file string // "productApiInformation.json"
	id   string // the property naming the linked resource: "apiId"
	kind string // the linked collection, for ids: "apis"
	// bare links are written as an empty object ({}), as the APIOps
	// tools write tag links; the others name the linked resource.
	bare bool
}

// The links a folder holds.
var (
	productAPILink   = linkKind{file: "productApiInformation.json", id: "apiId", kind: "apis"}
	productGroupLink = linkKind{file: "productGroupInformation.json", id: "groupId", kind: "groups"}
	gatewayAPILink   = linkKind{file: "gatewayApiInformation.json", id: "apiId", kind: "apis"}
)

// links reads the links of the resource folder rel to the collection
// sub ("apis"): the folders sub/<name>/ holding lk's information file, as
// newer APIOps tools write them, or the list file sub.json, as older ones
// do. Neither gives nil ("not described": the links stay as they are).
func (r *reader) links(rel, sub string, lk linkKind) []string {
	listFile, dir := path.Join(rel, sub+".json"), path.Join(rel, sub)
	list := r.names(listFile)
	entries, err := os.ReadDir(filepath.Join(r.dir, dir))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return list
	case err != nil:
		r.fail(dir, "%v", err)
		return nil
	case list != nil:
		r.fail(rel, "both %s and %s/ list the links; keep one", sub+".json", sub)
		return nil
	}
	out := []string{}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "."):
		case !e.IsDir():
			r.skip("file outside a link folder", path.Join(dir, name), "")
		default:
			if linked, ok := r.link(path.Join(dir, name, lk.file), name, lk); ok {
				out = append(out, linked)
			}
			r.skipOthers(path.Join(dir, name), lk.file)
		}
	}
	return sortedNames(out)
}

// link reads one link's information file: {} or {"properties": {ID:
// "/apis/echo"}}; the folder's name names the linked resource unless the
// file's id does.
func (r *reader) link(file, dirName string, lk linkKind) (string, bool) {
	b, err := os.ReadFile(filepath.Join(r.dir, file))
	if errors.Is(err, fs.ErrNotExist) {
		r.fail(path.Dir(file), "%s is missing", lk.file)
		return "", false
	}
	if err != nil {
		r.fail(file, "%v", err)
		return "", false
	}
	var doc struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		r.fail(file, "not a JSON link: %v", err)
		return "", false
	}
	name := dirName
	if raw, ok := doc.Properties[lk.id]; ok {
		var id string
		if err := json.Unmarshal(raw, &id); err != nil || id == "" {
			r.fail(file, "properties.%s: want the linked resource's id, such as /%s/%s", lk.id, lk.kind, dirName)
			return "", false
		}
		name = lastSegment(id)
	}
	return name, true
}

// writeLinks writes the links of the resource folder rel as lk's
// information files, one folder per linked resource.
func (w *writer) writeLinks(rel, sub string, names []string, lk linkKind) {
	for _, n := range names {
		if lk.bare {
			w.file(filepath.Join(rel, sub, n, lk.file), []byte("{}\n"))
			continue
		}
		props, err := json.Marshal(map[string]string{lk.id: "/" + lk.kind + "/" + n})
		if err != nil && w.err == nil {
			w.err = fmt.Errorf("encode the link %s/%s: %w", rel, n, err)
		}
		w.info(filepath.Join(rel, sub, n, lk.file), props)
	}
}
