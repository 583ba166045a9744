package database

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMySQLDSN(t *testing.T) {
	for in, want := range map[string]string{
		"u:p@tcp(db:3306)/x": "u:p@tcp(db:3306)/x?parseTime=true&loc=UTC&charset=utf8mb4&interpolateParams=true",
		"u:p@tcp(db:3306)/x?parseTime=true&loc=UTC&charset=utf8mb4": "u:p@tcp(db:3306)/x?parseTime=true&loc=UTC&charset=utf8mb4&interpolateParams=true",
		// The operator's choice stands.
		"u:p@tcp(db:3306)/x?interpolateParams=false": "u:p@tcp(db:3306)/x?interpolateParams=false&parseTime=true&loc=UTC&charset=utf8mb4",
		// Only utf8mb4 gets client-side interpolation.
		"u:p@tcp(db:3306)/x?charset=gbk": "u:p@tcp(db:3306)/x?charset=gbk&parseTime=true&loc=UTC",
		// A parameter name inside another's name is not that parameter.
		"u:p@tcp(db:3306)/x?myloc=1": "u:p@tcp(db:3306)/x?myloc=1&parseTime=true&loc=UTC&charset=utf8mb4&interpolateParams=true",
	} {
		assert.Equal(t, want, mysqlDSN(in), in)
	}
}
