/** One `curl` command of a README block, as far as the README's lines use curl. */
export interface CurlCommand {
  url: string;
  /** The -d body (POST), if any. */
  body?: string;
  /** -G with --data-urlencode 'name=value': sent as a GET query. */
  query?: Record<string, string>;
  headers: Record<string, string>;
}

/**
 * The curl commands of a shell block: backslash-newline continuations joined, single-quoted
 * arguments kept whole (also across lines), `# ...` comment lines left out. Understands the
 * flags the README uses: -s, -N, -G, -H, -d, --data-urlencode.
 */
export function curlCommands(block: string): CurlCommand[] {
  const commands: CurlCommand[] = [];
  for (const words of shellCommands(block)) {
    if (words[0] !== "curl") continue;
    const command: CurlCommand = { url: "", headers: {} };
    let get = false;
    for (let index = 1; index < words.length; index += 1) {
      const word = words[index] as string;
      // -N (no output buffering, for a stream) changes nothing for a test that reads the whole answer.
      if (word === "-s" || word === "-N") continue;
      if (word === "-G") get = true;
      else if (word === "-H") {
        const [name, ...value] = (words[++index] as string).split(":");
        command.headers[(name as string).trim().toLowerCase()] = value.join(":").trim();
      } else if (word === "-d") command.body = words[++index] as string;
      else if (word === "--data-urlencode") {
        const pair = words[++index] as string;
        const equals = pair.indexOf("=");
        command.query = { ...command.query, [pair.slice(0, equals)]: pair.slice(equals + 1) };
      } else if (word.startsWith("-"))
        throw new Error(`the README's curl uses a flag this test does not know: ${word}`);
      else command.url = word;
    }
    if (get && command.body !== undefined) throw new Error("-G with -d is not used in the README");
    commands.push(command);
  }
  return commands;
}

function shellCommands(block: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  let quoted = false;
  const text = block.replace(/\\\n/g, " ");
  const endWord = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    if (quoted) {
      if (char === "'") quoted = false;
      else word = (word ?? "") + char;
      continue;
    }
    if (char === "'") {
      quoted = true;
      word ??= "";
    } else if (char === "#" && word === undefined) {
      // A comment runs to the end of the line.
      while (index < text.length && text[index] !== "\n") index += 1;
      index -= 1;
    } else if (char === "\n") {
      endWord();
      if (words.length > 0) commands.push(words);
      words = [];
    } else if (char === " " || char === "\t") endWord();
    else word = (word ?? "") + char;
  }
  endWord();
  if (words.length > 0) commands.push(words);
  return commands;
}
