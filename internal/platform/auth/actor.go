// Package auth holds identity: the Actor every handler acts through, roles, access tokens and
// password hashing. It knows nothing about HTTP or storage.
package auth

import (
	"slices"
	"strconv"
	"strings"
)

// Role is an account's single role.
type Role string // @name Role

// Roles, see docs/architecture.md.
const (
	RoleAdmin       Role = "admin"
	RoleLecturer    Role = "lecturer"
	RoleLearner     Role = "learner"
	RoleParticipant Role = "participant"
	RoleAuditor     Role = "auditor"
	RoleIntegrator  Role = "integrator"
)

// AllRoles lists every role.
func AllRoles() []Role {
	return []Role{RoleAdmin, RoleLecturer, RoleLearner, RoleParticipant, RoleAuditor, RoleIntegrator}
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(AllRoles(), r) }

// Actor is who is calling: every service call that needs authorization takes one.
type Actor struct {
	AccountID          int64
	ClientID           int64 // integrators: the integration client (AccountID is 0)
	Name               string
	Role               Role
	UnitID             int64
	UnitPath           string // materialised path of the actor's unit, e.g. "/1/4/"
	Scopes             []string
	SessionID          string
	MustChangePassword bool
}

// Covers reports whether a resource owned by the unit at path lies in the actor's subtree.
func (a Actor) Covers(path string) bool {
	return a.UnitPath != "" && strings.HasPrefix(path, a.UnitPath)
}

// IsRootAdmin reports whether the actor administers the root unit (the county admin).
func (a Actor) IsRootAdmin() bool { return a.Role == RoleAdmin && IsRootPath(a.UnitPath) }

// HasScope reports whether an integrator actor was granted scope.
func (a Actor) HasScope(scope string) bool { return slices.Contains(a.Scopes, scope) }

// CanAdminister reports whether the actor reads its unit subtree the way an admin does: admins,
// and integration clients (whose route guards have already checked the scope for the read).
func (a Actor) CanAdminister() bool { return a.Role == RoleAdmin || a.Role == RoleIntegrator }

// ClientSubjectPrefix starts the token subject of an integration client: "client:<id>".
const ClientSubjectPrefix = "client:"

// Subject is the token subject: the account id in decimal, or "client:<id>" for a client.
func (a Actor) Subject() string {
	if a.ClientID > 0 {
		return ClientSubjectPrefix + strconv.FormatInt(a.ClientID, 10)
	}
	return strconv.FormatInt(a.AccountID, 10)
}

// IsRootPath reports whether a materialised path names a root unit ("/1/").
func IsRootPath(path string) bool {
	return strings.Count(path, "/") == 2
}
