const STORAGE_KEY = "keel.reviewer";

/** The name recorded with a decision, remembered in this browser. */
export const reviewerName = {
  read: (): string => window.localStorage.getItem(STORAGE_KEY) ?? "",
  write: (name: string): void => window.localStorage.setItem(STORAGE_KEY, name),
};
