import { allFakers, type Faker } from "@faker-js/faker";

/** The word lists the gazetteers and the sentence generator draw from, gathered from faker's locales. */
export interface FakerLists {
  firstNames: string[];
  lastNames: string[];
  cities: string[];
  countries: string[];
  regions: string[];
  streetWords: string[];
  jobTitles: string[];
  commonWords: string[];
}

/** Locales whose names, places and streets the training sentences mix (Latin, Greek and Cyrillic scripts). */
export const sentenceLocales = [
  "en_US",
  "en_GB",
  "en_AU",
  "en_CA",
  "en_IE",
  "en_ZA",
  "en_IN",
  "de",
  "de_AT",
  "de_CH",
  "fr",
  "fr_BE",
  "fr_CH",
  "es",
  "es_MX",
  "it",
  "pt_BR",
  "pt_PT",
  "nl",
  "nl_BE",
  "sv",
  "nb_NO",
  "da",
  "fi",
  "pl",
  "cs_CZ",
  "sk",
  "hu",
  "ro",
  "hr",
  "sl_SI",
  "sr_RS_latin",
  "lv",
  "tr",
  "el",
  "ru",
  "uk",
  "id_ID",
  "vi",
  "af_ZA",
  "yo_NG",
  "zu_ZA",
] as const;

function strings(read: () => unknown): string[] {
  try {
    const value = read();
    const found: string[] = [];
    const walk = (item: unknown): void => {
      if (typeof item === "string") {
        if (!item.includes("{{")) found.push(item);
      } else if (Array.isArray(item)) item.forEach(walk);
      else if (item && typeof item === "object") Object.values(item).forEach(walk);
    };
    walk(value);
    return found;
  } catch {
    return [];
  }
}

function gather(read: (faker: Faker) => unknown): string[] {
  const all = new Set<string>();
  for (const locale of sentenceLocales) {
    const faker = allFakers[locale];
    for (const value of strings(() => read(faker))) all.add(value);
  }
  return [...all].sort();
}

export function gatherFakerLists(): FakerLists {
  const english = allFakers.en;
  return {
    firstNames: gather((faker) => faker.definitions.person.first_name),
    lastNames: gather((faker) => faker.definitions.person.last_name),
    cities: gather((faker) => faker.definitions.location.city_name),
    countries: gather((faker) => faker.definitions.location.country),
    regions: gather((faker) => faker.definitions.location.state),
    streetWords: gather((faker) => [
      faker.definitions.location.street_suffix,
      faker.definitions.location.street_prefix,
    ]),
    jobTitles: [
      ...new Set([
        ...strings(() => english.definitions.person.job_area),
        ...strings(() => english.definitions.person.job_descriptor),
        ...strings(() => english.definitions.person.job_type),
      ]),
    ].sort(),
    commonWords: [...new Set(strings(() => english.definitions.word).map((word) => word.toLowerCase()))].sort(),
  };
}
