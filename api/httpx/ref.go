package httpx

import "strings"

// NormalizeRef undoes what clients commonly do to an external reference (such as the
// Codego user_id, standard base64) on its way back: the JSON escape "\/" copied from a
// PHP-style answer, and "+" turned into a space by form decoding. Neither character can
// be part of a reference otherwise. The dialect that allocates references and the admin
// API that looks customers up by them share it.
func NormalizeRef(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, `\/`, "/")
	return strings.ReplaceAll(s, " ", "+")
}
