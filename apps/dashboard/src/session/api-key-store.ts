const STORAGE_KEY = "keel.apiKey";

/** The key lives in this tab's session storage only: closing the tab signs out. */
export const apiKeyStore = {
  read(): string | undefined {
    return window.sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  },
  write(key: string | undefined): void {
    if (key === undefined) window.sessionStorage.removeItem(STORAGE_KEY);
    else window.sessionStorage.setItem(STORAGE_KEY, key);
  },
};
