package credit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Amount is an exact number of credits in hundredths (12.5 credits = 1250). The API shows it
// as a JSON number with at most two decimals.
type Amount int64

// Credits builds an Amount from whole and hundredth parts, for readable literals.
func Credits(whole int64, hundredths int64) Amount { return Amount(whole*100 + hundredths) }

// String prints 12.5, 3, -0.25.
func (a Amount) String() string {
	sign := ""
	v := int64(a)
	if v < 0 {
		sign, v = "-", -v
	}
	whole, frac := v/100, v%100
	switch {
	case frac == 0:
		return fmt.Sprintf("%s%d", sign, whole)
	case frac%10 == 0:
		return fmt.Sprintf("%s%d.%d", sign, whole, frac/10)
	default:
		return fmt.Sprintf("%s%d.%02d", sign, whole, frac)
	}
}

// MarshalJSON writes the amount as a decimal number.
func (a Amount) MarshalJSON() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalJSON reads a JSON number with at most two decimals, exactly (no float rounding).
// A bad value is reported as a type error so the decoder names the field.
func (a *Amount) UnmarshalJSON(b []byte) error {
	v, err := ParseAmount(string(bytes.TrimSpace(b)))
	if err != nil {
		return &json.UnmarshalTypeError{Value: "number " + string(b), Type: reflect.TypeOf(float64(0))}
	}
	*a = v
	return nil
}

// ParseAmount reads "12", "12.5", "-0.25"; more than two decimals or anything else is an error.
func ParseAmount(s string) (Amount, error) {
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(digits, ".")
	if whole == "" || len(frac) > 2 || (hasFrac && frac == "") || len(whole) > 12 {
		return 0, fmt.Errorf("%q is not an amount with at most two decimals", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseUint(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not an amount with at most two decimals", s)
	}
	f, err := strconv.ParseUint(frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not an amount with at most two decimals", s)
	}
	v := Amount(w*100 + f)
	if neg {
		v = -v
	}
	return v, nil
}

// Percent is a/of as a percentage with one decimal, capped at 100; 0 when of is 0.
func Percent(a, of Amount) float64 {
	if of <= 0 {
		return 0
	}
	p := float64(a) * 1000 / float64(of)
	if p > 1000 {
		p = 1000
	}
	return float64(int64(p)) / 10
}
