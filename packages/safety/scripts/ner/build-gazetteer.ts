import { allFakers } from "@faker-js/faker";
import { categoryBit, type GazetteerCategory } from "../../src/ner/gazetteer-categories.ts";
import { createTokens, tokenKinds, tokenize } from "../../src/ner/tokenize.ts";
import { type FakerLists, sentenceLocales } from "./faker-lists.ts";
import { companyWords, nationalities, occupations, titles } from "./fixed-lists.ts";

const monthsAndDays =
  "January February March April May June July August September October November December Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(
    " ",
  );

/** English function words, which faker's word lists (nouns, verbs, adjectives ...) leave out. */
const functionWords = (
  "a an the and or but if then else of to in on at by for with from into onto upon about above below over under " +
  "between through during before after since until while as than so that this these those there here where when " +
  "what which who whom whose why how all any both each few more most other some such no nor not only own same too " +
  "very can will just should now i me my mine we us our ours you your yours he him his she her hers it its they them " +
  "their theirs is am are was were be been being have has had having do does did doing would could might must shall " +
  "may let please thanks thank hi hello hey yes yeah ok okay also still even again ever never always already yet " +
  "i'm i've i'd i'll you're it's don't didn't can't won't isn't wasn't aren't doesn't what's that's there's let's"
).split(" ");

/**
 * Word hash -> category bits. Each entry is cut into tokens as the tagger cuts text; of a
 * multi-word entry ("Villafranca del Cid") only its capitalised words are added, so "del",
 * "and" or "of" do not become place names.
 */
export function buildGazetteer(lists: FakerLists, seed: number): Map<number, number> {
  const gazetteer = new Map<number, number>();
  const tokens = createTokens();
  const add = (category: GazetteerCategory, entries: Iterable<string>): void => {
    const bit = categoryBit(category);
    for (const entry of entries) {
      tokenize(entry, tokens);
      for (let position = 0; position < tokens.count; position++) {
        if (tokens.kinds[position] !== tokenKinds.word) continue;
        const first = entry[tokens.starts[position] ?? 0] ?? "";
        if (tokens.count > 1 && first === first.toLowerCase() && category !== "job-word" && category !== "common-word")
          continue;
        const hash = tokens.hashes[position] ?? 0;
        gazetteer.set(hash, (gazetteer.get(hash) ?? 0) | bit);
      }
    }
  };
  add("first-name", lists.firstNames);
  add("last-name", lists.lastNames);
  add("city", [...lists.cities, ...sampledCities(seed)]);
  add("country", lists.countries);
  add("region", lists.regions);
  add("street-word", lists.streetWords);
  add("company-word", companyWords);
  add("nationality", nationalities);
  add("title", titles);
  add("job-word", [...lists.jobTitles, ...occupations]);
  add("common-word", [...lists.commonWords, ...functionWords]);
  add("month-or-day", monthsAndDays);
  return gazetteer;
}

/** Most locales build city names from patterns rather than list them: take a sample of each. */
function sampledCities(seed: number): string[] {
  const cities = new Set<string>();
  for (const locale of sentenceLocales) {
    const faker = allFakers[locale];
    faker.seed(seed);
    for (let index = 0; index < 300; index++) {
      try {
        cities.add(faker.location.city());
      } catch {
        break;
      }
    }
  }
  return [...cities];
}
