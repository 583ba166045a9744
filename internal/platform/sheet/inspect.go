package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/xuefa/xuefa/internal/platform/apperr"
)

// An xlsx file is a zip of XML parts, and a few hundred KiB of it can unpack into gigabytes: one
// huge shared string used by every row, or a million tiny rows. excelize has no limit on cell
// text, and reading a sheet expands each shared string at every use. So an upload is inspected
// first, streaming each part with constant memory, and refused before excelize opens it when it
// exceeds any of these limits. Sizes are counted in bytes of XML text (an entity such as &amp;
// counts as its five bytes), which never undercounts.

// Limits bound what reading an uploaded workbook may cost, whatever the file says.
type Limits struct {
	MaxUnpacked  int64 // bytes of all parts unpacked
	MaxPartBytes int64 // bytes of any one XML part unpacked
	MaxCellText  int   // bytes of text in one cell or one shared string
	MaxText      int64 // bytes of cell text in all sheets, a shared string counted at every use
	MaxRows      int   // rows holding a value in one sheet (header included)
}

// ImportLimits are the limits every spreadsheet import uses, for a sheet of at most maxRows
// data rows below its header.
func ImportLimits(maxRows int) Limits {
	return Limits{MaxUnpacked: 64 << 20, MaxPartBytes: 32 << 20, MaxCellText: 32 << 10, MaxText: 32 << 20, MaxRows: maxRows + 1}
}

// OpenOptions are excelize's options matching the limits: everything is unpacked in memory
// (never into temporary files that a crash would leave behind), at most MaxUnpacked bytes.
func (l Limits) OpenOptions() excelize.Options {
	return excelize.Options{UnzipSizeLimit: l.MaxUnpacked, UnzipXMLSizeLimit: l.MaxUnpacked}
}

// LimitError says which limit an upload broke, in words for the person who uploaded it.
type LimitError struct {
	Limit   string // max_unpacked, max_part_bytes, max_cell_text, max_text or max_rows
	Message string
}

func (e *LimitError) Error() string { return e.Message }

// errTagTooLong stops a scan in a tag longer than any a spreadsheet writes.
var errTagTooLong = errors.New("xml tag too long")

const maxTagBytes = 64 << 10

// InspectXLSX checks an xlsx upload against the limits without expanding it. It returns a
// *LimitError for a file over a limit, another error for a file that is not a readable xlsx
// package, and nil otherwise.
func InspectXLSX(data []byte, l Limits) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	var total uint64
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".xml") && f.UncompressedSize64 > uint64(l.MaxPartBytes) {
			return &LimitError{"max_part_bytes", fmt.Sprintf("文件中的 %s 解压后超过 %d MiB 上限", f.Name, l.MaxPartBytes>>20)}
		}
		if total += f.UncompressedSize64; total > uint64(l.MaxUnpacked) {
			return &LimitError{"max_unpacked", fmt.Sprintf("文件解压后超过 %d MiB 上限", l.MaxUnpacked>>20)}
		}
	}
	in := &inspection{limits: l}
	for _, f := range zr.File {
		if strings.EqualFold(f.Name, "xl/sharedStrings.xml") {
			if err := in.scanPart(f, in.sharedStrings); err != nil {
				return err
			}
		}
	}
	for _, f := range zr.File {
		// Any XML part may be a worksheet (the workbook's relationships name them), so every
		// part's cells are counted; parts without <row>/<c> elements count nothing.
		if strings.HasSuffix(f.Name, ".xml") && !strings.EqualFold(f.Name, "xl/sharedStrings.xml") {
			if err := in.scanPart(f, in.worksheet); err != nil {
				return err
			}
		}
	}
	return nil
}

// inspection carries what one file's scan has counted so far.
type inspection struct {
	limits  Limits
	shared  []int32 // text bytes of each shared string, by index
	text    int64   // cell text so far, shared strings at every use
	rows    int     // rows holding a value in the part being scanned
	scratch []byte
}

func (in *inspection) scanPart(f *zip.File, scan func(*xmlScanner) error) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return scan(&xmlScanner{r: bufio.NewReaderSize(rc, 32<<10)})
}

func (in *inspection) cellTooLong() error {
	return &LimitError{"max_cell_text", fmt.Sprintf("单元格文字超过 %d KiB 上限", in.limits.MaxCellText>>10)}
}

// sharedStrings records each <si>'s text length, refusing one over the cell limit.
func (in *inspection) sharedStrings(s *xmlScanner) error {
	inItem, length := false, 0
	for {
		tok, err := s.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case tok.text >= 0:
			if inItem {
				length += tok.text
				if length > in.limits.MaxCellText {
					return in.cellTooLong()
				}
			}
		case tok.name == "si" && tok.selfClosing:
			in.shared = append(in.shared, 0)
		case tok.name == "si" && !tok.end:
			inItem, length = true, 0
		case tok.name == "si" && tok.end:
			inItem = false
			in.shared = append(in.shared, int32(length))
		}
	}
}

// worksheet counts rows holding a value and the text of every cell, expanding shared strings
// by their recorded length.
func (in *inspection) worksheet(s *xmlScanner) error {
	in.rows = 0
	var (
		cellType   string
		inValue    bool // inside <v>
		inInline   bool // inside <is>
		cellText   int
		rowHasData bool
	)
	for {
		tok, err := s.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case tok.text >= 0:
			if !inValue && !inInline {
				continue
			}
			n := tok.text
			if inValue && cellType == "s" {
				idx, err := strconv.Atoi(strings.TrimSpace(string(tok.head)))
				if err != nil || idx < 0 || idx >= len(in.shared) || tok.text > len(tok.head) {
					return fmt.Errorf("shared string index %q out of range", tok.head)
				}
				n = int(in.shared[idx])
			}
			cellText += n
			if cellText > in.limits.MaxCellText {
				return in.cellTooLong()
			}
			if in.text += int64(n); in.text > in.limits.MaxText {
				return &LimitError{"max_text", fmt.Sprintf("表格文字总量（共享文字按每次引用计）超过 %d MiB 上限", in.limits.MaxText>>20)}
			}
			rowHasData = rowHasData || n > 0
		case tok.name == "row" && !tok.end && !tok.selfClosing:
			rowHasData = false
		case tok.name == "row" && tok.end:
			if rowHasData {
				if in.rows++; in.rows > in.limits.MaxRows {
					return &LimitError{"max_rows", fmt.Sprintf("表格超过 %d 行上限（含表头），请拆分文件", in.limits.MaxRows)}
				}
			}
		case tok.name == "c" && !tok.end:
			cellType, cellText = tok.typeAttr, 0
		case tok.name == "v":
			inValue = !tok.end && !tok.selfClosing
		case tok.name == "is":
			inInline = !tok.end && !tok.selfClosing
		}
	}
}

// token is one piece of XML: text (text ≥ 0 bytes, head its first bytes) or a tag (text -1).
type token struct {
	text        int
	head        []byte
	name        string // local name, without a namespace prefix
	end         bool
	selfClosing bool
	typeAttr    string // the t="…" attribute of a tag
}

// xmlScanner tokenizes XML with constant memory: text is measured, never kept (but for its
// first bytes), and tags are bounded in length. It understands as much XML as spreadsheet parts
// use; anything stranger is counted conservatively or refused.
type xmlScanner struct {
	r *bufio.Reader
}

func (s *xmlScanner) next() (token, error) {
	b, err := s.r.ReadByte()
	if err != nil {
		return token{}, err
	}
	if b != '<' {
		_ = s.r.UnreadByte()
		return s.readText()
	}
	return s.readTag()
}

func (s *xmlScanner) readText() (token, error) {
	tok := token{}
	for {
		chunk, err := s.r.ReadSlice('<')
		n := len(chunk)
		if err == nil {
			n-- // the '<' starts the next tag
			_ = s.r.UnreadByte()
		}
		if len(tok.head) < 16 {
			tok.head = append(tok.head, chunk[:min(n, 16-len(tok.head))]...)
		}
		tok.text += n
		switch {
		case err == nil:
			return tok, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF:
			return tok, nil
		default:
			return tok, err
		}
	}
}

func (s *xmlScanner) readTag() (token, error) {
	var tag []byte
	for {
		chunk, err := s.r.ReadSlice('>')
		if len(tag)+len(chunk) > maxTagBytes {
			return token{}, errTagTooLong
		}
		tag = append(tag, chunk...)
		if err == nil {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return token{}, err
		}
	}
	body := bytes.TrimSuffix(tag, []byte(">"))
	tok := token{text: -1}
	if len(body) > 0 && (body[0] == '?' || body[0] == '!') {
		return tok, nil // declaration, comment or doctype
	}
	if len(body) > 0 && body[0] == '/' {
		tok.end, body = true, body[1:]
	}
	if len(body) > 0 && body[len(body)-1] == '/' {
		tok.selfClosing, body = true, body[:len(body)-1]
	}
	end := bytes.IndexFunc(body, isSpace)
	if end < 0 {
		end = len(body)
	}
	tok.name = localName(body[:end])
	tok.typeAttr = attr(body[end:], "t")
	return tok, nil
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// localName drops a namespace prefix, as encoding/xml (and so excelize) matches names.
func localName(name []byte) string {
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return string(name)
}

// attr returns the value of the attribute whose local name is key in a tag's attribute text
// (whitespace allowed around '=', either quote), or "".
func attr(attrs []byte, key string) string {
	rest := attrs
	for {
		rest = bytes.TrimLeftFunc(rest, isSpace)
		eq := bytes.IndexByte(rest, '=')
		if eq < 0 {
			return ""
		}
		name := localName(bytes.TrimRightFunc(rest[:eq], isSpace))
		rest = bytes.TrimLeftFunc(rest[eq+1:], isSpace)
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return ""
		}
		closing := bytes.IndexByte(rest[1:], rest[0])
		if closing < 0 {
			return ""
		}
		if name == key {
			return string(rest[1 : 1+closing])
		}
		rest = rest[2+closing:]
	}
}

// ImportError is the API's answer to an upload over a limit, for the import of domain (its
// codes are domain.import_too_many_rows and domain.import_too_large), or nil when err is not
// a *LimitError.
func ImportError(err error, domain string) *apperr.Error {
	var le *LimitError
	if !errors.As(err, &le) {
		return nil
	}
	code := domain + ".import_too_large"
	if le.Limit == "max_rows" {
		code = domain + ".import_too_many_rows"
	}
	return apperr.Invalid(code, le.Message, apperr.Field("file", le.Message))
}
