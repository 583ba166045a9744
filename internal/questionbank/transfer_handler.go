package questionbank

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/httpx"
	"github.com/xuefa/xuefa/internal/platform/reqctx"
)

var (
	errNotMultipart = apperr.BadRequest("question.import_no_file", "请以 multipart/form-data 上传文件，字段名为 file", apperr.Field("file", "必填"))
	errNoFile       = apperr.Invalid("question.import_no_file", "请上传文件，字段名为 file", apperr.Field("file", "必填"))
	errImportBody   = apperr.BadRequest("question.import_bad_upload", "上传内容无法读取", apperr.Field("file", "上传内容无法读取"))
)

// Import godoc
//
//	@Summary		Import questions from xlsx, CSV or GIFT
//	@Description	Upload one file (multipart field `file`, at most 10 MiB): .xlsx or .csv in the template's layout (GET /questions/import-template), or Moodle GIFT text (.gift/.txt: single, multiple, true/false and short-answer questions). By default the import is all-or-nothing: any invalid row answers 422 with every problem listed and nothing is written. With partial=true the valid rows are written and the invalid ones listed. Rows whose stem is already in the bank, or earlier in the file, are skipped and listed under duplicates (never merged), so a retried upload creates nothing twice.
//	@Tags			questions
//	@Accept			multipart/form-data
//	@Produce		json
//	@Param			id		path		int		true	"bank id"
//	@Param			file	formData	file	true	"the file (.xlsx, .csv, .gift or .txt)"
//	@Param			partial	query		bool	false	"write the valid rows even when some are invalid"
//	@Success		200		{object}	ImportResultView
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@Failure		413		{object}	httpx.ErrorResponse		"file over 10 MiB"
//	@Failure		415		{object}	httpx.ErrorResponse		"not xlsx, CSV or GIFT"
//	@Failure		422		{object}	ImportRejectedView		"question.import_invalid (result is the report), question.import_no_file, question.import_empty, question.import_unreadable, question.import_too_large"
//	@ID				importQuestions
//	@Router			/api/v1/question-banks/{id}/questions/import [post]
func (h *Handler) Import(c *gin.Context) {
	var in httpx.IDQuery[importQuery]
	if err := in.Bind(c); err != nil {
		httpx.Fail(c, err)
		return
	}
	name, data, err := readUpload(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	res, err := h.svc.Import(c.Request.Context(), httpx.MustActor(c), in.ID, name, data, in.Query.Partial)
	var rejected *ImportRejected
	if errors.As(err, &rejected) {
		result := toImportResultView(rejected.Result)
		c.JSON(rejected.Err.Status, ImportRejectedView{
			Error:     httpx.ErrorBody{Code: rejected.Err.Code, Message: rejected.Err.Message},
			RequestID: reqctx.From(c.Request.Context()).RequestID,
			Result:    &result,
		})
		return
	}
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.OK(c, toImportResultView(*res))
}

// readUpload returns the name and content of the multipart part named "file".
func readUpload(c *gin.Context) (string, []byte, error) {
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return "", nil, errNotMultipart
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return "", nil, errNoFile
		}
		if err != nil {
			return "", nil, uploadError(err)
		}
		if part.FormName() != "file" {
			_ = part.Close()
			continue
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return "", nil, uploadError(err)
		}
		return part.FileName(), data, nil
	}
}

func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return apperr.ErrBodyTooLarge
	}
	return errImportBody
}

// Export godoc
//
//	@Summary		Export a bank's questions
//	@Description	Every question of the bank (all statuses, id order) in the import template's layout, so the file imports again unchanged. CSV is UTF-8 with a BOM.
//	@Tags			questions
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Produce		text/csv
//	@Produce		json
//	@Param			id		path		int		true	"bank id"
//	@Param			format	query		string	false	"file format"	Enums(xlsx, csv)	default(xlsx)
//	@Success		200		{file}		file
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		404		{object}	httpx.ErrorResponse
//	@ID				exportQuestions
//	@Router			/api/v1/question-banks/{id}/questions/export [get]
func (h *Handler) Export(c *gin.Context) {
	var in httpx.IDQuery[formatQuery]
	if err := in.Bind(c); err != nil {
		httpx.Fail(c, err)
		return
	}
	f, err := h.svc.Export(c.Request.Context(), httpx.MustActor(c), in.ID, in.Query.Format)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	sendFile(c, f)
}

// Template godoc
//
//	@Summary		Download the question import template
//	@Description	The header row and one valid example per question type (xlsx adds a sheet of instructions).
//	@Tags			questions
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Produce		text/csv
//	@Produce		json
//	@Param			format	query		string	false	"file format"	Enums(xlsx, csv)	default(xlsx)
//	@Success		200		{file}		file
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@ID				getQuestionImportTemplate
//	@Router			/api/v1/questions/import-template [get]
func (h *Handler) Template(c *gin.Context) {
	var q formatQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Fail(c, err)
		return
	}
	f, err := Template(q.Format)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	sendFile(c, f)
}

func sendFile(c *gin.Context, f *File) {
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, f.Name, url.PathEscape(f.Title)))
	c.Data(http.StatusOK, f.ContentType, f.Data)
}
