// Package luhn is the Luhn checksum card numbers carry: what tells a card
// number from any long number, in an answer or a value the scan makes.
package luhn

// Valid reports whether s, decimal digits only, passes the Luhn check. An
// empty string or any other character is not valid.
func Valid(s string) bool {
	if s == "" {
		return false
	}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[len(s)-1-i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
