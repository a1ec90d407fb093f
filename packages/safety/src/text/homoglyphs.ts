/**
 * Cyrillic and Greek letters that render like Latin ones, folded to the Latin letter an
 * attacker meant ("іgnоrе" with Cyrillic і, о, е). Case is kept; lowercasing comes later.
 */
const PAIRS =
  "аaвBеeкkмMнHоoрpсcтTуyхxѕsіiјjԁdԛqԝwһhӏlɡgАAВBЕEКKМMНHОOРPСCТTХXУYЅSІIЈJ" +
  "αaοoιiκkνvρpτtυuχxΑAΒBΕEΖZΗHΙIΚKΜMΝNΟOΡPΤTΥYΧX";

export const HOMOGLYPHS: ReadonlyMap<number, string> = new Map(
  Array.from({ length: PAIRS.length / 2 }, (_, index) => [PAIRS.charCodeAt(index * 2), PAIRS[index * 2 + 1]!]),
);

// Each pair is one look-alike then its Latin letter; a missing partner would shift every later pair.
for (const [from, to] of HOMOGLYPHS)
  if (from < 0x80 || !/[a-z]/i.test(to)) throw new Error("homoglyph table out of step");
