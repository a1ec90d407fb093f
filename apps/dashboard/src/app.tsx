import { useCallback, useEffect, useMemo, useState } from "react";
import type { SessionInfo } from "@keel/trpc";
import { createKeelClient, keelCodeOf, messageOf } from "./api/client.ts";
import { Layout } from "./layout.tsx";
import { apiKeyStore } from "./session/api-key-store.ts";
import { type Session, SessionContext } from "./session/session-context.ts";
import { SignIn } from "./session/sign-in.tsx";

type Stage =
  | { kind: "loading" }
  | { kind: "sign-in"; problem?: string; optional: boolean }
  | { kind: "failed"; problem: string }
  | { kind: "ready"; info: SessionInfo };

/**
 * Asks the service who this browser is (`session`): with a key, that key's tenant and
 * role; without, either authentication is off (the app opens) or the service answers
 * UNAUTHENTICATED and the sign-in screen shows.
 */
export function App() {
  const [apiKey, setApiKey] = useState(apiKeyStore.read);
  const [stage, setStage] = useState<Stage>({ kind: "loading" });
  const client = useMemo(() => createKeelClient(apiKey), [apiKey]);

  useEffect(() => {
    let live = true;
    setStage({ kind: "loading" });
    client.session.query().then(
      (info) => live && setStage({ kind: "ready", info }),
      (error: unknown) => {
        if (!live) return;
        const code = keelCodeOf(error);
        if (code === "UNAUTHENTICATED" || code === "FORBIDDEN")
          setStage({
            kind: "sign-in",
            optional: false,
            ...(apiKey === undefined ? {} : { problem: "That key was not accepted. Check it and try again." }),
          });
        else setStage({ kind: "failed", problem: messageOf(error) });
      },
    );
    return () => {
      live = false;
    };
  }, [client, apiKey]);

  const signIn = useCallback((key: string) => {
    apiKeyStore.write(key);
    setApiKey(key);
  }, []);
  const signOut = useCallback(() => {
    apiKeyStore.write(undefined);
    setApiKey(undefined);
  }, []);
  const [ready, setReady] = useState<SessionInfo | undefined>();
  useEffect(() => {
    if (stage.kind === "ready") setReady(stage.info);
  }, [stage]);

  if (stage.kind === "sign-in")
    return (
      <SignIn
        {...(stage.problem === undefined ? {} : { problem: stage.problem })}
        onSubmit={signIn}
        {...(stage.optional && ready !== undefined ? { onCancel: () => setStage({ kind: "ready", info: ready }) } : {})}
      />
    );
  if (stage.kind === "failed")
    return (
      <main className="sign-in">
        <h1>Keel dashboard</h1>
        <p role="alert" className="error">
          The service did not answer: {stage.problem}
        </p>
        <button type="button" onClick={() => setApiKey(apiKeyStore.read())}>
          Try again
        </button>
      </main>
    );
  if (stage.kind === "loading")
    return (
      <main className="sign-in" aria-busy="true">
        <h1>Keel dashboard</h1>
        <p>Connecting…</p>
      </main>
    );
  const session: Session = {
    client,
    info: stage.info,
    signedIn: apiKey !== undefined,
    signOut,
    openSignIn: () => setStage({ kind: "sign-in", optional: true }),
  };
  return (
    <SessionContext.Provider value={session}>
      <Layout />
    </SessionContext.Provider>
  );
}
