package learner

// The learner sheet: one layout for the import template, imports and exports, so an export
// imports back unchanged. Row 1 is the header; columns are found by header text, in any order.

// Format is a spreadsheet file format.
type Format string

// Formats.
const (
	FormatXLSX Format = "xlsx"
	FormatCSV  Format = "csv"
)

// ContentType is the MIME type of files in the format.
func (f Format) ContentType() string {
	if f == FormatCSV {
		return "text/csv; charset=utf-8"
	}
	return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}

// Column keys.
const (
	colName     = "name"
	colUnit     = "unit"
	colTrack    = "track"
	colPosition = "position"
	colPhone    = "phone"
	colIDCard   = "id_card"
	colID       = "id"
)

type sheetColumn struct {
	key      string
	header   string   // the Chinese header written in templates and exports
	aliases  []string // other accepted header texts (the JSON field names, for integrators)
	required bool     // the header must be present in an import
	width    float64
	note     string
	example  string
}

// sheetColumns is the layout, in the order templates and exports write it.
var sheetColumns = []sheetColumn{
	{key: colName, header: "姓名", aliases: []string{"name"}, required: true, width: 12,
		note: "必填，2–32 个字", example: "张三"},
	{key: colUnit, header: "单位", aliases: []string{"unit"}, required: true, width: 24,
		note: "必填。单位代码（如 huayang）、从县开始的单位路径（如 绩溪县/华阳镇），或在管辖范围内唯一的单位名称；须在您的管辖范围内。可选单位见“单位”工作表"},
	{key: colTrack, header: "学习类别", aliases: []string{"track"}, required: true, width: 10,
		note: "必填。领航（领导干部）、普及（一般国家工作人员）、精准（司法执法人员），或代码 leader / general / judicial", example: "普及"},
	{key: colPosition, header: "职务", aliases: []string{"position"}, required: true, width: 16,
		note: "可空，不超过 64 字", example: "科员"},
	{key: colPhone, header: "手机号", aliases: []string{"phone"}, required: true, width: 14,
		note: "必填，11 位手机号，学员用它登录；文件内不能重复。含 * 的脱敏号码（导出所得）表示保持原号码不变", example: "13800001234"},
	{key: colIDCard, header: "身份证号", aliases: []string{"id_card"}, required: true, width: 22,
		note: "可空，18 位（末位可为 X），按 GB 11643 校验；文件内不能重复。留空或含 * 的脱敏号码表示保持原号码不变", example: "11010519491231002X"},
	{key: colID, header: "学员编号", aliases: []string{"id"}, width: 10,
		note: "可选列。导出时填写，导入时按它匹配已有学员；新学员留空（再按身份证号、手机号匹配）"},
}

func columnByKey(key string) sheetColumn {
	for _, c := range sheetColumns {
		if c.key == key {
			return c
		}
	}
	return sheetColumn{key: key, header: key}
}

// header is the Chinese header of a column key (used in row errors).
func header(key string) string { return columnByKey(key).header }

// dataSheet is the sheet imports read: the one named like the template's, else the first.
const dataSheet = "学员"
