//! Word documents in the official-document layout (党政机关公文格式, GB/T 9704-2012): A4 with
//! its margins (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm), the title in 小标宋 二号
//! centred, the body in 仿宋_GB2312 三号 on a fixed 28.95 pt line with a two-character first-line
//! indent, level-one headings in 黑体 and level-two in 楷体_GB2312, tables in 仿宋 四号, and the
//! page number "— 1 —" in 宋体 四号 at the foot. Meeting minutes use it; bulletins will.

use super::content_disposition;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use docx_rs::{
    AlignmentType, Docx, FieldCharType, Footer, InstrPAGE, InstrText, LineSpacing, LineSpacingType,
    PageMargin, Paragraph, Run, RunFonts, SpecialIndentType, Table, TableCell, TableLayoutType,
    TableRow, WidthType,
};

/// Twentieths of a point per millimetre.
const TWIPS_PER_MM: f64 = 56.692;
/// A4 in twips.
const A4: (u32, u32) = (11906, 16838);
/// Font sizes in half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt.
const ERHAO: usize = 44;
const SANHAO: usize = 32;
const SIHAO: usize = 28;
/// The body's fixed line: 22 lines on the type area, 28.95 pt.
const LINE: i32 = 579;
/// Two characters of 三号 text.
const INDENT: i32 = 640;
/// The type area's width: 210 − 28 − 26 mm.
const TEXT_WIDTH: usize = 8845;

const TITLE_FONT: &str = "方正小标宋简体";
const BODY_FONT: &str = "仿宋_GB2312";
const HEADING_FONT: &str = "黑体";
const SUBHEADING_FONT: &str = "楷体_GB2312";
const PAGE_FONT: &str = "宋体";

fn mm(v: f64) -> i32 {
    (v * TWIPS_PER_MM).round() as i32
}

fn fonts(name: &str) -> RunFonts {
    // Latin text and digits in Times New Roman, as official documents set them.
    RunFonts::new()
        .east_asia(name)
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

fn fixed_line() -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(LINE)
        .before(0)
        .after(0)
}

/// A document being written, block by block, top to bottom.
pub struct OfficialDocument {
    docx: Docx,
}

impl Default for OfficialDocument {
    fn default() -> Self {
        Self::new()
    }
}

impl OfficialDocument {
    pub fn new() -> Self {
        let page_number = Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(run("— ", PAGE_FONT, SIHAO))
            .add_run(
                Run::new()
                    .fonts(fonts(PAGE_FONT))
                    .size(SIHAO)
                    .add_field_char(FieldCharType::Begin, false)
                    .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
                    .add_field_char(FieldCharType::Separate, false)
                    .add_text("1")
                    .add_field_char(FieldCharType::End, false),
            )
            .add_run(run(" —", PAGE_FONT, SIHAO));
        let docx = Docx::new()
            .page_size(A4.0, A4.1)
            .page_margin(
                PageMargin::new()
                    .top(mm(37.0))
                    .bottom(mm(35.0))
                    .left(mm(28.0))
                    .right(mm(26.0))
                    .header(mm(15.0))
                    .footer(mm(20.0)),
            )
            .default_fonts(fonts(BODY_FONT))
            .default_size(SANHAO)
            .footer(Footer::new().add_paragraph(page_number));
        Self { docx }
    }

    fn add(mut self, p: Paragraph) -> Self {
        self.docx = self.docx.add_paragraph(p);
        self
    }

    /// The title (标题): 小标宋 二号, centred, a blank line after.
    pub fn title(self, text: &str) -> Self {
        self.add(
            Paragraph::new()
                .align(AlignmentType::Center)
                .line_spacing(
                    LineSpacing::new()
                        .line_rule(LineSpacingType::Exact)
                        .line(700)
                        .after(LINE as u32),
                )
                .add_run(run(text, TITLE_FONT, ERHAO)),
        )
    }

    /// A centred line under the title (the date, the issuing office), in 楷体.
    pub fn centred(self, text: &str) -> Self {
        self.add(
            Paragraph::new()
                .align(AlignmentType::Center)
                .line_spacing(fixed_line())
                .add_run(run(text, SUBHEADING_FONT, SANHAO)),
        )
    }

    /// A level-one heading (一、…) in 黑体, indented like the body.
    pub fn heading(self, text: &str) -> Self {
        self.add(
            Paragraph::new()
                .line_spacing(fixed_line())
                .indent(None, Some(SpecialIndentType::FirstLine(INDENT)), None, None)
                .add_run(run(text, HEADING_FONT, SANHAO)),
        )
    }

    /// A level-two heading (（一）…) in 楷体_GB2312.
    pub fn subheading(self, text: &str) -> Self {
        self.add(
            Paragraph::new()
                .line_spacing(fixed_line())
                .indent(None, Some(SpecialIndentType::FirstLine(INDENT)), None, None)
                .add_run(run(text, SUBHEADING_FONT, SANHAO)),
        )
    }

    /// Body text: each line of `text` a paragraph with a two-character first-line indent;
    /// blank lines are dropped.
    pub fn body(mut self, text: &str) -> Self {
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            self = self.add(
                Paragraph::new()
                    .align(AlignmentType::Both)
                    .line_spacing(fixed_line())
                    .indent(None, Some(SpecialIndentType::FirstLine(INDENT)), None, None)
                    .add_run(run(line, BODY_FONT, SANHAO)),
            );
        }
        self
    }

    /// A line set flush left without indent (the addressee of a letter, 主送机关).
    pub fn plain(self, text: &str) -> Self {
        self.add(
            Paragraph::new()
                .align(AlignmentType::Left)
                .line_spacing(fixed_line())
                .add_run(run(text, BODY_FONT, SANHAO)),
        )
    }

    /// A labelled line (主持人：…) set like the body, the label in 黑体.
    pub fn labelled(self, label: &str, text: &str) -> Self {
        self.add(
            Paragraph::new()
                .align(AlignmentType::Both)
                .line_spacing(fixed_line())
                .indent(None, Some(SpecialIndentType::FirstLine(INDENT)), None, None)
                .add_run(run(&format!("{label}："), HEADING_FONT, SANHAO))
                .add_run(run(text, BODY_FONT, SANHAO)),
        )
    }

    /// A line set flush right, two characters in (the issuing office and date at the end).
    pub fn signature(self, text: &str) -> Self {
        self.add(
            Paragraph::new()
                .align(AlignmentType::Right)
                .line_spacing(fixed_line())
                .indent(None, None, Some(INDENT), None)
                .add_run(run(text, BODY_FONT, SANHAO)),
        )
    }

    /// A table across the type area: a header row in 黑体, then rows in 仿宋 四号. `widths`
    /// are the columns' shares of the width.
    pub fn table(mut self, headers: &[&str], widths: &[usize], rows: &[Vec<String>]) -> Self {
        let total: usize = widths.iter().sum::<usize>().max(1);
        let grid: Vec<usize> = widths.iter().map(|w| TEXT_WIDTH * w / total).collect();
        let cell = |text: &str, font: &str, width: usize, centred: bool| {
            let mut p = Paragraph::new().add_run(run(text, font, SIHAO));
            if centred {
                p = p.align(AlignmentType::Center);
            }
            TableCell::new()
                .width(width, WidthType::Dxa)
                .add_paragraph(p)
        };
        let mut table_rows = vec![TableRow::new(
            headers
                .iter()
                .zip(&grid)
                .map(|(h, w)| cell(h, HEADING_FONT, *w, true))
                .collect(),
        )];
        for row in rows {
            table_rows.push(TableRow::new(
                row.iter()
                    .zip(&grid)
                    .map(|(t, w)| cell(t, BODY_FONT, *w, false))
                    .collect(),
            ));
        }
        self.docx = self.docx.add_table(
            Table::new(table_rows)
                .set_grid(grid)
                .layout(TableLayoutType::Fixed)
                .width(TEXT_WIDTH, WidthType::Dxa),
        );
        // Word needs a paragraph between a table and what follows.
        self.add(Paragraph::new().line_spacing(fixed_line()))
    }

    /// The packed .docx.
    pub fn into_bytes(self) -> Result<Vec<u8>, String> {
        let mut out = std::io::Cursor::new(Vec::new());
        self.docx
            .build()
            .pack(&mut out)
            .map_err(|e| format!("writing docx: {e}"))?;
        Ok(out.into_inner())
    }
}

/// A .docx download with a Chinese file name.
pub fn docx_response(file_name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                content_disposition(file_name, "document.docx"),
            ),
        ],
        bytes,
    )
        .into_response()
}
