/** Digits and symbols that stand for letters inside a word ("1gn0r3", "pr0mpt", "$ystem"). */
export const LEET: ReadonlyMap<number, number> = new Map(
  [
    ["0", "o"],
    ["1", "i"],
    ["3", "e"],
    ["4", "a"],
    ["5", "s"],
    ["7", "t"],
    ["@", "a"],
    ["$", "s"],
  ].map(([from, to]) => [from!.charCodeAt(0), to!.charCodeAt(0)]),
);
