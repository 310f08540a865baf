import { describe, expect, it } from "vitest";
import { qrMatrixFromPng, renderQrMatrix, terminalQrFromPng } from "../../src/channels/zalo/qr.js";
import { matrixToPng, parsePlainQr, qrLikeMatrix } from "./helpers.js";

describe("terminal QR from the PNG zca-js hands over", () => {
  it("reads the module grid back from a scaled PNG", () => {
    const m = qrLikeMatrix(25);
    expect(qrMatrixFromPng(matrixToPng(m, 6, 4))).toEqual(m);
    const big = qrLikeMatrix(33, 11);
    expect(qrMatrixFromPng(matrixToPng(big, 9, 2))).toEqual(big);
  });

  it("draws two modules per character with a light quiet zone, and reads back the same grid", () => {
    const m = qrLikeMatrix(25);
    const text = terminalQrFromPng(matrixToPng(m), "plain")!;
    const lines = text.split("\n");
    expect(lines).toHaveLength(Math.ceil((25 + 4) / 2));
    const grid = parsePlainQr(text);
    for (let r = 0; r < 25; r++) expect(grid[r + 2]!.slice(2, 27)).toEqual(m[r]);
    expect(grid[0]!.every((d) => !d)).toBe(true); // quiet zone
  });

  it("ANSI mode paints both colours explicitly and resets at each line end", () => {
    const text = renderQrMatrix(qrLikeMatrix(21), "ansi");
    const lines = text.split("\n");
    expect(lines).toHaveLength(13);
    expect(lines.every((l) => l.endsWith("\x1b[0m"))).toBe(true);
    expect(text).toContain("\x1b[30;40m"); // dark over dark
    expect(text).toContain("\x1b[97;107m"); // light over light (quiet zone)
  });

  it("gives undefined for what is not a QR image", () => {
    expect(qrMatrixFromPng(Buffer.from("not a png"))).toBeUndefined();
    const blank = qrLikeMatrix(21).map((r) => r.map(() => false));
    expect(qrMatrixFromPng(matrixToPng(blank))).toBeUndefined();
  });
});
