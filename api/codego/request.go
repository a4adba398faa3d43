package codego

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/baas-oss/baas"
	fieldrule "github.com/baas-oss/baas/api/field"
	"github.com/baas-oss/baas/api/httpx"
	"github.com/baas-oss/baas/core"
)

// Body limits: JSON and url-encoded bodies, and multipart uploads (two images under
// 2 MB each plus the form fields).
const (
	maxBody       = httpx.MaxJSONBody
	maxUploadBody = 2*core.MaxKYCImageSize + 1<<20
	maxFieldSize  = 64 << 10
	maxParts      = 32
)

// request is a Codego request decoded field by field. Fields come from a JSON object body,
// a url-encoded or multipart form, or the query string (the body wins); files from the
// parts of a multipart form. Decoding collects one message per offending field, in the
// manner of the vendor's "(first_name) cannot be blank or invalid".
type request struct {
	fields map[string]field
	files  map[string][]byte
	used   map[string]bool
	errs   []string
	header http.Header
	user   string // HTTP Basic user and password
	pass   string
}

// field is one request value: raw JSON, or the text of a form or query value.
type field struct {
	raw  json.RawMessage
	text string
	form bool
}

// fileFields are the multipart parts read as files even without a file name.
var fileFields = map[string]bool{"front_proof": true, "back_proof": true, "address_proof": true}

// errTooLarge marks a body over its limit.
var errTooLarge = errors.New("request body too large")

// parseRequest reads and decodes r's body and query. It returns an EInvalid error for a
// body that cannot be read as JSON or a form.
func parseRequest(w http.ResponseWriter, r *http.Request, limit int64) (*request, error) {
	req := &request{fields: map[string]field{}, files: map[string][]byte{}, used: map[string]bool{}, header: r.Header}
	req.user, req.pass, _ = r.BasicAuth()
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	switch mt {
	case "multipart/form-data":
		err = req.parseMultipart(http.MaxBytesReader(w, r.Body, limit), params["boundary"])
	case "application/x-www-form-urlencoded":
		err = req.parseURLEncoded(r, limit)
	default: // application/json, application/javascript (the spec's examples), text/plain, none
		err = req.parseJSON(r, limit)
	}
	if errors.Is(err, errTooLarge) {
		return nil, baas.Invalid(fmt.Sprintf("request body too large (at most %d MB)", (limit+1<<20-1)>>20))
	}
	if err != nil {
		return nil, err
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, baas.Invalid("query string is malformed")
	}
	if name, _ := fieldrule.UnstorableParam(r); name != "" {
		return nil, baas.Invalid(name + " must be valid UTF-8 without NUL characters")
	}
	for k, vs := range q {
		if _, ok := req.fields[k]; !ok && len(vs) > 0 {
			req.fields[k] = field{text: vs[0], form: true}
		}
	}
	return req, nil
}

func (req *request) parseJSON(r *http.Request, limit int64) error {
	raw, err := httpx.ReadBody(r, limit)
	if errors.Is(err, httpx.ErrTooLarge) {
		return errTooLarge
	}
	if err != nil {
		return baas.Invalid("could not read request body")
	}
	return req.parseJSONBytes(raw)
}

func (req *request) parseJSONBytes(raw []byte) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	if !utf8.Valid(raw) {
		return baas.Invalid("body must be valid UTF-8 JSON")
	}
	if raw[0] != '{' {
		return baas.Invalid("body must be a JSON object")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return baas.Invalid("body is not valid JSON")
	}
	for k, v := range m {
		req.fields[k] = field{raw: v}
	}
	return nil
}

func (req *request) parseURLEncoded(r *http.Request, limit int64) error {
	raw, err := httpx.ReadBody(r, limit)
	if errors.Is(err, httpx.ErrTooLarge) {
		return errTooLarge
	}
	if err != nil {
		return baas.Invalid("could not read request body")
	}
	// `curl -d '{…}'` labels a JSON body as a form: a body that is a JSON object is read
	// as JSON whatever its label (no form body starts with '{').
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '{' {
		return req.parseJSONBytes(t)
	}
	vals, err := url.ParseQuery(string(raw))
	if err != nil {
		return baas.Invalid("form body is malformed")
	}
	for k, vs := range vals {
		if len(vs) > 0 {
			req.fields[k] = field{text: vs[0], form: true}
		}
	}
	return nil
}

// parseMultipart reads form fields and files. A file is read up to core.MaxKYCImageSize
// bytes: a larger one arrives truncated at that size, which the core refuses as too large.
func (req *request) parseMultipart(body io.Reader, boundary string) error {
	if boundary == "" {
		return baas.Invalid("multipart body has no boundary")
	}
	mr := multipart.NewReader(body, boundary)
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return errTooLarge
			}
			return baas.Invalid("multipart body is malformed")
		}
		if n >= maxParts {
			return baas.Invalid(fmt.Sprintf("multipart body has more than %d parts", maxParts))
		}
		name := part.FormName()
		if name == "" {
			continue
		}
		isFile := part.FileName() != "" || fileFields[name]
		max := int64(maxFieldSize)
		if isFile {
			max = core.MaxKYCImageSize
		}
		data, err := io.ReadAll(io.LimitReader(part, max))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return errTooLarge
			}
			return baas.Invalid("multipart body is malformed")
		}
		if isFile {
			if _, dup := req.files[name]; !dup {
				req.files[name] = data
			}
			continue
		}
		if len(data) == maxFieldSize {
			return baas.Invalid(name + " is too long")
		}
		if _, dup := req.fields[name]; !dup {
			req.fields[name] = field{text: string(data), form: true}
		}
	}
}

func (req *request) fail(format string, args ...any) {
	req.errs = append(req.errs, fmt.Sprintf(format, args...))
}

// lookup returns the one of names present (the documented name first, then accepted
// spellings) and marks them all as known; two of them present is a problem.
func (req *request) lookup(names ...string) (field, bool) {
	for _, n := range names {
		req.used[n] = true
	}
	found, conflict := fieldrule.Spelling(func(n string) bool {
		f, ok := req.fields[n]
		return ok && (f.form || string(f.raw) != "null")
	}, names...)
	if conflict != "" {
		req.fail("%s", conflict)
	}
	if found == "" {
		return field{}, false
	}
	return req.fields[found], true
}

// credential reads a credential from a header or, failing that, a field.
func (req *request) credential(names ...string) string {
	n, conflict := fieldrule.Spelling(func(n string) bool { return strings.TrimSpace(req.header.Get(n)) != "" }, names...)
	if conflict != "" {
		req.fail("%s", conflict+" (headers)")
	}
	if n != "" {
		req.lookup(names...)
		return req.storable(n, strings.TrimSpace(req.header.Get(n)))
	}
	return req.plain(names...)
}

// plain reads an optional string field without validation beyond its type and
// fieldrule.Storable.
func (req *request) plain(names ...string) string {
	f, ok := req.lookup(names...)
	if !ok {
		return ""
	}
	s := f.text
	if !f.form {
		if s, ok = fieldrule.JSONString(f.raw); !ok {
			return "" // a credential of the wrong type is a missing credential
		}
	}
	return req.storable(names[0], strings.TrimSpace(s))
}

// storable returns s, or "" with a validation message when no store could hold it.
func (req *request) storable(name, s string) string {
	if !fieldrule.Storable(s) {
		req.fail("%s must be valid UTF-8 without NUL characters", name)
		return ""
	}
	return s
}

// textErr is the validation error of the credentials read so far that no store could
// hold, or nil: it is answered before a credential is looked up.
func (req *request) textErr() error {
	if len(req.errs) == 0 {
		return nil
	}
	return baas.Invalid(req.errs...)
}

// apiKeys returns apikey and whitelabel_id: from a field (JSON body, form, query) or HTTP
// Basic, read as user = apikey and password = whitelabel_id. The curl examples' literal
// "-u 'apikey=…'" and "-u 'whitelabel_id=…'" are understood too.
func (req *request) apiKeys() (apiKey, whitelabel string) {
	apiKey = req.plain("apikey", "api_key")
	whitelabel = req.plain("whitelabel_id", "whitelabel_key", "whitelabelid")
	for i, v := range []string{req.user, req.pass} {
		switch {
		case strings.HasPrefix(v, "apikey="):
			if apiKey == "" {
				apiKey = strings.TrimPrefix(v, "apikey=")
			}
		case strings.HasPrefix(v, "whitelabel_id="):
			if whitelabel == "" {
				whitelabel = strings.TrimPrefix(v, "whitelabel_id=")
			}
		case i == 0 && apiKey == "":
			apiKey = v
		case i == 1 && whitelabel == "":
			whitelabel = v
		}
	}
	return req.storable("apikey", apiKey), req.storable("whitelabel_id", whitelabel)
}

type strOpt struct {
	optional bool // may be absent or blank
	max      int  // characters; 255 when 0
}

// str reads a string field. A JSON integer is accepted as its digits, since the examples
// send numbers for fields the table calls strings (zipcode, mobile).
func (req *request) str(o strOpt, names ...string) string {
	f, ok := req.lookup(names...)
	name := names[0]
	if !ok {
		if !o.optional {
			req.fail("%s cannot be blank", name)
		}
		return ""
	}
	s := f.text
	if !f.form {
		var ok bool
		if s, ok = fieldrule.JSONString(f.raw); !ok {
			if !fieldrule.IsIntegerLiteral(f.raw) {
				req.fail("%s must be a string", name)
				return ""
			}
			s = string(f.raw)
		}
	}
	s, problem := fieldrule.Text(s, o.max)
	if problem != fieldrule.None && (problem != fieldrule.Blank || !o.optional) {
		req.fail("%s", wording.Message(problem, name, o.max))
	}
	return s
}

// wording is the vendor's manner for the problems of a text field.
var wording = fieldrule.Wording{
	fieldrule.Blank:      "%[1]s cannot be blank",
	fieldrule.Unstorable: "%[1]s must be valid UTF-8",
	fieldrule.TooLong:    "%[1]s must be at most %[2]d characters",
	fieldrule.Control:    "%[1]s must not contain control characters",
}

// integer reads an integer field: a JSON number (500.0 counts as 500) or a string of
// digits, as the examples mix them.
func (req *request) integer(optional bool, names ...string) (int64, bool) {
	f, ok := req.lookup(names...)
	name := names[0]
	if !ok {
		if !optional {
			req.fail("%s cannot be blank", name)
		}
		return 0, false
	}
	var s string
	switch {
	case f.form:
		s = f.text
	case len(f.raw) > 0 && f.raw[0] == '"':
		if json.Unmarshal(f.raw, &s) != nil {
			req.fail("%s must be an integer", name)
			return 0, false
		}
	default:
		s = string(f.raw)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		if !optional {
			req.fail("%s cannot be blank", name)
		}
		return 0, false
	}
	// A JSON number may be written 500.0 or 5e2, within float64's exact integers.
	floatLimit := 0.0
	if !f.form && f.raw[0] != '"' {
		floatLimit = 1 << 53
	}
	n, problem := fieldrule.Integer(s, floatLimit)
	if problem != fieldrule.None {
		req.fail("%s must be an integer", name)
		return 0, false
	}
	return n, true
}

// countryID reads a country id (existence is the core's rule).
func (req *request) countryID(optional bool, names ...string) int {
	n, ok := req.integer(optional, names...)
	if !ok {
		return 0
	}
	if n < 1 || n > math.MaxInt32 {
		req.fail("%s must be an id of the countries list", names[0])
		return 0
	}
	return int(n)
}

// choice reads a string field that must be one of values (ignoring case) and returns the
// index of the value, or -1.
func (req *request) choice(optional bool, values []string, names ...string) int {
	s := req.str(strOpt{optional: optional, max: 64}, names...)
	if s == "" {
		return -1
	}
	for i, v := range values {
		if strings.EqualFold(s, v) {
			return i
		}
	}
	req.fail("%s must be %s", names[0], strings.Join(values, " or "))
	return -1
}

// flag reads a 0/1 field (a number or a string).
func (req *request) flag(names ...string) bool {
	n, ok := req.integer(false, names...)
	if ok && n != 0 && n != 1 {
		req.fail("%s must be 0 or 1", names[0])
	}
	return n == 1
}

// file returns an uploaded file, or nil.
func (req *request) file(name string) []byte {
	req.used[name] = true
	if f, ok := req.files[name]; ok {
		return f
	}
	if _, ok := req.fields[name]; ok {
		req.fail("%s must be sent as a file of a multipart/form-data body", name)
	}
	return nil
}

// credentialFields may appear in any request: they are read by the authentication step.
var credentialFields = []string{"apikey", "api_key", "whitelabel_id", "whitelabel_key", "whitelabelid", "authtoken",
	"auth_token", "clientkey", "client_key", "secretkey", "secret_key"}

// finish reports unknown fields and files and returns every message collected as a
// validation error, or nil.
func (req *request) finish() error {
	for _, n := range credentialFields {
		req.used[n] = true
	}
	var unknown []string
	for k := range req.fields {
		if !req.used[k] {
			unknown = append(unknown, k)
		}
	}
	for k := range req.files {
		if !req.used[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		if utf8.RuneCountInString(k) > 64 {
			k = string([]rune(k)[:64]) + "…"
		}
		req.fail("unknown field %q", k)
	}
	if len(req.errs) == 0 {
		return nil
	}
	return baas.Invalid(req.errs...)
}
