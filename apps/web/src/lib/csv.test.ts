import { describe, expect, it } from "vitest";
import { csvField } from "./csv";

describe("CSV fields of the sets export", () => {
  it("leaves plain text alone", () => {
    expect(csvField("Barbell Back Squat")).toBe("Barbell Back Squat");
    expect(csvField("")).toBe("");
    expect(csvField("Curl (EZ bar); 21s")).toBe("Curl (EZ bar); 21s");
  });

  it("quotes commas, quotes and line breaks, doubling the quotes", () => {
    expect(csvField("Press, seated")).toBe('"Press, seated"');
    expect(csvField('The "big" one')).toBe('"The ""big"" one"');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
  });

  it("neutralises what a spreadsheet would run as a formula", () => {
    expect(csvField("=1+1")).toBe("'=1+1");
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-1")).toBe("'-1");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("\tTab")).toBe("'\tTab");
    expect(csvField("mid-word = fine")).toBe("mid-word = fine");
  });

  it("neutralises first, then quotes", () => {
    expect(csvField('=HYPERLINK("x","y")')).toBe(`"'=HYPERLINK(""x"",""y"")"`);
    expect(csvField("\rnext")).toBe(`"'\rnext"`);
  });
});
