package learner

import (
	"strings"
	"time"
)

// ValidIDCard checks a resident identity card number per GB 11643-1999: 18 characters, a real
// birth date at positions 7–14, and the ISO 7064 MOD 11-2 check character.
func ValidIDCard(id string) bool {
	if len(id) != 18 {
		return false
	}
	check, ok := checkChar(id[:17])
	if !ok || check != strings.ToUpper(id[17:])[0] {
		return false
	}
	birth, err := time.Parse("20060102", id[6:14])
	return err == nil && birth.Year() >= 1900 && birth.Before(time.Now())
}

// NormaliseIDCard upper-cases the check character.
func NormaliseIDCard(id string) string { return strings.ToUpper(strings.TrimSpace(id)) }

// MaskIDCard shows an ID number as 3418**********1234.
func MaskIDCard(id string) string {
	if len(id) < 8 {
		return "****"
	}
	return id[:4] + strings.Repeat("*", len(id)-8) + id[len(id)-4:]
}

// checkChar computes the ISO 7064 MOD 11-2 check character of the first 17 digits.
func checkChar(first17 string) (byte, bool) {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		sum += int(c-'0') * weights[i]
	}
	return "10X98765432"[sum%11], true
}

// CompleteIDCard appends the check character to 17 digits (demo data and tests).
func CompleteIDCard(first17 string) string {
	c, _ := checkChar(first17)
	return first17 + string(c)
}
