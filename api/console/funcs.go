package console

import (
	"html/template"
	"net/url"
	"strconv"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/money"
)

var funcs = template.FuncMap{
	// utc shows a time in UTC, to the second; a zero time is a dash.
	"utc": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
	},
	// amount shows minor units in the currency's decimals with its code.
	"amount": func(minor int64, currency string) string {
		return money.Format(minor, currency) + " " + currency
	},
	"docname": baas.DocumentName,
	// q builds a query string from pairs, leaving out empty values.
	"q": func(kv ...any) template.URL {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			var s string
			switch x := kv[i+1].(type) {
			case string:
				s = x
			case int64:
				if x != 0 {
					s = strconv.FormatInt(x, 10)
				}
			case int:
				if x != 0 {
					s = strconv.Itoa(x)
				}
			}
			if s != "" {
				v.Set(k, s)
			}
		}
		if len(v) == 0 {
			return ""
		}
		return template.URL("?" + v.Encode())
	},
	"lower": func(s any) string {
		switch x := s.(type) {
		case string:
			return x
		case baas.CardStatus:
			return string(x)
		}
		return ""
	},
	"neg": func(n int64) bool { return n < 0 },
}
