package questionbank

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/auth"
	"github.com/xuefa/xuefa/internal/platform/database"
	"github.com/xuefa/xuefa/internal/platform/sheet"
)

// Import limits. The upload limit itself is enforced by the server on the import route.
const (
	MaxImportBytes = 10 << 20
	MaxImportRows  = 10_000
)

// Format is a file format of import and export.
type Format string

// Formats.
const (
	FormatXLSX Format = "xlsx"
	FormatCSV  Format = "csv"
	FormatGIFT Format = "gift"
)

var (
	errUnsupportedFormat = apperr.New(http.StatusUnsupportedMediaType, "question.import_unsupported_format",
		"不支持的文件格式：请上传 .xlsx、.csv 或 GIFT（.gift/.txt）文件")
	errOldXLS     = apperr.New(http.StatusUnsupportedMediaType, "question.import_unsupported_format", "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx")
	errImportNone = apperr.Invalid("question.import_empty", "文件中没有题目", apperr.Field("file", "没有可导入的题目行"))
	errTooManyRow = apperr.Invalid("question.import_too_many_rows", fmt.Sprintf("一次最多导入 %d 道题", MaxImportRows),
		apperr.Field("file", fmt.Sprintf("超过 %d 行", MaxImportRows)))
)

func unreadable(msg string) error {
	return apperr.Invalid("question.import_unreadable", "文件无法读取", apperr.Field("file", msg))
}

// RowError is a problem with one row (line, for GIFT) of an imported file; Column is the
// spreadsheet column header ("答案") or "" when the whole row or question is at fault.
type RowError struct {
	Row     int
	Column  string
	Message string
}

// Duplicate is a row skipped because its stem (normalised) is already in the bank
// (QuestionID) or on an earlier row of the same file (DuplicateOfRow).
type Duplicate struct {
	Row            int
	QuestionID     int64
	DuplicateOfRow int
}

// ImportResult says what an import did.
type ImportResult struct {
	Created           int
	SkippedDuplicates int
	Errors            []RowError
	Duplicates        []Duplicate
}

// ImportRejected is returned when an all-or-nothing import found invalid rows: nothing was
// written; Err is the error to answer (422) and Result lists every problem.
type ImportRejected struct {
	Err    *apperr.Error
	Result ImportResult
}

func (e *ImportRejected) Error() string { return e.Err.Error() }

// rejectImport is the answer to an import with invalid rows.
func rejectImport(res ImportResult) *ImportRejected {
	return &ImportRejected{Err: apperr.Invalid("question.import_invalid",
		fmt.Sprintf("文件中有 %d 处错误，未导入任何题目", len(res.Errors))), Result: res}
}

// DetectFormat decides the format from the file name and checks the content agrees.
func DetectFormat(filename string, data []byte) (Format, error) {
	isZip := bytes.HasPrefix(data, []byte("PK\x03\x04"))
	binary := bytes.IndexByte(data[:min(len(data), 8192)], 0) >= 0
	switch strings.ToLower(path.Ext(filename)) {
	case ".xlsx":
		if !isZip {
			return "", unreadable("不是有效的 xlsx 文件")
		}
		return FormatXLSX, nil
	case ".csv":
		if isZip || binary {
			return "", errUnsupportedFormat
		}
		return FormatCSV, nil
	case ".gift", ".txt":
		if isZip || binary {
			return "", errUnsupportedFormat
		}
		return FormatGIFT, nil
	case ".xls":
		return "", errOldXLS
	}
	return "", errUnsupportedFormat
}

// parseFile reads a file into rows. File-level problems (bad header, broken CSV) come back
// as row errors; an unreadable or unsupported file is an error.
func parseFile(format Format, data []byte) ([]sourceRow, []RowError, error) {
	switch format {
	case FormatXLSX:
		records, nos, err := readXLSX(data)
		if tooBig := sheet.ImportError(err, "question"); tooBig != nil {
			return nil, nil, tooBig
		}
		if err != nil {
			return nil, nil, unreadable("不是有效的 xlsx 文件：" + err.Error())
		}
		if len(records) > MaxImportRows+1 {
			return nil, nil, errTooManyRow
		}
		rows, fileErrs := readTable(records, nos)
		return rows, fileErrs, nil
	case FormatCSV:
		text, err := decodeText(data)
		if err != nil {
			return nil, nil, unreadable(err.Error())
		}
		records, lines, perr := readCSV(text)
		if perr != nil {
			return nil, []RowError{*perr}, nil
		}
		if len(records) > MaxImportRows+1 {
			return nil, nil, errTooManyRow
		}
		rows, fileErrs := readTable(records, lines)
		return rows, fileErrs, nil
	case FormatGIFT:
		text, err := decodeText(data)
		if err != nil {
			return nil, nil, unreadable(err.Error())
		}
		questions, gerrs := ParseGIFT(text)
		if len(questions)+len(gerrs) > MaxImportRows {
			return nil, nil, errTooManyRow
		}
		rows := make([]sourceRow, 0, len(questions)+len(gerrs))
		for _, q := range questions {
			rows = append(rows, sourceRow{Row: q.Line, Input: q.Input})
		}
		for _, e := range gerrs {
			rows = append(rows, sourceRow{Row: e.Line, Errs: []RowError{{Row: e.Line, Message: e.Message}}})
		}
		return rows, nil, nil
	}
	return nil, nil, errUnsupportedFormat
}

// Import reads an uploaded file into a bank the actor administers. By default it is
// all-or-nothing: any invalid row rejects the file (*ImportRejected) and nothing is written.
// With partial, valid rows are written and invalid ones reported. Rows whose stem is already
// in the bank (or earlier in the file) are skipped and reported, never merged.
func (s *Service) Import(ctx context.Context, actor auth.Actor, bankID int64, filename string, data []byte, partial bool) (*ImportResult, error) {
	if _, err := s.managedBank(ctx, actor, bankID); err != nil {
		return nil, err
	}
	format, err := DetectFormat(filename, data)
	if err != nil {
		return nil, err
	}
	rows, fileErrs, err := parseFile(format, data)
	if err != nil {
		return nil, err
	}
	if len(fileErrs) > 0 {
		return nil, rejectImport(ImportResult{Errors: fileErrs})
	}
	if len(rows) == 0 {
		return nil, errImportNone
	}
	var result *ImportResult
	err = database.WithTx(ctx, s.db, func(ctx context.Context) error {
		var err error
		result, err = s.importRows(ctx, actor, bankID, rows, partial)
		if err != nil {
			return err
		}
		return s.record(ctx, actor, "question.import", "question_bank", bankID, map[string]any{
			"format": format, "created": result.Created, "skipped_duplicates": result.SkippedDuplicates,
			"errors": len(result.Errors), "partial": partial,
		})
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

// importRows validates rows against the bank (locked) and inserts the good ones in batches.
func (s *Service) importRows(ctx context.Context, actor auth.Actor, bankID int64, rows []sourceRow, partial bool) (*ImportResult, error) {
	if err := s.lockBank(ctx, bankID); err != nil {
		return nil, err
	}
	existing, err := s.store.StemHashes(ctx, bankID)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Errors: []RowError{}, Duplicates: []Duplicate{}}
	seen := map[string]int{} // stem hash → first row in this file
	now := s.now()
	var questions []*Question
	for _, r := range rows {
		errs := r.Errs
		if len(errs) == 0 || r.Input.Type != "" {
			content, status, fields := build(r.Input)
			for _, f := range fields {
				col := columnOf(f.Field)
				if !hasColumnError(errs, col) {
					errs = append(errs, RowError{Row: r.Row, Column: col, Message: f.Message})
				}
			}
			if len(errs) == 0 {
				hash := StemHash(content.Stem)
				if id, dup := existing[hash]; dup {
					res.Duplicates = append(res.Duplicates, Duplicate{Row: r.Row, QuestionID: id})
					continue
				}
				if first, dup := seen[hash]; dup {
					res.Duplicates = append(res.Duplicates, Duplicate{Row: r.Row, DuplicateOfRow: first})
					continue
				}
				seen[hash] = r.Row
				questions = append(questions, &Question{BankID: bankID, StemHash: hash, Content: content, Status: status,
					Version: 1, CreatedBy: actorID(actor), UpdatedBy: actorID(actor), CreatedAt: now, UpdatedAt: now})
			}
		}
		res.Errors = append(res.Errors, errs...)
	}
	res.SkippedDuplicates = len(res.Duplicates)
	sortRowErrors(res.Errors)
	if len(res.Errors) > 0 && !partial {
		return nil, rejectImport(*res)
	}
	if err := s.insertQuestions(ctx, bankID, questions, actorID(actor)); err != nil {
		return nil, err
	}
	res.Created = len(questions)
	return res, nil
}

// insertQuestions batch-inserts new questions and the version-1 snapshots of published ones.
func (s *Service) insertQuestions(ctx context.Context, bankID int64, questions []*Question, by *int64) error {
	if len(questions) == 0 {
		return nil
	}
	if err := s.store.CreateQuestions(ctx, questions); err != nil {
		return err
	}
	// Take the ids from the unique (bank, stem) key rather than trusting consecutive
	// auto-increment values of a multi-row INSERT.
	ids, err := s.store.StemHashes(ctx, bankID)
	if err != nil {
		return err
	}
	var versions []Version
	for _, q := range questions {
		id, ok := ids[q.StemHash]
		if !ok {
			return errors.New("import: inserted question not found by stem")
		}
		q.ID = id
		if q.Status == StatusPublished {
			versions = append(versions, q.snapshot(by, q.CreatedAt))
		}
	}
	return s.store.CreateVersions(ctx, versions)
}

func hasColumnError(errs []RowError, col string) bool {
	for _, e := range errs {
		if e.Column == col {
			return true
		}
	}
	return false
}

// sortRowErrors orders errors by row (GIFT parse errors are gathered after the questions).
func sortRowErrors(errs []RowError) {
	slices.SortStableFunc(errs, func(a, b RowError) int { return cmp.Compare(a.Row, b.Row) })
}
