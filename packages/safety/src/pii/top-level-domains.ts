/**
 * Top-level domains a bare name may end with. Generic ones people write, and country codes,
 * minus those that are also common file extensions or abbreviations (py, sh, md, rs, pl, is, so,
 * ai ...): "setup.py" or "e.g." must not become DOMAIN_NAME. Links with a scheme or "www." are
 * found by the URL rule whatever their ending.
 */
const topLevelDomains = new Set(
  (
    "com net org edu gov mil int info biz io co app dev cloud online site tech store shop blog xyz me tv us uk " +
    "ca de fr es it nl be ch at se dk no fi ie pt gr cy mt cz sk hu ro bg hr si ba mk al ee lv lt " +
    "ua by ru tr il ae sa qa eg ma tn za ng ke gh br ar cl uy pe mx ve ec bo au nz jp kr cn tw hk sg my th " +
    "vn ph id in pk bd lk np eu asia"
  ).split(" "),
);

export function isKnownTopLevelDomain(label: string): boolean {
  return topLevelDomains.has(label);
}
