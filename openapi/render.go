package openapi

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"
)

//go:embed assets/reference.css
var assets embed.FS

// Handler serves the documents and the rendered reference:
//
//	GET /openapi/{name}   the document named name (girasol.json, codego.json, admin.json)
//	GET /docs             the index of the documents the binary holds
//	GET /docs/{name}      one document rendered as HTML (girasol, codego, admin)
//	GET /docs/assets/reference.css
//
// An absent document is a plain JSON 404. The pages carry no script and load nothing
// from elsewhere (Content-Security-Policy default-src 'self').
func Handler() http.Handler {
	mux := http.NewServeMux()
	for _, p := range Patterns {
		mux.HandleFunc(p, serve)
	}
	return mux
}

// Patterns are the routes Handler serves, for the server to register.
var Patterns = []string{"GET /openapi/{file}", "GET /docs", "GET /docs/{page}", "GET /docs/assets/reference.css"}

func serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	switch {
	case r.Pattern == "GET /openapi/{file}":
		name, ok := strings.CutSuffix(r.PathValue("file"), ".json")
		b, found := Document(name)
		if !ok || !found {
			notFound(w, r)
			return
		}
		h.Set("Content-Type", "application/json")
		h.Set("Access-Control-Allow-Origin", "*")
		w.Write(b)
	case r.Pattern == "GET /docs/assets/reference.css":
		b, _ := assets.ReadFile("assets/reference.css")
		h.Set("Content-Type", "text/css; charset=utf-8")
		h.Set("Cache-Control", "public, max-age=3600")
		w.Write(b)
	case r.Pattern == "GET /docs":
		page(w, http.StatusOK, "index", indexPage{Docs: summaries()})
	default:
		name := r.PathValue("page")
		v, err := view(name)
		if err != nil {
			notFound(w, r)
			return
		}
		page(w, http.StatusOK, "doc", v)
	}
}

func notFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	b, _ := json.Marshal(map[string]any{"error": map[string]string{"code": "not_found",
		"message": "no API reference at " + r.URL.Path + " (there are: " + strings.Join(Available(), ", ") + ")"}})
	w.Write(b)
}

func page(w http.ResponseWriter, status int, name string, data any) {
	var buf strings.Builder
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "could not render the reference", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprint(w, buf.String())
}

type indexPage struct{ Docs []docSummary }

type docSummary struct {
	Name, Title, Summary string
	Operations           int
}

func summaries() []docSummary {
	var out []docSummary
	for _, n := range Available() {
		v, err := view(n)
		if err != nil {
			continue
		}
		count := 0
		for _, t := range v.Tags {
			count += len(t.Ops)
		}
		out = append(out, docSummary{Name: n, Title: v.Title, Summary: v.Summary, Operations: count})
	}
	return out
}

// docView is one document as the page shows it.
type docView struct {
	Name, Title, Summary, Description, Version string
	Security                                   []field
	Tags                                       []tagView
	Docs                                       []docSummary
}

type tagView struct {
	Name string
	Ops  []opView
}

type opView struct {
	ID, Method, Path, Summary, Description string
	Params                                 []field
	Security                               []string
	Body                                   *schemaView
	BodyRequired                           bool
	BodyExamples                           []example
	Responses                              []responseView
}

type field struct {
	Name, In, Type, Description string
	Required                    bool
}

type example struct{ Name, JSON string }

type responseView struct {
	Status, Description string
	Types               []string
	Schema              *schemaView
	Examples            []example
}

// schemaView is a schema flattened for the page: its type line and its properties.
type schemaView struct {
	Type, Description string
	Constraints       []string
	Props             []propView
	Items             *schemaView
	Variants          []*schemaView
	VariantWord       string
}

type propView struct {
	Name     string
	Required bool
	Schema   *schemaView
}

type node = map[string]any

func view(name string) (*docView, error) {
	raw, ok := Document(name)
	if !ok {
		return nil, fmt.Errorf("no document %q", name)
	}
	var d node
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	r := &resolver{root: d}
	info, _ := d["info"].(node)
	v := &docView{Name: name, Title: str(info["title"]), Summary: str(info["summary"]), Description: str(info["description"]),
		Version: str(info["version"])}
	comps, _ := d["components"].(node)
	schemes, _ := comps["securitySchemes"].(node)
	for _, k := range sortedKeys(schemes) {
		s, _ := schemes[k].(node)
		where := str(s["scheme"])
		if str(s["type"]) == "apiKey" {
			where = str(s["in"]) + " " + str(s["name"])
		}
		v.Security = append(v.Security, field{Name: k, Type: str(s["type"]) + ": " + where, Description: str(s["description"])})
	}
	var tagOrder []string
	tags := map[string]*tagView{}
	if ts, ok := d["tags"].([]any); ok {
		for _, t := range ts {
			n := str(t.(node)["name"])
			tagOrder = append(tagOrder, n)
			tags[n] = &tagView{Name: n}
		}
	}
	paths, _ := d["paths"].(node)
	for _, p := range sortedKeys(paths) {
		item, _ := paths[p].(node)
		for _, m := range []string{"get", "post", "put", "patch", "delete"} {
			op, ok := item[m].(node)
			if !ok {
				continue
			}
			ov := r.op(m, p, op, d)
			tag := "Other"
			if ts, ok := op["tags"].([]any); ok && len(ts) > 0 {
				tag = str(ts[0])
			}
			if tags[tag] == nil {
				tags[tag] = &tagView{Name: tag}
				tagOrder = append(tagOrder, tag)
			}
			tags[tag].Ops = append(tags[tag].Ops, ov)
		}
	}
	for _, t := range tagOrder {
		if len(tags[t].Ops) > 0 {
			v.Tags = append(v.Tags, *tags[t])
		}
	}
	return v, nil
}

type resolver struct{ root node }

// deref follows a local $ref ("#/components/...").
func (r *resolver) deref(n node) node {
	for i := 0; i < 16 && n != nil; i++ {
		ref, ok := n["$ref"].(string)
		if !ok {
			return n
		}
		var cur any = r.root
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, _ := cur.(node)
			cur = m[part]
		}
		next, _ := cur.(node)
		n = next
	}
	return n
}

func (r *resolver) op(method, path string, op node, doc node) opView {
	ov := opView{ID: str(op["operationId"]), Method: method, Path: path, Summary: str(op["summary"]), Description: str(op["description"])}
	params, _ := op["parameters"].([]any)
	for _, p := range params {
		pn := r.deref(asNode(p))
		sv := r.schema(asNode(pn["schema"]), 0)
		desc := str(pn["description"])
		if desc == "" && sv != nil {
			desc = sv.Description
		}
		typ := ""
		if sv != nil {
			typ = sv.Type
		}
		ov.Params = append(ov.Params, field{Name: str(pn["name"]), In: str(pn["in"]), Type: typ, Description: desc, Required: pn["required"] == true})
	}
	sec, ok := op["security"].([]any)
	if !ok {
		sec, _ = doc["security"].([]any)
	}
	for _, s := range sec {
		ov.Security = append(ov.Security, strings.Join(sortedKeys(asNode(s)), " + "))
	}
	if rb := r.deref(asNode(op["requestBody"])); rb != nil {
		ov.BodyRequired = rb["required"] == true
		for _, mt := range sortedKeys(asNode(rb["content"])) {
			m := asNode(asNode(rb["content"])[mt])
			ov.Body = r.schema(asNode(m["schema"]), 0)
			ov.BodyExamples = examples(m)
		}
	}
	resps := asNode(op["responses"])
	for _, st := range sortedKeys(resps) {
		rn := r.deref(asNode(resps[st]))
		rv := responseView{Status: st, Description: str(rn["description"])}
		content := asNode(rn["content"])
		for _, mt := range sortedKeys(content) {
			rv.Types = append(rv.Types, mt)
			m := asNode(content[mt])
			if rv.Schema == nil {
				rv.Schema = r.schema(asNode(m["schema"]), 0)
			}
			rv.Examples = append(rv.Examples, examples(m)...)
		}
		ov.Responses = append(ov.Responses, rv)
	}
	return ov
}

func examples(m node) []example {
	var out []example
	if ex, ok := m["example"]; ok {
		out = append(out, example{Name: "example", JSON: pretty(ex)})
	}
	exs := asNode(m["examples"])
	for _, k := range sortedKeys(exs) {
		e := asNode(exs[k])
		name := k
		if s := str(e["summary"]); s != "" {
			name = s
		}
		out = append(out, example{Name: name, JSON: pretty(e["value"])})
	}
	return out
}

func pretty(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// schema flattens a schema to depth 8: allOf is merged, oneOf/anyOf listed as variants.
func (r *resolver) schema(n node, depth int) *schemaView {
	n = r.deref(n)
	if n == nil || depth > 8 {
		return nil
	}
	sv := &schemaView{Description: str(n["description"])}
	switch t := n["type"].(type) {
	case string:
		sv.Type = t
	case []any:
		var parts []string
		for _, x := range t {
			parts = append(parts, str(x))
		}
		sv.Type = strings.Join(parts, " | ")
	}
	if c, ok := n["const"]; ok {
		sv.Type = "const " + pretty(c)
	}
	if e, ok := n["enum"].([]any); ok {
		var parts []string
		for _, x := range e {
			parts = append(parts, pretty(x))
		}
		sv.Constraints = append(sv.Constraints, "one of "+strings.Join(parts, ", "))
	}
	for _, k := range []string{"minimum", "maximum", "minLength", "maxLength", "pattern", "format"} {
		if x, ok := n[k]; ok {
			sv.Constraints = append(sv.Constraints, k+" "+strings.Trim(pretty(x), `"`))
		}
	}
	if n["additionalProperties"] == false {
		sv.Constraints = append(sv.Constraints, "no other properties")
	}
	req := map[string]bool{}
	addProps := func(n node) {
		for _, x := range asSlice(n["required"]) {
			req[str(x)] = true
		}
		props := asNode(n["properties"])
		for _, k := range orderedKeys(props) {
			sv.Props = append(sv.Props, propView{Name: k, Schema: r.schema(asNode(props[k]), depth+1)})
		}
	}
	addProps(n)
	for _, a := range asSlice(n["allOf"]) {
		an := r.deref(asNode(a))
		if sv.Type == "" {
			sv.Type = str(an["type"])
		}
		// A later allOf member's property replaces an earlier one of the same name.
		for _, k := range orderedKeys(asNode(an["properties"])) {
			for i := range sv.Props {
				if sv.Props[i].Name == k {
					sv.Props = append(sv.Props[:i], sv.Props[i+1:]...)
					break
				}
			}
		}
		addProps(an)
	}
	for i := range sv.Props {
		sv.Props[i].Required = req[sv.Props[i].Name]
	}
	if it := asNode(n["items"]); it != nil {
		sv.Items = r.schema(it, depth+1)
	}
	for _, word := range []string{"oneOf", "anyOf"} {
		for _, v := range asSlice(n[word]) {
			vn := r.deref(asNode(v))
			if rq := asSlice(vn["required"]); len(vn) == 1 && len(rq) > 0 {
				var names []string
				for _, x := range rq {
					names = append(names, str(x))
				}
				sv.Constraints = append(sv.Constraints, word+" requires "+strings.Join(names, ", "))
				continue
			}
			sv.Variants = append(sv.Variants, r.schema(vn, depth+1))
			sv.VariantWord = word
		}
	}
	return sv
}

func asNode(v any) node   { n, _ := v.(node); return n }
func asSlice(v any) []any { s, _ := v.([]any); return s }
func str(v any) string    { s, _ := v.(string); return s }
func sortedKeys(n node) []string {
	var out []string
	for k := range n {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// orderedKeys are a properties object's keys; encoding/json loses the document's order,
// so they are sorted, which a reader can scan as well.
func orderedKeys(n node) []string { return sortedKeys(n) }

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"text": text,
}).Parse(pageTemplates))

// text renders a description: HTML-escaped, with Markdown's `code` spans as <code>.
func text(s string) template.HTML {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // an unpaired backquote: plain text
		return template.HTML(template.HTMLEscapeString(s))
	}
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 {
			b.WriteString("<code>" + template.HTMLEscapeString(p) + "</code>")
		} else {
			b.WriteString(template.HTMLEscapeString(p))
		}
	}
	return template.HTML(b.String())
}
