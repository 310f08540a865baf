/**
 * What image a file is, by its first bytes (not by what the channel or the name says): JPEG, PNG,
 * WebP, GIF, HEIC/HEIF. Anything else is no photo the bot keeps or serves.
 */

/** An image type: the extension its copy gets and the content type it is served with. */
export interface ImageType {
  ext: "jpg" | "png" | "webp" | "gif" | "heic";
  mime: string;
}

const startsWith = (data: Uint8Array, bytes: readonly number[], at = 0): boolean =>
  data.length >= at + bytes.length && bytes.every((b, i) => data[at + i] === b);

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** The type of an image file by its signature, or null when it is none of the kept types. */
export function imageType(data: Uint8Array): ImageType | null {
  if (startsWith(data, [0xff, 0xd8, 0xff])) return { ext: "jpg", mime: "image/jpeg" };
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { ext: "png", mime: "image/png" };
  if (startsWith(data, ascii("RIFF")) && startsWith(data, ascii("WEBP"), 8)) return { ext: "webp", mime: "image/webp" };
  if (startsWith(data, ascii("GIF87a")) || startsWith(data, ascii("GIF89a"))) return { ext: "gif", mime: "image/gif" };
  if (startsWith(data, ascii("ftyp"), 4) && ["heic", "heix", "mif1", "heif", "hevc"].some((b) => startsWith(data, ascii(b), 8))) {
    return { ext: "heic", mime: "image/heic" };
  }
  return null;
}

/** The content type of a stored copy by its extension (the name the downloader gave it). */
export function mimeOfPath(path: string): string | null {
  const ext = /\.([a-z]+)$/.exec(path)?.[1];
  switch (ext) {
    case "jpg":
      return "image/jpeg";
    case "png":
      return "image/png";
    case "webp":
      return "image/webp";
    case "gif":
      return "image/gif";
    case "heic":
      return "image/heic";
    default:
      return null;
  }
}
