import "server-only";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Marked, Renderer, type Tokens } from "marked";

// The repository's docs/ rendered as pages of the app. Read when the page is built (the pages
// are static), from the repository's own docs/ folder: trusted content, so marked's HTML is
// used as it is.

/** docs/ of the repository: found upwards from the working directory (apps/web when building). */
function docsDir(): string {
  for (let dir = process.cwd(), i = 0; i < 5; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, "docs", "README.md"))) return join(dir, "docs");
  }
  throw new Error(`docs/ not found above ${process.cwd()}`);
}

/** GitHub's heading anchors, so links like `architecture.md#readings-over-time` agree. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .trim()
    .replace(/\s/g, "-");
}

function markdownToHtml(markdown: string): string {
  const used = new Map<string, number>();
  const marked = new Marked({ gfm: true, async: false });
  marked.use({
    renderer: {
      heading({ tokens, depth, text }: Tokens.Heading) {
        const base = slug(text);
        const n = used.get(base) ?? 0;
        used.set(base, n + 1);
        const id = n === 0 ? base : `${base}-${n}`;
        return `<h${depth} id="${id}">${this.parser.parseInline(tokens)}</h${depth}>\n`;
      },
      // Wide tables scroll sideways inside their own box instead of widening the page.
      table(token: Tokens.Table) {
        const plain = new Renderer();
        plain.parser = this.parser;
        return `<div class="table-wrap">${plain.table(token)}</div>\n`;
      },
      // Another document of docs/ is not a page of the app: its name stays as text.
      link({ href, tokens }: Tokens.Link) {
        if (/^[\w.-]+\.md(#.*)?$/.test(href)) return this.parser.parseInline(tokens);
        return false;
      },
    },
  });
  return marked.parse(markdown) as string;
}

/**
 * One document of docs/ as HTML. Only ever called while the app is built (the pages are static),
 * so the file is not traced into the server's output.
 */
export function renderDoc(name: string): string {
  const path = join(/*turbopackIgnore: true*/ docsDir(), name);
  return markdownToHtml(readFileSync(/*turbopackIgnore: true*/ path, "utf8"));
}
