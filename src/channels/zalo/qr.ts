/**
 * Terminal rendering of the login QR. zca-js 2.2.0 hands over the QR only as a PNG (base64), not the
 * encoded text (its `code` field is the polling token), so the PNG is decoded (pngjs) and its modules
 * sampled back into a grid: the module size is measured on the top-left finder pattern (runs
 * 1:1:3:1:1 through its middle), then each module's centre pixel is read.
 */
import { PNG } from "pngjs";

export type QrMatrix = boolean[][]; // true = dark module

export function qrMatrixFromPng(png: Buffer): QrMatrix | undefined {
  let img: { width: number; height: number; data: Buffer };
  try {
    img = PNG.sync.read(png);
  } catch {
    return undefined;
  }
  const { width, height, data } = img;
  const dark = (x: number, y: number): boolean => {
    const i = (y * width + x) * 4;
    if ((data[i + 3] ?? 0) < 128) return false;
    const lum = 0.299 * (data[i] ?? 0) + 0.587 * (data[i + 1] ?? 0) + 0.114 * (data[i + 2] ?? 0);
    return lum < 128;
  };
  let minX = width, minY = height, maxX = -1, maxY = -1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (dark(x, y)) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
  if (maxX < 0) return undefined;
  // First guess of the module size from the top row of the finder, then measure through its middle.
  let top = 0;
  while (minX + top <= maxX && dark(minX + top, minY)) top++;
  const midY = Math.min(maxY, Math.round(minY + (top * 3.5) / 7));
  const runs: number[] = [];
  let x = minX;
  let colour = true;
  while (runs.length < 5 && x <= maxX) {
    let len = 0;
    while (x <= maxX && dark(x, midY) === colour) {
      len++;
      x++;
    }
    runs.push(len);
    colour = !colour;
  }
  if (runs.length < 5) return undefined;
  const finder = runs.reduce((a, b) => a + b, 0);
  const unit = finder / 7;
  const ratios = [1, 1, 3, 1, 1];
  if (unit < 1 || runs.some((r, i) => Math.abs(r - ratios[i]! * unit) > unit * 0.75)) return undefined;
  const n = Math.round((maxX - minX + 1) / unit);
  const nY = Math.round((maxY - minY + 1) / unit);
  if (n < 21 || n > 200 || n !== nY) return undefined;
  const size = (maxX - minX + 1) / n;
  const matrix: QrMatrix = [];
  for (let row = 0; row < n; row++) {
    const line: boolean[] = [];
    for (let col = 0; col < n; col++) {
      line.push(dark(Math.min(maxX, Math.floor(minX + (col + 0.5) * size)), Math.min(maxY, Math.floor(minY + (row + 0.5) * size))));
    }
    matrix.push(line);
  }
  return matrix;
}

/**
 * Two modules per character cell (upper/lower half blocks). "ansi" paints light and dark with
 * explicit colours, so it scans on dark and light terminal themes alike; "plain" draws light modules
 * as ink (for logs and tests; scans on dark themes).
 */
export function renderQrMatrix(matrix: QrMatrix, mode: "ansi" | "plain" = "ansi", quiet = 2): string {
  const n = matrix.length;
  const size = n + 2 * quiet;
  const at = (r: number, c: number): boolean => matrix[r - quiet]?.[c - quiet] ?? false;
  const lines: string[] = [];
  for (let r = 0; r < size; r += 2) {
    let line = "";
    let last = "";
    for (let c = 0; c < size; c++) {
      const top = at(r, c);
      const bottom = r + 1 < size ? at(r + 1, c) : false;
      if (mode === "plain") {
        line += !top && !bottom ? "█" : !top ? "▀" : !bottom ? "▄" : " ";
      } else {
        // Upper half block: foreground = top module, background = bottom module.
        const code = `\x1b[${top ? 30 : 97};${bottom ? 40 : 107}m`;
        if (code !== last) line += code;
        last = code;
        line += "▀";
      }
    }
    lines.push(mode === "ansi" ? line + "\x1b[0m" : line);
  }
  return lines.join("\n");
}

/** The QR of a PNG for the terminal, or undefined when the image cannot be read as a QR grid. */
export function terminalQrFromPng(png: Buffer, mode: "ansi" | "plain" = "ansi"): string | undefined {
  const m = qrMatrixFromPng(png);
  return m ? renderQrMatrix(m, mode) : undefined;
}
