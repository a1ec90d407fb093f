/**
 * Phrase rules over normalised text (lower case, one space between words, look-alikes and
 * encodings already folded). Every gap between words is bounded ({0,n} of non-space runs),
 * so each pattern runs in linear time. Scores differ by channel: a request about "your
 * response" is normal from a user but suspicious inside a document the model reads.
 */
export interface InjectionRule {
  readonly name: string;
  readonly pattern: RegExp;
  readonly userScore: number;
  readonly documentScore: number;
}

const GAP = "(?:[^ \\n]{1,40} ){0,4}?";
const SHORT_GAP = "(?:[^ \\n]{1,40} ){0,2}?";
const OVERRIDE_VERB =
  "(?:ignore|disregard|forget|skip|bypass|override|overlook|neglect|abandon|dismiss|set aside|throw out|do not follow|don't follow|do not obey|don't obey|do not listen to|don't listen to|stop following|no longer follow)";
const STRONG_NOUN =
  "(?:instructions?|rules?|guidelines?|directives?|directions|prompts?|orders|commands|programming|constraints|restrictions|guardrails|policies|system message)";
const WEAK_NOUN = "(?:information|context|text|messages?|content|conversation|everything|what you were told)";
const EARLIER = "(?:previous|prior|above|preceding|earlier|former|foregoing|initial|original|old)";
const EXTRACTION_VERB =
  "(?:reveal|show|print|repeat|output|display|tell me|give me|share|leak|dump|write out|spell out|recite|copy|what (?:is|are|were|was))";
const YOUR_SECRET =
  "(?:your|the (?:above|previous|preceding|initial|hidden|original|secret|system|first)|above|initial|hidden|system|original|secret)";
const REPLY = "(?:reply|replies|response|responses|answer|answers|output|summary|message|elucidation|explanation)";

const rule = (name: string, source: string, scores: { user: number; document: number }): InjectionRule => ({
  name,
  pattern: new RegExp(source, "g"),
  userScore: scores.user,
  documentScore: scores.document,
});

export const INJECTION_RULES: readonly InjectionRule[] = [
  rule("override", `\\b${OVERRIDE_VERB} ${GAP}(?:all |any |the |your |these |those |my )?${GAP}${STRONG_NOUN}\\b`, {
    user: 0.9,
    document: 0.97,
  }),
  rule("override-earlier", `\\b${OVERRIDE_VERB} ${SHORT_GAP}${EARLIER} ${SHORT_GAP}${WEAK_NOUN}\\b`, {
    user: 0.9,
    document: 0.97,
  }),
  rule(
    "extraction",
    `\\b${EXTRACTION_VERB} ${SHORT_GAP}${YOUR_SECRET} ${SHORT_GAP}(?:prompt|instructions|rules|guidelines|directives|configuration|password|secret word)\\b`,
    {
      user: 0.95,
      document: 0.97,
    },
  ),
  rule(
    "extraction-all",
    `\\b(?:print|output|repeat|reveal|dump|recite|list) (?:out )?all (?:of )?(?:the |your )?(?:instructions|prompts?|rules you|directives)\\b`,
    {
      user: 0.8,
      document: 0.95,
    },
  ),
  rule("system-prompt", "\\b(?:your|the) (?:system|initial|hidden|original) (?:prompt|instructions|message)\\b", {
    user: 0.7,
    document: 0.9,
  }),
  rule(
    "role-switch",
    "\\b(?:you are now|you're now|you are no longer|from now on,? you (?:are|will|must|shall|reply|respond|act)|you are going to (?:act|pretend|be))\\b",
    {
      user: 0.85,
      document: 0.95,
    },
  ),
  rule("dan", "\\b(?:(?:you are|act as|be|called|named|now|mode:?) dan|dan mode|do anything now)\\b", {
    user: 0.9,
    document: 0.95,
  }),
  // Phones have a developer mode and games a god mode: alone these are weak from a user.
  rule(
    "unrestricted-persona",
    "\\b(?:developer mode|god mode|jailbroken|jailbreak mode|unrestricted (?:ai|mode|model)|no (?:restrictions|filters|limitations|ethics)|without (?:any )?(?:restrictions|filters|limitations|ethics|censorship))\\b",
    { user: 0.5, document: 0.9 },
  ),
  rule(
    "fake-delimiter",
    "(?:<\\/?(?:system|sys|instructions?|assistant|context|im_start|im_end)>|<\\|[a-z_]+\\|>|\\[\\/?(?:inst|sys|system)\\]|<<\\/?sys>>|(?:^|\\n) ?#{2,} ?(?:system|instructions?|new instructions)\\b|(?:^|\\n) ?(?:system|assistant) ?:|\\bend of (?:user |the )?(?:input|prompt|document|context|instructions)\\b)",
    {
      user: 0.9,
      document: 0.97,
    },
  ),
  rule(
    "new-instructions",
    "\\b(?:new|updated|revised|real|actual|true|additional) (?:instructions?|task|rules|system prompt)(?: is| are)? ?:",
    {
      user: 0.85,
      document: 0.95,
    },
  ),
  rule(
    "addressed-to-assistant",
    "(?:^|[.!?\\n] ?)(?:dear |hey |attention,? |note to the )?(?:ai|ai assistant|assistant|chatbot|language model|llm|chatgpt|gpt|claude|ai model)(?:,| :|:) ",
    {
      user: 0.3,
      document: 0.95,
    },
  ),
  rule(
    "reply-directive",
    `\\b(?:your|the assistant's|the ai's) ${REPLY} (?:must|should|shall|needs to|has to|will have to)\\b`,
    {
      user: 0.35,
      document: 0.95,
    },
  ),
  rule("reply-edit", `\\b(?:in|into|to|within|through) (?:your|the assistant's) ${REPLY}\\b`, {
    user: 0.3,
    document: 0.9,
  }),
  rule(
    "reply-format",
    `\\b(?:translate|encode|encrypt|reverse|write|render|provide|express|format|modify|enhance|augment|change|rewrite|begin|start|end|prefix) (?:all |each |every )?(?:of )?your ${REPLY}\\b`,
    {
      user: 0.35,
      document: 0.9,
    },
  ),
  rule(
    "reading-ai",
    "\\b(?:if you are an? (?:ai|language model|assistant)|when (?:you )?summari[sz]ing this|while summari[sz]ing this|when you summari[sz]e this)\\b",
    {
      user: 0.5,
      document: 0.95,
    },
  ),
];
