import { describe, expect, it } from "vitest";
import { numberArrayLiteral, textArrayLiteral } from "./array-literal";

describe("array literals", () => {
  it("quotes every text element, so NULL, empty strings and spaces stay text", () => {
    expect(textArrayLiteral(["a", "NULL", "", "two words", "{x}"])).toBe('{"a","NULL","","two words","{x}"}');
    expect(textArrayLiteral([])).toBe("{}");
  });

  it("escapes quotes and backslashes inside elements only", () => {
    expect(textArrayLiteral(['say "hi"', "back\\slash", "plain"])).toBe(
      '{"say \\"hi\\"","back\\\\slash","plain"}',
    );
  });

  it("prints numbers as JavaScript does (shortest round trip)", () => {
    expect(numberArrayLiteral([1.5, -3, 0.1 + 0.2, 1e21, 5e-324])).toBe(
      "{1.5,-3,0.30000000000000004,1e+21,5e-324}",
    );
    expect(numberArrayLiteral([])).toBe("{}");
  });
});
