package chain

import (
	"net/url"
	"sort"
	"strings"
	"unicode"
)

const mask = "***"

// Redact returns rawURL with whatever may be a credential replaced by "***":
// user info, every query value, and path segments that look like API keys
// (Infura /v3/KEY, Alchemy /v2/KEY, QuickNode /TOKEN/). It is what error
// messages and Endpoint show, because those end up in logs and bug reports.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		// Cannot tell the parts apart: show nothing rather than a secret.
		return "<unparseable URL>"
	}
	var b strings.Builder
	b.WriteString(u.Scheme)
	b.WriteString("://")
	if u.User != nil {
		b.WriteString(mask + "@")
	}
	b.WriteString(u.Host)
	if u.Path != "" {
		segs := strings.Split(u.Path, "/")
		for i, s := range segs {
			if looksSecret(s) {
				segs[i] = mask
			}
		}
		b.WriteString(strings.Join(segs, "/"))
	}
	if u.RawQuery != "" {
		q := u.Query()
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			if i == 0 {
				b.WriteByte('?')
			} else {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k) + "=" + mask)
		}
	}
	return b.String()
}

// looksSecret reports whether a path segment is probably a key or token:
// long, hexadecimal, or mixing letters and digits. Words like "rpc", "v3",
// "mainnet" or "eth-sepolia" stay readable.
func looksSecret(seg string) bool {
	if len(seg) >= 16 {
		return true
	}
	if len(seg) < 8 {
		return false
	}
	letter, digit, hex := false, false, true
	for _, r := range seg {
		switch {
		case unicode.IsLetter(r):
			letter = true
		case unicode.IsDigit(r):
			digit = true
		}
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			hex = false
		}
	}
	return hex || (letter && digit)
}

// secretsOf lists the substrings of rawURL that must not appear in any
// message, longest first so that a secret containing another is replaced
// whole.
func secretsOf(rawURL string) []string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return []string{rawURL}
	}
	var out []string
	add := func(s string) {
		if len(s) >= 3 { // shorter strings would mangle unrelated text
			out = append(out, s, url.PathEscape(s), url.QueryEscape(s))
		}
	}
	if u.User != nil {
		add(u.User.Username())
		if p, ok := u.User.Password(); ok {
			add(p)
		}
	}
	for _, s := range strings.Split(u.Path, "/") {
		if looksSecret(s) {
			add(s)
		}
	}
	for _, vs := range u.Query() {
		for _, v := range vs {
			add(v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// scrubString replaces the raw URL and then each secret of it in s.
func scrubString(s, rawURL, shown string, secrets []string) string {
	s = strings.ReplaceAll(s, rawURL, shown)
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, mask)
	}
	return s
}
