package questionbank

import (
	"context"
	"fmt"

	"github.com/xuefa/xuefa/internal/platform/auth"
)

// File is a generated download.
type File struct {
	Name        string // ASCII file name
	Title       string // human name (may be Chinese), for Content-Disposition filename*
	ContentType string
	Data        []byte
}

// Content types of the downloads.
const (
	ContentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	ContentTypeCSV  = "text/csv; charset=utf-8"
)

// Export writes every question of a bank the actor administers (all statuses, id order) in the
// import layout, so the file imports again unchanged.
func (s *Service) Export(ctx context.Context, actor auth.Actor, bankID int64, format Format) (*File, error) {
	bank, err := s.managedBank(ctx, actor, bankID)
	if err != nil {
		return nil, err
	}
	questions, err := s.store.BankQuestions(ctx, bankID)
	if err != nil {
		return nil, err
	}
	rows := make([][]string, 0, len(questions))
	for _, q := range questions {
		rows = append(rows, cellsOf(q))
	}
	return tableFile(fmt.Sprintf("question-bank-%d", bankID), bank.Name, format, rows, nil)
}

// templateRows are the example rows of the import template, one per type; they import as is.
var templateRows = [][]string{
	{"单选", "中华人民共和国的根本制度是（ ）。", "社会主义制度", "人民代表大会制度", "民族区域自治制度", "基层群众自治制度", "", "", "", "",
		"A", "宪法第一条第二款规定：社会主义制度是中华人民共和国的根本制度。", "中华人民共和国宪法", "第一条", "2018-03-11", "2", "宪法,国家制度", "已发布"},
	{"多选", "下列属于行政处罚种类的有（ ）。", "警告、通报批评", "罚款", "记过", "行政拘留", "", "", "", "",
		"ABD", "记过是对公职人员的政务处分，不是行政处罚。", "中华人民共和国行政处罚法", "第九条", "2021-07-15", "3", "行政处罚法", "已发布"},
	{"判断", "宪法是国家的根本法，具有最高的法律效力。", "", "", "", "", "", "", "", "",
		"对", "宪法序言最后一段。", "中华人民共和国宪法", "序言", "2018-03-11", "1", "宪法", "已发布"},
	{"填空", "根据民法典，十八周岁以上的自然人为____。", "", "", "", "", "", "", "", "",
		"成年人", "民法典第十七条：十八周岁以上的自然人为成年人。可接受多个答案时用竖线分隔，如：成年人|成年自然人。", "中华人民共和国民法典", "第十七条", "2021-01-01", "2", "民法典,总则", "草稿"},
}

// templateNotes explain the columns on the template's second sheet.
var templateNotes = []string{
	"题目导入说明（第一行是表头，请勿修改列名；可删除不用的可选列）",
	"题型（必填）：单选、多选、判断、填空。",
	"题干（必填）：不超过 2000 字。同一题库中题干相同（忽略空格、标点和大小写）的题目视为重复，导入时跳过并报告。",
	"选项A～选项H：单选、多选题需 2～8 个选项，从 A 起连续填写；判断题和填空题不填选项。",
	"答案（必填）：单选填一个字母（如 A），多选填两个以上字母（如 ACD）；判断填 对/错（也可 √/×、T/F）；填空填可接受的答案，多个用竖线 | 分隔。",
	"解析、法律名称、条款、施行日期（如 2021-01-01）：可选，建议填写法条依据。",
	"难度：1～5 的整数，默认 3。标签：多个用逗号分隔，每个不超过 32 字，最多 10 个。",
	"状态：已发布（默认）、草稿、已停用。",
	"默认整份文件全部正确才导入；加参数 partial=true 可只导入正确的行。",
}

// Template returns the import template with one example row per type.
func Template(format Format) (*File, error) {
	return tableFile("question-import-template", "题目导入模板", format, templateRows, templateNotes)
}

func tableFile(name, title string, format Format, rows [][]string, notes []string) (*File, error) {
	switch format {
	case FormatCSV:
		data, err := writeCSV(rows)
		return &File{Name: name + ".csv", Title: title + ".csv", ContentType: ContentTypeCSV, Data: data}, err
	default:
		data, err := writeXLSX(rows, notes)
		return &File{Name: name + ".xlsx", Title: title + ".xlsx", ContentType: ContentTypeXLSX, Data: data}, err
	}
}
