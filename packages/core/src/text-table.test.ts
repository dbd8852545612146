import { describe, expect, it } from "vitest";
import { formatTable } from "./text-table.js";

describe("formatTable", () => {
  it("aligns columns to their widest cell, rules the header and trims trailing spaces", () => {
    expect(
      formatTable(
        ["name", "n", ""],
        [
          ["alpha", 1, "top"],
          ["b", 12345, ""],
        ],
      ),
    ).toEqual(["name   n", "-----  -----  ---", "alpha  1      top", "b      12345"]);
  });

  it("prints a header-only table when there are no rows", () => {
    expect(formatTable(["a", "bb"], [])).toEqual(["a  bb", "-  --"]);
  });
});
