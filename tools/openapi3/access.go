package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/server"
)

// Security scheme names, as operations reference them.
const (
	bearerScheme = "BearerAuth"
	clientScheme = "ClientCredentials" // declared in cmd/xuefa/main.go with its scopes
)

// applyAccess writes every operation's security requirements and admitted roles from the route
// table in internal/server/routes.go, the one place authorization is written, so the contract
// cannot drift from the guards. It fails when a route and the document disagree on what exists.
func applyAccess(doc *openapi3.T, routes []server.Route) error {
	doc.Components.SecuritySchemes[bearerScheme] = &openapi3.SecuritySchemeRef{Value: &openapi3.SecurityScheme{
		Type: "http", Scheme: "bearer", BearerFormat: "JWT",
		Description: "An access token from POST /api/v1/auth/login or /api/v1/auth/wechat (people), " +
			"sent as \"Authorization: Bearer <token>\". Integration clients use ClientCredentials.",
	}}
	clients := doc.Components.SecuritySchemes[clientScheme]
	if clients == nil || clients.Value.Flows == nil || clients.Value.Flows.ClientCredentials == nil {
		return fmt.Errorf("security scheme %s (a client-credentials flow) is not declared in cmd/xuefa/main.go", clientScheme)
	}
	seen := map[string]bool{}
	for _, r := range routes {
		path := ginToOpenAPIPath(r.Path)
		key := r.Method + " " + path
		seen[key] = true
		item := doc.Paths.Find(path)
		var op *openapi3.Operation
		if item != nil {
			op = item.GetOperation(r.Method)
		}
		if op == nil {
			return fmt.Errorf("%s is a route without swag annotations (@Router)", key)
		}
		if r.Access.Scope != "" {
			if _, ok := clients.Value.Flows.ClientCredentials.Scopes[r.Access.Scope]; !ok {
				return fmt.Errorf("%s needs scope %q, which %s does not declare", key, r.Access.Scope, clientScheme)
			}
		}
		describeAccess(op, r.Access)
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if key := method + " " + path; !seen[key] && strings.HasPrefix(path, "/api/") {
				return fmt.Errorf("%s is documented but not in the route table", key)
			}
		}
	}
	return nil
}

// describeAccess sets the operation's security, its x-roles list and a closing sentence of its
// description that a reader of the Swagger UI sees.
func describeAccess(op *openapi3.Operation, a server.Access) {
	if op.Extensions == nil {
		op.Extensions = map[string]any{}
	}
	if a.Public {
		op.Security = &openapi3.SecurityRequirements{}
		op.Extensions["x-roles"] = []string{}
		op.Description = joinSentence(op.Description, "Access: public, no token.")
		return
	}
	var people []string
	for _, role := range auth.AllRoles() {
		if role != auth.RoleIntegrator && a.Allows(role) {
			people = append(people, string(role))
		}
	}
	roles := slices.Clone(people)
	reqs := openapi3.SecurityRequirements{}
	if len(people) > 0 {
		reqs = append(reqs, openapi3.SecurityRequirement{bearerScheme: []string{}})
	}
	sentence := "Access: " + strings.Join(people, ", ")
	if a.Scope != "" {
		reqs = append(reqs, openapi3.SecurityRequirement{clientScheme: []string{a.Scope}})
		roles = append(roles, string(auth.RoleIntegrator))
		sentence += "; integration clients with scope " + a.Scope
	}
	if a.BeforePasswordChange {
		sentence += " (also before a required password change)"
	}
	sort.Strings(roles)
	op.Security = &reqs
	op.Extensions["x-roles"] = roles
	op.Description = joinSentence(op.Description, sentence+".")
}

func joinSentence(text, sentence string) string {
	if text == "" {
		return sentence
	}
	return text + "\n\n" + sentence
}

// ginToOpenAPIPath turns /units/:id into /units/{id}.
func ginToOpenAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}
