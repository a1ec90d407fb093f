import type { ResolvedBrand } from "../policy/resolve-policy.ts";
import { createTopicMatcher, type TopicMatcher } from "./topics.ts";

const matchers = new WeakMap<ResolvedBrand, TopicMatcher>();

/** The route's disclaimer topics, compiled once per resolved policy. */
export function brandTopics(brand: ResolvedBrand): TopicMatcher {
  let matcher = matchers.get(brand);
  if (matcher === undefined) {
    matcher = createTopicMatcher(brand.disclaimers);
    matchers.set(brand, matcher);
  }
  return matcher;
}
