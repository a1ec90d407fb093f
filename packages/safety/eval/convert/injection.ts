/**
 * User-turn prompt injection: InjecGuard's validation set, NotInject (benign prompts full of
 * trigger words), BIPIA's attack instructions and PINT's example, split 70/30.
 *
 *   pnpm --filter @keel/safety exec tsx eval/convert/injection.ts [source dir]
 */
import { sourceDirectory, writeJsonLines } from "./convert-files.ts";
import { userTurnSplit } from "./injection-sources.ts";

const split = userTurnSplit(sourceDirectory(process.argv));
writeJsonLines("injection-train.jsonl", split.train);
writeJsonLines("injection-dev.jsonl", split.dev);
