/** The short, readable label a kind's placeholders carry: EMAIL_ADDRESS -> [EMAIL_1]. */
const LABELS: Readonly<Record<string, string>> = {
  EMAIL_ADDRESS: "EMAIL",
  PHONE_NUMBER: "PHONE",
  CREDIT_CARD: "CARD",
  IBAN_CODE: "IBAN",
  US_SSN: "SSN",
  IP_ADDRESS: "IP",
  URL: "URL",
  DOMAIN_NAME: "DOMAIN",
  DATE_TIME: "DATE",
  AGE: "AGE",
  ZIP_CODE: "ZIP",
  US_DRIVER_LICENSE: "LICENSE",
  PERSON: "PERSON",
  GPE: "LOCATION",
  LOCATION: "LOCATION",
  ORGANIZATION: "ORGANIZATION",
  STREET_ADDRESS: "ADDRESS",
  TITLE: "TITLE",
  NRP: "GROUP",
};

/** Kinds of the secrets detector all become [SECRET_n]: which provider's key it was is no business of the model's. */
export function placeholderLabel(kind: string, detector: string): string {
  if (detector === "secrets") return "SECRET";
  return LABELS[kind] ?? kind.replace(/[^A-Z0-9]+/gi, "_").toUpperCase();
}
