import { type ClaimChecker, createClaimChecker, type EmbedTexts } from "./claim-checker.ts";
import { loadKnowledgeBase } from "./knowledge-base.ts";

/**
 * One claim checker per named knowledge base folder, loaded and indexed once at start.
 * A folder that cannot be read throws (with the base's name), so a typo stops the start.
 */
export function loadKnowledgeBases(
  folders: Readonly<Record<string, string>>,
  options: { embed?: EmbedTexts } = {},
): Record<string, ClaimChecker> {
  const checkers: Record<string, ClaimChecker> = {};
  for (const [name, folder] of Object.entries(folders)) {
    let passages: ReturnType<typeof loadKnowledgeBase>;
    try {
      passages = loadKnowledgeBase(folder);
    } catch (error) {
      throw new Error(`knowledge base "${name}": cannot read ${folder} (${(error as Error).message})`);
    }
    checkers[name] = createClaimChecker({ passages, ...(options.embed === undefined ? {} : { embed: options.embed }) });
  }
  return checkers;
}
