/** Role names by level: "chi hội trưởng" only for a branch. */
import { describe, expect, it } from "vitest";
import { roleLabel } from "../../src/commands/register.js";

describe("roleLabel", () => {
  it("names a reporter by the level of her unit", () => {
    expect(roleLabel("leader", "branch")).toBe("chi hội trưởng (người báo cáo)");
    for (const kind of ["commune", "district", "province", "special"] as const) {
      expect(roleLabel("leader", kind), kind).not.toContain("chi hội trưởng");
      expect(roleLabel("leader", kind), kind).toContain("người báo cáo");
    }
    expect(roleLabel("leader", "district")).toContain("huyện, thành phố");
    expect(roleLabel("officer", "district")).toBe("cán bộ theo dõi");
  });
});
