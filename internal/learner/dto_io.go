package learner

import "github.com/xuefa/xuefa/internal/platform/httpx"

// ImportResultView is what an import did.
type ImportResultView struct {
	Rows        int            `json:"rows" example:"120"`
	Created     int            `json:"created" example:"100"`
	Updated     int            `json:"updated" example:"15"`
	Unchanged   int            `json:"unchanged" example:"3"`
	InvalidRows int            `json:"invalid_rows" example:"2"`
	Errors      []RowErrorView `json:"errors"`
} // @name LearnerImportResult

// RowErrorView is one problem of one cell: row 1 is the header, column is the header text.
type RowErrorView struct {
	Row     int    `json:"row" example:"3"`
	Column  string `json:"column" example:"手机号"`
	Message string `json:"message" example:"不是有效的手机号"`
} // @name ImportRowError

// ImportFailure is the error envelope of a rejected import. Result, the report of the rows at
// fault, is there only with codes learner.import_invalid and learner.import_bad_header; the
// other 422 codes (an unreadable or oversized file) send the plain envelope.
type ImportFailure struct {
	Error     httpx.ErrorBody   `json:"error"`
	RequestID string            `json:"request_id" example:"9f1c2b7e4a"`
	Result    *ImportResultView `json:"result,omitempty" validate:"optional"`
} // @name LearnerImportFailure

func toImportResultView(r ImportResult) ImportResultView {
	errs := make([]RowErrorView, 0, len(r.Errors))
	for _, e := range r.Errors {
		errs = append(errs, RowErrorView{Row: e.Row, Column: e.Column, Message: e.Message})
	}
	return ImportResultView{Rows: r.Rows, Created: r.Created, Updated: r.Updated, Unchanged: r.Unchanged,
		InvalidRows: r.InvalidRows, Errors: errs}
}

type formatQuery struct {
	Format Format `form:"format" binding:"omitempty,oneof=xlsx csv"`
}

type importQuery struct {
	Partial bool `form:"partial"`
}

type exportQuery struct {
	UnitID int64  `form:"unit_id" binding:"omitempty,min=1"`
	Track  Track  `form:"track" binding:"omitempty,oneof=leader general judicial"`
	Status Status `form:"status" binding:"omitempty,oneof=active left"`
	Name   string `form:"name" binding:"max=32"`
	Format Format `form:"format" binding:"omitempty,oneof=xlsx csv"`
	Reveal bool   `form:"reveal"`
}

func (q exportQuery) toInput() ExportInput {
	return ExportInput{List: ListInput{UnitID: q.UnitID, Track: q.Track, Status: q.Status, Name: q.Name},
		Format: formatOrDefault(q.Format), Reveal: q.Reveal}
}

func formatOrDefault(f Format) Format {
	if f == "" {
		return FormatXLSX
	}
	return f
}
