/**
 * The draft periodic report (periodic-report.ts) as a Word file in the union's document form
 * (Nghị định 30/2020/NĐ-CP layout): A4, Times New Roman 14; a borderless two-column header with
 * the sending unit's name block and "Số: …/BC-…" on the left, Quốc hiệu – Tiêu ngữ and the place
 * and date on the right; the title centred; the sections justified; "Nơi nhận" on the left and
 * "TM. BAN THƯỜNG VỤ" with the signer's title on the right. Built with the `docx` library.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  WidthType,
} from "docx";
import type { OutboundFile } from "../channels/types.js";
import { safeFilePart } from "./files.js";
import type { DraftDocument } from "./periodic-report.js";
import type { WindowData } from "./window.js";

export const DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

const FONT = "Times New Roman";
/** Half-points. */
const SIZE = 28;
const SMALL = 26;
const NOTE = 22;
/** Twentieths of a point per millimetre. */
const MM = 56.7;

const NO_BORDER = { style: BorderStyle.NONE, size: 0, color: "FFFFFF" } as const;
const NO_BORDERS = { top: NO_BORDER, bottom: NO_BORDER, left: NO_BORDER, right: NO_BORDER, insideHorizontal: NO_BORDER, insideVertical: NO_BORDER };

interface RunStyle {
  bold?: boolean;
  italics?: boolean;
  size?: number;
}

function para(text: string, align: (typeof AlignmentType)[keyof typeof AlignmentType], style: RunStyle = {}, spacingAfter = 0): Paragraph {
  return new Paragraph({
    alignment: align,
    spacing: { after: spacingAfter, line: 300 },
    children: [new TextRun({ text, font: FONT, size: style.size ?? SIZE, bold: style.bold, italics: style.italics })],
  });
}

function cell(children: Paragraph[], widthPct: number): TableCell {
  return new TableCell({ children, width: { size: widthPct, type: WidthType.PERCENTAGE }, borders: { top: NO_BORDER, bottom: NO_BORDER, left: NO_BORDER, right: NO_BORDER } });
}

function twoColumns(left: Paragraph[], right: Paragraph[], leftPct: number): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    layout: TableLayoutType.FIXED,
    borders: NO_BORDERS,
    rows: [new TableRow({ children: [cell(left, leftPct), cell(right, 100 - leftPct)] })],
  });
}

/** A section paragraph: headings bold, the rest justified with a first-line indent. */
function bodyParagraph(text: string, heading: boolean): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.JUSTIFIED,
    indent: { firstLine: Math.round(10 * MM) },
    spacing: { before: heading ? 120 : 0, after: 60, line: 300 },
    children: [new TextRun({ text, font: FONT, size: SIZE, bold: heading })],
  });
}

/** Is a paragraph of a section a sub-heading ("1. Công tác báo cáo", "* Báo cáo tháng chi hội:")? */
function isSubHeading(text: string): boolean {
  return /^\d+\.\s/u.test(text) && !/:\s*…$/u.test(text) ? text.length < 90 : /^\*\s/u.test(text);
}

/** The .docx bytes of a draft document. */
export async function draftDocx(doc: DraftDocument): Promise<Uint8Array> {
  const header = twoColumns(
    [
      ...(doc.superior ? [para(doc.superior, AlignmentType.CENTER, { size: SMALL })] : []),
      para(doc.unit, AlignmentType.CENTER, { bold: true, size: SMALL }),
      para("***", AlignmentType.CENTER, { size: SMALL }),
      para(doc.number, AlignmentType.CENTER, { size: SMALL }),
    ],
    [
      para(doc.motto[0], AlignmentType.CENTER, { bold: true, size: SMALL }),
      para(doc.motto[1], AlignmentType.CENTER, { bold: true }),
      para("", AlignmentType.CENTER),
      para(doc.dateLine, AlignmentType.CENTER, { italics: true }),
    ],
    42,
  );
  const body: (Paragraph | Table)[] = [
    header,
    para("", AlignmentType.CENTER),
    para(doc.title, AlignmentType.CENTER, { bold: true }),
    para(doc.subtitle, AlignmentType.CENTER, { bold: true }),
    para(doc.periodLine, AlignmentType.CENTER, { bold: true }, 240),
    bodyParagraph(doc.intro, false),
  ];
  for (const s of doc.sections) {
    body.push(bodyParagraph(s.heading, true));
    for (const p of s.paragraphs) body.push(bodyParagraph(p, isSubHeading(p)));
  }
  body.push(bodyParagraph(doc.closing, false), para("", AlignmentType.LEFT));
  body.push(
    twoColumns(
      [
        para(doc.recipientsTitle, AlignmentType.LEFT, { bold: true, italics: true, size: 24 }),
        ...doc.recipients.map((r) => para(r, AlignmentType.LEFT, { size: NOTE })),
      ],
      [
        para(doc.onBehalf, AlignmentType.CENTER, { bold: true }),
        para(doc.signerTitle, AlignmentType.CENTER, { bold: true }),
        para("", AlignmentType.CENTER),
        para("", AlignmentType.CENTER),
        para("", AlignmentType.CENTER),
        para(doc.signerName, AlignmentType.CENTER, { bold: true }),
      ],
      50,
    ),
  );
  const file = new Document({
    creator: "Vun Đắp",
    title: `${doc.title} ${doc.periodLine}`,
    styles: { default: { document: { run: { font: FONT, size: SIZE } } } },
    sections: [
      {
        properties: {
          page: {
            size: { width: Math.round(210 * MM), height: Math.round(297 * MM) },
            margin: { top: Math.round(20 * MM), bottom: Math.round(20 * MM), left: Math.round(30 * MM), right: Math.round(15 * MM) },
          },
        },
        children: body,
      },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(file));
}

/** "bao-cao_NDI-YYE_2024-H1.docx" */
export function draftDocxFileName(data: Pick<WindowData, "root" | "reference">): string {
  return `bao-cao_${safeFilePart(data.root.code)}_${safeFilePart(data.reference.key)}.docx`;
}

/** The draft as a file to send (through the outbox, as /xuat's workbook). */
export async function draftDocxFile(doc: DraftDocument, data: Pick<WindowData, "root" | "reference">): Promise<OutboundFile> {
  return { name: draftDocxFileName(data), data: await draftDocx(doc), mime: DOCX_MIME };
}
