// The repository stands alone: its README and docs/ are the product's documentation. No tracked
// file points outside the checkout for it, and every relative link in the README and docs/
// resolves to a file of the repository (and, with an anchor, to one of that file's headings).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { REPO_ROOT } from "@pulseboard/devstack/paths";
import { describe, expect, it } from "vitest";

/** Lines of tracked files containing `needle` (`git grep`), as `path:line:text`. */
function trackedMentions(needle: string): string[] {
  try {
    return execFileSync("git", ["grep", "-n", "-I", "-F", "-e", needle], { cwd: REPO_ROOT, encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
  } catch (error) {
    // git grep exits 1 when nothing matches.
    if ((error as { status?: number }).status === 1) return [];
    throw error;
  }
}

/** GitHub's heading anchors. */
const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .trim()
    .replace(/\s/g, "-");

function anchorsOf(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "");
  return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug((m[1] as string).trim())));
}

const documents = [
  "README.md",
  ...readdirSync(join(REPO_ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

describe("the repository's documentation", () => {
  it("no tracked file refers to a folder beside the checkout or to the old architecture file", () => {
    // Built from parts, so that this file does not match itself.
    const sibling = ["..", "shared", ""].join("/");
    const oldFile = `${"architecture".toUpperCase()}.md`;
    expect(trackedMentions(sibling)).toEqual([]);
    expect(trackedMentions(oldFile)).toEqual([]);
  });

  it("has the documents the README points to", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    for (const doc of ["device-protocol", "alerting", "api", "architecture", "decisions"]) {
      expect(documents).toContain(`docs/${doc}.md`);
      expect(readme, doc).toContain(`docs/${doc}.md`);
    }
  });

  it.each(documents)("%s: every relative link resolves", (doc) => {
    const text = readFileSync(join(REPO_ROOT, doc), "utf8").replace(/```[\s\S]*?```/g, "");
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!target || /^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
      const [file = "", anchor] = target.split("#");
      const path = file === "" ? join(REPO_ROOT, doc) : join(REPO_ROOT, dirname(doc), file);
      if (relative(REPO_ROOT, path).startsWith("..") || !existsSync(path)) {
        broken.push(`${target} (no such file in the repository)`);
      } else if (anchor && path.endsWith(".md") && !anchorsOf(readFileSync(path, "utf8")).has(anchor)) {
        broken.push(`${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});
