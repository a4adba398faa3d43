package console

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"
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
	"amount":  amount,
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
	// lower is a status in lower case, for CSS classes and URLs.
	"lower": func(s any) string {
		switch x := s.(type) {
		case string:
			return strings.ToLower(x)
		case baas.CardStatus:
			return string(x)
		}
		return ""
	},
	"neg": func(n int64) bool { return n < 0 },
}

// amount shows minor units in the currency's decimals, thousands grouped, with the code:
// 52500000 EUR is "525,000.00 EUR".
func amount(minor int64, currency string) string {
	s := money.Format(minor, currency)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return sign + b.String() + " " + currency
}
