import { describe, expect, it } from "vitest";
import { linksIn, renderPost, safeHref } from "./community-markdown";

describe("renderPost", () => {
  it("renders Markdown", () => {
    expect(renderPost("**bold** and `code`")).toBe("<p><strong>bold</strong> and <code>code</code></p>\n");
  });

  it("shows raw HTML as text: no script, no handler, no iframe", () => {
    const html = renderPost(
      '<script>alert(1)</script>\n\nhi <img src=x onerror="alert(2)"> <iframe src="//x"></iframe>',
    );
    expect(html).not.toMatch(/<script|<img|<iframe/);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(2)&quot;&gt;");
  });

  it("drops javascript: and data: links, keeping their text; others get rel=nofollow ugc", () => {
    expect(renderPost("[click](javascript:alert(1))")).toBe("<p>click</p>\n");
    expect(renderPost("[x](data:text/html;base64,PHNjcmlwdD4=)")).toBe("<p>x</p>\n");
    expect(renderPost("[JaVaScRiPt](JAVASCRIPT:alert(1))")).not.toContain("href");
    expect(renderPost("[docs](https://example.com/a?b=1&c=2)")).toBe(
      '<p><a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc noopener">docs</a></p>\n',
    );
  });

  it("turns images into links, so nothing is loaded from elsewhere", () => {
    expect(renderPost("![pixel](https://tracker.example/p.gif)")).toBe(
      '<p><a href="https://tracker.example/p.gif" rel="nofollow ugc noopener">[pixel]</a></p>\n',
    );
  });

  it("escapes attributes and code", () => {
    expect(renderPost('[a](https://x.example/"onmouseover="alert(1))')).not.toContain('"onmouseover');
    expect(renderPost("```\n<b>x</b>\n```")).toContain("&lt;b&gt;x&lt;/b&gt;");
  });
});

describe("linksIn", () => {
  it("finds inline, reference, autolinks, bare URLs, www addresses and images", () => {
    const body = [
      "[inline](https://a.example)",
      "[ref][1]",
      "<https://b.example>",
      "bare https://c.example/x here",
      "and www.d.example too",
      "![img](https://e.example/i.png)",
      "",
      "[1]: https://f.example",
    ].join("\n");
    expect(
      linksIn(body)
        .map((h) => new URL(h).hostname)
        .sort(),
    ).toEqual(["a.example", "b.example", "c.example", "e.example", "f.example", "www.d.example"]);
  });

  it("does not take code for links", () => {
    expect(linksIn("`https://a.example` and\n\n    https://b.example")).toEqual([]);
  });

  it("finds none in plain text", () => {
    expect(linksIn("no links here, just example dot com")).toEqual([]);
  });
});

describe("safeHref", () => {
  it("takes http, https and mailto only", () => {
    expect(safeHref("https://x.example")).toBe("https://x.example/");
    expect(safeHref("mailto:a@b.example")).toBe("mailto:a@b.example");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("/relative")).toBeNull();
    expect(safeHref("vbscript:x")).toBeNull();
  });
});
