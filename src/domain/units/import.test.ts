import { describe, expect, it } from "vitest";
import { UnitTree } from "./tree.js";
import {
  formatUnitImportErrors,
  isValidUnitCode,
  parseUnitKind,
  parseUnits,
  unitRowsToNodes,
  type UnitImportError,
  type UnitImportResult,
  type UnitRow,
} from "./import.js";

function errorsOf(res: UnitImportResult): UnitImportError[] {
  if (res.ok) throw new Error(`expected errors, got ${res.units.length} units`);
  return res.errors;
}

function unitsOf(res: UnitImportResult): UnitRow[] {
  if (!res.ok) throw new Error(`expected units, got:\n${formatUnitImportErrors(res.errors)}`);
  return res.units;
}

/** [line, message] pairs, for compact assertions. */
function lines(res: UnitImportResult): [number, string][] {
  return errorsOf(res).map((e) => [e.line, e.message]);
}

const csv = (...rows: string[]) => ["code,name,kind,parent", ...rows].join("\n") + "\n";

describe("parseUnits: valid input", () => {
  it("parses a CSV file with upper-cased codes and parents first", () => {
    const units = unitsOf(
      parseUnits(csv("ndi-c1,Hội LHPN xã A,commune,ndi-d1", "NDI,Hội LHPN tỉnh,province,", "ndi-d1,Hội LHPN huyện,district,NDI"), "u.csv"),
    );
    expect(units).toEqual([
      { code: "NDI", name: "Hội LHPN tỉnh", kind: "province", parentCode: null, line: 3 },
      { code: "NDI-D1", name: "Hội LHPN huyện", kind: "district", parentCode: "NDI", line: 4 },
      { code: "NDI-C1", name: "Hội LHPN xã A", kind: "commune", parentCode: "NDI-D1", line: 2 },
    ]);
  });

  it("accepts a BOM, CRLF, quoted fields with commas, quotes and newlines, and blank lines", () => {
    const text =
      '\uFEFFcode,name,kind,parent\r\n' +
      'P,"Hội LHPN tỉnh ""Nam Định""",province,\r\n' +
      '\r\n' +
      'D,"Hội LHPN huyện A, B",district,P\r\n' +
      'C,"Hội LHPN xã\r\nhai dòng",commune,D\r\n' +
      'B,Chi hội 1,branch,C\r\n';
    const units = unitsOf(parseUnits(text, "u.csv"));
    expect(units.map((u) => [u.code, u.name, u.line])).toEqual([
      ["P", 'Hội LHPN tỉnh "Nam Định"', 2],
      ["D", "Hội LHPN huyện A, B", 4],
      ["C", "Hội LHPN xã\nhai dòng", 5],
      ["B", "Chi hội 1", 7],
    ]);
  });

  it("accepts Vietnamese headers (with or without diacritics), extra columns and ';' separators", () => {
    const a = unitsOf(parseUnits("Mã;Tên;Loại;Cấp trên;Ghi chú\nP;Tỉnh;tỉnh;;x\nD;Huyện;huyện;P;y\n", "u.csv"));
    const b = unitsOf(parseUnits("ma,ten,loai,cap_tren\nP,Tỉnh,tinh,\nD,Huyện,huyen,P\n", "u.csv"));
    expect(a).toEqual(b);
    expect(a.map((u) => [u.code, u.kind, u.parentCode])).toEqual([
      ["P", "province", null],
      ["D", "district", "P"],
    ]);
  });

  it("accepts a CSV without a parent column for a single root", () => {
    expect(unitsOf(parseUnits("code,name,kind\nP,Tỉnh,province\n", "u.csv"))).toHaveLength(1);
  });

  it("maps Vietnamese kind words with and without diacritics", () => {
    const cases: [string, string][] = [
      ["tinh", "province"], ["Tỉnh", "province"], ["PROVINCE", "province"],
      ["huyen", "district"], ["huyện", "district"], ["thành phố", "district"], ["thanh_pho", "district"],
      ["quận", "district"], ["quan", "district"], ["thi xa", "district"], ["thị xã", "district"],
      ["xa", "commune"], ["xã", "commune"], ["phường", "commune"], ["phuong", "commune"],
      ["thị trấn", "commune"], ["thi tran", "commune"], ["co so", "commune"], ["cơ sở", "commune"],
      ["chi hoi", "branch"], ["Chi hội", "branch"],
      ["dac biet", "special"], ["đặc biệt", "special"], ["truc thuoc", "special"], ["trực thuộc", "special"],
    ];
    for (const [word, kind] of cases) expect([word, parseUnitKind(word)]).toEqual([word, kind]);
    expect(parseUnitKind("thôn")).toBeUndefined();
    // And inside a file:
    const units = unitsOf(parseUnits(csv("P,T,Tỉnh,", "D,H,Thành phố,P", "C,X,Phường,D", "B,CH,chi hoi,C", "S,CA,đặc biệt,P"), "u.csv"));
    expect(units.map((u) => u.kind)).toEqual(["province", "district", "commune", "branch", "special"]);
  });

  it("parses a flat YAML list", () => {
    const text = [
      "- { code: P, name: Tỉnh, kind: province }",
      "- { code: D, name: Huyện, kind: huyện, parent: p }",
      "- code: C",
      "  name: Xã",
      "  kind: xa",
      "  parent: D",
    ].join("\n");
    expect(unitsOf(parseUnits(text, "u.yaml")).map((u) => [u.code, u.kind, u.parentCode, u.line])).toEqual([
      ["P", "province", null, 1],
      ["D", "district", "P", 2],
      ["C", "commune", "D", 3],
    ]);
  });

  it("parses nested YAML (children get the parent implicitly), also under a 'units:' key", () => {
    const nested = [
      "# comment",
      "- code: P",
      "  name: Tỉnh",
      "  kind: tỉnh",
      "  children:",
      "    - code: D",
      "      name: Huyện",
      "      kind: district",
      "      children:",
      "        - { code: C, name: Xã, kind: commune, children: [ { code: B, name: CH, kind: branch } ] }",
      "    - code: S",
      "      name: Đặc biệt",
      "      kind: special",
      "      parent: P",
    ];
    const expected = [
      ["P", null, 2],
      ["D", "P", 6],
      ["C", "D", 10],
      ["B", "C", 10],
      ["S", "P", 11],
    ];
    expect(unitsOf(parseUnits(nested.join("\n"), "u.yml")).map((u) => [u.code, u.parentCode, u.line])).toEqual(expected);
    const wrapped = ["units:", ...nested.map((l) => `  ${l}`)].join("\n");
    expect(unitsOf(parseUnits(wrapped, "u.yaml")).map((u) => [u.code, u.parentCode, u.line])).toEqual(
      expected.map(([c, p, l]) => [c, p, (l as number) + 1]),
    );
  });

  it("keeps numeric-looking YAML codes as written (leading zeros)", () => {
    const units = unitsOf(parseUnits("- { code: 007, name: Tỉnh, kind: province }\n", "u.yaml"));
    expect(units[0]!.code).toBe("007");
  });

  it("takes the format argument over the extension, and rejects unknown extensions", () => {
    expect(unitsOf(parseUnits("code,name,kind\nP,T,province\n", "upload.txt", "csv"))).toHaveLength(1);
    const errs = errorsOf(parseUnits("code,name,kind\nP,T,province\n", "upload.txt"));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ file: "upload.txt", line: 0 });
    expect(errs[0]!.message).toContain(".csv");
  });

  it("lets rows hang under existing codes (any case) and then allows several top units", () => {
    const text = csv("C1,Xã 1,commune,ndi-xtr", "C2,Xã 2,commune,NDI-YYE", "B1,Chi hội,branch,C1");
    const units = unitsOf(parseUnits(text, "u.csv", undefined, new Set(["NDI-XTR", "ndi-yye"])));
    expect(units.map((u) => [u.code, u.parentCode])).toEqual([
      ["C1", "NDI-XTR"],
      ["C2", "NDI-YYE"],
      ["B1", "C1"],
    ]);
    // Without the existing codes, both parents are unknown.
    expect(lines(parseUnits(text, "u.csv")).map(([l]) => l)).toEqual([2, 3]);
  });

  it("builds a UnitTree through unitRowsToNodes", () => {
    const units = unitsOf(parseUnits(csv("P,T,province,", "D,H,district,P", "C,X,commune,D"), "u.csv"));
    const tree = new UnitTree(unitRowsToNodes(units, 10));
    expect(tree.size).toBe(3);
    expect(tree.ancestors(tree.byCode("c")!.id).map((u) => u.code)).toEqual(["D", "P"]);
    expect(() => unitRowsToNodes([{ code: "X", name: "x", kind: "branch", parentCode: "NOPE", line: 1 }])).toThrow(/NOPE/);
  });
});

describe("parseUnits: errors in CSV", () => {
  it("unknown parent", () => {
    expect(lines(parseUnits(csv("P,T,province,", "D,H,district,P", "C,X,commune,D9"), "a.csv"))).toEqual([
      [4, 'Không tìm thấy đơn vị cấp trên "D9" của "C": mã này không có trong tệp'],
    ]);
  });

  it("unknown parent, with existing codes given", () => {
    const errs = errorsOf(parseUnits(csv("C,X,commune,D9"), "a.csv", undefined, new Set(["D1"])));
    expect(errs.map((e) => e.line)).toEqual([2]);
    expect(errs[0]!.message).toContain("danh sách đơn vị hiện có");
  });

  it("duplicate code (case-insensitive), naming both lines", () => {
    expect(lines(parseUnits(csv("P,T,province,", "D,H,district,P", "d,H2,district,P"), "a.csv"))).toEqual([
      [4, 'Mã "D" bị trùng: đã có ở dòng 3, lặp lại ở dòng 4'],
    ]);
  });

  it("cycle, naming the codes in the cycle", () => {
    expect(lines(parseUnits(csv("P,T,province,", "A,a,district,C", "B,b,district,A", "C,c,district,B"), "a.csv"))).toEqual([
      [3, "Vòng lặp cấp trên giữa các đơn vị: A → C → B → A"],
    ]);
  });

  it("a unit that is its own parent is a cycle", () => {
    expect(lines(parseUnits(csv("P,T,province,", "A,a,district,a"), "a.csv"))).toEqual([
      [3, "Vòng lặp cấp trên giữa các đơn vị: A → A"],
    ]);
  });

  it("unknown kind, listing the allowed kinds", () => {
    const errs = errorsOf(parseUnits(csv("P,T,province,", "D,H,thôn,P"), "a.csv"));
    expect(errs.map((e) => e.line)).toEqual([3]);
    expect(errs[0]!.message).toMatch(/^Loại đơn vị "thôn" không hợp lệ/);
    for (const k of ["province", "district", "commune", "branch", "special"]) expect(errs[0]!.message).toContain(k);
  });

  it("missing code, name and kind", () => {
    expect(lines(parseUnits(csv("P,T,province,", ",H,district,P", "D2,,district,P", "D3,H3,,P"), "a.csv"))).toEqual([
      [3, "Thiếu mã (code)"],
      [4, "Thiếu tên (name)"],
      [5, "Thiếu loại (kind)"],
    ]);
  });

  it("bad code and bad parent code", () => {
    const long = "X".repeat(65);
    const res = parseUnits(csv("P,T,province,", "Đ1,H,district,P", `${long},H,district,P`, "D3,H,district,P P"), "a.csv");
    const errs = errorsOf(res);
    expect(errs.map((e) => e.line)).toEqual([3, 4, 5]);
    expect(errs[0]!.message).toMatch(/^Mã "Đ1" không hợp lệ/);
    expect(errs[1]!.message).toContain(long);
    expect(errs[2]!.message).toMatch(/^Mã cấp trên "P P" không hợp lệ/);
    expect(isValidUnitCode("X".repeat(64))).toBe(true);
    expect(isValidUnitCode("NDI-XTR_01")).toBe(true);
  });

  it("province with a parent", () => {
    expect(lines(parseUnits(csv("P,T,province,", "Q,T2,province,P"), "a.csv"))).toEqual([
      [3, '"Q" là đơn vị cấp tỉnh nên không được có cấp trên (đang ghi "P")'],
    ]);
  });

  it("more than one root", () => {
    expect(lines(parseUnits(csv("P,T,province,", "D,H,district,P", "Q,T2,province,"), "a.csv"))).toEqual([
      [4, '"Q" không có cấp trên, nhưng tệp chỉ được có một đơn vị gốc (đã có "P" ở dòng 2)'],
    ]);
  });

  it("missing header columns, too many fields, unclosed quote", () => {
    expect(lines(parseUnits("code,ten\nP,T\n", "a.csv"))).toEqual([
      [1, "Dòng tiêu đề thiếu cột kind; tiêu đề phải là code,name,kind,parent (hoặc ma,ten,loai,cap_tren)"],
    ]);
    const tooMany = errorsOf(parseUnits(csv("P,T,province,", "D,Hội LHPN huyện A, B,district,P", "C,X,commune,D"), "a.csv"));
    expect(tooMany.map((e) => e.line)).toEqual([3]); // and no cascade on C
    expect(tooMany[0]!.message).toContain("ngoặc kép");
    const unclosed = errorsOf(parseUnits(csv("P,T,province,", 'D,"Huyện,district,P', "C,X,commune,D"), "a.csv"));
    expect(unclosed.map((e) => e.line)).toEqual([3]);
    expect(unclosed[0]!.message).toMatch(/^Lỗi định dạng CSV/);
  });

  it("an empty file is an error", () => {
    expect(lines(parseUnits("code,name,kind,parent\n", "a.csv"))).toEqual([[1, "Tệp không có đơn vị nào"]]);
    expect(lines(parseUnits("", "a.yaml"))).toEqual([[1, "Tệp không có đơn vị nào"]]);
  });
});

describe("parseUnits: errors in YAML", () => {
  const yaml = (...l: string[]) => l.join("\n") + "\n";

  it("unknown parent (flat)", () => {
    expect(lines(parseUnits(yaml("- { code: P, name: T, kind: province }", "- { code: C, name: X, kind: commune, parent: D9 }"), "a.yaml"))).toEqual([
      [2, 'Không tìm thấy đơn vị cấp trên "D9" của "C": mã này không có trong tệp'],
    ]);
  });

  it("unknown parent (block mapping: the line of the parent value)", () => {
    const res = parseUnits(yaml("- { code: P, name: T, kind: province }", "- code: C", "  name: X", "  kind: commune", "  parent: D9"), "a.yaml");
    expect(errorsOf(res).map((e) => e.line)).toEqual([5]);
  });

  it("duplicate code across nesting levels, naming both lines", () => {
    const res = parseUnits(
      yaml("- code: P", "  name: T", "  kind: province", "  children:", "    - { code: D, name: H, kind: district }", "    - { code: d, name: H2, kind: district }"),
      "a.yaml",
    );
    expect(lines(res)).toEqual([[6, 'Mã "D" bị trùng: đã có ở dòng 5, lặp lại ở dòng 6']]);
  });

  it("cycle", () => {
    const res = parseUnits(
      yaml("- { code: P, name: T, kind: province }", "- { code: A, name: a, kind: district, parent: B }", "- { code: B, name: b, kind: district, parent: A }"),
      "a.yaml",
    );
    expect(lines(res)).toEqual([[2, "Vòng lặp cấp trên giữa các đơn vị: A → B → A"]]);
  });

  it("unknown kind (the line of the kind value)", () => {
    const res = parseUnits(yaml("- code: P", "  name: T", "  kind: province", "  children:", "    - code: D", "      name: H", "      kind: làng"), "a.yaml");
    const errs = errorsOf(res);
    expect(errs.map((e) => e.line)).toEqual([7]);
    expect(errs[0]!.message).toMatch(/^Loại đơn vị "làng" không hợp lệ; các loại được chấp nhận: province/);
  });

  it("missing fields (the line of the unit)", () => {
    const res = parseUnits(
      yaml("- code: P", "  name: T", "  kind: province", "  children:", "    - name: H", "      kind: district", "    - code: D2", "      kind: district", "    - { code: D3, name: '' }"),
      "a.yaml",
    );
    expect(lines(res)).toEqual([
      [5, "Thiếu mã (code)"],
      [7, "Thiếu tên (name)"],
      [9, "Thiếu tên (name)"],
      [9, "Thiếu loại (kind)"],
    ]);
  });

  it("bad code; its nested children are not reported again", () => {
    const res = parseUnits(
      yaml("- code: P", "  name: T", "  kind: province", "  children:", "    - code: D 1", "      name: H", "      kind: district", "      children:", "        - { code: C, name: X, kind: commune }"),
      "a.yaml",
    );
    const errs = errorsOf(res);
    expect(errs.map((e) => e.line)).toEqual([5]);
    expect(errs[0]!.message).toMatch(/^Mã "D 1" không hợp lệ/);
  });

  it("province with a parent, more than one root", () => {
    const res = parseUnits(
      yaml("- code: P", "  name: T", "  kind: province", "  children:", "    - { code: Q, name: T2, kind: tinh }", "- { code: R, name: T3, kind: huyen }"),
      "a.yaml",
    );
    expect(lines(res)).toEqual([
      [5, '"Q" là đơn vị cấp tỉnh nên không được có cấp trên (đang ghi "P")'],
      [6, '"R" không có cấp trên, nhưng tệp chỉ được có một đơn vị gốc (đã có "P" ở dòng 1)'],
    ]);
  });

  it("a nested unit naming a different parent, an unknown key, a non-list children, a non-scalar value", () => {
    const res = parseUnits(
      yaml(
        "- code: P",
        "  name: T",
        "  kind: province",
        "  chidren: []",
        "  children:",
        "    - { code: D, name: H, kind: district, parent: X }",
        "    - code: E",
        "      name: [a, b]",
        "      kind: district",
        "      children: oops",
      ),
      "a.yaml",
    );
    const errs = lines(res);
    expect(errs.map(([l]) => l)).toEqual([4, 6, 8, 10]);
    expect(errs[0]![1]).toContain('"chidren"');
    expect(errs[1]![1]).toBe('"D" nằm trong children của "P" nhưng lại ghi cấp trên là "X"');
    expect(errs[2]![1]).toMatch(/^Giá trị của tên \(name\)/);
    expect(errs[3]![1]).toBe('children của "E" phải là một danh sách đơn vị');
  });

  it("syntax errors and a non-list document", () => {
    const syntax = errorsOf(parseUnits(yaml("- code: P", "  name: T", "   kind: [province"), "a.yaml"));
    expect(syntax.length).toBeGreaterThan(0);
    expect(syntax[0]!.message).toMatch(/^Lỗi cú pháp YAML/);
    expect(syntax[0]!.line).toBeGreaterThanOrEqual(2);
    expect(lines(parseUnits("# units\ncode: P\nname: T\n", "a.yaml"))).toEqual([
      [2, 'Tệp YAML phải là một danh sách đơn vị (mỗi đơn vị bắt đầu bằng "- ")'],
    ]);
    expect(lines(parseUnits("- just a string\n", "a.yaml"))).toEqual([
      [1, 'Mỗi đơn vị phải có dạng "code: ..., name: ..., kind: ..."'],
    ]);
  });
});

describe("parseUnits: all errors at once", () => {
  it("reports every error in a CSV file, sorted by line", () => {
    const res = parseUnits(
      csv("P,T,province,", "A,a,district,B", "B,b,district,A", "C,c,xã,Q", "P,dup,district,", "bad code,x,xa,P", "D,,sao,P", "E,e,branch,C"),
      "units.csv",
    );
    const errs = errorsOf(res);
    expect(errs.map((e) => e.line)).toEqual([3, 5, 6, 7, 8, 8]);
    expect(formatUnitImportErrors(errs).split("\n")).toEqual([
      "units.csv:3: Vòng lặp cấp trên giữa các đơn vị: A → B → A",
      'units.csv:5: Không tìm thấy đơn vị cấp trên "Q" của "C": mã này không có trong tệp',
      'units.csv:6: Mã "P" bị trùng: đã có ở dòng 2, lặp lại ở dòng 6',
      expect.stringMatching(/^units\.csv:7: Mã "bad code" không hợp lệ/) as unknown as string,
      "units.csv:8: Thiếu tên (name)",
      expect.stringMatching(/^units\.csv:8: Loại đơn vị "sao" không hợp lệ/) as unknown as string,
    ]);
  });

  it("reports every error in a YAML file", () => {
    const res = parseUnits(
      [
        "- code: P",
        "  name: T",
        "  kind: province",
        "  children:",
        "    - { code: D, name: H, kind: bogus }",
        "    - { code: D, name: H, kind: district }",
        "    - { name: X, kind: commune }",
        "- { code: Z, name: Z, kind: commune, parent: NOPE }",
      ].join("\n"),
      "u.yaml",
    );
    expect(errorsOf(res).map((e) => e.line)).toEqual([5, 6, 7, 8]);
  });

  it("formats whole-file errors without a line", () => {
    expect(formatUnitImportErrors([{ file: "x.txt", line: 0, message: "m" }, { file: "a.csv", line: 3, message: "n" }])).toBe("x.txt: m\na.csv:3: n");
  });
});
