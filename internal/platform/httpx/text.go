package httpx

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/xuefa/xuefa/internal/platform/apperr"
)

// Every string a client sends in a JSON body is tidied the same way before the binding rules
// run: surrounding whitespace is trimmed (so "   " is empty, and a required field refuses it),
// and text holding characters no person types is refused with the field named: C0 controls
// other than tab and line breaks, DEL, C1 controls, and the bidirectional overrides and
// isolates that make a name display other than it reads (U+202A–U+202E, U+2066–U+2069).
// Chinese punctuation, emoji and their joiners pass. Secrets are left exactly as sent.

// cleanBody tidies the strings of a decoded body in place and reports the fields at fault.
func cleanBody(dst any) error {
	var bad []apperr.FieldError
	cleanValue(reflect.ValueOf(dst), "", &bad)
	if len(bad) > 0 {
		return apperr.Invalid("request.validation", "请求参数有误", bad...)
	}
	return nil
}

func cleanValue(v reflect.Value, path string, bad *[]apperr.FieldError) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			cleanValue(v.Elem(), path, bad)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := tagName(f)
			if isSecret(name) {
				continue
			}
			cleanValue(v.Field(i), joinPath(path, name), bad)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			cleanValue(v.Index(i), path+"["+strconv.Itoa(i)+"]", bad)
		}
	case reflect.Map:
		if v.Type().Elem().Kind() != reflect.String {
			return
		}
		for _, k := range v.MapKeys() {
			s, ok := cleanString(v.MapIndex(k).String())
			if !ok {
				*bad = append(*bad, apperr.Field(joinPath(path, k.String()), textMessage))
				continue
			}
			v.SetMapIndex(k, reflect.ValueOf(s).Convert(v.Type().Elem()))
		}
	case reflect.String:
		s, ok := cleanString(v.String())
		if !ok {
			*bad = append(*bad, apperr.Field(path, textMessage))
			return
		}
		if v.CanSet() {
			v.SetString(s)
		}
	}
}

const textMessage = "含有不可见的控制字符或文字方向控制符"

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// isSecret names fields whose value must arrive byte for byte (a password may end in a space).
func isSecret(name string) bool {
	for _, s := range []string{"password", "secret", "token"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

// cleanString trims s and reports whether it is free of refused characters.
func cleanString(s string) (string, bool) {
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20, r == 0x7F, r >= 0x80 && r <= 0x9F:
			return s, false
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return s, false
		}
	}
	return strings.TrimSpace(s), true
}
