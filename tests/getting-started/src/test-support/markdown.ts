import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export interface FencedBlock {
  /** The info string after the opening fence: "yaml", "ts", "json response". */
  info: string;
  body: string;
  /** 1-based line of the opening fence. */
  line: number;
}

/** Fenced code blocks (``` or ~~~, any length; a fence closes with at least as many of the same character). */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const lines = markdown.split("\n");
  let open: { fence: string; info: string; line: number; body: string[] } | undefined;
  lines.forEach((text, index) => {
    const fence = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(text);
    if (!open) {
      if (fence) open = { fence: fence[1] as string, info: (fence[2] as string).trim(), line: index + 1, body: [] };
      return;
    }
    const closing = fence?.[1];
    if (closing && closing[0] === open.fence[0] && closing.length >= open.fence.length && fence?.[2]?.trim() === "") {
      blocks.push({ info: open.info, body: open.body.join("\n"), line: open.line });
      open = undefined;
      return;
    }
    open.body.push(text);
  });
  return blocks;
}

/** Every README.md under `root` (node_modules, .git and build output left out), relative paths, sorted. */
export function readmeFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!["node_modules", ".git", "dist", ".turbo"].includes(entry.name)) walk(join(directory, entry.name));
      } else if (entry.name === "README.md") {
        found.push(relative(root, join(directory, entry.name)));
      }
    }
  };
  walk(root);
  return found.sort();
}

export function readText(root: string, path: string): string {
  return readFileSync(join(root, path), "utf8");
}
