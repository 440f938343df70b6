// Community posts are Markdown written by anyone: rendered with marked, with everything that
// could run or pull anything in taken out. Raw HTML (block or inline) is shown as text; links go
// out only to http(s) and mailto addresses, marked rel="nofollow ugc noopener"; images become
// plain links (no tracking pixels, no huge images in a thread).
import { Marked, type Token, type Tokens } from "marked";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** The address as a safe href, or null: http(s) and mailto only (no javascript:, data:, …). */
export function safeHref(href: string): string | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  return ["http:", "https:", "mailto:"].includes(url.protocol) ? url.href : null;
}

const marked = new Marked({ gfm: true, breaks: true, async: false });
marked.use({
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(token.text);
    },
    link(token: Tokens.Link) {
      const text = this.parser.parseInline(token.tokens);
      const href = safeHref(token.href);
      if (!href) return text;
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
      return `<a href="${escapeHtml(href)}"${title} rel="nofollow ugc noopener">${text}</a>`;
    },
    image(token: Tokens.Image) {
      const href = safeHref(token.href);
      const label = escapeHtml(token.text || "image");
      return href ? `<a href="${escapeHtml(href)}" rel="nofollow ugc noopener">[${label}]</a>` : `[${label}]`;
    },
  },
});

/** A post's body as HTML that is safe to insert into a page. */
export function renderPost(markdown: string): string {
  return marked.parse(markdown) as string;
}

/**
 * Every address a post links to, as the Markdown parser reads it: inline links, reference links,
 * autolinks (`<https://…>`), bare URLs and `www.` addresses (GFM), and images. For the link brake
 * on new accounts: a regex would miss some of these and see links in code.
 */
export function linksIn(markdown: string): string[] {
  const found: string[] = [];
  const tokens = marked.lexer(markdown);
  marked.walkTokens(tokens, (token: Token) => {
    if (token.type === "link" || token.type === "image") found.push((token as Tokens.Link).href);
  });
  return found;
}
