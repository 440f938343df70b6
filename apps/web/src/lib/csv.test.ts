import { describe, expect, it } from "vitest";
import { csvField } from "./csv";

describe("CSV fields of the sets export", () => {
  it("leaves plain text alone", () => {
    expect(csvField("Barbell Back Squat")).toBe("Barbell Back Squat");
    expect(csvField("")).toBe("");
    expect(csvField("Curl (EZ bar) 21s")).toBe("Curl (EZ bar) 21s");
    expect(csvField("mid-word = fine")).toBe("mid-word = fine");
  });

  it("quotes commas, quotes and line breaks, doubling the quotes", () => {
    expect(csvField("Press, seated")).toBe('"Press, seated"');
    expect(csvField('The "big" one')).toBe('"The ""big"" one"');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
    expect(csvField("crlf\r\nhere")).toBe('"crlf\r\nhere"');
  });

  it("quotes semicolons too: a ; locale's spreadsheet splits on them", () => {
    expect(csvField("Curl (EZ bar); 21s")).toBe('"Curl (EZ bar); 21s"');
    expect(csvField(";")).toBe('";"');
    expect(csvField("a;b,c")).toBe('"a;b,c"');
  });

  it("neutralises what a spreadsheet would run as a formula, and quotes it", () => {
    expect(csvField("=1+1")).toBe(`"'=1+1"`);
    expect(csvField("+1")).toBe(`"'+1"`);
    expect(csvField("-1")).toBe(`"'-1"`);
    expect(csvField("@SUM(A1)")).toBe(`"'@SUM(A1)"`);
    expect(csvField("\tTab")).toBe(`"'\tTab"`);
    expect(csvField("\rnext")).toBe(`"'\rnext"`);
  });

  it("neutralises first, then quotes, whatever the separator", () => {
    expect(csvField('=HYPERLINK("x","y")')).toBe(`"'=HYPERLINK(""x"",""y"")"`);
    expect(csvField('=HYPERLINK("x";"y")')).toBe(`"'=HYPERLINK(""x"";""y"")"`);
    expect(csvField("=1;2")).toBe(`"'=1;2"`);
    expect(csvField("-2+3;=SUM(A1)")).toBe(`"'-2+3;=SUM(A1)"`);
  });
});
