/** The upstream model of a "provider/model" target (the model part may itself hold slashes). */
export function upstreamModelOf(target: string): string {
  return target.slice(target.indexOf("/") + 1);
}
