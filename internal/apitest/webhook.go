package apitest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// webhookContract is the x-webhooks of the published document, with each delivery's body
// schema resolved: the contract of what a webhook receiver is sent.
type webhookContract struct {
	hooks map[string]*openapi3.PathItem
}

var webhooks struct {
	once     sync.Once
	contract *webhookContract
	err      error
}

func loadWebhookContract() (*webhookContract, error) {
	doc, err := contractDoc()
	if err != nil {
		return nil, err
	}
	// An extension is loaded as plain JSON values: read it again as path items, then resolve the
	// body schemas' references into components.
	raw, err := json.Marshal(doc.Extensions["x-webhooks"])
	if err != nil {
		return nil, err
	}
	c := &webhookContract{}
	if err := json.Unmarshal(raw, &c.hooks); err != nil || len(c.hooks) == 0 {
		return nil, fmt.Errorf("api/openapi.json has no readable x-webhooks: %v", err)
	}
	for t, item := range c.hooks {
		if item == nil || item.Post == nil || item.Post.RequestBody == nil || item.Post.RequestBody.Value == nil {
			return nil, fmt.Errorf("x-webhooks %s has no post operation with a body", t)
		}
		for _, mt := range item.Post.RequestBody.Value.Content {
			name, _ := strings.CutPrefix(mt.Schema.Ref, "#/components/schemas/")
			s := doc.Components.Schemas[name]
			if s == nil || s.Value == nil {
				return nil, fmt.Errorf("x-webhooks %s: body schema %q is not in components", t, mt.Schema.Ref)
			}
			mt.Schema = &openapi3.SchemaRef{Ref: mt.Schema.Ref, Value: s.Value}
		}
	}
	return c, nil
}

// CheckWebhook checks one delivery a webhook receiver got (its headers and raw body) against
// the published contract: the x-webhooks entry of its X-Xuefa-Event in api/openapi.json (the
// same document as api/openapi.yaml) — every header it declares, the content type, and the
// body against the event type's payload schema. It returns an error rather than failing a
// test, so a receiver's handler (not the test's goroutine) may call it.
func CheckWebhook(header http.Header, body []byte) error {
	webhooks.once.Do(func() { webhooks.contract, webhooks.err = loadWebhookContract() })
	if webhooks.err != nil {
		return webhooks.err
	}
	eventType := header.Get("X-Xuefa-Event")
	item := webhooks.contract.hooks[eventType]
	if item == nil {
		return fmt.Errorf("X-Xuefa-Event %q is not an event type of the contract's x-webhooks", eventType)
	}
	op := item.Post
	var errs []error
	for _, p := range op.Parameters {
		v := header.Get(p.Value.Name)
		if v == "" {
			if p.Value.Required {
				errs = append(errs, fmt.Errorf("%s: header %s is missing", eventType, p.Value.Name))
			}
			continue
		}
		if err := p.Value.Schema.Value.VisitJSON(v, openapi3.EnableFormatValidation()); err != nil {
			errs = append(errs, fmt.Errorf("%s: header %s %q: %w", eventType, p.Value.Name, v, err))
		}
	}
	ct, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	mt := op.RequestBody.Value.Content.Get(ct)
	if mt == nil {
		return errors.Join(append(errs, fmt.Errorf("%s: content type %q is not the contract's", eventType, ct))...)
	}
	var value any
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&value); err != nil {
		return errors.Join(append(errs, fmt.Errorf("%s: body is not JSON: %w", eventType, err))...)
	}
	if err := mt.Schema.Value.VisitJSON(value, openapi3.MultiErrors(), openapi3.EnableFormatValidation()); err != nil {
		errs = append(errs, fmt.Errorf("%s: body does not match %s: %w\nbody: %s", eventType, mt.Schema.Ref, err, body))
	}
	if m, ok := value.(map[string]any); ok && m["id"] != header.Get("X-Xuefa-Event-Id") {
		errs = append(errs, fmt.Errorf("%s: X-Xuefa-Event-Id %q is not the payload's id %v", eventType, header.Get("X-Xuefa-Event-Id"), m["id"]))
	}
	return errors.Join(errs...)
}
