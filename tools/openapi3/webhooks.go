package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/xuefa/xuefa/internal/integration"
)

// webhookPathPrefix is where internal/integration/payloads.go annotates each event type's
// delivery for swag, which reads operations (and emits the schemas they reference) only.
const webhookPathPrefix = "/x-webhooks/"

// applyWebhooks publishes the webhook deliveries: OpenAPI 3.0 has no webhooks object (3.1 does),
// so they go in x-webhooks, the extension Redocly reads for it, keyed by event type with a post
// operation each. The event types are integration.AllEvents(). Each delivery's operation comes
// from its swag annotation (POST /x-webhooks/<event type>: summary, description, operationId and
// the payload schema), which is moved out of paths; this step adds what every delivery shares
// as the dispatcher sends it: the headers and the answers. It fails when an event type has no
// annotated delivery or its payload schema does not say the type, and when an annotated
// delivery names no event type.
func applyWebhooks(ctx context.Context, doc *openapi3.T, events []string) error {
	hooks := make(map[string]*openapi3.PathItem, len(events))
	for _, t := range events {
		path := webhookPathPrefix + t
		item := doc.Paths.Value(path)
		if item == nil || item.Post == nil || len(item.Operations()) != 1 {
			return fmt.Errorf("event type %s has no payload schema: annotate its delivery in internal/integration/payloads.go (@Router %s [post])", t, path)
		}
		op := item.Post
		if err := checkPayload(doc, t, op); err != nil {
			return err
		}
		op.Parameters = deliveryHeaders(t)
		op.Responses = deliveryAnswers()
		op.Security = &openapi3.SecurityRequirements{} // the receiver checks X-Xuefa-Signature
		hooks[t] = &openapi3.PathItem{Post: op}
		doc.Paths.Delete(path)
	}
	for path := range doc.Paths.Map() {
		if strings.HasPrefix(path, webhookPathPrefix) {
			return fmt.Errorf("%s is annotated as a delivery, but %s is not in integration.AllEvents()", path, strings.TrimPrefix(path, webhookPathPrefix))
		}
	}
	// Extensions are not validated with the document: validate each delivery here.
	for _, t := range events {
		if err := hooks[t].Validate(ctx); err != nil {
			return fmt.Errorf("x-webhooks %s: %w", t, err)
		}
	}
	if doc.Extensions == nil {
		doc.Extensions = map[string]any{}
	}
	doc.Extensions["x-webhooks"] = hooks
	return nil
}

// checkPayload checks that a delivery's body is a required JSON payload schema in components,
// whose type can only be the event type, and which carries id, created_at and data.
func checkPayload(doc *openapi3.T, eventType string, op *openapi3.Operation) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("delivery of %s (internal/integration/payloads.go): %s", eventType, fmt.Sprintf(format, args...))
	}
	if op.OperationID == "" || op.Summary == "" || op.Description == "" {
		return fail("needs @ID, @Summary and @Description")
	}
	rb := op.RequestBody
	if rb == nil || rb.Value == nil || !rb.Value.Required {
		return fail("needs a required body parameter (the payload)")
	}
	mt := rb.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || len(rb.Value.Content) != 1 {
		return fail("its body must be application/json only (@Accept json)")
	}
	name, ok := strings.CutPrefix(mt.Schema.Ref, "#/components/schemas/")
	schema := doc.Components.Schemas[name]
	if !ok || schema == nil || schema.Value == nil {
		return fail("its body must be a named payload type, not %q", mt.Schema.Ref)
	}
	mt.Schema.Value = schema.Value
	props := schema.Value.Properties
	for _, p := range []string{"id", "type", "created_at", "data"} {
		if props[p] == nil || !slices.Contains(schema.Value.Required, p) {
			return fail("payload %s has no required %q", name, p)
		}
	}
	if typ := props["type"].Value; typ == nil || len(typ.Enum) != 1 || typ.Enum[0] != eventType {
		return fail(`payload %s must say enums:"%s" on its type`, name, eventType)
	}
	return nil
}

// deliveryHeaders are the headers the dispatcher sets on every delivery of the event type
// (internal/integration/dispatch.go, send).
func deliveryHeaders(eventType string) openapi3.Parameters {
	header := func(name, description string, schema *openapi3.Schema) *openapi3.ParameterRef {
		return &openapi3.ParameterRef{Value: &openapi3.Parameter{In: openapi3.ParameterInHeader, Name: name, Required: true,
			Description: description, Schema: schema.NewRef()}}
	}
	return openapi3.Parameters{
		header(integration.EventHeader, "The event type, as the payload's type.",
			openapi3.NewStringSchema().WithEnum(eventType)),
		header(integration.EventIDHeader, "The event id, as the payload's id. A retry and a redelivery carry the same id: de-duplicate on it.",
			openapi3.NewUUIDSchema()),
		header(integration.DeliveryHeader, "The delivery id, as in the webhook's delivery log (GET /api/v1/integration/webhooks/{id}/deliveries); a redelivery has its own.",
			openapi3.NewStringSchema().WithPattern(`^[1-9][0-9]*$`)),
		header(integration.SignatureHeader, `"t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>", keyed with the webhook's secret (whsec_...). Verify it over the raw body before parsing it, in constant time, and refuse timestamps older than 5 minutes (docs/integrators.md).`,
			openapi3.NewStringSchema().WithPattern(`^t=[0-9]+,v1=[0-9a-f]{64}$`)),
	}
}

// deliveryAnswers is what the dispatcher makes of the receiver's answer
// (internal/integration/dispatch.go, attempt and send).
func deliveryAnswers() *openapi3.Responses {
	return openapi3.NewResponses(
		openapi3.WithName("2XX", openapi3.NewResponse().WithDescription(
			"Acknowledged: the delivery succeeded (the body is ignored). Answer quickly and do slow work afterwards.")),
		openapi3.WithName("default", openapi3.NewResponse().WithDescription(
			"Any other status, a redirect, a timeout or a refused connection is a failed attempt: retried with exponential backoff "+
				"(30 s, 1 min, 2 min ... capped at 6 h) up to the configured number of attempts; a webhook failing too many times in a row is disabled.")),
	)
}
