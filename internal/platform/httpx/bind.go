package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"
	"github.com/go-playground/validator/v10"

	"github.com/xuefa/xuefa/internal/platform/apperr"
)

// BindJSON decodes the body strictly into dst (unknown fields refused, one JSON value only) and
// validates its `binding` tags. Failures are 400 (unreadable) or 422 (invalid) naming the field;
// an oversized body is 413.
func BindJSON(c *gin.Context, dst any) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apperr.ErrBodyTooLarge
		}
		return apperr.ErrInvalidJSON
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return apperr.BadRequest("request.empty_body", "请求体不能为空")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return apperr.ErrInvalidJSON
	}
	if err := cleanBody(dst); err != nil {
		return err
	}
	return Validate(dst)
}

// Validate runs the `binding` tag rules on v (also used for query structs).
func Validate(v any) error {
	err := binding.Validator.ValidateStruct(v)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return apperr.Invalid("request.validation", "请求参数有误")
	}
	fields := make([]apperr.FieldError, 0, len(verrs))
	for _, fe := range verrs {
		fields = append(fields, apperr.Field(jsonPath(reflect.TypeOf(v), fe.StructNamespace()), ruleMessage(fe)))
	}
	return apperr.Invalid("request.validation", "请求参数有误", fields...)
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return apperr.BadRequest("request.invalid_type", "字段类型错误",
			apperr.Field(field, "应为 "+jsonTypeName(typeErr.Type.Kind())))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.ErrInvalidJSON
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.BadRequest("request.unknown_field", "包含不支持的字段", apperr.Field(name, "不支持的字段"))
	default:
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apperr.ErrBodyTooLarge
		}
		return apperr.BadRequest("request.invalid_json", "请求体不是有效的 JSON: "+err.Error())
	}
}

func jsonTypeName(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "字符串"
	case reflect.Bool:
		return "布尔值"
	case reflect.Slice, reflect.Array:
		return "数组"
	case reflect.Struct, reflect.Map:
		return "对象"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "整数"
	case reflect.Float32, reflect.Float64:
		return "数字"
	default:
		return k.String()
	}
}

// jsonPath turns a validator namespace ("CreateRequest.Speakers[0].Name") into the JSON path
// the client sent ("speakers[0].name") using the struct's json (or form) tags.
func jsonPath(t reflect.Type, namespace string) string {
	parts := strings.Split(namespace, ".")
	if len(parts) > 1 {
		parts = parts[1:]
	}
	out := make([]string, 0, len(parts))
	for _, part := range parts {
		name, index, _ := strings.Cut(part, "[")
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		jsonName := name
		if t.Kind() == reflect.Struct {
			if f, ok := t.FieldByName(name); ok {
				jsonName = tagName(f)
				t = f.Type
			}
		}
		if index != "" {
			jsonName += "[" + index
		}
		out = append(out, jsonName)
	}
	return strings.Join(out, ".")
}

func tagName(f reflect.StructField) string {
	for _, tag := range []string{"json", "form"} {
		if name := strings.Split(f.Tag.Get(tag), ",")[0]; name != "" && name != "-" {
			return name
		}
	}
	return f.Name
}

func ruleMessage(fe validator.FieldError) string {
	isString := fe.Kind() == reflect.String
	switch fe.Tag() {
	case "required":
		return "必填"
	case "oneof":
		return "取值必须是以下之一: " + fe.Param()
	case "min":
		if isString {
			return "长度至少为 " + fe.Param()
		}
		if fe.Kind() == reflect.Slice {
			return "至少 " + fe.Param() + " 项"
		}
		return "不能小于 " + fe.Param()
	case "max":
		if isString {
			return "长度不能超过 " + fe.Param()
		}
		if fe.Kind() == reflect.Slice {
			return "不能超过 " + fe.Param() + " 项"
		}
		return "不能大于 " + fe.Param()
	case "gt", "gte", "lt", "lte":
		return fmt.Sprintf("必须满足 %s %s", fe.Tag(), fe.Param())
	case "alphanum":
		return "只能包含字母和数字"
	case "printascii":
		return "只能包含可打印的 ASCII 字符"
	default:
		return "不符合规则: " + fe.Tag()
	}
}
