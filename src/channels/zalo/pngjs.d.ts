/** Minimal types for pngjs 7 (the parts used here; @types/pngjs is not installed). */
declare module "pngjs" {
  export interface PNGData {
    width: number;
    height: number;
    /** RGBA, 4 bytes per pixel, row-major. */
    data: Buffer;
  }
  export class PNG implements PNGData {
    constructor(options?: { width?: number; height?: number });
    width: number;
    height: number;
    data: Buffer;
    static sync: {
      read(buffer: Buffer): PNGData;
      write(png: PNGData): Buffer;
    };
  }
}
