package openapi

// pageTemplates render the reference: plain HTML and the one style sheet, no script.
const pageTemplates = `
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.}} · baas API reference</title><link rel="stylesheet" href="/docs/assets/reference.css"></head><body>{{end}}

{{define "index"}}{{template "head" "Index"}}
<header><h1>baas API reference</h1></header>
<main>
<p>The OpenAPI 3.1 documents of this server, kept in the repository (<code>openapi/</code>) and checked against every
request and response of its end-to-end tests.</p>
<table><tr><th>API</th><th>operations</th><th>document</th></tr>
{{range .Docs}}<tr><td><a href="/docs/{{.Name}}">{{.Title}}</a><div class="desc">{{.Summary}}</div></td><td>{{.Operations}}</td>
<td><a href="/openapi/{{.Name}}.json"><code>/openapi/{{.Name}}.json</code></a></td></tr>
{{end}}</table>
</main></body></html>{{end}}

{{define "schema"}}{{if .}}<span class="type">{{.Type}}</span>{{range .Constraints}} <span class="muted">· {{.}}</span>{{end}}
{{if .Description}}<div class="desc">{{text .Description}}</div>{{end}}
{{if .Props}}<ul class="schema">{{range .Props}}<li><code>{{.Name}}</code>{{if .Required}} <span class="req">required</span>{{end}} {{template "schema" .Schema}}</li>{{end}}</ul>{{end}}
{{if .Items}}<ul class="schema"><li>items: {{template "schema" .Items}}</li></ul>{{end}}
{{if .Variants}}<ul class="schema">{{range .Variants}}<li>{{$.VariantWord}}: {{template "schema" .}}</li>{{end}}</ul>{{end}}
{{end}}{{end}}

{{define "doc"}}{{template "head" .Title}}
<header><nav><a href="/docs">All APIs</a><a href="/openapi/{{.Name}}.json">{{.Name}}.json</a></nav>
<h1>{{.Title}}</h1><p class="desc">{{.Summary}} <span class="muted">version {{.Version}}</span></p></header>
<main>
<p>{{text .Description}}</p>
<h2>Credentials</h2>
<table><tr><th>scheme</th><th>how</th><th></th></tr>
{{range .Security}}<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td><td class="desc">{{text .Description}}</td></tr>{{end}}</table>
{{range .Tags}}<h2 id="tag-{{.Name}}">{{.Name}}</h2>
{{range .Ops}}<details class="op" id="{{.ID}}"><summary><span class="method m-{{.Method}}">{{.Method}}</span>
<span class="path">{{.Path}}</span><span class="summary">{{.Summary}}</span></summary>
<div class="op-body">
{{if .Description}}<p>{{text .Description}}</p>{{end}}
{{if .Security}}<p class="muted">Credentials: {{range $i, $s := .Security}}{{if $i}} or {{end}}<code>{{$s}}</code>{{end}}</p>{{end}}
{{if .Params}}<h3>Parameters</h3><table><tr><th>name</th><th>in</th><th>type</th><th></th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code>{{if .Required}} <span class="req">required</span>{{end}}</td><td>{{.In}}</td><td class="type">{{.Type}}</td><td class="desc">{{text .Description}}</td></tr>{{end}}</table>{{end}}
{{if .Body}}<h3>Request body{{if .BodyRequired}} <span class="req">required</span>{{end}}</h3>{{template "schema" .Body}}
{{range .BodyExamples}}<p class="muted">{{.Name}}</p><pre>{{.JSON}}</pre>{{end}}{{end}}
<h3>Responses</h3>
{{range .Responses}}<p><span class="status">{{.Status}}</span> {{text .Description}} {{range .Types}}<code class="muted">{{.}}</code> {{end}}</p>
{{template "schema" .Schema}}
{{range .Examples}}<p class="muted">{{.Name}}</p><pre>{{.JSON}}</pre>{{end}}{{end}}
</div></details>{{end}}{{end}}
</main></body></html>{{end}}
`
