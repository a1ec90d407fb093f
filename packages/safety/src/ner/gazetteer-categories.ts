/**
 * What a gazetteer says of a word, one bit each. A word can be in several lists ("Jordan" is a
 * first name, a last name and a country). The lists come from faker's locale data at training
 * time and travel inside the model file.
 */
export const gazetteerCategories = [
  "first-name",
  "last-name",
  "city",
  "country",
  "region",
  "street-word",
  "company-word",
  "nationality",
  "title",
  "job-word",
  "common-word",
  "month-or-day",
] as const;

export type GazetteerCategory = (typeof gazetteerCategories)[number];

export function categoryBit(category: GazetteerCategory): number {
  return 1 << gazetteerCategories.indexOf(category);
}
