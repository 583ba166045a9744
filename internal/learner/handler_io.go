package learner

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/xuefa/xuefa/internal/account"
	"github.com/xuefa/xuefa/internal/platform/apperr"
	"github.com/xuefa/xuefa/internal/platform/httpx"
	"github.com/xuefa/xuefa/internal/platform/reqctx"
)

var errFileRequired = apperr.BadRequest("learner.import_file_required", "请以 multipart/form-data 上传文件，字段名为 file",
	apperr.Field("file", "必填"))

// ImportTemplate godoc
//
//	@Summary		Download the learner import template
//	@Description	The layout of imports and exports: one header row (姓名, 单位, 学习类别, 职务, 手机号, 身份证号, 学员编号) and no data, so an untouched template imports to nothing. The xlsx explains each column in a header comment and on a 说明 sheet with an example row, offers drop-down lists for 学习类别 and 单位, and lists the caller's units (code and path) on a 单位 sheet. The CSV is the header line, UTF-8 with a BOM.
//	@Tags			learners
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv,json
//	@Param			format	query		string	false	"file format"	Enums(xlsx, csv)	default(xlsx)
//	@Success		200		{file}		file	"the template"
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@ID				getLearnerImportTemplate
//	@Router			/api/v1/learners/import-template [get]
func (h *Handler) ImportTemplate(c *gin.Context) {
	var q formatQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Fail(c, err)
		return
	}
	format := formatOrDefault(q.Format)
	out := &download{c: c, format: format, name: "学员导入模板"}
	if err := h.svc.Template(c.Request.Context(), httpx.MustActor(c), format, out); err != nil {
		out.fail(err)
	}
}

// Import godoc
//
//	@Summary		Import learners from xlsx or CSV
//	@Description	Upload the filled-in template as multipart field `file` (.xlsx, or CSV in UTF-8 — a BOM is fine — or GB 18030; the format is told by content). Columns are found by header text. Rows match existing learners by 学员编号, else ID number, else phone: a match is updated where a field differs (`updated`) or left alone (`unchanged`); other rows create a learner and a learner account (`created`). Imported accounts get no usable password: give each learner a first password with `POST /learners/{id}/password-reset` (they must change it at first login). A phone or ID cell holding a masked value (as exports write them), or a blank ID cell, keeps the current value. Units are named by code, by path from the county (绩溪县/华阳镇) or by a name unique in your subtree, and must be in your subtree. Any invalid row (bad name, phone, ID checksum, track or unit; a phone or ID repeated in the file or held by someone else) rejects the whole file with 422 and per-row errors; with `partial=true` the valid rows are written and the others reported. At most 20,000 rows and 10 MiB per file. Retrying the same file is harmless: its rows then match and count as unchanged.
//	@Tags			learners
//	@Accept			multipart/form-data
//	@Produce		json
//	@Param			file	formData	file	true	"the filled-in template (.xlsx or .csv)"
//	@Param			partial	query		bool	false	"write the valid rows and report the others"
//	@Success		200		{object}	ImportResultView
//	@Failure		400		{object}	httpx.ErrorResponse	"learner.import_file_required"
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@Failure		409		{object}	httpx.ErrorResponse	"learner.import_conflict"
//	@Failure		413		{object}	httpx.ErrorResponse	"over 10 MiB"
//	@Failure		415		{object}	httpx.ErrorResponse	"learner.import_unsupported_format"
//	@Failure		422		{object}	ImportFailure		"learner.import_invalid or learner.import_bad_header (result lists the rows), learner.import_unreadable, learner.import_too_many_rows"
//	@ID				importLearners
//	@Router			/api/v1/learners/import [post]
func (h *Handler) Import(c *gin.Context) {
	var q importQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Fail(c, err)
		return
	}
	data, err := uploadedFile(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	res, err := h.svc.Import(c.Request.Context(), httpx.MustActor(c), ImportInput{Data: data, Partial: q.Partial})
	var rejected *ImportRejected
	if errors.As(err, &rejected) {
		result := toImportResultView(rejected.Result)
		c.AbortWithStatusJSON(rejected.Err.Status, ImportFailure{
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

// uploadedFile reads multipart field "file" (the route's body limit bounds it).
func uploadedFile(c *gin.Context) ([]byte, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, apperr.ErrBodyTooLarge
		}
		return nil, errFileRequired
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// Export godoc
//
//	@Summary		Export learners to xlsx or CSV
//	@Description	The learners of `GET /learners` with the same filters (all pages), in the import template's layout, so the file imports back unchanged. Phones and ID numbers are masked unless `reveal=true`; masked cells keep the current values when the file is imported again. Every export is written to the audit log (action learner.export, with the filters and whether it revealed personal data).
//	@Tags			learners
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv,json
//	@Param			format	query		string	false	"file format"	Enums(xlsx, csv)	default(xlsx)
//	@Param			unit_id	query		int		false	"a unit of the caller's subtree: its whole subtree"
//	@Param			track	query		string	false	"track"	Enums(leader, general, judicial)
//	@Param			status	query		string	false	"status"	Enums(active, left)
//	@Param			name	query		string	false	"part of the name"
//	@Param			reveal	query		bool	false	"phones and ID numbers in clear (audited)"
//	@Success		200		{file}		file	"the learners"
//	@Failure		400		{object}	httpx.ErrorResponse
//	@Failure		401		{object}	httpx.ErrorResponse
//	@Failure		403		{object}	httpx.ErrorResponse
//	@ID				exportLearners
//	@Router			/api/v1/learners/export [get]
func (h *Handler) Export(c *gin.Context) {
	var q exportQuery
	if err := httpx.BindQuery(c, &q); err != nil {
		httpx.Fail(c, err)
		return
	}
	in := q.toInput()
	out := &download{c: c, format: in.Format, name: "学员-" + h.svc.now().In(shanghai).Format("20060102")}
	if err := h.svc.Export(c.Request.Context(), httpx.MustActor(c), in, out); err != nil {
		out.fail(err)
	}
}

// ResetPassword godoc
//
//	@Summary		Give a learner a new password
//	@Description	Generates a password, returned once for the admin to pass on; the learner must change it at first login and is signed out everywhere. This is how learners created by an import get their first password.
//	@Tags			learners
//	@Produce		json
//	@Param			id	path		int	true	"learner id"
//	@Success		200	{object}	account.PasswordResetView
//	@Failure		400	{object}	httpx.ErrorResponse
//	@Failure		401	{object}	httpx.ErrorResponse
//	@Failure		403	{object}	httpx.ErrorResponse
//	@Failure		404	{object}	httpx.ErrorResponse
//	@Failure		409	{object}	httpx.ErrorResponse	"learner.already_left"
//	@ID				resetLearnerPassword
//	@Router			/api/v1/learners/{id}/password-reset [post]
func (h *Handler) ResetPassword(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	password, err := h.svc.ResetPassword(c.Request.Context(), httpx.MustActor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	httpx.OK(c, account.PasswordResetView{InitialPassword: password})
}

var shanghai = time.FixedZone("CST", 8*3600)

// download is the response body of a file: it sends the file headers with the first byte, so
// a failure before any byte is written still answers with the JSON error envelope.
type download struct {
	c       *gin.Context
	format  Format
	name    string
	started bool
}

func (d *download) Write(p []byte) (int, error) {
	if !d.started {
		d.started = true
		h := d.c.Writer.Header()
		h.Set("Content-Type", d.format.ContentType())
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.name + "." + string(d.format)}))
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		d.c.Status(http.StatusOK)
	}
	return d.c.Writer.Write(p)
}

// fail reports err: as the error envelope when nothing was sent yet; otherwise the answer is
// already a 200 with part of a file, so the connection is cut and the client sees a failed
// download rather than a short file.
func (d *download) fail(err error) {
	_ = d.c.Error(err)
	if !d.started {
		d.c.Abort()
		return
	}
	panic(http.ErrAbortHandler)
}
