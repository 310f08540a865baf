/** File names of the outputs: "vun-dap_NDI-YYE_2024-05.xlsx", "tien-do_NDI-YYE_2024-05.png". */

/** A unit code or period key made safe for a file name (ASCII letters, digits, ".", "_", "-"). */
export function safeFilePart(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "x";
}
