import type { Detector, Finding } from "../finding.ts";
import { hasContextNear } from "./context.ts";

const name = "pii-date-time";
const version = "1.0.0";
const month =
  "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)";
const day = "(?:[12]\\d|3[01]|0?[1-9])(?:st|nd|rd|th)?";
const time = "(?:[T ](?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d)?(?:\\.\\d{1,6})?Z?)?";
// Each alternative is a fixed sequence of bounded pieces, so a try from any position is short.
const datePatterns: readonly RegExp[] = [
  new RegExp(`(?<![\\d.-])(?:19|20)\\d\\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])${time}(?![\\d])`, "g"),
  // 6/24/1991, 24.06.1991, 24-06-1991; a two-digit year only after '/', so "1.2.34" stays a version.
  /(?<![\d./-])(?:[12]\d|3[01]|0?[1-9])([/.-])(?:[12]\d|3[01]|0?[1-9])\1(?:19|20)\d\d(?![\d./-]\d|\d)/g,
  /(?<![\d./-])(?:[12]\d|3[01]|0?[1-9])\/(?:[12]\d|3[01]|0?[1-9])\/\d\d(?![\d./-]\d|\d)/g,
  new RegExp(
    `\\b(?:${day} (?:of )?${month}\\.?,? (?:19|20)\\d\\d|${month}\\.? ${day},? (?:19|20)\\d\\d|${month}\\.? ${day}|${day} (?:of )?${month}|${month},? (?:19|20)\\d\\d)\\b`,
    "g",
  ),
];
const weekdayPattern = /\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b/g;
const yearPattern = /(?<![\d.,/:-])(?:1[89]\d\d|20\d\d)(?:'?s)?(?![\d/:-]|\.\d|,\d)/g;
const yearContext = {
  words: [
    "in",
    "of",
    "since",
    "during",
    "from",
    "until",
    "till",
    "by",
    "year",
    "circa",
    "around",
    "before",
    "after",
    "a",
    "an",
    "the",
    "born",
    "early",
    "late",
    "mid",
    "summer",
    "winter",
    "spring",
    "autumn",
    "fall",
  ],
  before: 8,
  after: 0,
};
const birthContext = {
  words: ["born", "dob", "d.o.b.", "date of birth", "birthday", "birth date", "birthdate"],
  before: 40,
  after: 5,
};

/**
 * DATE_TIME: ISO dates and timestamps, day/month/year with '/', '.' or '-', dates with month
 * names, weekday names, and four-digit years (1800-2099) right after a word such as "in",
 * "since", "of" or "born". Near "born", "DOB", "date of birth" or "birthday" a date scores 1:
 * those are the dates of birth that identify a person.
 */
export function createDateTimeDetector(): Detector {
  return { name, version, detect: findDates };
}

function findDates(text: string): Finding[] {
  const findings: Finding[] = [];
  const add = (start: number, end: number, baseScore: number): void => {
    const score = hasContextNear(text, { start, end }, birthContext) ? 1 : baseScore;
    findings.push({ kind: "DATE_TIME", start, end, score, detector: name });
  };
  for (const pattern of datePatterns) {
    for (const match of text.matchAll(pattern)) add(match.index, match.index + match[0].length, 0.85);
  }
  for (const match of text.matchAll(weekdayPattern)) add(match.index, match.index + match[0].length, 0.6);
  for (const match of text.matchAll(yearPattern)) {
    const span = { start: match.index, end: match.index + match[0].length };
    if (hasContextNear(text, span, yearContext)) add(span.start, span.end, 0.6);
  }
  return findings;
}
