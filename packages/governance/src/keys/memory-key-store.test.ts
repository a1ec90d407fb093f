import { createApiKeyStore } from "./api-key-store.ts";
import { describeKeyStoreContract } from "../test-support/key-store-contract.ts";

describeKeyStoreContract("memory", {
  newScope: () => (options) => createApiKeyStore({ ...options }),
  shared: false,
});
