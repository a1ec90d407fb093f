import { allFakers, type Faker } from "@faker-js/faker";
import type { TypedSpan } from "../../eval/token-scoring.ts";
import { companyWords, nationalities, occupations, titles } from "./fixed-lists.ts";
import { sentenceLocales } from "./faker-lists.ts";
import { templates } from "./templates.ts";

export interface LabelledSentence {
  text: string;
  spans: TypedSpan[];
}

/** A small seeded generator (mulberry32), so the same seed gives the same sentences. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

interface Piece {
  text: string;
  type?: string;
}

type Filler = (faker: Faker, random: () => number) => Piece[];

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

function safely(read: () => string, fallback: string): string {
  try {
    return read();
  } catch {
    return fallback;
  }
}

function casing(text: string, random: () => number): string {
  const roll = random();
  if (roll < 0.06) return text.toLowerCase();
  if (roll < 0.1) return text.toUpperCase();
  return text;
}

const syllables = "ka ri mo la ne so vi ta ru be lo mi za dor hel gan sten vik ari ul os en ja ko pe li ny".split(" ");

/**
 * A made-up name ("Kavorin", "Sten Lomika"): one name in five is unknown to every list, so the
 * tagger must learn names from their context and shape, not only from having seen them.
 */
function madeUpWord(random: () => number): string {
  let word = "";
  const count = 2 + Math.floor(random() * 2);
  for (let index = 0; index < count; index++) word += pick(syllables, random);
  return capitalised(word);
}

function firstName(faker: Faker, random: () => number): string {
  return random() < 0.2 ? madeUpWord(random) : faker.person.firstName();
}

function lastName(faker: Faker, random: () => number): string {
  return random() < 0.2 ? madeUpWord(random) : faker.person.lastName();
}

function personName(faker: Faker, random: () => number): string {
  const first = firstName(faker, random);
  const last = lastName(faker, random);
  const roll = random();
  if (roll < 0.62) return `${first} ${last}`;
  if (roll < 0.74) return first;
  if (roll < 0.82) return last;
  if (roll < 0.92)
    return `${first} ${faker.string.alpha({ length: 1, casing: "upper" })}${random() < 0.5 ? "." : ""} ${last}`;
  return `${first} ${faker.person.firstName()} ${last}`;
}

function capitalised(word: string): string {
  return (word[0] ?? "").toUpperCase() + word.slice(1);
}

/** Company names of several shapes: faker's ("Kihn, Murphy and Sons"), a word or two and a company word, a brand-like compound. */
function organisation(faker: Faker, random: () => number): string {
  const word = (): string => capitalised(allFakers.en.word.sample());
  const shapes = [
    () => safely(() => faker.company.name(), "Acme Inc"),
    () => `${word()} ${pick(companyWords, random)}`,
    () => `${word()} ${word()} ${pick(companyWords, random)}`,
    () => `${word()}${allFakers.en.word.sample()}`,
    () => `${faker.person.lastName()}-${faker.person.lastName()}`,
    () => `${madeUpWord(random)} ${pick(companyWords, random)}`,
    () => `${word()} ${word()}`,
  ];
  return pick(shapes, random)();
}

function address(faker: Faker, random: () => number): string {
  const street = safely(() => faker.location.streetAddress(), "12 Main Street");
  const full = safely(() => faker.location.streetAddress(true), street);
  const city = safely(() => faker.location.city(), "Springfield");
  const zip = safely(() => faker.location.zipCode(), "12345");
  const country = safely(() => faker.location.country(), "Canada");
  const state = safely(() => faker.location.state({ abbreviated: true }), "CA");
  const separator = random() < 0.5 ? "\n" : ", ";
  const formats = [
    () => `${street}, ${city}, ${state} ${zip}`,
    () => `${street}${separator}${zip} ${city}${separator}${country}`,
    () => `${full}\n${city.toUpperCase()}\n${country} ${zip}`,
    () => `${street}, ${zip} ${city}`,
    () => `${full}, ${city}`,
    () => `${street}\n${city}\n${zip}`,
    () =>
      `${zip} ${street}\n ${safely(() => faker.location.secondaryAddress(), "Apt. 1")}\n ${city}\n ${country} ${zip}`,
    () =>
      `PSC ${faker.string.numeric(4)}, Box ${faker.string.numeric(4)}\nAPO ${pick(["AA", "AE", "AP"], random)} ${faker.string.numeric(5)}`,
    () => street,
  ];
  return pick(formats, random)();
}

const fillers: Readonly<Record<string, Filler>> = {
  PERSON: (faker, random) => [{ text: casing(personName(faker, random), random), type: "PERSON" }],
  FIRST: (faker, random) => [{ text: casing(firstName(faker, random), random), type: "PERSON" }],
  LAST: (faker, random) => [{ text: casing(lastName(faker, random), random), type: "PERSON" }],
  TITLE: (_faker, random) => [{ text: pick(titles, random), type: "TITLE" }],
  JOB: (_faker, random) => [
    {
      text: random() < 0.5 ? allFakers.en.person.jobTitle() : casing(pick(occupations, random), random),
      type: "TITLE",
    },
  ],
  CITY: (faker, random) => [
    {
      text: casing(
        safely(() => faker.location.city(), "Lyon"),
        random,
      ),
      type: "GPE",
    },
  ],
  COUNTRY: (faker, random) => [
    {
      text: casing(
        random() < 0.6 ? allFakers.en.location.country() : safely(() => faker.location.country(), "Peru"),
        random,
      ),
      type: "GPE",
    },
  ],
  REGION: (faker) => [{ text: safely(() => faker.location.state(), "Ontario"), type: "GPE" }],
  ORG: (faker, random) => [{ text: casing(organisation(faker, random), random), type: "ORGANIZATION" }],
  ADDRESS: (faker, random) => [{ text: address(faker, random), type: "STREET_ADDRESS" }],
  STREET: (faker) => [{ text: safely(() => faker.location.streetAddress(), "1 High Street"), type: "STREET_ADDRESS" }],
  ZIP: (faker) => [{ text: safely(() => faker.location.zipCode(), "90210"), type: "ZIP_CODE" }],
  NRP: (_faker, random) => [{ text: casing(pick(nationalities, random), random), type: "NRP" }],
  EMAIL: (faker) => [{ text: allFakers.en.internet.email({ firstName: faker.person.firstName() }) }],
  PHONE: (faker) => [{ text: safely(() => faker.phone.number(), "555-0100") }],
  DATE: (_faker, random) => [
    { text: pick(["Monday", "March 3", "2021-05-04", "5/6/2019", "next Friday", "1998", "12 June 2020"], random) },
  ],
  NUMBER: (faker) => [{ text: String(faker.number.int({ min: 2, max: 40 })) }],
  PRODUCT: () => [{ text: allFakers.en.commerce.productName() }],
  AMOUNT: (faker) => [{ text: `$${faker.number.int({ min: 5, max: 900 })}.${faker.string.numeric(2)}` }],
  ORDER: (faker) => [{ text: `#${faker.string.alphanumeric({ length: 8, casing: "upper" })}` }],
  WORD: (_faker, random) => {
    const word = allFakers.en.word.sample();
    return [{ text: random() < 0.7 ? word[0]?.toUpperCase() + word.slice(1) : word }];
  },
  URL: () => [{ text: allFakers.en.internet.url() }],
  CODE: (faker, random) => [
    {
      text: pick(
        [
          () => `sk-${random() < 0.5 ? "proj-" : ""}${faker.string.alphanumeric(32)}`,
          () => faker.string.uuid(),
          () => faker.string.hexadecimal({ length: 40, prefix: "" }),
          () => `ghp_${faker.string.alphanumeric(36)}`,
          () => `/usr/local/${allFakers.en.system.fileName()}`,
          () => `${allFakers.en.system.fileName()}`,
          () => `${faker.string.alpha(4)}_${faker.string.alphanumeric(12)}`,
        ],
        random,
      )(),
    },
  ],
};

/** `count` sentences from the templates, each filled with one locale's names, places and streets. */
export function generateSentences(count: number, seed: number): LabelledSentence[] {
  const random = createRandom(seed);
  const sentences: LabelledSentence[] = [];
  for (const locale of sentenceLocales) allFakers[locale].seed(seed);
  allFakers.en.seed(seed);
  for (let index = 0; index < count; index++) {
    const faker = allFakers[pick(sentenceLocales, random)];
    const template = pick(templates, random);
    let text = "";
    const spans: TypedSpan[] = [];
    for (const part of template.split(/(\{[A-Z]+\})/)) {
      const slot = /^\{([A-Z]+)\}$/.exec(part)?.[1];
      const filler = slot ? fillers[slot] : undefined;
      const pieces = filler ? filler(faker, random) : [{ text: part }];
      for (const piece of pieces) {
        if (piece.type) spans.push({ type: piece.type, start: text.length, end: text.length + piece.text.length });
        text += piece.text;
      }
    }
    if (random() < 0.05) text = text.toLowerCase();
    sentences.push({ text, spans });
  }
  return sentences;
}
