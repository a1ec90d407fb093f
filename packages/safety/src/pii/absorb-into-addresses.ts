import type { Finding } from "../finding.ts";

/**
 * Drops context-only ZIP codes that lie inside a street address the tagger found: the postcode is
 * part of that address ("... Denver, CO 80202"), and reporting the address whole keeps it one
 * finding. Both lists are sorted by start; one forward walk.
 */
export function absorbIntoAddresses(rules: readonly Finding[], names: readonly Finding[]): Finding[] {
  const addresses = names.filter((finding) => finding.kind === "STREET_ADDRESS");
  if (addresses.length === 0) return [...rules];
  const kept: Finding[] = [];
  let next = 0;
  for (const finding of rules) {
    while (next < addresses.length && (addresses[next]?.end ?? 0) < finding.end) next++;
    const address = addresses[next];
    const inside = address !== undefined && address.start <= finding.start && finding.end <= address.end;
    if (!(finding.kind === "ZIP_CODE" && inside)) kept.push(finding);
  }
  return kept;
}
